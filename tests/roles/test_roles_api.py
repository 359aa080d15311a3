"""Roles, terms and elections over the REST API: a selection and a ballot end to end, the permission
grid (member, steward, facilitator, admin, outsider) with the database effects, status codes for
refusals (400, 403, 404, 409), and list query counts that do not grow with the data."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due, nomination_add
from governance.errors import Conflict
from proposals.services import proposals_close_due
from roles.models import Ballot, Election, Nomination, Role, RoleAssignment
from roles.services import role_assign
from tests.factories import UserFactory, make_facilitator, make_member, make_role

UTC = zoneinfo.ZoneInfo("UTC")


@pytest.fixture
def api():
    def as_(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return as_


@pytest.fixture
def fran(world):
    member = make_member(world.organisation, user=UserFactory(email="fran@acme.test", name="Fran Facilitator"))
    make_facilitator(world.finance, member)
    return member.user


@pytest.fixture
def people(world, fran):
    return {
        "member": world.mia,
        "steward": world.steve,
        "facilitator": fran,
        "admin": world.alice,
        "outsider": world.oscar,
        "other_org": world.olga,
    }


@pytest.fixture
def treasurer(world):
    return make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")


def test_a_sociocratic_selection_end_to_end(world, api, fran, time_machine):
    time_machine.move_to(datetime(2027, 4, 1, 9, 0, tzinfo=UTC))
    steve = api(world.steve)
    created = steve.post(
        "/api/v1/roles/",
        {
            "circle": world.finance.pk,
            "name": "Bookkeeper",
            "accountabilities": ["Present the accounts"],
            "term_months": 6,
            "term_limit": 2,
            "selection": "elected",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    role = created.json()
    assert role["free_seats"] == 1 and role["holders"] == [] and role["accountabilities"] == ["Present the accounts"]

    opened = steve.post("/api/v1/elections/", {"role": role["id"]}, format="json")
    assert opened.status_code == 201 and opened.json()["state"] == "nominating"
    election = opened.json()["id"]
    mia = world.member(world.mia)
    nominated = api(world.mia).post(
        "/api/v1/nominations/", {"election": election, "nominee": mia.pk, "reason": "I can do it."}, format="json"
    )
    assert nominated.status_code == 201 and nominated.json()["nominee"]["name"] == "Mia Member"

    proposed = api(fran).post(f"/api/v1/elections/{election}/propose/", {"candidate": mia.pk}, format="json")
    assert proposed.status_code == 200 and proposed.json()["state"] == "consent"
    proposal = Election.objects.get(pk=election).proposal
    for user in (world.mia, world.steve, fran):
        api(user).post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "consent"}, format="json")
    time_machine.move_to(proposal.closes_at + timedelta(minutes=5))
    proposals_close_due()

    closed = steve.get(f"/api/v1/elections/{election}/").json()
    held = steve.get(f"/api/v1/roles/{role['id']}/").json()
    assert closed["state"] == "closed" and closed["results"]["elected"] == [mia.pk]
    assert held["holders"][0]["member"]["id"] == mia.pk and held["free_seats"] == 0
    # Everyone consented, so the selection round closed early, and the term runs from then.
    assert held["holders"][0]["planned_end_at"] == "2027-10-01T00:00:00Z"


def test_a_ballot_over_the_api_and_its_secrecy(world, api, time_machine):
    time_machine.move_to(datetime(2027, 4, 1, 9, 0, tzinfo=UTC))
    role = make_role(world.general, "Council", seats=1, selection="elected", election_method="ballot")
    election = api(world.alice).post("/api/v1/elections/", {"role": role.pk}, format="json").json()
    assert election["method"] == "ballot" and election["state"] == "applying"
    stood = api(world.mia).post(
        "/api/v1/candidacies/", {"election": election["id"], "statement": "Vote for me."}, format="json"
    )
    assert stood.status_code == 201
    candidacy = stood.json()["id"]
    early = api(world.nora).post(f"/api/v1/elections/{election['id']}/vote/", {"choices": [candidacy]}, format="json")
    assert early.status_code == 409 and "Voting is not open" in early.json()["detail"]
    time_machine.move_to(datetime(2027, 4, 8, 10, 0, tzinfo=UTC))
    elections_advance_due()

    voted = api(world.nora).post(f"/api/v1/elections/{election['id']}/vote/", {"choices": [candidacy]}, format="json")
    again = api(world.nora).post(f"/api/v1/elections/{election['id']}/vote/", {"choices": []}, format="json")
    too_many = api(world.steve).post(
        f"/api/v1/elections/{election['id']}/vote/", {"choices": [candidacy, candidacy + 1]}, format="json"
    )

    assert voted.status_code == 200 and voted.json()["i_have_voted"] is True and voted.json()["voted_count"] == 1
    assert "id" in voted.json() and voted.json()["results"] == {}  # no ballot id, no results yet
    assert again.status_code == 409 and too_many.status_code == 400
    assert api(world.nora).get("/api/v1/ballots/").json()["count"] == 0  # sealed until the close
    time_machine.move_to(datetime(2027, 4, 15, 10, 0, tzinfo=UTC))
    elections_advance_due()
    ballots = api(world.nora).get(f"/api/v1/ballots/?election={election['id']}").json()["results"]
    assert ballots == [{"election": election["id"], "choices": [candidacy], "weight": 1}]  # no id, no time
    results = api(world.nora).get(f"/api/v1/elections/{election['id']}/").json()["results"]
    assert results["elected"] == [world.member(world.mia).pk] and results["counts"][0]["weight"] == 1


# The permission grid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("steward", 200), ("facilitator", 200), ("admin", 200), ("outsider", 404), ("other_org", 404)],
)
def test_who_may_read_roles_terms_and_elections(people, api, treasurer, persona, status):
    election = election_open(role=treasurer, by=None)
    client = api(people[persona])

    assert client.get(f"/api/v1/roles/{treasurer.pk}/").status_code == status
    assert client.get(f"/api/v1/elections/{election.pk}/").status_code == status
    visible = status == 200
    assert any(r["id"] == treasurer.pk for r in client.get("/api/v1/roles/").json()["results"]) == visible


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 201), ("facilitator", 403), ("admin", 201), ("outsider", 404)],
)
def test_who_may_define_roles(world, people, api, persona, status):
    response = api(people[persona]).post(
        "/api/v1/roles/", {"circle": world.finance.pk, "name": "Scribe"}, format="json"
    )

    assert response.status_code == status
    assert Role.objects.filter(name="Scribe").exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 201), ("facilitator", 403), ("admin", 201), ("outsider", 404)],
)
def test_who_may_assign_roles(world, people, api, treasurer, persona, status):
    mia = world.member(world.mia)

    response = api(people[persona]).post(
        "/api/v1/role-assignments/", {"role": treasurer.pk, "member": mia.pk}, format="json"
    )

    assert response.status_code == status
    assert RoleAssignment.objects.filter(role=treasurer, member=mia).exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 201), ("facilitator", 201), ("admin", 201), ("outsider", 404)],
)
def test_who_may_open_an_election(people, api, treasurer, persona, status):
    response = api(people[persona]).post("/api/v1/elections/", {"role": treasurer.pk}, format="json")

    assert response.status_code == status
    assert Election.objects.filter(role=treasurer).exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 201), ("steward", 201), ("facilitator", 201), ("admin", 403), ("outsider", 404)],
)
def test_who_may_nominate(world, people, api, treasurer, persona, status):
    election = election_open(role=treasurer, by=None)

    response = api(people[persona]).post(
        "/api/v1/nominations/",
        {"election": election.pk, "nominee": world.member(world.mia).pk, "reason": "Reliable."},
        format="json",
    )

    assert response.status_code == status
    assert Nomination.objects.exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 403), ("facilitator", 200), ("admin", 200), ("outsider", 404)],
)
def test_who_may_propose_the_candidate(world, people, api, treasurer, persona, status):
    election = election_open(role=treasurer, by=None)
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="Me.")

    response = api(people[persona]).post(
        f"/api/v1/elections/{election.pk}/propose/", {"candidate": mia.pk}, format="json"
    )

    assert response.status_code == status
    assert (Election.objects.get(pk=election.pk).state == "consent") == (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("steward", 200), ("facilitator", 403), ("admin", 200), ("outsider", 404)],
)
def test_who_may_end_a_term(world, people, api, treasurer, persona, status):
    assignment = role_assign(role=treasurer, member=world.member(world.mia), by=None)

    response = api(people[persona]).post(
        f"/api/v1/role-assignments/{assignment.pk}/end/", {"reason": "resigned"}, format="json"
    )

    assignment.refresh_from_db()
    assert response.status_code == status
    assert (assignment.ended_at is not None) == (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 403), ("steward", 200), ("facilitator", 403), ("admin", 200), ("outsider", 404)],
)
def test_who_may_cancel_an_election(people, api, treasurer, persona, status):
    election = election_open(role=treasurer, by=None)

    response = api(people[persona]).post(f"/api/v1/elections/{election.pk}/cancel/", {"reason": "Redesign"})

    assert response.status_code == status
    assert (Election.objects.get(pk=election.pk).state == "cancelled") == (status == 200)


# Refusals ----------------------------------------------------------------------------------------


def test_refusals_answer_with_their_reason_and_the_right_status(world, api, treasurer):
    steve = api(world.steve)
    role_assign(role=treasurer, member=world.member(world.mia), by=None)

    full = steve.post(
        "/api/v1/role-assignments/", {"role": treasurer.pk, "member": world.member(world.steve).pk}, format="json"
    )
    bad_seats = steve.patch(f"/api/v1/roles/{treasurer.pk}/", {"seats": 0}, format="json")
    unknown_role = steve.post("/api/v1/elections/", {"role": 999999}, format="json")

    assert full.status_code == 409 and "All 1 seat(s) of Bookkeeper are taken" in full.json()["detail"]
    assert bad_seats.status_code == 400 and "seats" in bad_seats.json()
    assert unknown_role.status_code == 404


def test_someone_not_on_the_roster_is_refused_with_400(world, api):
    role = make_role(world.finance, "Scribe")

    response = api(world.steve).post(
        "/api/v1/role-assignments/", {"role": role.pk, "member": world.member(world.nora).pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["member"] == ["Nora Nocircle is not on the roster of Finance; add them to the circle first."]


def test_an_archived_role_refuses_an_election_with_409(world, api):
    role = make_role(world.finance, "Scribe", selection="elected")
    assert api(world.steve).post(f"/api/v1/roles/{role.pk}/archive/").status_code == 200

    response = api(world.steve).post("/api/v1/elections/", {"role": role.pk}, format="json")

    assert response.status_code == 409 and "archived" in response.json()["detail"]


def test_the_steward_role_over_the_api_replaces_the_steward(world, api):
    steward_role = Role.objects.get(circle=world.finance, kind="steward")
    mia = world.member(world.mia)

    assert (
        api(world.steve)
        .post("/api/v1/role-assignments/", {"role": steward_role.pk, "member": mia.pk}, format="json")
        .status_code
        == 403
    )
    response = api(world.alice).post(
        "/api/v1/role-assignments/", {"role": steward_role.pk, "member": mia.pk}, format="json"
    )

    assert response.status_code == 201
    assert RoleAssignment.objects.current().get(role=steward_role).member == mia


def test_renewing_over_the_api(world, api):
    role = make_role(world.finance, "Scribe", term_months=6, term_limit=1)
    assignment = role_assign(role=role, member=world.member(world.mia), by=None)

    response = api(world.steve).post(f"/api/v1/role-assignments/{assignment.pk}/renew/")

    assert response.status_code == 409 and "may serve again from" in response.json()["detail"]
    with pytest.raises(Conflict):
        role_assign(role=role, member=world.member(world.mia), by=None)


# Query counts ------------------------------------------------------------------------------------


def _grow(world, n):
    """n members on Finance with a role each, standing in a ballot and nominated in a selection; the
    ballot is then voted on by n members and closed."""
    ballot = election_open(
        role=make_role(world.general, f"Board {n}", seats=2, selection="elected", election_method="ballot"), by=None
    )
    selection = election_open(role=make_role(world.finance, f"Host {n}", selection="elected"), by=None)
    for i in range(n):
        member = make_member(world.organisation, circles=[world.finance])
        role_assign(role=make_role(world.finance, f"Role {n}-{i}"), member=member, by=None)
        candidacy_add(election=ballot, member=member, statement=f"Statement {i}")
        nomination_add(election=selection, nominee=member, by=member, reason="Me.")
    ballot.refresh_from_db()
    elections_advance_due(now=ballot.applications_close_at)
    candidacies = list(ballot.candidacies.values_list("pk", flat=True))
    for voter in ballot.voters.select_related("member")[:n]:
        ballot_cast(election=ballot, member=voter.member, choices=candidacies[:1])
    elections_advance_due(now=ballot.voting_closes_at)


def _counts(client) -> dict[str, int]:
    client.get("/api/v1/roles/")  # the caller's memberships are loaded once and kept on the user
    counts = {}
    for path in ("roles", "role-assignments", "elections", "nominations", "candidacies", "ballots"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/{path}/")
        assert response.status_code == 200 and response.json()["count"] > 0, path
        counts[path] = len(queries)
    return counts


def test_list_endpoints_cost_the_same_queries_however_long_the_list(world, api):
    client = api(world.mia)
    _grow(world, 1)
    few = _counts(client)

    _grow(world, 10)
    many = _counts(client)

    assert many == few and max(many.values()) <= 6, many
    assert Ballot.objects.count() == 11
