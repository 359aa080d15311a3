"""Money over the API: the same rules as the pages, for each persona, and the 400/403/404/409."""

import pytest
from rest_framework.test import APIClient

from money import services
from money.models import Entry, Spending


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def committed(world, money):
    spending = services.spending_create(
        budget=money.budget,
        by=world.member(world.mia),
        title="Server",
        amount="120.00",
        purpose="Hosting.",
        payee_name="Hoster Ltd",
        category=money.hosting,
    )
    return spending, services.spending_commit(spending=spending, by=None)


LISTS = [
    "funds",
    "ledger-entries",
    "budgets",
    "spending-categories",
    "spending-proposals",
    "claims",
    "commitments",
    "rounds",
    "buckets",
    "allocations",
]


@pytest.mark.parametrize("persona", ["alice", "steve", "mia", "nora"])
def test_members_read_every_money_list(world, money, committed, persona):
    client = api(getattr(world, persona))
    for name in LISTS:
        assert client.get(f"/api/v1/{name}/").status_code == 200, name
    assert len(client.get("/api/v1/funds/").json()["results"]) == 1
    entries = client.get("/api/v1/ledger-entries/").json()["results"]
    assert [e["kind"] for e in entries] == ["income", "allocation", "allocation", "commitment"]
    assert entries[0]["amount"] == "10000.00" and entries[0]["currency"] == "EUR"


@pytest.mark.parametrize("persona", ["olga", "oscar"])
def test_outsiders_see_no_money(world, money, committed, persona):
    client = api(getattr(world, persona))
    for name in LISTS:
        body = client.get(f"/api/v1/{name}/").json()
        assert body["results"] == [], name
    assert client.get(f"/api/v1/funds/{money.fund.pk}/").status_code == 404
    assert client.get(f"/api/v1/commitments/{committed[1].pk}/").status_code == 404
    reports = client.get(f"/api/v1/money-reports/categories/?organisation={world.organisation.pk}")
    assert reports.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("treasurer", 201), ("alice", 201), ("steve", 403), ("nora", 403), ("olga", 404)]
)
def test_only_a_treasurer_or_an_admin_records_a_payment(world, money, committed, persona, status):
    user = money.treasurer if persona == "treasurer" else getattr(world, persona)
    response = api(user).post(
        f"/api/v1/commitments/{committed[1].pk}/pay/", {"amount": "20.00", "reference": "API-1"}, format="json"
    )
    assert response.status_code == status, response.content
    assert Entry.objects.filter(reference="API-1").exists() is (status == 201)


def test_an_overpayment_is_a_409_with_the_reason(world, money, committed):
    response = api(money.treasurer).post(
        f"/api/v1/commitments/{committed[1].pk}/pay/", {"amount": "120.01", "reference": "X"}, format="json"
    )
    assert response.status_code == 409
    assert "outstanding" in str(response.json())


def test_a_float_like_bad_amount_is_a_400(world, money, committed):
    response = api(money.treasurer).post(
        f"/api/v1/commitments/{committed[1].pk}/pay/", {"amount": "1.005", "reference": "X"}, format="json"
    )
    assert response.status_code == 400


def test_a_member_of_the_circle_drafts_spending_and_escalation_is_said(world, money):
    response = api(world.mia).post(
        "/api/v1/spending-proposals/",
        {"budget": money.budget.pk, "title": "Laptop", "amount": "900.00", "purpose": "x", "payee_name": "Shop"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["escalated"] is True and body["deciding_circle"] == world.general.pk and body["status"] == "draft"
    assert api(world.nora).get(f"/api/v1/spending-proposals/{body['id']}/").status_code == 404  # a draft is private


def test_outside_the_circle_one_cannot_draft_spending_from_its_budget(world, money):
    response = api(world.nora).post(
        "/api/v1/spending-proposals/",
        {"budget": money.budget.pk, "title": "Laptop", "amount": "9.00", "purpose": "x", "payee_name": "Shop"},
        format="json",
    )
    assert response.status_code == 403


def test_a_claim_is_made_from_a_pot_by_its_circle(world, money):
    otto = api(world.otto)
    response = otto.post(
        "/api/v1/claims/",
        {"budget": money.pot.pk, "title": "Flyers", "amount": "80.00", "purpose": "I designed the flyers."},
        format="json",
    )
    assert response.status_code == 201, response.content
    claim = Spending.objects.get(pk=response.json()["id"])
    assert claim.kind == "claim" and claim.payee_member == world.member(world.otto)
    refused = otto.post(
        "/api/v1/claims/",
        {"budget": money.budget.pk, "title": "x", "amount": "1.00", "purpose": "x"},
        format="json",
    )
    assert refused.status_code == 403  # not on Finance


def test_the_category_report_over_the_api(world, money, committed):
    services.payment_record(commitment=committed[1], amount="100.00", by=None, reference="R")
    rows = api(world.nora).get(f"/api/v1/money-reports/categories/?organisation={world.organisation.pk}").json()
    assert [(r["label"], r["count"], r["committed"], r["paid"]) for r in rows] == [("Hosting", 1, "120.00", "100.00")]
