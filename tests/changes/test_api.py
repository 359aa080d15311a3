"""Changes over the REST API: a proposal created with nested changes (checked by the same services,
400 with the field's message), changes added, replaced and removed on a draft, the list of enacted
changes with its filters, and one typed shape per kind in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from proposals.models import Change, Proposal
from tests.changes.helpers import amend_data, close, opened


@pytest.fixture
def api():
    def as_(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_


def new(world, *changes, circle=None):
    return {
        "circle": (circle or world.finance).pk,
        "title": "Restructure",
        "body": "Because.",
        "changes": [{"kind": kind, "data": data} for kind, data in changes],
    }


def test_a_proposal_is_created_with_its_changes(world, api):
    body = new(
        world,
        ("circle.amend", amend_data(world.finance, purpose="Books")),
        ("circle.create", {"parent": world.finance.pk, "name": "Payroll"}),
    )
    created = api(world.steve).post("/api/v1/proposals/", body, format="json")
    assert created.status_code == 201, created.json()
    proposal = Proposal.objects.get(pk=created.json()["id"])
    assert [c.kind for c in proposal.changes.all()] == ["circle.amend", "circle.create"]
    listed = api(world.steve).get(f"/api/v1/proposals/{proposal.pk}/changes/").json()
    assert listed[1]["description"]["summary"] == "Create the sub-circle “Payroll” under “Finance”"
    assert listed[1]["data"]["steward"] is None


def test_an_invalid_change_answers_400_with_its_message_and_saves_nothing(world, api):
    body = new(
        world,
        ("circle.amend", amend_data(world.finance, purpose="B")),
        ("circle.amend", amend_data(world.outreach, purpose="X")),
    )
    answer = api(world.steve).post("/api/v1/proposals/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Change 2: “Outreach” is outside the domain of “Finance”")
    assert answer.json()["changes"][0] == {}
    assert "outside the domain" in answer.json()["changes"][1]["non_field_errors"][0]
    bad_shape = api(world.steve).post(
        "/api/v1/proposals/", new(world, ("circle.create", {"parent": "x", "name": ""})), format="json"
    )
    assert bad_shape.status_code == 400 and "name" in str(bad_shape.json()["changes"])
    unknown = api(world.steve).post("/api/v1/proposals/", new(world, ("circle.teleport", {})), format="json")
    assert unknown.status_code == 400 and "circle.teleport" in unknown.json()["detail"]
    blank = api(world.steve).post(
        "/api/v1/proposals/", new(world, ("circle.amend", amend_data(world.finance, name="  "))), format="json"
    )
    assert blank.status_code == 400 and blank.json()["changes"] == ["0: data: name: This field may not be blank."]
    same = api(world.steve).post(
        "/api/v1/proposals/", new(world, ("circle.amend", amend_data(world.finance))), format="json"
    )
    assert same.status_code == 400 and "This changes nothing" in same.json()["detail"]
    assert not Proposal.objects.exists() and not Change.objects.exists()


def test_the_author_adds_replaces_and_removes_changes_of_a_draft(world, api):
    steve = api(world.steve)
    pk = steve.post("/api/v1/proposals/", new(world), format="json").json()["id"]
    added = steve.post(
        f"/api/v1/proposals/{pk}/changes/",
        {"kind": "circle.amend", "data": amend_data(world.finance, purpose="Books")},
        format="json",
    )
    assert added.status_code == 201, added.json()
    change = added.json()["id"]
    replaced = steve.put(
        f"/api/v1/proposals/{pk}/changes/{change}/",
        {"data": amend_data(world.finance, purpose="Ledgers")},
        format="json",
    )
    assert replaced.status_code == 200 and replaced.json()["data"]["purpose"] == "Ledgers"
    refused = steve.put(
        f"/api/v1/proposals/{pk}/changes/{change}/", {"data": amend_data(world.general, purpose="Mine")}, format="json"
    )
    assert refused.status_code == 400 and "outside the domain" in refused.json()["detail"]
    assert api(world.mia).delete(f"/api/v1/proposals/{pk}/changes/{change}/").status_code == 404  # a draft
    assert steve.delete(f"/api/v1/proposals/{pk}/changes/{change}/").status_code == 204
    assert not Change.objects.exists()
    assert steve.delete(f"/api/v1/proposals/{pk}/changes/{change}/").status_code == 404


def test_a_closed_proposals_changes_refuse_edits_with_409(world, api, time_machine):
    proposal = opened(
        world.finance, world.member(world.steve), ("circle.amend", amend_data(world.finance, purpose="B"))
    )
    proposal = close(proposal, time_machine, objector=world.member(world.mia))
    change = proposal.changes.get()
    assert api(world.mia).delete(f"/api/v1/proposals/{proposal.pk}/changes/{change.pk}/").status_code == 403
    answer = api(world.steve).delete(f"/api/v1/proposals/{proposal.pk}/changes/{change.pk}/")
    assert answer.status_code == 409


def test_enacted_changes_are_listed_and_filtered(world, api, time_machine):
    alice = world.member(world.alice)
    proposal = opened(
        world.general,
        alice,
        ("circle.amend", amend_data(world.finance, purpose="Books")),
        ("circle.create", {"parent": world.outreach.pk, "name": "Events"}),
    )
    close(proposal, time_machine)
    opened(world.finance, world.member(world.steve), ("circle.amend", amend_data(world.finance, name="Money")))
    everything = api(world.mia).get("/api/v1/changes/").json()["results"]
    assert len(everything) == 2  # the open round's change is not enacted
    finance = api(world.mia).get(f"/api/v1/changes/?circle={world.finance.pk}").json()["results"]
    assert [c["kind"] for c in finance] == ["circle.amend"]
    general = api(world.mia).get(f"/api/v1/changes/?circle={world.general.pk}").json()["results"]
    assert len(general) == 2  # decided there
    creates = api(world.mia).get("/api/v1/changes/?kind=circle.create").json()["results"]
    assert [c["description"]["summary"] for c in creates] == ["Create the sub-circle “Events” under “Outreach”"]
    assert api(world.olga).get("/api/v1/changes/").json()["results"] == []


def test_the_schema_has_one_typed_shape_per_kind(world, api):
    schema = api(world.mia).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    mapping = components["ChangeInputRequest"]["discriminator"]["mapping"]
    assert set(mapping) >= {"circle.create", "circle.amend", "circle.move", "circle.archive"}
    create = components["CircleCreateDataRequest"]["properties"]
    assert {"parent", "name", "purpose", "domains", "accountabilities", "steward"} <= set(create)
    body = schema["paths"]["/api/v1/proposals/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    created = components[body["$ref"].rsplit("/", 1)[1]]["properties"]["changes"]
    assert created["items"]["$ref"].endswith("/ChangeInputRequest") or "oneOf" in str(created)
