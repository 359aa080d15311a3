"""A newcomer's journey in a real browser: sign up, start a co-op from the multi-stakeholder
template, invite five people at once, and one of them accepts (tests/onboarding/journey.py); then
she finds a proposal in her inbox and takes proposal emails in a daily digest."""

import re

import pytest
from playwright.sync_api import expect

from circles.models import CircleMembership
from governance.models import Invitation, Notification, NotificationPreference
from tests.factories import make_proposal
from tests.onboarding.journey import found_a_coop_and_invite

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_starts_a_co_op_and_the_first_invitee_joins(chromium, live_server):
    journey = found_a_coop_and_invite(chromium, live_server)

    assert journey.founder.is_admin and journey.founder.membership_class.name == "Worker members"
    assert journey.organisation.circles.count() == 4
    assert journey.newcomer.membership_class.name == "Worker members"
    circles = CircleMembership.objects.current().filter(member=journey.newcomer).values_list("circle__name", flat=True)
    assert set(circles) == {"Operations"}
    states = {i.email: i.state for i in Invitation.objects.filter(organisation=journey.organisation)}
    assert list(states.values()).count("accepted") == 1 and list(states.values()).count("pending") == 4


def test_the_newcomer_finds_a_proposal_in_her_inbox_and_takes_proposal_emails_in_a_digest(chromium, live_server):
    """The whole journey of issue 14: the co-op started and five invited, the one who joined finds the
    founder's proposal in what needs her and turns proposal emails into a daily digest."""
    journey = found_a_coop_and_invite(chromium, live_server)
    general = journey.organisation.circles.get(is_general=True)
    make_proposal(general, journey.founder, title="Meet on Thursdays")

    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    una = context.new_page()
    una.goto("/accounts/login/")
    una.get_by_label("Email").fill(journey.newcomer.user.email)
    una.get_by_label("Password").fill(journey.newcomer_password)
    una.get_by_role("button", name="Log in").click()
    una.goto("/o/riverside/")
    inbox = una.get_by_role("region", name="What needs me")
    expect(inbox).to_contain_text("Meet on Thursdays")
    expect(inbox).to_contain_text("Give your position")

    una.goto("/o/riverside/notifications/")
    una.get_by_role("row", name=re.compile("A round opens and asks for your position")).get_by_label(
        "In a daily digest"
    ).check()
    una.get_by_role("button", name="Save preferences").click()
    expect(una.locator("#messages")).to_contain_text("Your email preferences are saved.")
    preference = NotificationPreference.objects.get(member=journey.newcomer)
    assert (preference.kind, preference.delivery) == ("proposal_opened", "digest")
    make_proposal(general, journey.founder, title="Buy a kettle")
    held = Notification.objects.get(email=journey.newcomer.user.email, subject__contains="Buy a kettle")
    assert held.held_for_digest and held.sent_at is None
    context.close()
