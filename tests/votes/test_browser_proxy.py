"""A proxy in a real browser: Wes gives Mia his proxy for the Finance circle on the proxies page,
then Mia opens a round and responds for herself and, in the proxy card, for Wes; both positions are
recorded with their own members, Wes's marked as by proxy, and shown so."""

import re

import pytest
from playwright.sync_api import expect

from proposals.models import Position, Proxy
from tests.factories import make_proposal

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_gives_a_proxy_and_the_holder_responds_for_both(page, log_in, world, voters):
    wes, mia = voters["wes"], world.member(world.mia)
    proposal = make_proposal(world.finance, voters["ann"], title="Buy a second van")

    log_in("wes@acme.test")
    page.goto("/o/acme/proxies/")
    page.get_by_label("Who responds for you").select_option(label="Mia Member")
    page.get_by_label("For every round of the circle").select_option(label="Finance")
    page.get_by_role("button", name="Give the proxy").click()
    expect(page.locator("body")).to_contain_text("Proxy given")
    expect(page.locator("section", has_text="Proxies I gave")).to_contain_text("Mia Member")
    assert Proxy.objects.get(grantor=wes).holder == mia

    page.context.clear_cookies()
    log_in("mia@acme.test")
    page.goto(f"/o/acme/p/{proposal.pk}/")
    # Her own position first (htmx, in place)…
    page.locator(".position-card").get_by_role("radio", name=re.compile(r"^Consent")).check()
    page.get_by_role("button", name="Record my position").click()
    expect(page.locator("#position-panel")).to_contain_text("Your position is recorded")
    # …then Wes's, in the proxy card.
    card = page.locator("#proxies")
    expect(card).to_contain_text("For Wes Weighty")
    card.get_by_role("radio", name=re.compile(r"^Concern")).check()
    card.get_by_label("Reason", exact=True).fill("The insurance is not costed.")
    card.get_by_role("button", name="Record for Wes Weighty").click()
    expect(page.locator("body")).to_contain_text("Recorded for Wes Weighty, by proxy.")
    expect(page.locator("#positions")).to_contain_text("by proxy: Mia Member")

    own = Position.objects.get(proposal=proposal, member=mia, is_current=True)
    proxied = Position.objects.get(proposal=proposal, member=wes, is_current=True)
    assert (own.kind, own.by_proxy) == ("consent", None)
    assert (proxied.kind, proxied.by_proxy, proxied.reason) == ("concern", mia, "The insurance is not costed.")
