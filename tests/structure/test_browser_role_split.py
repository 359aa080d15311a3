"""A member proposes splitting an overloaded role into three roles in two circles (OuiShare's
"global coordination" split), in a real browser; the circle consents, the structure changes, and the
role page shows the decision that created it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals.models import Proposal
from proposals.services import position_record, proposal_close
from roles.models import Role
from tests.factories import make_role

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_role(page, proposal_url, circle, name):
    page.goto(proposal_url)
    page.get_by_role("button", name="Add a change").click()
    page.get_by_role("link", name="Create a role").click()
    page.get_by_label("Circle").select_option(label=circle)
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add the change").click()
    expect(page.locator("#changes")).to_contain_text(f"Create the role “{name}” in “{circle}”")


def test_a_member_splits_global_coordination_and_the_role_page_shows_the_decision(page, log_in, world):
    make_role(world.general, "Global coordination", accountabilities=["Finance", "Events", "Outreach"])
    log_in("mia@acme.test")
    page.goto(f"/o/acme/c/{world.general.slug}/proposals/new/")
    page.get_by_label("Title").fill("Split global coordination")
    page.get_by_role("textbox", name="Body").fill(
        "Global coordination carries too much: three roles, in the circles doing the work."
    )
    page.get_by_role("button", name="Save as draft").click()
    proposal = Proposal.objects.get(title="Split global coordination")
    url = f"/o/acme/p/{proposal.pk}/"

    add_role(page, url, "Finance", "Finance coordinator")
    add_role(page, url, "Finance", "Events coordinator")
    add_role(page, url, "Outreach", "Outreach coordinator")
    page.get_by_role("button", name="Add a change").click()
    page.get_by_role("link", name="Retire a role").click()
    page.get_by_label("Role").select_option(label="Global coordination (General circle)")
    page.get_by_role("button", name="Add the change").click()
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator("body")).to_contain_text("Consent round")

    # The circle consents; the round closes.
    proposal = Proposal.objects.get(pk=proposal.pk)
    for user in (world.alice, world.steve, world.otto):
        position_record(proposal=proposal, member=world.member(user), kind="consent")
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert proposal_close(proposal_id=proposal.pk)
    assert Proposal.objects.get(pk=proposal.pk).enacted is True

    outreach_role = Role.objects.get(circle=world.outreach, name="Outreach coordinator")
    page.goto(f"/o/acme/roles/{outreach_role.pk}/")
    decided = page.locator(".provenance")
    expect(decided).to_contain_text("Decided by")
    expect(decided.get_by_role("link", name="Split global coordination")).to_have_attribute("href", url)
    assert Role.objects.get(name="Global coordination").is_archived
