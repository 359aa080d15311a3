"""The Content-Security-Policy in a real browser: the main pages, the Django admin, the browsable API
and the Swagger UI at /api/docs/ work under it, and Chromium reports no violation (no inline script,
event handler, <style> or style attribute left). The little behaviours that were inline handlers
(select a secret on focus, copy it, dismiss a message) work from static/js/app.js."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, make_proposal

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def problems(page):
    """What the browser complains about while the test runs: console errors and warnings that name the
    Content-Security-Policy (that is how Chromium reports a violation), and uncaught script errors."""
    seen = []

    def on_console(message):
        if message.type in ("error", "warning") and "Content Security Policy" in message.text:
            seen.append(f"{page.url} {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"{page.url} pageerror: {error}"))
    return seen


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")


def test_the_main_pages_break_no_rule_of_the_policy(page, log_in, world, problems):
    proposal = make_proposal(world.finance, world.member(world.steve), body="We spend **half** the reserve.")
    visit(page, "/accounts/login/")
    log_in("alice@acme.test")

    for path in (
        "/o/acme/",
        f"/o/acme/p/{proposal.pk}/",
        "/o/acme/members/",
        "/o/acme/settings/",
        "/account/tokens/",
        "/accounts/email/",
        "/api/v1/circles/",
    ):
        visit(page, path)

    assert problems == []


def test_the_circle_tree_and_the_tally_are_drawn_without_style_attributes(page, log_in, world, problems):
    proposal = make_proposal(world.finance, world.member(world.steve))
    log_in("steve@acme.test")

    visit(page, "/o/acme/")
    depths = page.locator(".tree li").evaluate_all("items => items.map(li => getComputedStyle(li).paddingLeft)")
    visit(page, f"/o/acme/p/{proposal.pk}/")
    page.get_by_role("radio", name=re.compile(r"^Consent")).check()
    page.get_by_role("button", name="Record my position").click()
    expect(page.locator("#position-panel td[data-kind=consent]")).to_have_text("1")

    assert len(set(depths)) > 1  # the general circle, and the circles under it further in
    segment = page.locator(".bar .seg-consent").first
    assert segment.evaluate("el => el.getBoundingClientRect().width") > 3
    assert page.locator("[style]").count() == 0
    assert problems == []


def test_a_new_token_is_selected_on_focus_and_copied(page, log_in, world, problems):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in("mia@acme.test")
    visit(page, "/account/tokens/")
    page.get_by_label("Name").fill("Laptop script")
    page.get_by_role("button", name="Create token").click()

    secret = page.locator("#new-token")
    secret.focus()
    selection = secret.evaluate("input => [input.selectionStart, input.selectionEnd, input.value.length]")
    page.get_by_role("button", name="Copy").click()

    assert selection[0] == 0 and selection[1] == selection[2] > 20
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret.input_value()
    assert problems == []


def test_a_message_can_be_dismissed(page, log_in, world, problems):
    log_in("mia@acme.test")
    visit(page, "/account/tokens/")
    page.get_by_label("Name").fill("Short-lived")
    page.get_by_role("button", name="Create token").click()
    page.get_by_role("button", name="Revoke the token Short-lived").click()
    notice = page.locator("#messages .notice")
    expect(notice).to_contain_text("is revoked")

    page.get_by_role("button", name="Dismiss this message").click()

    expect(notice).to_have_count(0)
    assert problems == []


def test_the_admin_works_under_the_policy(page, log_in, world, problems):
    UserFactory(email="root@acme.test", is_staff=True, is_superuser=True)
    log_in("root@acme.test")

    for path in ("/admin/", "/admin/governance/organisation/", "/admin/governance/user/add/"):
        visit(page, path)

    expect(page.locator("#content")).to_be_visible()
    assert problems == []


def test_the_api_docs_render_under_the_policy(page, db, problems):
    visit(page, "/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Governance API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert problems == []
