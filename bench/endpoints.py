"""What the benchmark measures, and the targets it reports, as data.

To measure another page (a meeting page, a role page), add an Endpoint here whose path names the
values it needs in braces, and teach bench.probe.context() where to find them (one entry in
CONTEXT). Every endpoint is driven by wrk in each round, counted for SQL queries at both sizes,
and compared with the bare DRF list of the same round.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    path: str  # a format string over the values of bench.probe.context()
    auth: str | None = None  # None, "session" (a member's cookie) or "token" (a member's API token)
    method: str = "GET"
    # For a POST: a JSON body whose %s is replaced by a position kind alternating between passes,
    # so that a member who comes round again changes their position rather than repeating it.
    body: str | None = None
    expect: int = 200
    floor: bool = False

    def url_path(self, context: dict) -> str:
        return self.path.format(**context)


REFERENCE = "floor-drf"  # every ratio is to this endpoint, measured in the same round

ENDPOINTS = [
    Endpoint("floor-ok", "Floor: a view returning `ok`", "/bench/floor/ok/", floor=True),
    Endpoint("floor-drf", "Floor: bare DRF list of 50 proposals", "/bench/floor/drf/", floor=True),
    Endpoint("api-list", "Proposal list API, 50 per page (token)", "/api/v1/proposals/?page_size=50", auth="token"),
    Endpoint("proposal-page", "Proposal page, 100,000 positions", "/o/{slug}/p/{big}/", auth="session"),
    Endpoint("circle-page", "Circle page", "/o/{slug}/c/{circle}/", auth="session"),
    Endpoint("waiting-page", "Waiting for your position", "/o/{slug}/waiting/", auth="session"),
    Endpoint("home-page", "Organisation home with the inbox", "/o/{slug}/", auth="session"),
    Endpoint("inbox-api", "Inbox API (token)", "/api/v1/me/inbox/", auth="token"),
    Endpoint(
        "category-report",
        "Spending by category CSV, 100,000 ledger entries",
        "/o/{slug}/money/reports/categories.csv",
        auth="session",
    ),
    Endpoint(
        "position-post",
        "Position POST (API, a member per request)",
        "/api/v1/proposals/{big}/positions/",
        auth="token",
        method="POST",
        body='{"kind": "%s"}',
        expect=201,
    ),
    Endpoint("health-page", "Health dashboard", "/o/{slug}/health/", auth="session"),
    Endpoint("search-page", "Search page (full-text)", "/o/{slug}/search/?q=budget", auth="session"),
    Endpoint(
        "search-api",
        "Search API (full-text, token)",
        "/api/v1/search/?organisation={organisation_id}&q=budget",
        auth="token",
    ),
]


def endpoint(key: str) -> Endpoint:
    return next(e for e in ENDPOINTS if e.key == key)


# Targets from the issue. The benchmark reports them; the test suite never asserts wall-clock times.
RATIO_TARGETS = {
    "api-list": 0.9,
    "proposal-page": 0.5,
    "circle-page": 0.5,
    "home-page": 0.5,
    "inbox-api": 0.5,
    "position-post": 0.3,
}
P99_TARGETS_MS = {"proposal-page": 150.0}
ZERO_ERRORS = {"position-post"}
# A single request at a time (one connection): the median, for the endpoints the issue names.
SINGLE_TARGETS_MS = {
    "api-list": 15.0,
    "category-report": 100.0,
    "health-page": 100.0,
    "search-page": 100.0,
    "search-api": 100.0,
}
# Reports whose query count must not grow with the data (full size against a tenth).
FLAT_QUERIES = ("category-report", "health-page", "search-page", "search-api")
SWEEP_TARGET_PER_S = 2000.0
TALLY_TARGET_MS = 20.0
MEMORY_TARGET_MB = 150.0
