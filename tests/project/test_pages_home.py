"""The start page, the organisation home and the site layout: navigation, switcher, account pages."""

from html import unescape

from django.urls import reverse

from governance.models import Member, User
from governance.services import invitation_create
from tests.factories import UserFactory, make_member


def test_a_visitor_is_welcomed_with_log_in_and_sign_up(client, db):
    page = client.get(reverse("home")).content.decode()

    assert "Govern together, in circles." in page
    assert f'href="{reverse("account_login")}"' in page
    assert f'href="{reverse("account_signup")}"' in page


def test_someone_in_one_organisation_goes_straight_to_it(as_user, world):
    response = as_user(world.mia).get(reverse("home"))

    assert response["Location"] == reverse("organisation", kwargs={"org": "acme"})


def test_someone_in_several_organisations_picks_one(as_user, world):
    make_member(world.other, user=world.mia)

    page = as_user(world.mia).get(reverse("home")).content.decode()

    assert reverse("organisation", kwargs={"org": "acme"}) in page
    assert reverse("organisation", kwargs={"org": "other"}) in page


def test_someone_in_no_organisation_is_told_how_to_join(as_user, world):
    page = unescape(as_user(world.oscar).get(reverse("home")).content.decode())

    assert "You are not in an organisation yet." in page


def test_the_organisation_home_shows_the_tree_my_circles_and_activity(as_user, world):
    response = as_user(world.mia).get(reverse("organisation", kwargs={"org": "acme"}))

    nodes = response.context["nodes"]
    assert [(n.circle.name, n.depth) for n in nodes] == [("General circle", 0), ("Finance", 1), ("Outreach", 1)]
    finance = nodes[1]
    assert (finance.steward.user, finance.circle.member_count) == (world.steve, 2)
    assert response.context["my_circles"] == [world.finance]
    page = unescape(response.content.decode())
    assert "Steward: Steve Steward" in page
    assert "added Mia Member to" in page
    assert "New circle" not in page


def test_an_admin_gets_the_new_circle_button_and_the_archived_toggle(as_user, world):
    page = as_user(world.alice).get(reverse("organisation", kwargs={"org": "acme"})).content.decode()

    assert reverse("circle_new", kwargs={"org": "acme"}) in page
    assert "Show archived circles" in page


def test_the_navigation_shows_what_each_person_may_use(as_user, world):
    url = reverse("organisation", kwargs={"org": "acme"})
    invitations = reverse("invitations", kwargs={"org": "acme"})
    settings_url = reverse("organisation_settings", kwargs={"org": "acme"})

    member_page = as_user(world.mia).get(url).content.decode()
    steward_page = as_user(world.steve).get(url).content.decode()
    admin_page = as_user(world.alice).get(url).content.decode()

    assert invitations not in member_page and settings_url not in member_page
    assert invitations in steward_page and settings_url not in steward_page
    assert invitations in admin_page and settings_url in admin_page
    assert reverse("admin:index") not in admin_page


def test_staff_see_a_link_to_the_django_admin(as_user, world):
    User.objects.filter(pk=world.alice.pk).update(is_staff=True)

    page = as_user(world.alice).get(reverse("organisation", kwargs={"org": "acme"})).content.decode()

    assert reverse("admin:index") in page


def test_the_switcher_lists_every_organisation_of_the_person(as_user, world):
    make_member(world.other, user=world.mia)

    response = as_user(world.mia).get(reverse("organisation", kwargs={"org": "acme"}))

    assert [m.organisation.name for m in response.context["my_members"]] == ["Acme Co-op", "Other Co-op"]
    assert reverse("organisation", kwargs={"org": "other"}) in response.content.decode()


def test_the_layout_has_a_skip_link_landmarks_and_a_logout_form(as_user, world):
    page = as_user(world.mia).get(reverse("organisation", kwargs={"org": "acme"})).content.decode()

    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert f'<form method="post" action="{reverse("account_logout")}"' in page
    assert "/static/vendor/pico.min.css" in page and "/static/css/app.css" in page


def test_the_login_page_uses_the_site_layout_with_labelled_fields(client, db):
    page = client.get(reverse("account_login")).content.decode()

    assert '<a class="skip-link" href="#main">' in page
    assert '<label for="id_login">' in page
    assert '<label for="id_password">' in page
    assert reverse("account_reset_password") in page


def test_logging_in_through_the_form_lands_on_the_organisation(client, world):
    response = client.post(
        reverse("account_login"), {"login": "mia@acme.test", "password": "pw-for-tests-1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("organisation", kwargs={"org": "acme"})


def test_logging_out_is_a_post(as_user, world):
    client = as_user(world.mia)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert client.get(reverse("organisation", kwargs={"org": "acme"})).status_code == 302


def test_the_account_pages_render_in_the_site_layout(client, db):
    for name in ("account_signup", "account_reset_password"):
        page = client.get(reverse(name)).content.decode()
        assert '<a class="skip-link" href="#main">' in page
        assert "<label for=" in page


def test_signing_up_from_an_invitation_comes_back_to_it(client, world):
    _, token = invitation_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        email="nina@example.org",
        membership_class=world.organisation.membership_classes.first(),
    )
    accept = reverse("invitation_accept", kwargs={"token": token})
    data = {
        "email": "nina@example.org",
        "name": "Nina Newcomer",
        "password1": "a-long-enough-password-42",
        "password2": "a-long-enough-password-42",
        "next": accept,
    }

    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302
    assert response["Location"] == accept
    client.post(accept)

    nina = User.objects.get(email="nina@example.org")
    assert nina.name == "Nina Newcomer"
    assert Member.objects.get(organisation=world.organisation, user=nina).is_active


def test_the_password_reset_page_sends_to_check_your_email(client, db):
    UserFactory(email="forgetful@example.org")

    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"}, follow=True)

    assert "Check your email" in response.content.decode()
