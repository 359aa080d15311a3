"""Opening, positions, amendments, withdrawal, early close and outcome statements."""

from datetime import date, timedelta

import pytest
import rules

from circles.services import roster_add, roster_remove
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Event, Notification
from governance.services import member_remove, membership_class_save
from proposals.models import Position, Proposal, ProposalVersion
from proposals.queries import tally_recount
from proposals.services import (
    comment_add,
    objection_withdraw,
    outcome_write,
    position_record,
    proposal_amend,
    proposal_close,
    proposal_create,
    proposal_open,
    proposal_update_draft,
    proposal_withdraw,
)
from tests.factories import make_member, make_proposal


@pytest.fixture
def proposal(world):
    return make_proposal(world.finance, world.member(world.steve))


def test_it_keeps_drafts_private_to_their_author(world):
    draft = make_proposal(world.finance, world.member(world.mia), opened=False)
    assert rules.test_rule("proposals.view_proposal", world.mia, draft)
    assert not rules.test_rule("proposals.view_proposal", world.steve, draft)
    assert not rules.test_rule("proposals.view_proposal", world.alice, draft)


def test_it_lets_the_author_edit_a_draft_and_keeps_version_one_in_step(world):
    draft = make_proposal(world.finance, world.member(world.mia), opened=False)
    proposal_update_draft(proposal=draft, by=world.member(world.mia), title="Better title", body="Better body")
    version = ProposalVersion.objects.get(proposal=draft)
    assert (version.number, version.title, version.body) == (1, "Better title", "Better body")


def test_it_refuses_an_empty_body(world):
    with pytest.raises(Invalid) as error:
        proposal_create(circle=world.finance, author=world.member(world.mia), title="T", body="  ")
    assert error.value.field == "body"


def test_opening_snapshots_eligibility_with_weights(world, proposal):
    voters = {v.member.user for v in proposal.eligible_voters.select_related("member__user")}
    assert voters == {world.steve, world.mia}
    assert proposal.eligible_count == 2 and proposal.eligible_weight == 2
    assert proposal.state == Proposal.State.OPEN
    assert proposal.closes_at == proposal.opened_at + timedelta(days=world.organisation.consent_round_days)


def test_later_roster_changes_do_not_change_who_may_vote(world, proposal):
    nora = world.member(world.nora)
    roster_add(circle=world.finance, member=nora, by=None)
    with pytest.raises(NotAllowed):
        position_record(proposal=proposal, member=nora, kind="consent")
    mia_membership = world.finance.memberships.get(member=world.member(world.mia), left_at__isnull=True)
    roster_remove(membership=mia_membership, by=None, reason="Moved to Outreach")
    assert position_record(proposal=proposal, member=world.member(world.mia), kind="consent").is_current


def test_a_member_who_left_the_organisation_can_no_longer_vote(world, proposal):
    mia = world.member(world.mia)
    member_remove(member=mia, by=world.member(world.alice), reason="Moved away")
    mia.refresh_from_db()
    with pytest.raises(NotAllowed):
        position_record(proposal=proposal, member=mia, kind="consent")


def test_a_class_that_may_not_vote_is_not_eligible(world):
    observers = membership_class_save(
        organisation=world.organisation, by=None, name="Observers", voting_weight=0, may_vote=False
    )
    make_member(world.organisation, membership_class=observers, circles=[world.finance])
    proposal = make_proposal(world.finance, world.member(world.steve))
    assert proposal.eligible_count == 2


def test_the_general_circle_asks_every_active_voting_member(world):
    proposal = make_proposal(world.general, world.member(world.alice))
    assert proposal.eligible_count == 5  # alice, steve, otto, mia, nora


def test_it_refuses_a_position_after_the_deadline_without_any_sweep(world, proposal, time_machine):
    time_machine.move_to(proposal.closes_at + timedelta(seconds=1))
    with pytest.raises(Conflict) as error:
        position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    assert "closed" in error.value.message
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.OPEN  # only the sweep finalises


def test_a_concern_or_an_objection_needs_a_reason(world, proposal):
    for kind in ("concern", "objection"):
        with pytest.raises(Invalid) as error:
            position_record(proposal=proposal, member=world.member(world.mia), kind=kind, reason=" ")
        assert error.value.field == "reason"
    assert not Position.objects.exists()


def test_it_refuses_a_kind_of_the_other_method(world, proposal):
    with pytest.raises(Invalid) as error:
        position_record(proposal=proposal, member=world.member(world.mia), kind="agree")
    assert error.value.field == "kind"


def test_changing_a_position_keeps_the_history_and_one_current_row(world, proposal):
    mia = world.member(world.mia)
    position_record(proposal=proposal, member=mia, kind="concern", reason="Too fast")
    position_record(proposal=proposal, member=mia, kind="consent")
    rows = Position.objects.filter(proposal=proposal, member=mia).order_by("id")
    assert [(p.kind, p.is_current, p.retired_because) for p in rows] == [
        ("concern", False, "changed"),
        ("consent", True, ""),
    ]
    proposal.refresh_from_db()
    assert proposal.tally == tally_recount(proposal) == {"consent": [1, 1]}


def test_sending_the_same_position_twice_changes_nothing(world, proposal):
    mia = world.member(world.mia)
    first = position_record(proposal=proposal, member=mia, kind="consent")
    assert position_record(proposal=proposal, member=mia, kind="consent").pk == first.pk
    assert Position.objects.filter(proposal=proposal).count() == 1


def test_an_objection_tells_the_proposer(world, proposal):
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Too risky")
    note = Notification.objects.get(kind="objection_raised")
    assert note.recipient == world.steve and "Too risky" in note.body and "Mia" in note.body


def test_the_objector_can_withdraw_and_is_asked_again(world, proposal):
    mia = world.member(world.mia)
    position_record(proposal=proposal, member=mia, kind="objection", reason="Too risky")
    objection_withdraw(proposal=proposal, member=mia)
    proposal.refresh_from_db()
    assert proposal.tally == {} and not Position.objects.filter(is_current=True).exists()
    assert Position.objects.get().retired_because == "withdrawn"
    with pytest.raises(Conflict):
        objection_withdraw(proposal=proposal, member=mia)


def test_an_amendment_is_a_new_version_that_restarts_the_round(world, proposal, time_machine):
    steve, mia = world.member(world.steve), world.member(world.mia)
    position_record(proposal=proposal, member=mia, kind="objection", reason="Budget too high")
    position_record(proposal=proposal, member=steve, kind="consent")
    time_machine.move_to(proposal.opened_at + timedelta(days=3))
    version = proposal_amend(
        proposal=proposal, by=steve, title=proposal.title, body="A smaller budget.", change_note="Halved the budget"
    )
    proposal.refresh_from_db()
    assert version.number == 2 and proposal.version == 2 and proposal.body == "A smaller budget."
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 2
    assert proposal.tally == {} and not Position.objects.filter(proposal=proposal, is_current=True).exists()
    assert Position.objects.filter(proposal=proposal, retired_because="amended").count() == 2
    assert proposal.closes_at > proposal.opened_at + timedelta(days=7)  # restarted, not the old deadline
    assert Notification.objects.filter(kind="proposal_amended").count() == 2
    position_record(proposal=proposal, member=mia, kind="consent")
    assert Position.objects.get(proposal=proposal, member=mia, is_current=True).version == 2


def test_an_amendment_that_changes_nothing_is_refused(world, proposal):
    with pytest.raises(Invalid):
        proposal_amend(proposal=proposal, by=world.member(world.steve), title=proposal.title, body=proposal.body)


def test_a_withdrawn_proposal_takes_no_positions(world, proposal):
    proposal_withdraw(proposal=proposal, by=world.member(world.steve))
    with pytest.raises(Conflict):
        position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    with pytest.raises(Conflict):
        proposal_withdraw(proposal=proposal, by=world.member(world.steve))


def test_it_closes_early_when_everyone_responded_and_nobody_objects(world):
    proposal = make_proposal(world.finance, world.member(world.steve), early_close=True)
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.OPEN
    position_record(proposal=proposal, member=world.member(world.mia), kind="concern", reason="Fine, but watch it")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.outcome) == (Proposal.State.CLOSED, Proposal.Outcome.PASSED)


def test_it_does_not_close_early_over_an_objection(world):
    proposal = make_proposal(world.finance, world.member(world.steve), early_close=True)
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="No")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.OPEN


def test_the_outcome_statement_comes_after_closing_and_keeps_the_old_one(world, proposal, time_machine):
    steve = world.member(world.steve)
    with pytest.raises(Conflict):
        outcome_write(proposal=proposal, by=steve, statement="Agreed")
    time_machine.move_to(proposal.closes_at)
    proposal_close(proposal_id=proposal.pk)
    outcome_write(proposal=proposal, by=steve, statement="Agreed.", review_date=date.today() + timedelta(days=180))
    outcome_write(proposal=proposal, by=steve, statement="Agreed, with a review in six months.")
    proposal.refresh_from_db()
    assert proposal.outcome_statement == "Agreed, with a review in six months."
    rewrite = Event.objects.filter(verb="proposal.outcome_written").order_by("id").last()
    assert rewrite.details["previous"]["statement"] == "Agreed."


def test_comments_open_with_the_round(world):
    draft = make_proposal(world.finance, world.member(world.mia), opened=False)
    with pytest.raises(Conflict):
        comment_add(proposal=draft, author=world.member(world.mia), body="Hm")
    opened = proposal_open(proposal=draft, by=world.member(world.mia))
    comment = comment_add(
        proposal=opened, author=world.member(world.steve), body="What does it cost?", is_question=True
    )
    assert comment.is_question


def test_anonymous_rounds_never_log_who_took_which_position(world):
    proposal = make_proposal(world.finance, world.member(world.steve), anonymous=True)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Secret worry")
    event = Event.objects.get(verb="position.recorded")
    assert event.details == {} and "objection" not in event.object_repr
    assert event.actor is None  # not even who responded (issue 15)
    # Results stay hidden until the close: the proposer hears of the objection then, like everyone.
    assert not Notification.objects.filter(kind="objection_raised").exists()


def test_opening_asks_each_eligible_member_once(world, proposal):
    assert set(Notification.objects.filter(kind="proposal_opened").values_list("email", flat=True)) == {
        "steve@acme.test",
        "mia@acme.test",
    }
