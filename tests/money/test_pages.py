"""Money's pages for each persona: members see money (it is transparent inside the organisation),
the treasurer records payments, outsiders and other organisations get 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from money import services
from money.models import Entry


@pytest.fixture
def committed(world, money):
    spending = services.spending_create(
        budget=money.budget, by=world.member(world.mia), title="Server", amount="120.00",
        purpose="Hosting for a year.", payee_name="Hoster Ltd", category=money.hosting,
    )  # fmt: skip
    services.attachment_add(
        spending=spending,
        by=world.member(world.mia),
        file=SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf"),
    )
    commitment = services.spending_commit(spending=spending, by=None)
    return spending, commitment


def urls(world, money, spending, commitment):
    org = world.organisation.slug
    attachment = spending.attachments.get()
    return [
        f"/o/{org}/money/",
        f"/o/{org}/money/funds/{money.fund.pk}/",
        f"/o/{org}/money/budgets/{money.budget.pk}/",
        f"/o/{org}/money/spending/{spending.pk}/",
        f"/o/{org}/money/commitments/{commitment.pk}/",
        f"/o/{org}/money/attachments/{attachment.pk}/",
        f"/o/{org}/money/reports/",
        f"/o/{org}/money/reports/categories.csv",
    ]


@pytest.mark.parametrize("persona", ["alice", "steve", "mia", "nora", "treasurer"])
def test_members_see_every_money_page(world, money, committed, as_user, persona):
    user = money.treasurer if persona == "treasurer" else getattr(world, persona)
    client = as_user(user)
    for url in urls(world, money, *committed):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["olga", "oscar"])
def test_outsiders_and_other_organisations_get_404(world, money, committed, as_user, persona):
    client = as_user(getattr(world, persona))
    for url in urls(world, money, *committed):
        assert client.get(url).status_code == 404, url


def test_the_attachment_is_served_as_a_download_of_its_own_bytes(world, money, committed, as_user):
    response = as_user(world.nora).get(urls(world, money, *committed)[5])
    assert b"".join(response.streaming_content) == b"%PDF-1.4 quote"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("persona", "status", "paid"),
    [("treasurer", 302, True), ("alice", 302, True), ("steve", 403, False), ("mia", 403, False), ("olga", 404, False)],
)
def test_only_the_treasurer_or_an_admin_records_a_payment(world, money, committed, as_user, persona, status, paid):
    _, commitment = committed
    user = money.treasurer if persona == "treasurer" else getattr(world, persona)
    response = as_user(user).post(
        f"/o/{world.organisation.slug}/money/commitments/{commitment.pk}/pay/",
        {"amount": "120.00", "reference": "BANK-77"},
    )
    assert response.status_code == status
    assert Entry.objects.filter(kind="payment", reference="BANK-77").exists() is paid


def test_the_treasurer_sees_the_payment_to_record_on_the_money_page(world, money, committed, as_user):
    page = as_user(money.treasurer).get(f"/o/{world.organisation.slug}/money/").content.decode()
    assert "Payments I must record" in page and "Server" in page


def test_a_member_of_the_circle_drafts_a_spending_with_a_quote(world, money, as_user):
    response = as_user(world.mia).post(
        f"/o/{world.organisation.slug}/money/budgets/{money.budget.pk}/spend/",
        {
            "title": "Laptop",
            "amount": "900.00",
            "payee_name": "Shop",
            "purpose": "For the bookkeeper.",
            "installments": 1,
            "interval_months": 1,
            "quote": SimpleUploadedFile("q.png", b"\x89PNG....", content_type="image/png"),
        },
    )
    assert response.status_code == 302
    page = as_user(world.mia).get(response["Location"]).content.decode()
    assert "Above the budget" in page and "General" in page  # 900 > 500: the parent circle decides


def test_a_member_outside_the_circle_cannot_draft_spending_from_its_budget(world, money, as_user):
    response = as_user(world.nora).get(f"/o/{world.organisation.slug}/money/budgets/{money.budget.pk}/spend/")
    assert response.status_code == 403
