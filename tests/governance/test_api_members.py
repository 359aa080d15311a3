"""Members and membership classes over the API: the directory's filters, an admin's changes, a
member leaving with a reason, and the organisation's settings."""

import pytest
from rest_framework.test import APIClient

from circles.models import CircleMembership
from governance.models import Member, MembershipClass, Organisation
from governance.services import membership_class_save


def logged_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_it_lists_the_members_with_their_circles_and_load(world):
    rows = {row["name"]: row for row in logged_in(world.nora).get("/api/v1/members/").json()["results"]}

    assert set(rows) == {"Alice Admin", "Steve Steward", "Mia Member", "Otto Other-Steward", "Nora Nocircle"}
    assert rows["Mia Member"]["circles"] == [{"id": world.finance.pk, "name": "Finance"}]
    assert rows["Mia Member"]["circle_count"] == 1
    assert rows["Mia Member"]["status"] == "active"
    assert rows["Alice Admin"]["is_admin"] is True


def test_it_filters_members_by_circle_class_status_and_search(world):
    workers = membership_class_save(
        organisation=world.organisation, by=None, name="Workers", voting_weight=2, may_vote=True
    )
    Member.objects.filter(user=world.otto).update(membership_class=workers)
    client = logged_in(world.mia)

    assert names(client.get("/api/v1/members/", {"circle": world.finance.pk})) == ["Mia Member", "Steve Steward"]
    assert len(names(client.get("/api/v1/members/", {"circle": world.general.pk}))) == 5
    assert names(client.get("/api/v1/members/", {"membership_class": workers.pk})) == ["Otto Other-Steward"]
    assert names(client.get("/api/v1/members/", {"search": "nocirc"})) == ["Nora Nocircle"]
    assert names(client.get("/api/v1/members/", {"search": "STEVE@acme"})) == ["Steve Steward"]
    assert names(client.get("/api/v1/members/", {"status": "left"})) == []
    assert client.get("/api/v1/members/", {"status": "gone"}).status_code == 400


def test_it_lets_an_admin_change_a_members_class_and_admin_status(world):
    workers = membership_class_save(
        organisation=world.organisation, by=None, name="Workers", voting_weight=2, may_vote=True
    )
    mia = world.member(world.mia)

    response = logged_in(world.alice).patch(
        f"/api/v1/members/{mia.pk}/", {"membership_class": workers.pk, "is_admin": True}, format="json"
    )

    assert response.status_code == 200
    mia.refresh_from_db()
    assert mia.membership_class == workers
    assert mia.is_admin
    assert response.json()["membership_class_name"] == "Workers"


def test_it_answers_409_when_the_last_admin_would_step_down(world):
    alice = world.member(world.alice)

    response = logged_in(world.alice).patch(f"/api/v1/members/{alice.pk}/", {"is_admin": False}, format="json")

    assert response.status_code == 409
    alice.refresh_from_db()
    assert alice.is_admin


def test_it_removes_a_member_with_a_reason_ending_their_circles(world):
    mia = world.member(world.mia)

    response = logged_in(world.alice).post(
        f"/api/v1/members/{mia.pk}/remove/", {"reason": "Moved to another city."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "left"
    mia.refresh_from_db()
    assert mia.left_reason == "Moved to another city."
    row = CircleMembership.objects.get(circle=world.finance, member=mia)
    assert row.left_at is not None
    assert row.removal_reason == "Left the organisation: Moved to another city."


def test_it_answers_400_when_a_member_is_removed_without_a_reason(world):
    mia = world.member(world.mia)

    response = logged_in(world.alice).post(f"/api/v1/members/{mia.pk}/remove/", {"reason": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["reason"] == ["Say why the member leaves; it is kept in the history."]
    mia.refresh_from_db()
    assert mia.is_active


def test_it_lets_an_admin_add_and_change_a_membership_class(world):
    alice = logged_in(world.alice)

    created = alice.post(
        "/api/v1/membership-classes/",
        {"organisation": world.organisation.pk, "name": "Supporters", "voting_weight": 0, "may_vote": False},
        format="json",
    )
    changed = alice.patch(f"/api/v1/membership-classes/{created.json()['id']}/", {"voting_weight": 1}, format="json")
    clash = alice.post(
        "/api/v1/membership-classes/", {"organisation": world.organisation.pk, "name": "members"}, format="json"
    )

    assert created.status_code == 201
    assert changed.status_code == 200
    supporters = MembershipClass.objects.get(organisation=world.organisation, name="Supporters")
    assert (supporters.voting_weight, supporters.may_vote) == (1, False)
    assert clash.status_code == 400
    assert "name" in clash.json()


def test_it_refuses_a_member_a_new_membership_class(world):
    response = logged_in(world.steve).post(
        "/api/v1/membership-classes/", {"organisation": world.organisation.pk, "name": "Stewards"}, format="json"
    )

    assert response.status_code == 403
    assert not MembershipClass.objects.filter(name="Stewards").exists()


def test_it_lets_an_admin_change_the_settings(world):
    response = logged_in(world.alice).patch(
        f"/api/v1/organisations/{world.organisation.pk}/",
        {"circle_size_min": 2, "circle_size_max": 12, "time_zone": "Europe/Paris"},
        format="json",
    )

    assert response.status_code == 200
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert (organisation.circle_size_min, organisation.circle_size_max) == (2, 12)
    assert organisation.time_zone == "Europe/Paris"
    assert response.json()["my_membership"] == {"id": world.member(world.alice).pk, "is_admin": True}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"circle_size_min": 9}, "circle_size_min"),  # above the largest size: the service says so
        ({"consent_round_days": 0}, "consent_round_days"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_it_answers_400_with_the_field_for_bad_settings(world, body, field):
    response = logged_in(world.alice).patch(f"/api/v1/organisations/{world.organisation.pk}/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert response.json()["detail"]
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert (organisation.circle_size_min, organisation.consent_round_days, organisation.time_zone) == (3, 7, "UTC")
