"""The roster's add and remove forms answer htmx with the roster panel (updated in place, messages
swapped in out of band) and answer a plain form post with a redirect, so they work without JavaScript."""

from django.urls import reverse

from circles.models import CircleMembership

HTMX = {"HTTP_HX_REQUEST": "true"}


def roster_url(name, **kwargs):
    return reverse(name, kwargs={"org": "acme", "circle": "finance", **kwargs})


def test_adding_over_htmx_answers_with_the_updated_roster_panel(as_user, world):
    nora = world.member(world.nora)

    response = as_user(world.steve).post(roster_url("roster_add"), {"member": nora.pk}, **HTMX)

    assert response.status_code == 200
    assert response.templates[0].name == "circles/_roster_panel.html"
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="roster-panel"' in page
    assert "Nora Nocircle" in page.split('id="add-heading"')[0]
    assert 'hx-swap-oob="true"' in page
    assert "Nora Nocircle is now on the roster of Finance." in page
    assert CircleMembership.objects.current().filter(circle=world.finance, member=nora).exists()
    assert nora not in response.context["add_form"].fields["member"].queryset


def test_adding_without_htmx_redirects_to_the_roster_page(as_user, world):
    nora = world.member(world.nora)
    client = as_user(world.steve)

    response = client.post(roster_url("roster_add"), {"member": nora.pk})

    assert response.status_code == 302
    assert response["Location"] == roster_url("roster")
    followed = client.get(response["Location"])
    assert "Nora Nocircle is now on the roster of Finance." in followed.content.decode()


def test_adding_someone_already_on_the_roster_shows_the_error_in_the_panel(as_user, world):
    mia = world.member(world.mia)

    response = as_user(world.steve).post(roster_url("roster_add"), {"member": mia.pk}, **HTMX)

    assert response.status_code == 200
    assert "is on it already" in response.content.decode()
    assert CircleMembership.objects.current().filter(circle=world.finance, member=mia).count() == 1


def test_removing_over_htmx_answers_with_the_panel_and_the_history(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = as_user(world.steve).post(
        roster_url("roster_remove", pk=membership.pk), {"reason": "Taking a break"}, **HTMX
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    current, history = page.split('id="history-heading"')
    assert "Mia Member" not in current.split('id="add-heading"')[0]
    assert "Taking a break" in history
    membership.refresh_from_db()
    assert membership.removal_reason == "Taking a break"


def test_removing_over_htmx_without_a_reason_keeps_the_row_and_shows_why(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = as_user(world.steve).post(roster_url("roster_remove", pk=membership.pk), {"reason": ""}, **HTMX)

    assert response.status_code == 200
    assert "Say why this member leaves the circle" in response.content.decode()
    assert response.context["remove_error"]["pk"] == membership.pk
    membership.refresh_from_db()
    assert membership.left_at is None


def test_removing_without_htmx_redirects_to_the_roster_page(as_user, world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = as_user(world.steve).post(roster_url("roster_remove", pk=membership.pk), {"reason": "Done"})

    assert response.status_code == 302
    assert response["Location"] == roster_url("roster")


def test_the_roster_forms_carry_both_htmx_and_plain_form_attributes(as_user, world):
    page = as_user(world.steve).get(roster_url("roster")).content.decode()

    assert f'action="{roster_url("roster_add")}"' in page
    assert f'hx-post="{roster_url("roster_add")}"' in page
    assert 'hx-target="#roster-panel"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_htmx_script_is_served_locally(as_user, world):
    page = as_user(world.steve).get(roster_url("roster")).content.decode()

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in page
    assert "https://" not in page.split("<body")[0]
