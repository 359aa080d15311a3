"""Real concurrency on PostgreSQL: row locks on the budget and on each share mean that no number of
writers at the same moment overdraws a budget or over-allocates a share."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from governance.changes import ChangeContext, ChangeInvalid
from money import services
from money.changes import spending_commit_kind
from money.models import Allocation, Budget, Commitment, Entry, Share
from proposals.models import Proposal
from proposals.services import proposal_close
from tests.concurrency import run_together
from tests.factories import make_circle, make_member
from tests.money.conftest import allocate, make_money

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def test_fifty_spending_proposals_passing_at_once_against_a_budget_that_funds_ten(world):
    money = make_money(world)
    budget = allocate(world, world.outreach, fund=money.fund, amount="1000.00", name="Ten")
    otto = world.member(world.otto)
    proposals = []
    for i in range(50):
        spending = services.spending_create(
            budget=budget, by=otto, title=f"S{i}", amount="100.00", purpose="p", payee_name="P"
        )
        proposals.append(services.spending_propose(spending=spending, by=otto))
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(closes_at=timezone.now() - timedelta(minutes=1))

    assert run_together(50, lambda i: proposal_close(proposal_id=proposals[i].pk)) == [True] * 50

    closed = Proposal.objects.filter(pk__in=[p.pk for p in proposals])
    assert {p.outcome for p in closed} == {"passed"}
    assert closed.filter(enacted=True).count() == 10
    not_enacted = closed.filter(enacted=False)
    assert not_enacted.count() == 40
    assert {p.enactment_error.split(": ", 1)[1] for p in not_enacted} == {"the budget has €0.00 left"}
    assert Commitment.objects.filter(budget=budget).count() == 10
    assert Budget.objects.get(pk=budget.pk).available.amount == 0


def test_fifty_commitments_at_once_against_a_budget_that_funds_ten(world):
    money = make_money(world)
    budget = allocate(world, world.outreach, fund=money.fund, amount="1000.00", name="Ten")
    otto = world.member(world.otto)
    drafts = [
        services.spending_create(budget=budget, by=otto, title=f"S{i}", amount="100.00", purpose="p", payee_name="P")
        for i in range(50)
    ]
    ctx = ChangeContext(organisation=world.organisation, circle=world.outreach, actor=otto, proposal_id=1)

    def commit(i):
        try:
            return spending_commit_kind.apply(ctx, {"spending": drafts[i].pk})
        except ChangeInvalid as error:
            return error

    results = run_together(50, commit)
    refused = [r for r in results if isinstance(r, ChangeInvalid)]
    assert len(refused) == 40 and {r.message for r in refused} == {"the budget has €0.00 left"}
    assert Commitment.objects.filter(budget=budget).count() == 10
    assert Budget.objects.get(pk=budget.pk).available.amount == 0
    assert Entry.objects.filter(budget=budget, kind="commitment").count() == 10


def test_a_hundred_members_allocating_at_once_never_over_allocate(world):
    money = make_money(world)
    circle = make_circle(world.organisation, "Assembly")
    members = [make_member(world.organisation, circles=[circle]) for _ in range(100)]
    round_ = services.round_open(
        fund=money.fund, circle=circle, title="All at once", pool="1000.00",
        closes_at=timezone.now() + timedelta(days=1), by=world.member(world.alice),
    )  # fmt: skip
    first = services.bucket_create(round=round_, by=members[0], title="A", min_goal="1", max_goal="1000")
    second = services.bucket_create(round=round_, by=members[0], title="B", min_goal="1", max_goal="300")

    def allocate_twice(i):
        # 25 threads, four members each, all released at once: each member tries to give 7 of their 10
        # to each bucket; one of their two must be refused, and B fills up at 300.
        outcomes = []
        for member in members[i * 4 : i * 4 + 4]:
            for bucket in (second, first):
                try:
                    services.allocation_set(bucket=bucket, member=member, amount="7.00")
                    outcomes.append("ok")
                except services.Conflict:
                    outcomes.append("refused")
        return outcomes

    results = [o for r in run_together(25, allocate_twice) for o in r]
    assert results.count("ok") == 100  # one of each member's two allocations
    for share in Share.objects.filter(round=round_):
        given = Allocation.objects.filter(bucket__round=round_, member=share.member).aggregate(t=Sum("amount"))["t"]
        assert share.allocated == (given or 0) <= share.amount == Decimal("10.00")
    for bucket in (first, second):
        bucket.refresh_from_db()
        assert (
            bucket.total == Allocation.objects.filter(bucket=bucket).aggregate(t=Sum("amount"))["t"] <= bucket.max_goal
        )
    assert second.total <= Decimal("300.00")
