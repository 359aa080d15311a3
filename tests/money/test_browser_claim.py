"""In a real browser: a member claims from the pot for a task, the pot's circle consents, the
treasurer records the payment with a reference and a receipt (on a 390 px screen), and the category
report shows it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from money import services
from money.models import Entry, Spending
from proposals.models import Proposal
from proposals.services import proposal_close
from tests.factories import give_role, make_member
from tests.money.conftest import make_money

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


def test_a_claim_from_the_pot_consented_paid_and_reported(page, log_in, chromium, live_server, world, tmp_path):
    money = make_money(world)
    services.category_create(organisation=world.organisation, name="Tasks", by=None)
    tara = make_member(world.organisation, circles=[world.outreach])
    give_role(world.outreach, tara, "treasurer")

    # Otto, on Outreach, claims from its pot for the flyers he designed.
    log_in("otto@acme.test")
    page.goto(f"/o/acme/money/budgets/{money.pot.pk}/")
    page.get_by_role("button", name="Claim from the pot").click()
    page.get_by_label("Title").fill("Designed the flyers")
    page.get_by_label("Amount").fill("80.00")
    page.get_by_label("Category").select_option(label="Tasks")
    page.get_by_label("The task you did").fill("Two flyers for the summer fair.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Designed the flyers")
    page.get_by_role("button", name="Put it to Outreach").click()

    # The circle consents: Otto gives his position on the proposal's page; the round then closes.
    expect(page).to_have_url(re.compile(r"/p/\d+/$"))
    page.get_by_role("radio", name=re.compile(r"^Consent")).check()
    page.get_by_role("button", name="Record my position").click()
    expect(page.locator("#position-panel")).to_contain_text("Your position is recorded")
    proposal = Proposal.objects.get(spendings__title="Designed the flyers")
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert proposal_close(proposal_id=proposal.pk)
    claim = Spending.objects.get(title="Designed the flyers")
    assert claim.state == Spending.State.COMMITTED and claim.payee_member.user == world.otto

    # The treasurer, on a phone, finds the payment to record and records it with a receipt.
    phone = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    tab = phone.new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(tara.user.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)
    tab.goto("/o/acme/money/")
    tab.get_by_role("link", name="Designed the flyers").first.click()
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    tab.get_by_label("Amount paid").fill("80.00")
    tab.get_by_label("Payment reference").fill("SEPA-4411")
    tab.get_by_label("Receipt").set_input_files(str(receipt))
    tab.get_by_role("button", name="Record the payment").click()
    expect(tab.locator("#messages")).to_contain_text("The payment is recorded")
    payment = Entry.objects.get(kind="payment", reference="SEPA-4411")
    assert payment.receipt.name == "receipt.pdf" and payment.created_by == tara
    assert Spending.objects.get(pk=claim.pk).state == Spending.State.PAID
    phone.close()

    # The category report shows it.
    page.goto("/o/acme/money/reports/")
    row = page.locator("#category-report tbody tr", has_text="Tasks")
    expect(row).to_contain_text("80.00")
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td").nth(4)).to_contain_text("80.00")
