"""In a real browser: a member finds a proposal in what needs her, opens it from there, gives her
position (and it leaves her inbox), then turns proposal emails into a daily digest."""

import re

import pytest
from playwright.sync_api import expect

from governance.models import Notification, NotificationPreference
from tests.factories import make_proposal

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_acts_from_her_inbox_and_takes_proposals_in_a_digest(page, log_in, world):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a shared printer")

    log_in("mia@acme.test")
    page.goto("/o/acme/")
    nav = page.get_by_role("navigation", name="Acme Co-op")
    expect(nav.get_by_role("link", name=re.compile(r"What needs me"))).to_contain_text("1")
    inbox = page.get_by_role("region", name="What needs me")
    expect(inbox).to_contain_text("Give your position")
    inbox.get_by_role("link", name="Buy a shared printer").click()
    expect(page).to_have_url(re.compile(rf"/o/acme/p/{proposal.pk}/$"))

    page.get_by_role("radio", name=re.compile(r"^Consent")).check()
    page.get_by_role("button", name="Record my position").click()
    expect(page.locator("#position-panel")).to_contain_text("Your position is recorded")
    page.goto("/o/acme/inbox/")
    expect(page.get_by_role("region", name="What needs me")).not_to_contain_text("Buy a shared printer")

    page.get_by_role("button", name="Email preferences").click()
    expect(page).to_have_url(re.compile(r"/o/acme/notifications/$"))
    row = page.get_by_role("row", name=re.compile("A round opens and asks for your position"))
    row.get_by_label("In a daily digest").check()
    expect(page.get_by_role("row", name=re.compile("An invitation to an organisation"))).to_contain_text("Always sent")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#messages")).to_contain_text("Your email preferences are saved.")
    preference = NotificationPreference.objects.get(member__user=world.mia)
    assert (preference.kind, preference.delivery) == ("proposal_opened", "digest")

    make_proposal(world.finance, world.member(world.steve), title="Paint the office")
    held = Notification.objects.get(email="mia@acme.test", subject__contains="Paint the office")
    assert held.held_for_digest and held.sent_at is None
