"""Reports: the figures per fund, budget and category and period, their CSV exports, and query
counts pinned and flat as the ledger grows."""

import csv
import io
from decimal import Decimal

import pytest

from money import services
from money.queries import report_budgets, report_categories, report_funds


def spend(world, money, amount, *, pay=None, category=True):
    spending = services.spending_create(
        budget=money.budget, by=world.member(world.mia), title="S", amount=amount, purpose="p",
        payee_name="P", category=money.hosting if category else None,
    )  # fmt: skip
    commitment = services.spending_commit(spending=spending, by=None)
    if pay:
        services.payment_record(commitment=commitment, amount=pay, by=None, reference="R")
    return commitment


def test_the_figures_per_budget_and_per_category(world, money):
    spend(world, money, "100.00", pay="100.00")
    returned = spend(world, money, "50.00", pay="20.00")
    services.commitment_return(commitment=returned, by=None)
    spend(world, money, "30.00", category=False)
    (finance,) = [r for r in report_budgets(world.organisation) if r.extra["pk"] == money.budget.pk]
    assert (finance.budgeted, finance.committed, finance.paid, finance.remaining) == (
        Decimal("2000.00"), Decimal("180.00"), Decimal("120.00"), Decimal("1850.00"),
    )  # fmt: skip
    rows = {(r.label, r.count): (r.committed, r.paid) for r in report_categories(world.organisation)}
    assert rows == {("Hosting", 2): (Decimal("150.00"), Decimal("120.00")), ("", 1): (Decimal("30.00"), 0)}
    (fund,) = report_funds(world.organisation)
    assert fund.extra["income"] == Decimal("10000.00") and fund.extra["balance"] == Decimal("7000.00")


def test_a_reversed_commitment_is_no_longer_counted(world, money):
    commitment = spend(world, money, "100.00")
    entry = commitment.entries.get(kind="commitment")
    services.commitment_return(commitment=commitment, by=None)
    services.entry_reverse(entry=commitment.entries.get(kind="return"), by=None, reason="Returned by mistake")
    assert entry.pk
    (row,) = report_categories(world.organisation)
    assert (row.count, row.committed) == (1, Decimal("100.00"))


def test_the_categories_csv_is_what_a_council_keeps(world, money, as_user):
    spend(world, money, "100.00", pay="40.00")
    response = as_user(world.nora).get(f"/o/{world.organisation.slug}/money/reports/categories.csv")
    assert response["Content-Disposition"] == 'attachment; filename="spending_proposal_categories.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["category", "period", "currency", "count", "total_committed", "total_paid"]
    assert rows[1][0] == "Hosting" and rows[1][2:] == ["EUR", "1", "100.00", "40.00"]


def test_the_reports_page_draws_svg_charts_over_tables(world, money, as_user):
    spend(world, money, "100.00", pay="40.00")
    page = as_user(world.nora).get(f"/o/{world.organisation.slug}/money/reports/").content.decode()
    assert page.count("<svg") == 2 and "<rect" in page and 'id="category-report"' in page
    assert "style=" not in page.split("<main", 1)[1]


@pytest.mark.parametrize("n", [1, 12])
def test_report_queries_are_pinned_and_flat(world, money, django_assert_max_num_queries, n):
    for _ in range(n):
        spend(world, money, "10.00", pay="5.00")
    with django_assert_max_num_queries(1):
        report_categories(world.organisation)
    with django_assert_max_num_queries(2):
        report_budgets(world.organisation)
    with django_assert_max_num_queries(2):
        report_funds(world.organisation)


@pytest.mark.parametrize("n", [1, 12])
def test_the_reports_page_and_csv_cost_the_same_however_many_entries(world, money, as_user,
                                                                     django_assert_max_num_queries, n):  # fmt: skip
    client = as_user(world.nora)
    for _ in range(n):
        spend(world, money, "10.00", pay="5.00")
    client.get(f"/o/{world.organisation.slug}/money/reports/")  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(f"/o/{world.organisation.slug}/money/reports/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"/o/{world.organisation.slug}/money/reports/categories.csv").status_code == 200
