"""A consent round in a real browser: a member objects (first without a reason, which is refused),
the proposer amends, the member consents to the new version, and the tally on the page follows
each step in place (htmx) while the database records it."""

import re

import pytest
from playwright.sync_api import expect

from proposals.models import Position, Proposal
from tests.factories import make_proposal

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # what tests.factories.UserFactory gives everyone


def _log_in(tab, email):
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)


def _tally_cell(tab, kind):
    return tab.locator(f"#position-panel td[data-kind={kind}]")


def test_an_objection_is_refused_without_reason_then_amended_away(page, log_in, chromium, live_server, world):
    proposal = make_proposal(world.finance, world.member(world.steve), body="We spend the whole reserve.")
    path = f"/o/acme/p/{proposal.pk}/"

    log_in("mia@acme.test")
    page.goto(path)
    page.evaluate("window.samePage = true")  # survives an htmx swap, not a page load
    panel = page.locator("#position-panel")

    page.get_by_role("radio", name=re.compile(r"^Objection")).check()
    page.get_by_role("button", name="Record my position").click()
    expect(panel).to_contain_text("needs a reason")
    expect(page.get_by_role("radio", name=re.compile(r"^Objection"))).to_be_checked()
    assert not Position.objects.exists()

    page.get_by_label("Reason", exact=True).fill("The reserve is our only buffer.")
    page.get_by_role("button", name="Record my position").click()
    expect(panel).to_contain_text("Your position is recorded")
    expect(_tally_cell(page, "objection")).to_have_text("1")
    expect(panel).to_contain_text("1 standing objection")
    assert page.evaluate("window.samePage === true")
    expect(page).to_have_url(re.compile(rf"{path}$"))
    objection = Position.objects.get(proposal=proposal, is_current=True)
    assert (objection.member.user, objection.kind, objection.reason) == (
        world.mia,
        "objection",
        "The reserve is our only buffer.",
    )

    proposer = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    proposer.set_default_timeout(10_000)
    steve = proposer.new_page()
    _log_in(steve, "steve@acme.test")
    steve.goto(path)
    expect(_tally_cell(steve, "objection")).to_have_text("1")
    steve.get_by_role("button", name="Amend", exact=True).click()
    steve.get_by_label("Body", exact=True).fill("We spend half of the reserve.")
    steve.get_by_label("What changed").fill("Halved, for Mia's objection")
    steve.get_by_role("button", name="Amend and restart the round").click()
    expect(steve.locator("#messages")).to_contain_text("Amended. The round restarts")
    expect(_tally_cell(steve, "objection")).to_have_text("0")
    proposer.close()
    proposal.refresh_from_db()
    assert proposal.version == 2 and proposal.body == "We spend half of the reserve."

    page.reload()
    expect(page.locator(".proposal-body")).to_contain_text("We spend half of the reserve.")
    expect(page.locator(".proposal-body")).to_contain_text("Halved, for Mia's objection")
    expect(_tally_cell(page, "objection")).to_have_text("0")
    expect(panel).to_contain_text("proposal amended")
    page.get_by_role("radio", name=re.compile(r"^Consent")).check()
    page.get_by_role("button", name="Record my position").click()
    expect(panel).to_contain_text("Your position is recorded")
    expect(_tally_cell(page, "consent")).to_have_text("1")
    expect(_tally_cell(page, "objection")).to_have_text("0")
    expect(panel).to_contain_text("No standing objection")

    current = Position.objects.get(proposal=proposal, is_current=True)
    assert (current.kind, current.version) == ("consent", 2)
    assert Position.objects.get(proposal=proposal, is_current=False).retired_because == "amended"
    assert Proposal.objects.get(pk=proposal.pk).tally == {"consent": [1, 1]}


def test_changing_an_objection_to_consent_updates_who_responded_and_drops_the_reason(page, log_in, world):
    proposal = make_proposal(world.finance, world.member(world.steve))
    log_in("mia@acme.test")
    page.goto(f"/o/acme/p/{proposal.pk}/")
    page.evaluate("window.samePage = true")
    positions = page.locator("#positions")
    expect(positions).to_contain_text("Nobody has responded yet.")

    page.get_by_role("radio", name=re.compile(r"^Objection")).check()
    page.get_by_label("Reason", exact=True).fill("The reserve is our only buffer.")
    page.get_by_role("button", name="Record my position").click()
    expect(_tally_cell(page, "objection")).to_have_text("1")
    expect(positions).to_contain_text("Mia Member")
    expect(positions).to_contain_text("The reserve is our only buffer.")

    # The reason stays pre-filled; consenting without keeping it as a note clears it.
    expect(page.get_by_label("Keep my reason as a note")).not_to_be_checked()
    page.get_by_role("radio", name=re.compile(r"^Consent")).check()
    page.get_by_role("button", name="Change my position").click()
    expect(_tally_cell(page, "consent")).to_have_text("1")
    expect(positions.locator(".kind-consent")).to_be_visible()
    expect(positions).not_to_contain_text("The reserve is our only buffer.")
    expect(page.get_by_label("Reason", exact=True)).to_have_value("")
    assert page.evaluate("window.samePage === true")
    assert Position.objects.get(proposal=proposal, is_current=True).reason == ""
