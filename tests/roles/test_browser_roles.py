"""A role filled by sociocratic selection, in a real browser: the steward defines a role with a
six-month term and opens an election, members nominate, the facilitator proposes a candidate, the
circle consents, and the new holder sees the role with its end date on "My roles"."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals.services import position_record, proposal_close
from roles.models import Election, Role, RoleAssignment
from tests.browser import TEST_PASSWORD
from tests.factories import UserFactory, make_facilitator, make_member

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab(chromium, live_server, email, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = chromium.new_context(base_url=live_server.url, viewport=size)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, tab


def test_a_role_is_defined_nominated_proposed_consented_and_held(page, log_in, chromium, live_server, world):
    fran = make_member(world.organisation, user=UserFactory(email="fran@acme.test", name="Fran Facilitator"))
    make_facilitator(world.finance, fran)

    # The steward defines the role.
    log_in("steve@acme.test")
    page.goto("/o/acme/roles/?circle=finance")
    page.get_by_role("link", name="Define a role").click()
    page.get_by_label("Name", exact=True).fill("Bookkeeper")
    page.get_by_label("Purpose").fill("Keeps the circle's money honest.")
    page.get_by_label("Accountabilities").fill("Present the accounts each quarter\nPay the invoices")
    page.get_by_label("Term length (months)").fill("6")
    page.get_by_label("Term limit").fill("2")
    page.get_by_label("Elected", exact=True).check()
    page.get_by_role("button", name="Define the role").click()
    expect(page.locator("#messages")).to_contain_text("The role “Bookkeeper” is defined")
    expect(page.locator("h1")).to_contain_text("Bookkeeper")
    expect(page.locator(".lead")).to_contain_text("6-month terms, at most 2 in a row")
    role = Role.objects.get(circle=world.finance, name="Bookkeeper")
    assert role.term_months == 6 and role.accountabilities == ["Present the accounts each quarter", "Pay the invoices"]

    # ...and opens the election.
    page.get_by_role("button", name="Start an election").click()
    expect(page.get_by_label("Sociocratic selection (by consent)")).to_be_checked()
    page.get_by_role("button", name="Open the election").click()
    expect(page.locator("#messages")).to_contain_text("The election is open")
    election = Election.objects.get(role=role)
    path = f"/o/acme/elections/{election.pk}/"
    expect(page).to_have_url(re.compile(rf"{path}$"))

    # Members nominate, with reasons: Mia herself, on a phone, and the steward.
    context, mia = _tab(chromium, live_server, "mia@acme.test", phone=True)
    mia.goto(path)
    mia.evaluate("window.samePage = true")  # survives an htmx swap, not a page load
    mia.get_by_label("Whom do you nominate?").select_option(label="Mia Member — Members")
    mia.get_by_role("button", name="Nominate").click()
    expect(mia.locator("#nominate")).to_contain_text("This field is required.")
    mia.get_by_label("Why them?").fill("I keep our books already and have the time.")
    mia.get_by_role("button", name="Nominate").click()
    expect(mia.locator("#messages")).to_contain_text("Your nomination is recorded")
    expect(mia.locator(".nominees")).to_contain_text("Mia Member (self): I keep our books already")
    assert mia.evaluate("window.samePage === true")  # nominated in place
    context.close()
    page.reload()
    page.get_by_label("Whom do you nominate?").select_option(label="Mia Member — Members")
    page.get_by_label("Why them?").fill("Careful and kind with money.")
    page.get_by_role("button", name="Nominate").click()
    expect(page.locator(".nominees")).to_contain_text("2 nominations")

    # The facilitator proposes her, which opens the consent round.
    context, facilitator = _tab(chromium, live_server, "fran@acme.test")
    facilitator.goto(path)
    facilitator.get_by_label("Mia Member").check()
    facilitator.get_by_role("button", name="Propose for consent").click()
    expect(facilitator.locator("#messages")).to_contain_text("The consent round is open")
    facilitator.get_by_role("button", name="Go to the consent round").click()
    expect(facilitator.locator("h1")).to_contain_text("Select Mia Member as Bookkeeper")
    facilitator.get_by_role("radio", name=re.compile(r"^\s*Consent\b")).check()
    facilitator.get_by_role("button", name="Record my position").click()
    expect(facilitator.locator("#position-panel")).to_contain_text("Your position is recorded")
    context.close()

    # The circle consents (the steward does not respond, so the round runs to its deadline rather
    # than closing early) and the round closes at its deadline.
    election.refresh_from_db()
    proposal = election.proposal
    position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    assert proposal_close(proposal_id=proposal.pk, now=proposal.closes_at)
    assignment = RoleAssignment.objects.current().get(role=role)
    assert assignment.member.user == world.mia and assignment.election == election

    # The new holder sees the role with its end date.
    context, mia = _tab(chromium, live_server, "mia@acme.test")
    mia.goto("/o/acme/roles/mine/")
    card = mia.locator(".term-card", has_text="Bookkeeper")
    end = timezone.localtime(assignment.planned_end_at, world.organisation.tzinfo)
    expect(card).to_contain_text("of Finance")
    expect(card).to_contain_text(f"until {end:%-d %b %Y}")
    expect(card).to_contain_text(re.compile(r"18[0-4] days left"))
    mia.goto(path)
    expect(mia.locator(".result-card")).to_contain_text("Mia Member holds Bookkeeper from")
    context.close()
