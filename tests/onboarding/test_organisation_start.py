"""Starting an organisation from the page and over the API, and the site's ORGANISATION_CREATORS
obeyed by both (and said honestly on the page)."""

import pytest
from rest_framework.test import APIClient

from governance.models import Member, Organisation
from tests.factories import UserFactory, make_integration

pytestmark = pytest.mark.django_db

FORM = {"name": "River Co-op", "slug": "river", "time_zone": "Europe/London", "language": "en", "currency": "GBP"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_newcomer_is_shown_the_way_to_start_one(client):
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "You are not in an organisation yet." in page
    assert 'href="/organisations/new/"' in page and "Start an organisation" in page


def test_it_starts_a_co_op_from_the_page(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/organisations/new/").content.decode()
    assert "Multi-stakeholder co-op" in page and "Anyone with an account on this site may start" in page

    response = client.post("/organisations/new/", {**FORM, "shape": "coop"})

    assert response.status_code == 302 and response["Location"] == "/o/river/"
    organisation = Organisation.objects.get(slug="river")
    assert Member.objects.get(organisation=organisation, user=user).is_admin
    assert organisation.circles.count() == 4
    assert client.get("/o/river/").status_code == 200


def test_the_page_says_why_an_address_is_taken(client):
    client.force_login(UserFactory())
    client.post("/organisations/new/", {**FORM, "shape": "empty"})
    client.force_login(UserFactory())

    page = client.post("/organisations/new/", {**FORM, "shape": "empty"}).content.decode()

    assert "The address “river” is taken" in page and "river-2" in page
    assert Organisation.objects.count() == 1


def test_only_site_admins_start_one_when_the_site_says_so(client, settings):
    settings.ORGANISATION_CREATORS = "site_admins"
    client.force_login(UserFactory())

    home = client.get("/").content.decode()
    page = client.get("/organisations/new/").content.decode()
    refused = client.post("/organisations/new/", {**FORM, "shape": "coop"})

    assert (
        "only its administrators start organisations" in home
        and 'href="/organisations/new/"' not in home.split("<main")[1]
    )
    assert (
        "only its administrators start organisations" in page
        and '<form method="post" action="/organisations/new/"' not in page
    )
    assert refused.status_code == 403 and not Organisation.objects.exists()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.post("/organisations/new/", {**FORM, "shape": "coop"}).status_code == 302


def test_it_starts_one_over_the_api():
    user = UserFactory()

    response = api(user).post("/api/v1/organisations/", {**FORM, "shape": "council"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["currency"], body["language"], body["my_membership"]["is_admin"]) == (
        "river",
        "GBP",
        "en",
        True,
    )
    assert Organisation.objects.get(slug="river").circles.get().name == "Council"


def test_the_api_refuses_a_taken_address_with_409_and_a_bad_shape_with_400():
    api(UserFactory()).post("/api/v1/organisations/", {**FORM, "shape": "empty"}, format="json")

    taken = api(UserFactory()).post("/api/v1/organisations/", {**FORM, "shape": "empty"}, format="json")
    shape = api(UserFactory()).post("/api/v1/organisations/", {**FORM, "slug": "", "shape": "commune"}, format="json")
    currency = api(UserFactory()).post(
        "/api/v1/organisations/", {**FORM, "slug": "x", "currency": "EU", "shape": "empty"}, format="json"
    )

    assert taken.status_code == 409 and "river-2" in str(taken.json())
    assert shape.status_code == 400 and "shape" in shape.json()
    assert currency.status_code == 400 and "currency" in str(currency.json())
    assert Organisation.objects.count() == 1


def test_the_api_obeys_the_site_setting_with_a_message(settings):
    settings.ORGANISATION_CREATORS = "site_admins"

    refused = api(UserFactory()).post("/api/v1/organisations/", {**FORM, "shape": "coop"}, format="json")
    allowed = api(UserFactory(is_superuser=True)).post(
        "/api/v1/organisations/", {**FORM, "shape": "coop"}, format="json"
    )

    assert refused.status_code == 403 and "only its administrators" in str(refused.json())
    assert allowed.status_code == 201


def test_an_integration_never_starts_one(world):
    bot = make_integration(world.organisation, by=world.member(world.alice), is_admin=True)
    client = api(bot)

    response = client.post("/api/v1/organisations/", {**FORM, "shape": "coop"}, format="json")

    assert response.status_code == 403 and not Organisation.objects.filter(slug="river").exists()


def test_an_outsider_must_log_in():
    assert APIClient().post("/api/v1/organisations/", {**FORM, "shape": "coop"}, format="json").status_code in (
        401,
        403,
    )
