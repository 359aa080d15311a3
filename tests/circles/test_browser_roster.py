"""A steward keeps their circle's roster in a real browser: logging in through the login form and
adding a member, which the page shows in place (htmx) and the database records."""

import re

import pytest
from playwright.sync_api import expect

from circles.models import CircleMembership

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_steward_adds_a_member_to_their_roster(page, log_in, world):
    log_in("steve@acme.test")
    page.goto("/o/acme/c/finance/roster/")
    page.evaluate("window.samePage = true")  # survives an htmx swap, not a page load

    page.get_by_label("Member", exact=True).select_option(label="Nora Nocircle — Members")
    page.get_by_role("button", name="Add to roster").click()

    roster = page.locator("section[aria-labelledby=current-heading]")
    expect(roster).to_contain_text("Nora Nocircle")
    expect(page.locator("#messages")).to_contain_text("Nora Nocircle is now on the roster of Finance.")
    expect(page).to_have_url(re.compile(r"/o/acme/c/finance/roster/$"))
    assert page.evaluate("window.samePage === true")
    assert CircleMembership.objects.current().filter(circle=world.finance, member__user=world.nora).exists()


def test_a_steward_removes_a_member_with_a_reason(page, log_in, world):
    log_in("steve@acme.test")
    page.goto("/o/acme/c/finance/roster/")

    page.get_by_label("Why Mia Member leaves the circle").fill("Moved to Outreach")
    page.get_by_role("listitem").filter(has_text="Mia Member").get_by_role("button", name="Remove").click()

    expect(page.locator("section[aria-labelledby=history-heading]")).to_contain_text("Moved to Outreach")
    expect(page.locator("section[aria-labelledby=current-heading]")).not_to_contain_text("Mia Member")
    membership = CircleMembership.objects.get(circle=world.finance, member__user=world.mia)
    assert membership.removal_reason == "Moved to Outreach"
