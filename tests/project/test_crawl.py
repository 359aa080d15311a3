"""No dead ends: signed in as each kind of person in the demo co-operative, follow every link of every
page reachable from the start page and find no 4xx or 5xx answer. A link a page shows to someone must
work for them (a 403 behind a link is a dead end, as is a 404).

Pages that differ only by an id are visited a few times each, not all, so the crawl stays quick as
the demo grows; every distinct page, tab and filter is visited."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from governance.models import User
from project.demo import load_demo

PER_PATTERN = 3  # pages visited per URL pattern (the same path with other ids)
MAX_PAGES = 600
SKIPPED = (
    "/accounts/logout/",  # ends the session the crawl runs in
    "/admin/",  # the Django admin has its own tests
    "/api/",  # the API has its own (schemathesis, permission grids)
    "/static/",
    "/media/",
)

# name, what they are in the demo
PERSONAS = [
    ("Alice Okafor", "organisation admin"),
    ("Ben Laurent", "steward of Organisational Operations"),
    ("Jonas Berg", "holder of the Membership secretary role"),
    ("Kemi Adeyemi", "a meeting's secretary"),
    ("Grace Mensah", "user member"),
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#", "webcal:")):
            continue
        url = urlsplit(urljoin(base, href))
        if url.netloc not in ("", "testserver"):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def pattern_of(path: str) -> str:
    return re.sub(r"/\d+(?=/|$|\.)", "/{id}", path.split("?")[0]) + ("?" if "?" in path else "")


@pytest.mark.parametrize(("name", "who"), PERSONAS, ids=[p[0] for p in PERSONAS])
def test_every_link_of_every_page_works_for(name, who, client, db):
    load_demo()
    user = User.objects.get(name=name)
    client.force_login(user)
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque([("/", "start")])
    broken = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path, found_on = queue.popleft()
        if path in seen or path.startswith(SKIPPED):
            continue
        seen.add(path)
        pattern = pattern_of(path)
        if per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        answer = client.get(path)
        visited += 1
        if answer.status_code in (301, 302, 303, 307, 308):
            queue.append((answer["Location"], path))
            continue
        if answer.status_code >= 400:
            broken.append(f"{answer.status_code} {path} (linked from {found_on})")
            continue
        if "text/html" in answer.get("Content-Type", ""):
            for link in links_of(answer.content.decode(), path):
                if link not in seen:
                    queue.append((link, path))
    assert visited > 20, f"the crawl as {who} reached only {visited} pages"
    assert not broken, f"dead ends for {name} ({who}):\n" + "\n".join(broken)
