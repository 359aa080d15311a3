"""The browser journeys skip cleanly where Chromium is missing, and fail loudly under CI."""

from pathlib import Path

import pytest

from tests.browser import require_chromium

MISSING = Path("/nonexistent/chromium")


def test_it_skips_the_journeys_when_chromium_is_missing(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require_chromium(MISSING)


def test_it_fails_under_ci_when_chromium_is_missing(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="Chromium is required under CI"):
        require_chromium(MISSING)


def test_it_lets_the_journeys_run_when_chromium_is_there(tmp_path):
    browser = tmp_path / "chromium"
    browser.touch()

    require_chromium(browser)
