"""Proposals over the REST API: the round end to end, status codes, anonymity and query counts."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from governance.models import Event
from governance.rules import forget_access_cache
from governance.services import member_remove
from proposals.models import EligibleVoter, Position, Proposal
from proposals.services import position_record
from tests.factories import make_member, make_proposal


@pytest.fixture
def api():
    def as_(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return as_


def test_a_member_drafts_opens_and_the_circle_decides(world, api):
    mia = api(world.mia)
    created = mia.post(
        "/api/v1/proposals/",
        {"circle": world.finance.pk, "title": "Buy a laptop", "body": "For the treasurer.", "round_days": 3},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "draft" and created.json()["round_days"] == 3
    assert api(world.steve).get(f"/api/v1/proposals/{pk}/").status_code == 404  # drafts are private
    opened = mia.post(f"/api/v1/proposals/{pk}/open/", {}, format="json")
    assert opened.status_code == 200 and opened.json()["state"] == "open"
    assert opened.json()["eligible_count"] == 2 and opened.json()["i_am_eligible"] is True
    recorded = api(world.steve).post(f"/api/v1/proposals/{pk}/positions/", {"kind": "consent"}, format="json")
    assert recorded.status_code == 201 and recorded.json()["kind"] == "consent"
    tally = mia.get(f"/api/v1/proposals/{pk}/tally/").json()
    assert tally["responded_count"] == 1 and tally["waiting_count"] == 1
    assert Position.objects.get(proposal_id=pk).member.user == world.steve


def test_it_answers_400_with_the_field_for_an_objection_without_reason(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    answer = api(world.mia).post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "objection"}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()
    assert not Position.objects.exists()


def test_a_position_after_the_deadline_answers_409(world, api, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve))
    time_machine.move_to(proposal.closes_at + timedelta(minutes=1))
    answer = api(world.mia).post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "consent"}, format="json")
    assert answer.status_code == 409 and "closed" in answer.json()["detail"]


def test_a_member_who_is_not_eligible_gets_403(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    answer = api(world.nora).post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "consent"}, format="json")
    assert answer.status_code == 403
    assert not Position.objects.exists()


def test_a_removed_member_can_no_longer_take_part(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    member_remove(member=world.member(world.mia), by=world.member(world.alice), reason="Moved away")
    answer = api(world.mia).post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "consent"}, format="json")
    assert answer.status_code == 404


def test_another_organisation_sees_nothing(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    olga = api(world.olga)
    assert olga.get("/api/v1/proposals/").json()["count"] == 0
    for path in ("", "tally/", "positions/", "comments/", "versions/"):
        assert olga.get(f"/api/v1/proposals/{proposal.pk}/{path}").status_code == 404
    assert olga.post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "consent"}).status_code == 404
    created = olga.post("/api/v1/proposals/", {"circle": world.finance.pk, "title": "x", "body": "y"})
    assert created.status_code == 404
    assert Proposal.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "view", "position", "amend", "outcome", "comment"),
    [
        ("oscar", 404, 404, 404, 404, 404),  # outsider
        ("olga", 404, 404, 404, 404, 404),  # member of another organisation
        ("otto", 200, 403, 403, 403, 403),  # member of another circle
        ("nora", 200, 403, 403, 403, 403),  # member in no circle
        ("mia", 200, 201, 403, 403, 201),  # member of the circle
        ("steve", 200, 201, 200, 200, 201),  # the circle's steward, and here the proposer
        ("alice", 200, 403, 403, 403, 403),  # organisation admin, not in the circle
    ],
)
def test_the_permission_grid(world, api, time_machine, who, view, position, amend, outcome, comment):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client = api(getattr(world, who))
    base = f"/api/v1/proposals/{proposal.pk}/"
    assert client.get(base).status_code == view
    assert client.post(f"{base}positions/", {"kind": "consent"}, format="json").status_code == position
    assert client.post(f"{base}comments/", {"body": "Why?"}, format="json").status_code == comment
    assert client.post(f"{base}amend/", {"title": "New", "body": "Changed"}, format="json").status_code == amend
    time_machine.move_to(proposal.closes_at + timedelta(days=1))
    Proposal.objects.filter(pk=proposal.pk).update(state="closed", outcome="passed", closed_at=proposal.closes_at)
    assert client.post(f"{base}outcome/", {"statement": "Agreed."}, format="json").status_code == outcome


def test_anonymous_rounds_never_reveal_who_took_which_position(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve), anonymous=True)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Secret")
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    as_steve = api(world.steve).get(f"/api/v1/proposals/{proposal.pk}/positions/").json()["results"]
    # Only my own position is listed: not even that Mia responded (issue 15: who-responded beside
    # the counts of the close would give positions away).
    assert [(row["member"]["id"], row["kind"]) for row in as_steve] == [(world.member(world.steve).pk, "consent")]
    events = api(world.alice).get("/api/v1/events/", {"verb": "position.recorded"}).json()["results"]
    assert events and all("objection" not in str(event) and "consent" not in str(event) for event in events)
    assert all(event["actor"] is None for event in events)
    tally = api(world.steve).get(f"/api/v1/proposals/{proposal.pk}/tally/").json()
    assert tally["objections"] is None and tally["kinds"] == [] and tally["results_hidden"]  # until the close
    assert tally["responded_count"] == 2


def test_amending_through_the_api_restarts_the_round(world, api):
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Too big")
    answer = api(world.steve).post(
        f"/api/v1/proposals/{proposal.pk}/amend/",
        {"title": proposal.title, "body": "Smaller.", "change_note": "Halved"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["version"] == 2 and answer.json()["responded_count"] == 0
    versions = api(world.mia).get(f"/api/v1/proposals/{proposal.pk}/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    history = api(world.mia).get(f"/api/v1/proposals/{proposal.pk}/my-positions/").json()
    assert [(h["kind"], h["retired_because"]) for h in history] == [("objection", "amended")]


def test_the_waiting_filter_lists_rounds_that_need_me(world, api):
    waiting = make_proposal(world.finance, world.member(world.steve), title="Waiting")
    done = make_proposal(world.finance, world.member(world.steve), title="Done")
    position_record(proposal=done, member=world.member(world.mia), kind="consent")
    answer = api(world.mia).get("/api/v1/proposals/", {"waiting": "true"}).json()
    assert [row["id"] for row in answer["results"]] == [waiting.pk]


def _grow(world, proposal, n):
    circle = proposal.circle
    for _ in range(n):
        member = make_member(world.organisation, circles=[circle])
        EligibleVoter.objects.create(proposal=proposal, member=member, weight=1)
        Proposal.objects.filter(pk=proposal.pk).update(eligible_count=proposal.eligible_count + 1)
        position_record(proposal=proposal, member=member, kind="consent")


def test_list_and_positions_queries_stay_flat_as_positions_grow(world, api, django_assert_max_num_queries):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client = api(world.mia)
    counts = []
    for n in (10, 490):
        _grow(world, proposal, n)
        for path in (
            "/api/v1/proposals/",
            f"/api/v1/proposals/{proposal.pk}/",
            f"/api/v1/proposals/{proposal.pk}/positions/",
            f"/api/v1/proposals/{proposal.pk}/tally/",
        ):
            forget_access_cache(world.mia)  # each real request starts with a fresh user
            with django_assert_max_num_queries(8) as captured:
                assert client.get(path).status_code == 200
            counts.append((n, path, len(captured)))
    small = [c for n, _, c in counts if n == 10]
    large = [c for n, _, c in counts if n == 490]
    assert small == large, counts
    assert Event.objects.filter(verb="position.recorded").count() == 500
