"""The roster over the API: adding and removing people with a reason, the history that stays, the
conflicts the service refuses, and list query counts that do not grow with the roster."""

import pytest
from rest_framework.test import APIClient

from circles.models import CircleMembership
from governance.models import Event, MembershipClass
from governance.services import invitation_create
from tests.factories import make_circle, make_member


def logged_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def remove(client, membership, body):
    return client.post(f"/api/v1/circle-memberships/{membership.pk}/remove/", body, format="json")


def test_it_lets_a_steward_add_a_member_to_their_roster(world):
    nora = world.member(world.nora)

    response = logged_in(world.steve).post(
        "/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": nora.pk}, format="json"
    )

    assert response.status_code == 201
    row = CircleMembership.objects.current().get(circle=world.finance, member=nora)
    assert row.added_by == world.member(world.steve)
    assert response.json()["id"] == row.pk
    assert response.json()["member"] == {"id": nora.pk, "name": "Nora Nocircle"}
    assert response.json()["is_current"] is True
    assert Event.objects.filter(verb="roster.added", object_id=row.pk, actor=world.member(world.steve)).exists()


def test_it_removes_someone_with_a_reason_and_keeps_the_row(world):
    row = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = remove(logged_in(world.steve), row, {"reason": "Moved to the outreach circle."})

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.left_at is not None
    assert row.removal_reason == "Moved to the outreach circle."
    assert row.removed_by == world.member(world.steve)
    body = response.json()
    assert body["is_current"] is False
    assert body["removal_reason"] == "Moved to the outreach circle."
    assert body["removed_by"]["id"] == world.member(world.steve).pk
    assert Event.objects.filter(verb="roster.removed", object_id=row.pk).exists()


def test_it_keeps_the_history_when_someone_rejoins(world):
    mia = world.member(world.mia)
    steve = logged_in(world.steve)
    first = CircleMembership.objects.current().get(circle=world.finance, member=mia)
    remove(steve, first, {"reason": "A break for the summer."})

    rejoined = steve.post("/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": mia.pk}, format="json")
    history = steve.get("/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": mia.pk}).json()
    past = steve.get("/api/v1/circle-memberships/", {"circle": world.finance.pk, "current": "false"}).json()
    now = steve.get("/api/v1/circle-memberships/", {"circle": world.finance.pk, "current": "true"}).json()

    assert rejoined.status_code == 201
    assert CircleMembership.objects.filter(circle=world.finance, member=mia).count() == 2
    assert [r["id"] for r in history["results"]] == [rejoined.json()["id"], first.pk]
    assert [r["removal_reason"] for r in past["results"]] == ["A break for the summer."]
    assert {r["member"]["name"] for r in now["results"]} == {"Mia Member", "Steve Steward"}


def test_it_answers_409_when_the_member_is_already_on_the_roster(world):
    mia = world.member(world.mia)

    response = logged_in(world.steve).post(
        "/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": mia.pk}, format="json"
    )

    assert response.status_code == 409
    assert "already on the roster" in response.json()["detail"]
    assert response.json()["member"] == [response.json()["detail"]]
    assert CircleMembership.objects.filter(circle=world.finance, member=mia).count() == 1


def test_it_answers_400_with_a_field_message_when_the_reason_is_missing(world):
    row = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = remove(logged_in(world.steve), row, {})

    assert response.status_code == 400
    assert response.json()["reason"] == ["This field is required."]
    row.refresh_from_db()
    assert row.is_current


def test_it_answers_400_with_the_services_message_when_the_reason_is_blank(world):
    row = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    response = remove(logged_in(world.steve), row, {"reason": "   "})

    assert response.status_code == 400
    assert response.json()["reason"] == ["Say why this member leaves the circle; it is kept in the history."]
    row.refresh_from_db()
    assert row.is_current


def test_it_answers_409_when_removing_the_circles_steward(world):
    row = CircleMembership.objects.current().get(circle=world.finance, member__user=world.steve)

    response = remove(logged_in(world.alice), row, {"reason": "Stepping back."})

    assert response.status_code == 409
    assert "steward" in response.json()["detail"]
    row.refresh_from_db()
    assert row.is_current


def test_it_answers_409_when_removing_someone_twice(world):
    row = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    steve = logged_in(world.steve)
    remove(steve, row, {"reason": "Done."})

    response = remove(steve, row, {"reason": "Done again."})

    assert response.status_code == 409
    row.refresh_from_db()
    assert row.removal_reason == "Done."


def test_it_refuses_a_member_of_another_organisation_with_a_field_message(world):
    olga = world.other.members.get(user=world.olga)

    response = logged_in(world.alice).post(
        "/api/v1/circle-memberships/", {"circle": world.finance.pk, "member": olga.pk}, format="json"
    )

    assert response.status_code == 400
    assert "member" in response.json()
    assert not CircleMembership.objects.filter(member=olga).exists()


# Query counts ----------------------------------------------------------------------------------


def grow(world, *, roster_size: int, extra_circles: int) -> None:
    """Fill the Finance roster up to `roster_size` and add circles, each with a steward, an
    invitation and a member, so that every list has more rows of every kind."""
    on_roster = CircleMembership.objects.current().filter(circle=world.finance).count()
    for _ in range(roster_size - on_roster):
        make_member(world.organisation, circles=[world.finance])
    members_class = MembershipClass.objects.get(organisation=world.organisation)
    alice = world.member(world.alice)
    for n in range(extra_circles):
        circle = make_circle(world.organisation, f"Working group {n}", steward=make_member(world.organisation))
        make_member(world.organisation, circles=[circle])
        invitation_create(
            organisation=world.organisation,
            by=alice,
            email=f"guest{n}@example.org",
            membership_class=members_class,
            circle=circle,
        )


LISTS = {
    "roster": "/api/v1/circle-memberships/?circle={finance}&page_size=200",
    "circles": "/api/v1/circles/?page_size=200",
    "members": "/api/v1/members/?page_size=200",
    "invitations": "/api/v1/invitations/?page_size=200",
    "events": "/api/v1/events/?page_size=200",
}
# session, user, memberships, count, rows, and for circles and members their prefetches.
MAX_QUERIES = {"roster": 5, "circles": 7, "members": 6, "invitations": 5, "events": 5}


@pytest.mark.parametrize("name", LISTS)
def test_it_lists_in_as_many_queries_for_10_as_for_200_roster_members(world, name, django_assert_max_num_queries):
    alice = logged_in(world.alice)
    url = LISTS[name].format(finance=world.finance.pk)

    grow(world, roster_size=10, extra_circles=2)
    with django_assert_max_num_queries(MAX_QUERIES[name]) as small:
        small_rows = alice.get(url).json()["count"]
    grow(world, roster_size=200, extra_circles=20)
    with django_assert_max_num_queries(MAX_QUERIES[name]) as large:
        large_rows = alice.get(url).json()["count"]

    assert large_rows > small_rows
    assert len(large) == len(small)
