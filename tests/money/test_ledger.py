"""The append-only ledger: every kind of entry, balances derived from it and never below zero,
returns and reversals with a reason, and entries that cannot be edited or deleted."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from governance.errors import Conflict, Invalid
from governance.models import Event
from money import services
from money.models import Budget, Commitment, Entry, Fund, Spending


def spend(world, money, amount="100.00", **kw):
    spending = services.spending_create(
        budget=money.budget,
        by=world.member(world.mia),
        title="Server",
        amount=amount,
        purpose="A year of hosting.",
        payee_name="Hoster Ltd",
        category=money.hosting,
        **kw,
    )
    return spending, services.spending_commit(spending=spending, by=world.member(world.mia))


def sums(model_field, **filters):
    return Entry.objects.filter(**filters).aggregate(t=Sum(model_field))["t"] or Decimal(0)


def test_balances_are_the_sums_of_their_entries(world, money):
    _, commitment = spend(world, money, "300.00")
    services.payment_record(commitment=commitment, amount="120.00", by=None, reference="TX-1")
    money.fund.refresh_from_db()
    money.budget.refresh_from_db()
    commitment.refresh_from_db()
    assert money.fund.balance.amount == Decimal("7000.00") == sums("fund_delta", fund=money.fund)
    assert money.budget.available.amount == Decimal("1700.00") == sums("budget_delta", budget=money.budget)
    assert commitment.outstanding.amount == Decimal("180.00") == sums("commitment_delta", commitment=commitment)
    assert str(money.fund.balance.currency) == "EUR"


def test_a_fund_never_gives_more_than_it_holds(world, money):
    with pytest.raises(Conflict, match="the fund has"):
        services.budget_allocate(
            fund=money.fund, circle=world.finance, name="Big", period_start=money.budget.period_start,
            period_end=money.budget.period_end, amount="7000.01", by=None,
        )  # fmt: skip


def test_a_commitment_above_what_the_budget_has_left_is_refused(world, money):
    with pytest.raises(Conflict, match=r"the budget has €2,000\.00 left"):
        spend(world, money, "2000.01")
    assert not Commitment.objects.exists()


def test_the_database_refuses_a_negative_balance_even_without_the_service(world, money):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=money.fund.pk).update(balance=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=money.budget.pk).update(available=Decimal("-0.01"))


def test_an_entry_is_never_edited_nor_deleted(money):
    entry = Entry.objects.first()
    entry.reason = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        Entry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(ValidationError):
        Entry.objects.all().delete()


def test_paying_in_full_settles_the_commitment_and_the_spending(world, money):
    spending, commitment = spend(world, money, "100.00")
    services.payment_record(commitment=commitment, amount="100.00", by=None, reference="TX-2")
    commitment.refresh_from_db()
    spending.refresh_from_db()
    assert commitment.state == Commitment.State.SETTLED and spending.state == Spending.State.PAID
    with pytest.raises(Conflict):
        services.payment_record(commitment=commitment, amount="1.00", by=None, reference="TX-3")
    assert Event.objects.filter(verb="payment.recorded").count() == 1


def test_a_payment_above_what_is_outstanding_is_refused(world, money):
    _, commitment = spend(world, money, "100.00")
    with pytest.raises(Conflict, match="outstanding"):
        services.payment_record(commitment=commitment, amount="100.01", by=None, reference="TX")


def test_returning_a_commitment_gives_what_is_unpaid_back_to_the_budget(world, money):
    spending, commitment = spend(world, money, "400.00")
    services.payment_record(commitment=commitment, amount="150.00", by=None, reference="TX")
    entry = services.commitment_return(commitment=commitment, by=None, reason="Cheaper than quoted")
    money.budget.refresh_from_db()
    spending.refresh_from_db()
    assert entry.amount.amount == Decimal("250.00")
    assert money.budget.available.amount == Decimal("1850.00")
    assert spending.state == Spending.State.PAID
    with pytest.raises(Conflict):
        services.commitment_return(commitment=commitment, by=None)


def test_returning_an_unpaid_commitment_marks_the_spending_returned(world, money):
    spending, commitment = spend(world, money, "400.00")
    services.commitment_return(commitment=commitment, by=None, reason="Not needed")
    spending.refresh_from_db()
    assert spending.state == Spending.State.RETURNED


def test_a_reversal_moves_every_balance_back_once_and_needs_a_reason(world, money):
    _, commitment = spend(world, money, "100.00")
    payment = services.payment_record(commitment=commitment, amount="100.00", by=None, reference="typo")
    with pytest.raises(Invalid):
        services.entry_reverse(entry=payment, by=None, reason=" ")
    reversal = services.entry_reverse(entry=payment, by=None, reason="Recorded against the wrong commitment")
    commitment.refresh_from_db()
    assert reversal.kind == "reversal" and reversal.moves == "payment" and reversal.reverses == payment
    assert commitment.outstanding.amount == Decimal("100.00") and commitment.state == Commitment.State.OPEN
    assert Spending.objects.get(pk=commitment.spending_id).state == Spending.State.COMMITTED
    with pytest.raises(Conflict, match="reversed already"):
        services.entry_reverse(entry=payment, by=None, reason="again")
    with pytest.raises(Conflict):
        services.entry_reverse(entry=reversal, by=None, reason="undo the undo")


def test_an_income_already_given_to_budgets_cannot_be_reversed(world, money):
    income = Entry.objects.get(kind="income")
    with pytest.raises(Conflict, match="cannot be reversed: the fund has"):
        services.entry_reverse(entry=income, by=None, reason="Bounced")


def test_amounts_are_exact_decimals_never_floats(money):
    with pytest.raises(Invalid):
        services.amount_clean(0.1)
    with pytest.raises(Invalid):
        services.amount_clean("1.005")
    with pytest.raises(Invalid):
        services.amount_clean("-3")
    assert services.amount_clean("0.10") == Decimal("0.10")


def test_a_fund_has_an_iso_4217_currency(world):
    with pytest.raises(Invalid, match="ISO 4217"):
        services.fund_create(organisation=world.organisation, name="X", currency="XYZ1", by=None)
    fund = services.fund_create(organisation=world.organisation, name="Yen", currency="jpy", by=None)
    assert fund.currency == "JPY"
