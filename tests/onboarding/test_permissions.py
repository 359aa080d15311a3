"""Who may onboard people, asked at every door (page and API) by each persona: the admin, a steward,
a member, an outsider and the admin of another organisation. And who may start an organisation,
under each value of the site's setting."""

from datetime import timedelta

import pytest
import rules
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import Invitation, Member
from governance.services import invitation_create
from tests.factories import UserFactory, fresh, grid, make_integration

pytestmark = pytest.mark.django_db
PERSONAS = ("alice", "steve", "mia", "oscar", "olga")
Y, N = True, False


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# fmt: off
BULK_PAGE = {
    #             alice steve mia  oscar olga
    "acme":      (200,  200,  403, 404,  404),
}
BULK_API = {  # a line into Finance, which steve stewards
    "acme":      (200,  200,  403, 404,  404),
}
RESEND_API = {  # an invitation into Finance
    "finance":   (201,  201,  404, 404,  404),
    "outreach":  (201,  404,  404, 404,  404),
}
DIRECT_ADD_API = {
    "acme":      (201,  403,  403, 404,  404),
}
# fmt: on


@pytest.mark.parametrize(("state", "persona", "status"), grid(BULK_PAGE, PERSONAS))
def test_the_bulk_page(client, world, state, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get("/o/acme/invitations/bulk/").status_code == status


@pytest.mark.parametrize(("state", "persona", "status"), grid(BULK_API, PERSONAS))
def test_the_bulk_api(world, state, persona, status):
    body = {
        "organisation": world.organisation.pk,
        "membership_class": world.organisation.membership_classes.get().pk,
        "people": [{"email": "new@river.test", "circles": ["Finance"]}],
    }
    response = api(getattr(world, persona)).post("/api/v1/invitations/bulk/", body, format="json")
    assert response.status_code == status
    assert Invitation.objects.exists() == (status == 200)


@pytest.mark.parametrize(("state", "persona", "status"), grid(RESEND_API, PERSONAS))
def test_resending(world, state, persona, status):
    invitation, _ = invitation_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        email="new@river.test",
        membership_class=world.organisation.membership_classes.get(),
        circle=getattr(world, state),
    )
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        response = api(getattr(world, persona)).post(f"/api/v1/invitations/{invitation.pk}/resend/")
    assert response.status_code == status
    assert Invitation.objects.count() == (2 if status == 201 else 1)


@pytest.mark.parametrize(("state", "persona", "status"), grid(DIRECT_ADD_API, PERSONAS))
def test_adding_directly(world, state, persona, status):
    newcomer = UserFactory(email="newcomer@river.test")
    body = {
        "organisation": world.organisation.pk,
        "email": newcomer.email,
        "membership_class": world.organisation.membership_classes.get().pk,
    }
    response = api(getattr(world, persona)).post("/api/v1/invitations/add-member/", body, format="json")
    assert response.status_code == status
    assert Member.objects.filter(user=newcomer).exists() == (status == 201)


# fmt: off
CREATE_ORGANISATION = {
    #                 anyone      superuser   member_bot
    "anyone":        (Y,          Y,          N),
    "site_admins":   (N,          Y,          N),
}
# fmt: on


@pytest.mark.parametrize(("state", "persona", "expected"), grid(CREATE_ORGANISATION, ("anyone", "superuser", "bot")))
def test_the_create_organisation_rule(world, settings, state, persona, expected):
    settings.ORGANISATION_CREATORS = state
    user = {
        "anyone": lambda: world.oscar,
        "superuser": lambda: UserFactory(is_superuser=True),
        "bot": lambda: make_integration(world.organisation, by=world.member(world.alice), is_admin=True),
    }[persona]()
    assert rules.test_rule("governance.create_organisation", fresh(user)) is expected


def test_a_visitor_may_not_start_one(client):
    assert not rules.test_rule("governance.create_organisation", None)
    assert client.get("/organisations/new/").status_code == 302
