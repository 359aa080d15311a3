"""The browser fixtures (tests/browser.py): the journeys run in Debian's Chromium (/usr/bin/chromium, not
a browser Playwright downloaded) against the live server; they skip cleanly where it is missing, and
fail loudly under CI."""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import CHROMIUM, require_chromium

pytest_plugins = ["tests.browser"]

MISSING = Path("/nonexistent/chromium")


def test_it_skips_the_journeys_when_chromium_is_missing(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require_chromium(MISSING)


def test_it_fails_under_ci_when_chromium_is_missing(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="Chromium is required under CI"):
        require_chromium(MISSING)


def test_the_journeys_look_for_debians_chromium():
    assert Path("/usr/bin/chromium") == CHROMIUM


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_journeys_run_in_debians_chromium_and_render_the_live_servers_pages(chromium, page, live_server):
    # Debian's wrapper prints e.g. "Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)".
    said = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, check=True).stdout
    debian_version = re.search(r"Chromium (\d+(?:\.\d+){3})", said).group(1)

    page.goto("/accounts/login/")

    assert chromium.version == debian_version
    assert page.url == f"{live_server.url}/accounts/login/"
    expect(page).to_have_title("Log in · Governance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Email")).to_be_editable()
