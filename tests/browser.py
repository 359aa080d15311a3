"""Fixtures for journeys in a real headless Chromium (Debian's /usr/bin/chromium) driven by
Playwright's sync API against pytest-django's live_server. A test module uses them with
`pytest_plugins = ["tests.browser"]` and marks itself `browser`.

Without Chromium the journeys are skipped, except under CI (CI=true), where a missing browser
must fail the build rather than hide it."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TEST_PASSWORD = "pw-for-tests-1"  # the password tests.factories.UserFactory gives everyone


def require_chromium(path: Path = CHROMIUM) -> None:
    """Skip when Chromium is missing, but fail under CI, where a skipped journey would hide it."""
    if path.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is required under CI, and {path} is missing.")
    pytest.skip(f"Chromium is not installed at {path}; install Debian's chromium package to run browser tests.")


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Playwright's sync API keeps an event loop in this thread, and
    Django's ORM refuses to run next to one unless DJANGO_ALLOW_ASYNC_UNSAFE says it is safe, which
    it is here (one test thread, no async code). Both last only as long as the module's journeys, so
    that the rest of the suite (and the processes it starts) keep Django's protection."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (own cookies) whose relative URLs point at the live server."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def log_in(page):
    """Log in through the real login form, as a person would: `log_in("steve@acme.test")`."""

    def submit(email: str, password: str = TEST_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return submit
