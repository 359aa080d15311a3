"""Circles over the API: what the list carries, its filters, and the admin's writes (create, edit,
move, archive, restore, name a steward), each landing in the database and the event log."""

from rest_framework.test import APIClient

from circles.models import Circle, CircleMembership
from circles.services import circle_archive
from governance.models import Event
from roles.models import Role, RoleAssignment
from tests.factories import make_circle


def logged_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_it_lists_circles_with_their_steward_and_member_count(world):
    rows = {row["name"]: row for row in logged_in(world.mia).get("/api/v1/circles/").json()["results"]}

    assert set(rows) == {"General circle", "Finance", "Outreach"}
    assert rows["Finance"]["member_count"] == 2
    assert rows["Finance"]["steward"] == {"id": world.member(world.steve).pk, "name": "Steve Steward"}
    assert rows["General circle"]["member_count"] == 5  # every active member
    assert rows["General circle"]["parent"] is None
    assert rows["Outreach"]["parent"] == world.general.pk


def test_it_filters_circles_by_parent_and_archived(world):
    tech = make_circle(world.organisation, "Tech", parent=world.finance)
    circle_archive(circle=world.outreach, by=None)
    mia = logged_in(world.mia)

    under_finance = mia.get("/api/v1/circles/", {"parent": world.finance.pk}).json()["results"]
    archived = mia.get("/api/v1/circles/", {"archived": "true"}).json()["results"]
    active = mia.get("/api/v1/circles/", {"archived": "false"}).json()["results"]

    assert [c["id"] for c in under_finance] == [tech.pk]
    assert [c["name"] for c in archived] == ["Outreach"]
    assert archived[0]["is_archived"] is True
    assert "Outreach" not in {c["name"] for c in active}


def test_it_lets_an_admin_create_a_circle(world):
    body = {
        "organisation": world.organisation.pk,
        "parent": world.general.pk,
        "name": "Care",
        "purpose": "Look after each other.",
    }

    response = logged_in(world.alice).post("/api/v1/circles/", body, format="json")

    assert response.status_code == 201
    circle = Circle.objects.get(organisation=world.organisation, name="Care")
    assert circle.parent == world.general
    assert circle.purpose == "Look after each other."
    assert response.json()["slug"] == "care"
    assert response.json()["steward"] is None
    assert Role.objects.filter(circle=circle, kind=Role.Kind.STEWARD).exists()


def test_it_answers_400_with_the_field_when_the_circle_has_no_name(world):
    body = {"organisation": world.organisation.pk, "parent": world.general.pk, "name": ""}

    response = logged_in(world.alice).post("/api/v1/circles/", body, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    assert not Circle.objects.filter(name="").exists()


def test_it_refuses_a_member_the_creation_of_a_circle(world):
    body = {"organisation": world.organisation.pk, "parent": world.general.pk, "name": "Shadow cabinet"}

    response = logged_in(world.steve).post("/api/v1/circles/", body, format="json")

    assert response.status_code == 403
    assert not Circle.objects.filter(name="Shadow cabinet").exists()


def test_it_moves_a_circle_under_another_parent(world):
    response = logged_in(world.alice).patch(
        f"/api/v1/circles/{world.outreach.pk}/", {"parent": world.finance.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["parent"] == world.finance.pk
    assert Circle.objects.get(pk=world.outreach.pk).parent == world.finance
    assert Event.objects.filter(verb="circle.moved", object_id=world.outreach.pk).exists()


def test_it_refuses_to_move_a_circle_inside_itself(world):
    tech = make_circle(world.organisation, "Tech", parent=world.finance)

    response = logged_in(world.alice).patch(f"/api/v1/circles/{world.finance.pk}/", {"parent": tech.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["parent"] == ["A circle cannot sit inside itself or one of its sub-circles."]
    assert Circle.objects.get(pk=world.finance.pk).parent == world.general


def test_it_refuses_a_parent_from_another_organisation(world):
    other_general = world.other.circles.get(is_general=True)

    response = logged_in(world.alice).patch(
        f"/api/v1/circles/{world.finance.pk}/", {"parent": other_general.pk}, format="json"
    )

    assert response.status_code == 400
    assert "parent" in response.json()
    assert Circle.objects.get(pk=world.finance.pk).parent == world.general


def test_it_archives_and_restores_a_circle(world):
    alice = logged_in(world.alice)

    archived = alice.post(f"/api/v1/circles/{world.outreach.pk}/archive/", {"reason": "Merged."}, format="json")
    again = alice.post(f"/api/v1/circles/{world.outreach.pk}/archive/", {}, format="json")
    edit = alice.patch(f"/api/v1/circles/{world.outreach.pk}/", {"name": "Renamed"}, format="json")
    restored = alice.post(f"/api/v1/circles/{world.outreach.pk}/restore/")

    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert again.status_code == 409
    assert edit.status_code == 409
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert Circle.objects.get(pk=world.outreach.pk).name == "Outreach"
    verbs = list(Event.objects.filter(object_type="circle", object_id=world.outreach.pk).values_list("verb", flat=True))
    assert "circle.archived" in verbs and "circle.restored" in verbs


def test_it_names_a_new_steward_who_joins_the_roster(world):
    nora = world.member(world.nora)

    response = logged_in(world.alice).post(
        f"/api/v1/circles/{world.finance.pk}/steward/", {"member": nora.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["steward"] == {"id": nora.pk, "name": "Nora Nocircle"}
    current = RoleAssignment.objects.current().get(role__circle=world.finance, role__kind=Role.Kind.STEWARD)
    assert current.member == nora
    assert CircleMembership.objects.current().filter(circle=world.finance, member=nora).exists()
    ended = RoleAssignment.objects.get(role__circle=world.finance, member__user=world.steve)
    assert ended.end_reason == RoleAssignment.EndReason.REPLACED


def test_it_answers_409_when_the_member_already_stewards_the_circle(world):
    steve = world.member(world.steve)

    response = logged_in(world.alice).post(
        f"/api/v1/circles/{world.finance.pk}/steward/", {"member": steve.pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["member"]
