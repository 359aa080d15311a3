"""Who may do what on the web pages: every persona against every page action, checking both the
answer (login redirect, 404 for people outside the organisation, 403 for members who may not act)
and what the database holds afterwards."""

import pytest
from django.urls import reverse

from circles.models import Circle, CircleMembership
from governance.models import Invitation, Organisation

PERSONAS = ["anonymous", "oscar", "olga", "mia", "steve", "otto", "alice"]


def visit(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


def expected(persona, allowed: set[str]) -> str:
    """What a persona should get: 'login', 404, 403 or 'ok'."""
    if persona == "anonymous":
        return "login"
    if persona in ("oscar", "olga"):
        return 404
    return "ok" if persona in allowed else 403


def assert_answer(response, outcome):
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif outcome == "ok":
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == outcome


def finance_url(world, name, **kwargs):
    return reverse(name, kwargs={"org": "acme", "circle": world.finance.slug, **kwargs})


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_circle_is_visible_to_members_of_its_organisation_only(client, world, persona):
    response = visit(client, world, persona).get(finance_url(world, "circle"))

    outcome = expected(persona, {"mia", "steve", "otto", "alice"})
    assert_answer(response, outcome)
    if outcome == "ok":
        assert response.status_code == 200
        assert b"Finance" in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_edit_a_circle(client, world, persona):
    data = {
        "name": "Finance and budget",
        "parent": world.general.pk,
        "purpose": "Money.",
        "domains": "",
        "accountabilities": "",
    }
    response = visit(client, world, persona).post(finance_url(world, "circle_edit"), data)

    outcome = expected(persona, {"alice"})
    assert_answer(response, outcome)
    name = Circle.objects.get(pk=world.finance.pk).name
    assert name == ("Finance and budget" if outcome == "ok" else "Finance")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_circles_steward_and_admins_add_to_its_roster(client, world, persona):
    nora = world.member(world.nora)
    response = visit(client, world, persona).post(finance_url(world, "roster_add"), {"member": nora.pk})

    outcome = expected(persona, {"steve", "alice"})
    assert_answer(response, outcome)
    on_roster = CircleMembership.objects.current().filter(circle=world.finance, member=nora).exists()
    assert on_roster is (outcome == "ok")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_circles_steward_and_admins_remove_from_its_roster(client, world, persona):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    url = finance_url(world, "roster_remove", pk=membership.pk)
    response = visit(client, world, persona).post(url, {"reason": "Moved to another circle"})

    outcome = expected(persona, {"steve", "alice"})
    assert_answer(response, outcome)
    membership.refresh_from_db()
    assert (membership.left_at is not None) is (outcome == "ok")
    if outcome == "ok":
        assert membership.removal_reason == "Moved to another circle"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_and_the_circles_steward_invite_people_into_a_circle(client, world, persona):
    membership_class = world.organisation.membership_classes.first()
    url = reverse("invitations", kwargs={"org": "acme"})
    data = {"email": "newcomer@example.org", "membership_class": membership_class.pk, "circle": world.finance.pk}
    response = visit(client, world, persona).post(url, data)

    # Otto may open the page (he stewards Outreach) but not invite into Finance: the form refuses.
    outcome = "refused" if persona == "otto" else expected(persona, {"steve", "alice"})
    if outcome == "refused":
        assert response.status_code == 200
        assert response.context["form"].errors["circle"]
    else:
        assert_answer(response, outcome)
    assert Invitation.objects.filter(email="newcomer@example.org").exists() is (outcome == "ok")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_edit_the_organisation_settings(client, world, persona):
    data = {
        "name": "Acme Workers Co-op",
        "description": "",
        "time_zone": "Europe/Paris",
        "circle_size_min": 2,
        "circle_size_max": 9,
        "load_max_circles": 4,
        "consent_round_days": 5,
    }
    response = visit(client, world, persona).post(reverse("organisation_settings", kwargs={"org": "acme"}), data)

    outcome = expected(persona, {"alice"})
    assert_answer(response, outcome)
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert organisation.name == ("Acme Workers Co-op" if outcome == "ok" else "Acme Co-op")
    assert organisation.time_zone == ("Europe/Paris" if outcome == "ok" else "UTC")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_settings_page_opens_for_admins_only(client, world, persona):
    response = visit(client, world, persona).get(reverse("organisation_settings", kwargs={"org": "acme"}))

    assert_answer(response, expected(persona, {"alice"}))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_roster_page_opens_for_the_steward_and_admins_only(client, world, persona):
    response = visit(client, world, persona).get(finance_url(world, "roster"))

    assert_answer(response, expected(persona, {"steve", "alice"}))


def test_a_forbidden_action_shows_the_friendly_403_page(client, world):
    client.force_login(world.mia)

    response = client.get(finance_url(world, "circle_edit"))

    assert response.status_code == 403
    assert "You can’t do that here" in response.content.decode()
    assert "skip-link" in response.content.decode()


def test_an_outsider_gets_the_friendly_404_page(client, world):
    client.force_login(world.oscar)

    response = client.get(reverse("organisation", kwargs={"org": "acme"}))

    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_it_refuses_a_get_on_a_state_changing_url(client, world):
    client.force_login(world.alice)

    response = client.get(finance_url(world, "roster_add"))

    assert response.status_code == 405
