"""The change kinds, called as proposals call them: budget.allocate is the parent circle's to
decide; spending.commit is decided by the budget's circle, or above its approval limit by the parent
circle (automatically), and cannot apply when the budget can no longer fund it."""

from decimal import Decimal

import pytest

from governance.changes import ChangeContext, ChangeInvalid, change_kinds
from governance.models import Event
from money import services
from money.changes import budget_allocate_kind, spending_commit_kind
from money.models import Commitment, Spending
from tests.factories import make_circle
from tests.money.conftest import period


def ctx(world, circle, proposal_id=7):
    return ChangeContext(
        organisation=world.organisation,
        circle=circle,
        actor=world.member(world.alice),
        proposal_id=proposal_id,
        proposal_title="Money decision",
    )


def test_both_kinds_are_registered():
    assert change_kinds["budget.allocate"] is budget_allocate_kind
    assert change_kinds["spending.commit"] is spending_commit_kind


def test_a_budget_is_given_by_the_parent_circle_only(world, money):
    start, end = period()
    data = {"fund": money.fund.pk, "circle": world.finance.pk, "name": "Q", "period_start": start,
            "period_end": end, "amount": "10.00"}  # fmt: skip
    with pytest.raises(ChangeInvalid, match="parent circle"):
        budget_allocate_kind.clean(ctx(world, world.finance), data)
    events = make_circle(world.organisation, "Events", parent=world.finance)
    with pytest.raises(ChangeInvalid, match="parent circle"):
        budget_allocate_kind.clean(ctx(world, world.general), {**data, "circle": events.pk})
    clean = budget_allocate_kind.clean(ctx(world, world.finance), {**data, "circle": events.pk})
    assert budget_allocate_kind.circles(ctx(world, world.finance), clean) == [events]


def test_allocating_records_the_decision_and_provenance(world, money):
    start, end = period()
    c = ctx(world, world.general, proposal_id=42)
    data = budget_allocate_kind.clean(
        c, {"fund": money.fund.pk, "circle": world.outreach.pk, "name": "Events", "period_start": start,
            "period_end": end, "amount": "300.00", "approval_limit": "50.00"},
    )  # fmt: skip
    description = budget_allocate_kind.describe(c, data)
    assert "€300.00" in description.summary
    (budget,) = budget_allocate_kind.apply(c, data)
    assert budget.available.amount == Decimal("300.00") and budget.approval_limit.amount == Decimal("50.00")
    event = Event.objects.filter(verb="budget.allocated", object_id=budget.pk).latest("pk")
    assert event.details["decision"] == {"proposal": 42, "title": "Money decision"}


def test_an_allocation_the_fund_cannot_cover_is_not_enacted(world, money):
    start, end = period()
    c = ctx(world, world.general)
    data = budget_allocate_kind.clean(
        c, {"fund": money.fund.pk, "circle": world.outreach.pk, "name": "Huge", "period_start": start,
            "period_end": end, "amount": "7000.01"},
    )  # fmt: skip
    with pytest.raises(ChangeInvalid, match=r"the fund has €7,000\.00 left"):
        budget_allocate_kind.apply(c, data)


def draft(world, money, amount):
    return services.spending_create(
        budget=money.budget, by=world.member(world.mia), title="Thing", amount=amount, purpose="x", payee_name="Shop"
    )


def test_spending_within_the_limit_is_decided_by_the_budgets_circle(world, money):
    spending = draft(world, money, "500.00")
    assert (spending.deciding_circle, spending.escalated) == (world.finance, False)
    with pytest.raises(ChangeInvalid, match="decided by Finance"):
        spending_commit_kind.clean(ctx(world, world.general), {"spending": spending.pk})
    data = spending_commit_kind.clean(ctx(world, world.finance), {"spending": str(spending.pk)})
    assert data == {"spending": spending.pk}


def test_spending_above_the_approval_limit_escalates_to_the_parent_circle(world, money):
    spending = draft(world, money, "500.01")
    assert (spending.deciding_circle, spending.escalated) == (world.general, True)
    with pytest.raises(ChangeInvalid, match=r"above the budget's approval limit of €500\.00"):
        spending_commit_kind.clean(ctx(world, world.finance), {"spending": spending.pk})
    c = ctx(world, world.general)
    data = spending_commit_kind.clean(c, {"spending": spending.pk})
    assert spending_commit_kind.circles(c, data) == [world.finance]
    assert any("above the approval limit" in str(row.after) for row in spending_commit_kind.describe(c, data).rows)


def test_committing_on_pass_and_not_enacted_when_the_budget_has_too_little_left(world, money):
    first, second = draft(world, money, "400.00"), draft(world, money, "400.00")
    c = ctx(world, world.finance)
    for s in (first, second):
        spending_commit_kind.clean(c, {"spending": s.pk})  # each fits on its own when drafted
    services.budget_release(budget=money.budget, amount="1500.00", by=None, reason="Cut")
    (commitment,) = spending_commit_kind.apply(c, {"spending": first.pk})
    assert commitment.amount.amount == Decimal("400.00")
    with pytest.raises(ChangeInvalid, match=r"^the budget has €100.00 left$"):
        spending_commit_kind.apply(c, {"spending": second.pk})
    assert Commitment.objects.count() == 1
    assert Spending.objects.get(pk=first.pk).state == Spending.State.COMMITTED
    event = Event.objects.get(verb="spending.committed")
    assert event.details["decision"]["proposal"] == 7


def test_a_spending_committed_once_cannot_be_committed_again(world, money):
    spending = draft(world, money, "10.00")
    c = ctx(world, world.finance)
    spending_commit_kind.apply(c, {"spending": spending.pk})
    with pytest.raises(ChangeInvalid, match="committed already"):
        spending_commit_kind.clean(c, {"spending": spending.pk})
    with pytest.raises(ChangeInvalid):
        spending_commit_kind.apply(c, {"spending": spending.pk})


def test_a_spending_of_another_organisation_is_no_such_spending(world, money):
    other = ChangeContext(organisation=world.other, circle=world.other.circles.get(is_general=True), actor=None)
    with pytest.raises(ChangeInvalid, match="No such"):
        spending_commit_kind.clean(other, {"spending": draft(world, money, "1.00").pk})
