"""Every main page passes an automated WCAG 2.2 AA audit (axe-core, the npm package's build, vendored
in tests/vendor/axe-core) in headless Chromium, at a desktop and a 390 px phone width, with no
serious or critical violation.

"Every main page": one page of each kind the demo co-operative's admin can reach by following links
from the start page (the crawl of test_crawl.py, one page per URL pattern), and the pages of someone
signed out. The policy forbids injected scripts, so the audit's browser context bypasses the CSP."""

from pathlib import Path

import pytest
from django.test import Client

from governance.models import User
from project.demo import load_demo
from tests.project.test_crawl import SKIPPED, links_of, pattern_of

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MAX_PAGES = 45
SIGNED_OUT = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
AUDIT = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')})`);
}"""


def main_pages(user) -> list[str]:
    """One page per URL pattern, in the order a person following links meets them."""
    client = Client()
    client.force_login(user)
    pages, seen, patterns, queue = [], set(), set(), ["/"]
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIPPED):
            continue
        seen.add(path)
        if pattern_of(path) in patterns:
            continue
        answer = client.get(path)
        if answer.status_code in (301, 302, 303, 307, 308):
            queue.insert(0, answer["Location"])
            continue
        if answer.status_code != 200 or "text/html" not in answer.get("Content-Type", ""):
            continue
        patterns.add(pattern_of(path))
        pages.append(path)
        queue.extend(link for link in links_of(answer.content.decode(), path) if link not in seen)
    return pages


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_have_no_serious_accessibility_violation(width, chromium, live_server):
    load_demo()
    alice = User.objects.get(name="Alice Okafor")
    pages = main_pages(alice)
    assert len(pages) > 20

    context = chromium.new_context(base_url=live_server.url, viewport=WIDTHS[width], bypass_csp=True)
    tab = context.new_page()
    found = {}
    for path in SIGNED_OUT:
        found[f"(signed out) {path}"] = audit(tab, path)
    tab.goto("/accounts/login/")
    tab.get_by_label("Email").fill(alice.email)
    tab.get_by_label("Password").fill("demo-password")
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)
    for path in pages:
        found[path] = audit(tab, path)
    context.close()
    failing = {path: violations for path, violations in found.items() if violations}
    assert not failing, "\n".join(f"{path}:\n  " + "\n  ".join(v) for path, v in failing.items())


def audit(tab, path: str) -> list[str]:
    tab.goto(path)
    tab.add_script_tag(path=str(AXE))
    return tab.evaluate(AUDIT)
