"""Dead ends removed: /favicon.ico answers, a refusal keeps the organisation's navigation, and the
roster offers a steward only the links a steward may follow."""

from django.urls import reverse


def test_the_favicon_is_where_browsers_look_for_it(client, db):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    assert answer["Location"].endswith("favicon.ico")


def test_a_refusal_inside_an_organisation_keeps_its_navigation(client, world):
    client.force_login(world.mia)
    answer = client.get(reverse("organisation_settings", kwargs={"org": "acme"}))
    assert answer.status_code == 403
    page = answer.content.decode()
    assert 'aria-label="Acme Co-op"' in page  # the organisation's section navigation
    assert reverse("organisation", kwargs={"org": "acme"}) in page


def test_a_refusal_elsewhere_shows_no_organisation(client, world):
    client.force_login(world.oscar)
    answer = client.get(reverse("organisation_settings", kwargs={"org": "acme"}))
    assert answer.status_code in (403, 404)
    assert 'aria-label="Acme Co-op"' not in answer.content.decode()


def test_the_roster_offers_the_steward_change_only_to_those_who_may_make_it(client, world):
    roster = reverse("roster", kwargs={"org": "acme", "circle": "finance"})
    steward_page = reverse("steward_assign", kwargs={"org": "acme", "circle": "finance"})
    client.force_login(world.steve)  # the steward: admins assign stewards
    page = client.get(roster).content.decode()
    assert steward_page not in page and "an admin first assigns another steward" in page
    client.force_login(world.alice)  # an admin
    assert steward_page in client.get(roster).content.decode()
