"""The API's permission grid: every persona × every kind of action, on the status code and on what
the database holds afterwards. 401 for the anonymous, 404 for people outside the organisation,
403 for members who may see the object but not act on it."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from circles.models import Circle, CircleMembership
from governance.models import Event, Invitation, Organisation
from roles.models import Role, RoleAssignment

PERSONAS = ["anonymous", "oscar", "olga", "mia", "steve", "otto", "alice"]

# fmt: off
EXPECTED = {
    #                       anonymous oscar olga  mia  steve otto alice
    "view_circle":          (401,     404,  404,  200, 200,  200, 200),
    "edit_circle":          (401,     404,  404,  403, 403,  403, 200),
    "add_to_roster":        (401,     404,  404,  403, 201,  403, 201),
    "remove_from_roster":   (401,     404,  404,  403, 200,  403, 200),
    "invite":               (401,     404,  404,  403, 201,  403, 201),
    "edit_settings":        (401,     404,  404,  403, 403,  403, 200),
}
# fmt: on


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache, which outlives a test.
    cache.clear()


def client_for(world, persona) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


def view_circle(client, world):
    return client.get(f"/api/v1/circles/{world.finance.pk}/")


def view_circle_happened(world, response):
    return response.status_code == 200 and response.json()["name"] == "Finance"


def edit_circle(client, world):
    return client.patch(f"/api/v1/circles/{world.finance.pk}/", {"purpose": "Keep the books honest."}, format="json")


def edit_circle_happened(world, response):
    return Circle.objects.get(pk=world.finance.pk).purpose == "Keep the books honest."


def add_to_roster(client, world):
    nora = world.member(world.nora)
    return client.post("/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": nora.pk}, format="json")


def add_to_roster_happened(world, response):
    return CircleMembership.objects.current().filter(circle=world.finance, member__user=world.nora).exists()


def remove_from_roster(client, world):
    row = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    return client.post(f"/api/v1/circle-memberships/{row.pk}/remove/", {"reason": "Moved to outreach."}, format="json")


def remove_from_roster_happened(world, response):
    row = CircleMembership.objects.get(circle=world.finance, member__user=world.mia)
    return row.left_at is not None and row.removal_reason == "Moved to outreach."


def invite(client, world):
    body = {
        "organisation": world.organisation.pk,
        "email": "newcomer@example.org",
        "membership_class": world.organisation.membership_classes.get().pk,
        "circle": world.finance.pk,
        "message": "Come and count with us.",
    }
    return client.post("/api/v1/invitations/", body, format="json")


def invite_happened(world, response):
    return Invitation.objects.filter(organisation=world.organisation, email="newcomer@example.org").exists()


def edit_settings(client, world):
    return client.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"consent_round_days": 10}, format="json")


def edit_settings_happened(world, response):
    return Organisation.objects.get(pk=world.organisation.pk).consent_round_days == 10


ACTIONS = {
    "view_circle": (view_circle, view_circle_happened),
    "edit_circle": (edit_circle, edit_circle_happened),
    "add_to_roster": (add_to_roster, add_to_roster_happened),
    "remove_from_roster": (remove_from_roster, remove_from_roster_happened),
    "invite": (invite, invite_happened),
    "edit_settings": (edit_settings, edit_settings_happened),
}

GRID = [
    pytest.param(action, persona, expected, id=f"{action}-{persona}")
    for action, codes in EXPECTED.items()
    for persona, expected in zip(PERSONAS, codes, strict=True)
]


@pytest.mark.parametrize(("action", "persona", "expected"), GRID)
def test_it_answers_each_persona_as_the_grid_says(world, action, persona, expected):
    perform, happened = ACTIONS[action]
    events_before = Event.objects.filter(organisation=world.organisation).count()

    response = perform(client_for(world, persona), world)

    assert response.status_code == expected, response.content
    allowed = expected in (200, 201)
    assert happened(world, response) is allowed
    if action != "view_circle":
        # Every service records what it did; a refused request records nothing.
        recorded = Event.objects.filter(organisation=world.organisation).count() - events_before
        assert (recorded > 0) is allowed
    if not allowed and persona != "anonymous":
        assert response.json()["detail"]


def test_it_lets_a_steward_invite_to_the_circle_they_steward(world):
    body = {
        "organisation": world.organisation.pk,
        "email": "friend@example.org",
        "membership_class": world.organisation.membership_classes.get().pk,
        "circle": world.outreach.pk,
    }
    response = client_for(world, "otto").post("/api/v1/invitations/", body, format="json")

    assert response.status_code == 201
    invitation = Invitation.objects.get(email="friend@example.org")
    assert invitation.circle == world.outreach
    assert invitation.invited_by == world.member(world.otto)
    assert response.json()["state"] == "pending"


def test_it_refuses_a_steward_an_invitation_to_no_circle(world):
    body = {
        "organisation": world.organisation.pk,
        "email": "friend@example.org",
        "membership_class": world.organisation.membership_classes.get().pk,
    }
    response = client_for(world, "steve").post("/api/v1/invitations/", body, format="json")

    assert response.status_code == 403
    assert not Invitation.objects.filter(email="friend@example.org").exists()


def test_it_refuses_a_steward_the_archiving_of_their_own_circle(world):
    response = client_for(world, "steve").post(f"/api/v1/circles/{world.finance.pk}/archive/", {}, format="json")

    assert response.status_code == 403
    assert Circle.objects.get(pk=world.finance.pk).archived_at is None


def test_it_refuses_a_steward_the_naming_of_another_steward(world):
    mia = world.member(world.mia)
    response = client_for(world, "steve").post(
        f"/api/v1/circles/{world.finance.pk}/steward/", {"member": mia.pk}, format="json"
    )

    assert response.status_code == 403
    stewards = RoleAssignment.objects.current().filter(role__circle=world.finance, role__kind=Role.Kind.STEWARD)
    assert [a.member.user for a in stewards] == [world.steve]


def test_it_refuses_a_member_the_removal_of_another_member(world):
    nora = world.member(world.nora)
    response = client_for(world, "mia").post(f"/api/v1/members/{nora.pk}/remove/", {"reason": "No."}, format="json")

    assert response.status_code == 403
    nora.refresh_from_db()
    assert nora.is_active


def test_it_refuses_a_stewards_roster_change_once_the_circle_is_archived(world):
    from circles.services import circle_archive

    circle_archive(circle=world.finance, by=world.member(world.alice))
    response = add_to_roster(client_for(world, "steve"), world)

    assert response.status_code == 403
    assert not add_to_roster_happened(world, response)
