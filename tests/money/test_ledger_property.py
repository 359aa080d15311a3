"""A property of the ledger: whatever sequence of operations is tried (income, allocations, releases,
commitments, payments, returns, reversals, many of them refused), every kept balance equals the sum of
its entries and none is ever below zero."""

from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.errors import DomainError
from money import services
from money.models import Budget, Commitment, Entry, Fund, Spending

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2)
operations = st.lists(
    st.tuples(
        st.sampled_from(["income", "allocate", "release", "commit", "pay", "return", "reverse"]),
        amounts,
        st.integers(min_value=0, max_value=50),
    ),
    max_size=25,
)


class Rollback(Exception):
    pass


def run(world, fund, circle, ops):
    alice = world.member(world.mia)
    budget = services.budget_allocate(
        fund=fund, circle=circle, name="Prop", period_start=services.timezone.localdate(),
        period_end=services.timezone.localdate(), amount="1.00", by=None,
    )  # fmt: skip
    for op, amount, pick in ops:
        commitments = list(Commitment.objects.filter(budget=budget).order_by("pk"))
        try:
            with transaction.atomic():
                if op == "income":
                    services.income_record(fund=fund, amount=amount, by=None)
                elif op == "allocate":
                    services.budget_allocate(
                        fund=fund, circle=circle, name="Prop", period_start=budget.period_start,
                        period_end=budget.period_end, amount=amount, by=None,
                    )  # fmt: skip
                elif op == "release":
                    services.budget_release(budget=budget, amount=amount, by=None)
                elif op == "commit":
                    spending = services.spending_create(
                        budget=budget, by=alice, title="S", amount=amount, purpose="p", payee_name="P"
                    )
                    services.spending_commit(spending=spending, by=None)
                elif op == "pay" and commitments:
                    c = commitments[pick % len(commitments)]
                    services.payment_record(commitment=c, amount=amount, by=None, reference="r")
                elif op == "return" and commitments:
                    services.commitment_return(commitment=commitments[pick % len(commitments)], by=None)
                elif op == "reverse":
                    entries = list(Entry.objects.filter(fund=fund).order_by("pk"))
                    services.entry_reverse(entry=entries[pick % len(entries)], by=None, reason="test")
        except DomainError:
            pass
        check(fund)


def check(fund):
    def total(field, **filters):
        # Added up here, row by row, in exact decimals: SQLite's SUM() is a float's.
        return sum(Entry.objects.filter(**filters).values_list(field, flat=True), Decimal(0))

    fund = Fund.objects.get(pk=fund.pk)
    assert fund.balance.amount == total("fund_delta", fund=fund) >= 0
    for budget in Budget.objects.filter(fund=fund):
        assert budget.available.amount == total("budget_delta", budget=budget) >= 0
    for commitment in Commitment.objects.filter(budget__fund=fund):
        assert commitment.outstanding.amount == total("commitment_delta", commitment=commitment) >= 0
        assert (commitment.state == "open") == (commitment.outstanding.amount > 0)
    for entry in Entry.objects.filter(fund=fund):
        assert entry.amount.amount > 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_every_balance_is_the_sum_of_its_entries_and_never_negative(world, ops):
    try:
        with transaction.atomic():
            fund = services.fund_create(organisation=world.organisation, name="Property", currency="EUR", by=None)
            services.income_record(fund=fund, amount="1.00", by=None)
            run(world, fund, world.finance, ops)
            raise Rollback
    except Rollback:
        pass
    assert not Spending.objects.filter(title="S").exists()


def test_the_benchmark_seed_keeps_every_balance_equal_to_its_entries(db):
    from project.seed import Size, seed_cooperative

    organisation = seed_cooperative(slug="seeded", size=Size(members=20, circles=4, roles=4, proposals=4,
        open_proposals=1, positions=20, big_proposal_positions=5, comments=2, ledger_entries=301))  # fmt: skip
    fund = Fund.objects.get(organisation=organisation)
    assert 295 <= Entry.objects.filter(fund=fund).count() <= 301
    check(fund)
