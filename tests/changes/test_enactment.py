"""A passed round applies its changes in the closing transaction; other outcomes apply nothing; a
change that went stale leaves the proposal "passed, not enacted" with the reason, and nothing applied."""

from datetime import UTC, datetime

import pytest

from circles.models import Circle
from circles.services import circle_archive, circle_update
from governance.models import Event, Notification, Provenance
from proposals.models import Change, Proposal
from proposals.services import change_add, change_remove, proposal_reopen, proposal_withdraw
from roles.queries import stewards_by_circle
from tests.changes.helpers import amend_data, close, opened

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def acme(world, time_machine):
    time_machine.move_to(T0)
    return world


def test_a_passed_round_applies_its_changes_with_their_events_and_provenance(acme, time_machine):
    alice = acme.member(acme.alice)
    proposal = opened(
        acme.general,
        alice,
        ("circle.amend", amend_data(acme.finance, purpose="Keep the books.")),
        ("circle.create", {"parent": acme.finance.pk, "name": "Payroll", "steward": acme.member(acme.mia).pk}),
    )
    proposal = close(proposal, time_machine)
    assert proposal.outcome == Proposal.Outcome.PASSED
    assert proposal.enacted is True and proposal.enacted_at == proposal.closed_at
    assert Circle.objects.get(pk=acme.finance.pk).purpose == "Keep the books."
    payroll = Circle.objects.get(name="Payroll")
    assert payroll.parent_id == acme.finance.pk
    changes = list(proposal.changes.all())
    assert all(change.applied_at == proposal.closed_at for change in changes)
    assert changes[0].description["rows"][0] == {
        "label": "Purpose",
        "before": None,
        "after": "Keep the books.",
        "text": True,
    }
    provenance = Provenance.objects.filter(proposal_id=proposal.pk)
    assert {(p.object_type, p.object_id, p.circle_id) for p in provenance} == {
        ("circle", acme.finance.pk, acme.finance.pk),
        ("circle", payroll.pk, payroll.pk),
    }
    updated = Event.objects.get(verb="circle.updated", object_id=acme.finance.pk)
    assert updated.details["decision"] == {"proposal": proposal.pk, "title": proposal.title}
    assert Event.objects.filter(verb="change.applied").count() == 2
    assert Event.objects.filter(verb="proposal.enacted", object_id=proposal.pk).exists()
    assert stewards_by_circle([payroll.pk])[payroll.pk].pk == acme.member(acme.mia).pk


@pytest.mark.parametrize("ending", ["rejected", "no_quorum", "withdrawn"])
def test_a_round_that_does_not_pass_applies_nothing(acme, time_machine, ending):
    steve = acme.member(acme.steve)
    extra = {"quorum_percent": 100} if ending == "no_quorum" else {}
    proposal = opened(acme.finance, steve, ("circle.amend", amend_data(acme.finance, name="Money")))
    if extra:
        Proposal.objects.filter(pk=proposal.pk).update(**extra)
        proposal.refresh_from_db()
    if ending == "withdrawn":
        proposal_withdraw(proposal=proposal, by=steve)
        proposal.refresh_from_db()
    else:
        objector = acme.member(acme.mia) if ending == "rejected" else None
        proposal = close(proposal, time_machine, objector=objector)
        assert proposal.outcome == ending
    assert Circle.objects.get(pk=acme.finance.pk).name == "Finance"
    assert proposal.enacted is None
    assert not Change.objects.filter(applied_at__isnull=False).exists()
    assert not Provenance.objects.exists()


def test_a_change_gone_stale_leaves_it_passed_not_enacted_and_nothing_applied(acme, time_machine):
    alice = acme.member(acme.alice)
    proposal = opened(
        acme.general,
        alice,
        ("circle.amend", amend_data(acme.outreach, purpose="Tell the world.")),
        ("circle.amend", amend_data(acme.finance, name="Money")),
    )
    # Meanwhile someone archives Finance (a concurrent edit, directly).
    time_machine.move_to(T0.replace(hour=12))
    circle_archive(circle=Circle.objects.get(pk=acme.finance.pk), by=None, reason="Merged")
    proposal = close(proposal, time_machine)
    assert proposal.outcome == Proposal.Outcome.PASSED
    assert proposal.enacted is False
    assert proposal.enactment_error == "Amend the circle “Finance”: “Finance” is archived."
    assert proposal.passed_not_enacted
    # The first change had applied inside the savepoint: rolled back with it.
    assert Circle.objects.get(pk=acme.outreach.pk).purpose == ""
    assert not Change.objects.filter(applied_at__isnull=False).exists()
    assert Change.objects.get(proposal=proposal, ordinal=2).error == "“Finance” is archived."
    assert not Provenance.objects.exists()
    assert not Event.objects.filter(verb__in=["change.applied", "circle.updated"]).exists()
    assert Event.objects.filter(verb="proposal.not_enacted", object_id=proposal.pk).exists()
    told = Notification.objects.get(kind="proposal_not_enacted")
    assert told.email == acme.alice.email and "“Finance” is archived." in told.body


def test_the_author_amends_and_reopens_a_round_that_was_not_enacted(acme, time_machine):
    alice = acme.member(acme.alice)
    proposal = opened(acme.general, alice, ("circle.amend", amend_data(acme.finance, name="Money")))
    circle_update(circle=Circle.objects.get(pk=acme.finance.pk), by=None, name="Money")
    proposal = close(proposal, time_machine)
    assert proposal.passed_not_enacted
    assert "already reads so" in proposal.enactment_error
    change_remove(change=proposal.changes.get(), by=alice)
    change_add(
        proposal=proposal,
        by=alice,
        kind="circle.amend",
        data=amend_data(Circle.objects.get(pk=acme.finance.pk), purpose="Books."),
    )
    proposal = proposal_reopen(proposal=proposal, by=alice)
    assert proposal.state == Proposal.State.OPEN and proposal.version == 2 and proposal.enacted is None
    proposal = close(proposal, time_machine)
    assert proposal.enacted is True
    assert Circle.objects.get(pk=acme.finance.pk).purpose == "Books."
