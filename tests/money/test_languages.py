"""Money reads in the reader's language: amounts as each language writes them (€7,000.00 in English,
7 000,00 € in French, 7.000,00 € in German), the reports' figures too, and the API's refusals."""

import csv
import io

import pytest
from rest_framework.test import APIClient

NNBSP, NBSP = "\u202f", "\xa0"  # French groups digits with a narrow no-break space; € follows a no-break space

AMOUNTS = {
    "en": ("€7,000.00", "€10,000.00", "€2,000.00", "Circle budgets"),
    "fr": (f"7{NNBSP}000,00{NBSP}€", f"10{NNBSP}000,00{NBSP}€", f"2{NNBSP}000,00{NBSP}€", "Budgets des cercles"),
    "de": (f"7.000,00{NBSP}€", f"10.000,00{NBSP}€", f"2.000,00{NBSP}€", "Budgets der Kreise"),
}


def read_as(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", AMOUNTS)
def test_the_money_page_writes_a_fund_s_balance_as_the_reader_s_language_does(world, money, client, language):
    balance, _income, _budgeted, heading = AMOUNTS[language]
    page = read_as(client, world.alice, language).get(f"/o/{world.organisation.slug}/money/").content.decode()
    assert balance in page and heading in page


@pytest.mark.parametrize("language", AMOUNTS)
def test_the_reports_write_their_figures_with_the_fund_s_currency_in_the_reader_s_language(
    world, money, client, language
):
    _balance, income, budgeted, heading = AMOUNTS[language]
    page = read_as(client, world.alice, language).get(f"/o/{world.organisation.slug}/money/reports/").content.decode()
    assert income in page and budgeted in page and heading in page
    assert "10000.00 EUR" not in page and "2000.00 EUR" not in page


def test_the_report_csv_keeps_english_headers_and_dot_decimals_for_a_french_reader(world, money, client):
    """The CSV is for spreadsheets and scripts: the same columns and numbers in every language."""
    response = read_as(client, world.alice, "fr").get(f"/o/{world.organisation.slug}/money/reports/budgets.csv")
    header, *rows = csv.reader(io.StringIO(response.content.decode()))
    assert header == ["budget", "period_start", "period_end", "currency", "budgeted", "committed", "paid", "remaining"]
    assert any(row[0] == "Finance: Operations" and row[3:5] == ["EUR", "2000.00"] for row in rows)


def test_the_api_refuses_in_the_language_asked_for(world, money):
    client = APIClient()
    client.force_authenticate(world.alice)
    answer = client.get("/api/v1/money-reports/funds/?organisation=x", HTTP_ACCEPT_LANGUAGE="de")
    assert answer.status_code == 400
    assert answer.json()["organisation"] == ["Gib die ID der Organisation an."]
