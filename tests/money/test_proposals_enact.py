"""End to end through proposals: a spending proposal is a consent proposal of its deciding circle
that carries `spending.commit`; passing commits the amount, or the outcome is "passed, not enacted:
… the budget has X left". A budget is given by a proposal of the parent circle."""

from decimal import Decimal

from governance.models import Event, Provenance
from money import services
from money.models import Budget, Commitment, Spending
from money.queries import spending_status
from proposals.models import Proposal
from tests.changes.helpers import close, opened
from tests.money.conftest import period


def draft(world, money, amount, by=None):
    return services.spending_create(
        budget=money.budget, by=by or world.member(world.mia), title="Server", amount=amount,
        purpose="Hosting.", payee_name="Hoster Ltd", category=money.hosting,
    )  # fmt: skip


def test_a_spending_proposal_passes_and_commits(world, money, time_machine):
    spending = draft(world, money, "300.00")
    proposal = services.spending_propose(spending=spending, by=world.member(world.mia))
    assert proposal.circle == world.finance and proposal.state == Proposal.State.OPEN
    assert list(proposal.changes.values_list("kind", flat=True)) == ["spending.commit"]
    proposal = close(proposal, time_machine)
    assert proposal.outcome == "passed" and proposal.enacted is True
    commitment = Commitment.objects.get(spending=spending)
    assert commitment.outstanding.amount == Decimal("300.00")
    assert Spending.objects.get(pk=spending.pk).state == Spending.State.COMMITTED
    event = Event.objects.get(verb="spending.committed")
    assert event.details["decision"] == {"proposal": proposal.pk, "title": proposal.title}
    assert Provenance.objects.filter(object_type="commitment", object_id=commitment.pk, proposal_id=proposal.pk)


def test_above_the_approval_limit_the_proposal_is_the_parent_circles(world, money, time_machine):
    spending = draft(world, money, "800.00")
    proposal = services.spending_propose(spending=spending, by=world.member(world.mia))
    assert proposal.circle == world.general
    assert close(proposal, time_machine).enacted is True


def test_passed_not_enacted_when_the_budget_can_no_longer_fund_it(world, money, time_machine):
    spending = draft(world, money, "400.00")
    proposal = services.spending_propose(spending=spending, by=world.member(world.mia))
    services.budget_release(budget=money.budget, amount="1700.00", by=None, reason="Cut")
    proposal = close(proposal, time_machine)
    assert proposal.outcome == "passed" and proposal.enacted is False
    assert proposal.enactment_error.endswith(": the budget has €300.00 left")
    assert not Commitment.objects.filter(spending=spending).exists()
    spending.refresh_from_db()
    key, label = spending_status(spending)
    assert key == Spending.State.NOT_ENACTED and "the budget has €300.00 left" in label


def test_an_objection_leaves_nothing_committed(world, money, time_machine):
    spending = draft(world, money, "50.00")
    proposal = services.spending_propose(spending=spending, by=world.member(world.mia))
    proposal = close(proposal, time_machine, objector=world.member(world.steve))
    assert proposal.outcome == "rejected"
    spending.refresh_from_db()
    assert spending_status(spending)[0] == Spending.State.REJECTED


def test_the_general_circle_gives_a_budget_by_decision(world, money, time_machine):
    start, end = period()
    proposal = opened(
        world.general,
        world.member(world.alice),
        ("budget.allocate", {"fund": money.fund.pk, "circle": world.outreach.pk, "name": "Events",
                             "period_start": start.isoformat(), "period_end": end.isoformat(), "amount": "250.00",
                             "approval_limit": "100.00", "categories": ["Events"]}),
    )  # fmt: skip
    proposal = close(proposal, time_machine)
    assert proposal.enacted is True, proposal.enactment_error
    budget = Budget.objects.get(circle=world.outreach, name="Events")
    assert budget.available.amount == Decimal("250.00") and [c.name for c in budget.categories.all()] == ["Events"]
    assert Provenance.objects.filter(object_type="budget", object_id=budget.pk, proposal_id=proposal.pk).exists()


def test_the_put_to_the_circle_button_opens_the_proposal(world, money, as_user):
    spending = draft(world, money, "20.00")
    response = as_user(world.mia).post(f"/o/{world.organisation.slug}/money/spending/{spending.pk}/propose/")
    proposal = Proposal.objects.get(spendings=spending)
    assert response.status_code == 302 and response["Location"].endswith(f"/p/{proposal.pk}/")
    assert (
        as_user(world.steve).post(f"/o/{world.organisation.slug}/money/spending/{spending.pk}/propose/").status_code
        == 403
    )
