"""The first half of the newcomer's journey, in a real browser, as a function other journeys reuse
(tests/inbox/ continues it: her inbox, the digest preference):

a person signs up and confirms her address, starts a co-op from the multi-stakeholder template,
invites five people at once, and one of them follows the link from her invitation (the outbox row)
to sign up and accept it."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from governance.models import Member, Notification, Organisation
from tests.browser import TEST_PASSWORD

FOUNDER = ("Rosa Founder", "rosa@riverside.test")
PEOPLE = [
    ("una@riverside.test", "Una Worker", "Worker members", "Operations"),
    ("vik@riverside.test", "Vik User", "User members", "Services"),
    ("wes@riverside.test", "Wes Worker", "Worker members", "Technology;Operations"),
    ("xia@riverside.test", "Xia User", "User members", ""),
    ("yan@riverside.test", "Yan User", "User members", "Services"),
]


@dataclass
class Journey:
    organisation: Organisation
    founder: Member
    newcomer: Member  # Una, who accepted
    newcomer_password: str


def sign_up(tab, email: str, name: str, password: str = TEST_PASSWORD) -> None:
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Full name").fill(name)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_label("Password (again)").fill(password)
    tab.locator("main").get_by_role("button", name="Sign up").click()


def link_in(text: str, pattern: str) -> str:
    return re.search(pattern, text).group(0)


def found_a_coop_and_invite(chromium, live_server) -> Journey:
    """The journey up to Una's acceptance. Each person has a tab of their own (own cookies)."""
    cache.clear()  # allauth's rate limits (one confirmation email a while per address) from an earlier journey
    founder_context = chromium.new_context(base_url=live_server.url)
    founder_context.set_default_timeout(10_000)
    rosa = founder_context.new_page()

    # She signs up and confirms her address from the email.
    rosa.goto("/accounts/signup/")
    sign_up(rosa, FOUNDER[1], FOUNDER[0])
    confirmation = next(m for m in reversed(mail.outbox) if FOUNDER[1] in m.to)
    rosa.goto(link_in(confirmation.body, r"https?://\S+/accounts/confirm-email/\S+/"))
    rosa.get_by_role("button", name="Confirm").click()

    # "You are not in an organisation yet" is now the way forward.
    rosa.goto("/")
    expect(rosa.locator("main")).to_contain_text("You are not in an organisation yet.")
    rosa.locator("main").get_by_role("button", name="Start an organisation").click()
    rosa.get_by_label("Name").fill("Riverside Co-op")
    rosa.get_by_label("Address").fill("riverside")
    rosa.get_by_label("Time zone").select_option("Europe/London")
    rosa.get_by_label("Currency").fill("GBP")
    rosa.get_by_label("Multi-stakeholder co-op").check()
    rosa.get_by_role("button", name="Start the organisation").click()
    expect(rosa).to_have_url(re.compile(r"/o/riverside/$"))
    expect(rosa.locator("#messages")).to_contain_text("Riverside Co-op is started, and you are its admin.")

    # She invites five people at once: a preview, then the invitations.
    rosa.goto("/o/riverside/invitations/")
    rosa.locator("main").get_by_role("button", name="Invite many people").click()
    rosa.get_by_label("People, one a line").fill("\n".join(",".join(person) for person in PEOPLE))
    rosa.get_by_role("button", name="Preview").click()
    expect(rosa.locator("#preview-heading")).to_contain_text("5 lines are ready to send")
    rosa.get_by_role("button", name="Send 5 invitations").click()
    expect(rosa.locator("#messages")).to_contain_text("5 invited, 0 added directly; 0 lines left out.")
    founder_context.close()

    # Una follows the link of her invitation (the outbox row), signs up from it and accepts.
    organisation = Organisation.objects.get(slug="riverside")
    row = Notification.objects.get(kind="invitation", email=PEOPLE[0][0], organisation=organisation)
    link = link_in(row.body, r"https?://\S+/invitations/[\w-]+/")
    una_context = chromium.new_context(base_url=live_server.url)
    una_context.set_default_timeout(10_000)
    una = una_context.new_page()
    una.goto(urlsplit(link).path)  # the email's link names SITE_URL; the journey's server is elsewhere
    expect(una.locator("h1")).to_contain_text("Join Riverside Co-op")
    una.locator("main").get_by_role("button", name="Sign up").click()
    sign_up(una, PEOPLE[0][0], PEOPLE[0][1])
    una.get_by_role("button", name="Accept and join Riverside Co-op").click()
    expect(una).to_have_url(re.compile(r"/o/riverside/"))
    una_context.close()

    return Journey(
        organisation=organisation,
        founder=Member.objects.get(organisation=organisation, user__email=FOUNDER[1]),
        newcomer=Member.objects.get(organisation=organisation, user__email=PEOPLE[0][0]),
        newcomer_password=TEST_PASSWORD,
    )
