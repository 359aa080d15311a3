"""Why a round ended as it did: one sentence and a table from the stored tally (proposals.why),
the same on the page, in the API and in the closing email, and always the verdict the outcome gives."""

import itertools

import pytest
from django.urls import reverse

from governance.models import Notification
from proposals.models import Proposal
from proposals.services import outcome_of, proposal_close
from proposals.why import why_decided
from tests.factories import make_proposal


def closed_with(tally, *, method="consent", threshold="simple", quorum=None, eligible=(9, 9)):
    """A closed round with this stored tally (unsaved: the rule reads nothing else)."""
    return Proposal(
        method=method,
        threshold=threshold,
        quorum_percent=quorum,
        tally=tally,
        eligible_count=eligible[0],
        eligible_weight=eligible[1],
        state=Proposal.State.CLOSED,
    )


def test_consent_with_quorum_met():
    why = why_decided(closed_with({"consent": [6, 6], "concern": [1, 1]}, quorum=60))
    assert why.outcome == "passed"
    assert why.sentence == "No standing objection; quorum 60 % met with 7 of 9."
    assert [(r.needed, r.at_close, r.met) for r in why.rows] == [("60 %", "7 of 9 (77.8 %)", True), ("none", "0", True)]


def test_consent_without_a_quorum():
    assert why_decided(closed_with({"consent": [2, 2]})).sentence == "No standing objection at the close."


def test_consent_with_objections():
    why = why_decided(closed_with({"consent": [5, 5], "objection": [2, 2]}))
    assert why.outcome == "rejected" and why.sentence == "2 standing objections at the close; consent needs none."
    assert why.rows[-1].met is False


def test_majority_simple_passes_and_fails():
    passed = why_decided(closed_with({"agree": [11, 11], "disagree": [9, 9]}, method="majority", eligible=(20, 20)))
    assert passed.outcome == "passed" and passed.sentence == "Agree 11 of 20 weight, more than half."
    tied = why_decided(closed_with({"agree": [10, 10], "disagree": [10, 10]}, method="majority", eligible=(20, 20)))
    assert tied.outcome == "rejected" and tied.sentence == "Agree 10 of 20 weight, not more than half."


def test_majority_two_thirds_counts_weight_and_names_the_quorum():
    why = why_decided(
        closed_with(
            {"agree": [7, 14], "disagree": [3, 6], "abstain": [1, 1]},
            method="majority",
            threshold="two_thirds",
            quorum=50,
            eligible=(15, 30),
        )
    )
    assert why.outcome == "passed"
    assert why.sentence == "Agree 14 of 20 weight, two thirds or more; quorum 50 % met with 21 of 30."
    short = why_decided(
        closed_with(
            {"agree": [13, 13], "disagree": [7, 7]}, method="majority", threshold="two_thirds", eligible=(20, 20)
        )
    )
    assert short.outcome == "rejected" and short.sentence == "Agree 13 of 20 weight, less than two thirds."


def test_quorum_failed():
    why = why_decided(closed_with({"consent": [3, 3]}, quorum=60, eligible=(10, 10)))
    assert why.outcome == "no_quorum"
    assert why.sentence == "Quorum not met: 3 of 10 voting weight responded, 60 % needed."
    assert [r.met for r in why.rows] == [False]


def test_no_vote_cast_in_a_majority_vote():
    why = why_decided(closed_with({"abstain": [4, 4]}, method="majority"))
    assert why.outcome == "rejected" and "No agree or disagree vote" in why.sentence


def test_an_open_round_has_no_why():
    assert why_decided(Proposal(state=Proposal.State.OPEN, tally={"consent": [1, 1]})) is None


@pytest.mark.parametrize(
    ("method", "threshold", "quorum"),
    list(itertools.product(["consent", "majority"], ["simple", "two_thirds"], [None, 50])),
)
def test_the_sentence_always_gives_the_outcome_the_rule_gives(method, threshold, quorum):
    kinds = ["consent", "concern", "objection", "abstain"] if method == "consent" else ["agree", "disagree", "abstain"]
    for counts in itertools.product(range(3), repeat=len(kinds)):
        tally = {kind: [n, 2 * n] for kind, n in zip(kinds, counts, strict=True) if n}
        proposal = closed_with(tally, method=method, threshold=threshold, quorum=quorum, eligible=(6, 12))
        assert why_decided(proposal).outcome == outcome_of(proposal), tally


def test_the_page_the_api_and_the_email_say_the_same(world, client, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve), quorum_percent=50)
    client.force_login(world.mia)
    client.post(reverse("position-record", kwargs={"org": "acme", "pk": proposal.pk}), {"kind": "consent"})
    time_machine.move_to(proposal.closes_at)
    assert proposal_close(proposal_id=proposal.pk)
    sentence = "No standing objection; quorum 50 % met with 1 of 2."
    page = client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).content.decode()
    assert sentence in page and "At the close" in page
    api = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert api["why"]["sentence"] == sentence and api["why"]["outcome"] == "passed"
    assert {row["met"] for row in api["why"]["rows"]} == {True}
    mail = Notification.objects.get(kind="proposal_closed", email="mia@acme.test")
    assert sentence in mail.body
