"""The record's rules (record/rules.py), asked directly: every persona of tests/conftest.py, a visitor
who has not logged in and an integration of Acme with an admin's rights × the organisations, Finance
(as it is and with Mia as its secretary) and a Finance term summary (draft and published)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import rules
from django.utils import timezone

from record.models import TermSummary
from tests.factories import fresh, give_role, grid, make_integration

PERSONAS = ("anonymous", "oscar", "olga", "nora", "mia", "steve", "otto", "alice", "admin_bot")
Y, N = True, False


@pytest.fixture(scope="module")
def cast(module_world):
    world = module_world
    people = {name: getattr(world, name) for name in PERSONAS if hasattr(world, name)}
    people.update(
        anonymous=None,
        admin_bot=make_integration(world.organisation, by=world.member(world.alice), name="Sync", is_admin=True),
    )
    return SimpleNamespace(world=world, people=people)


def target(world, state):
    if state in ("acme", "other"):
        return world.organisation if state == "acme" else world.other
    if state == "finance-with-mia-as-secretary":
        give_role(world.finance, world.member(world.mia), "secretary")
    if state.startswith("finance"):
        return fresh(world.finance)
    now = timezone.now()
    return TermSummary.objects.create(
        organisation=world.organisation,
        circle=world.finance,
        period_start=now - timedelta(days=90),
        period_end=now,
        title="Term",
        body="Text",
        state=state.removeprefix("summary-"),
        published_at=now if state == "summary-published" else None,
    )


def ask(cast, rule, persona, obj) -> bool:
    return rules.test_rule(rule, fresh(cast.people[persona]), obj)


# fmt: off
MEMBERS = {
    #             anon oscar olga nora mia steve otto alice a_bot
    "acme":      (N,   N,    N,   Y,   Y,  Y,    Y,   Y,    Y),
    "other":     (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
ADMINS = {
    "acme":      (N,   N,    N,   N,   N,  N,    N,   Y,    N),
    "other":     (N,   N,    Y,   N,   N,  N,    N,   N,    N),
}
DRAFT_SUMMARY = {
    "finance":                       (N, N, N, N, N, Y, N, Y, Y),
    "finance-with-mia-as-secretary": (N, N, N, N, Y, Y, N, Y, Y),
}
VIEW_SUMMARY = {
    "summary-draft":     (N, N, N, N, N, Y, N, Y, Y),
    "summary-published": (N, N, N, Y, Y, Y, Y, Y, Y),
}
CHANGE_SUMMARY = {
    "summary-draft":     (N, N, N, N, N, Y, N, Y, Y),
    "summary-published": (N, N, N, N, N, N, N, N, N),
}
# fmt: on

CASES = [
    *[("record.view_health", c) for c in grid(MEMBERS, PERSONAS)],
    *[("record.view_participation", c) for c in grid(MEMBERS, PERSONAS)],
    *[("record.search", c) for c in grid(MEMBERS, PERSONAS)],
    *[("record.change_settings", c) for c in grid(ADMINS, PERSONAS)],
    *[("record.export_organisation", c) for c in grid(ADMINS, PERSONAS)],
    *[("record.erase_member", c) for c in grid(ADMINS, PERSONAS)],
    *[("record.draft_summary", c) for c in grid(DRAFT_SUMMARY, PERSONAS)],
    *[("record.view_summary", c) for c in grid(VIEW_SUMMARY, PERSONAS)],
    *[("record.change_summary", c) for c in grid(CHANGE_SUMMARY, PERSONAS)],
    *[("record.publish_summary", c) for c in grid(CHANGE_SUMMARY, PERSONAS)],
]


@pytest.mark.parametrize(
    ("rule", "state", "persona", "expected"), [pytest.param(rule, *p.values, id=f"{rule}-{p.id}") for rule, p in CASES]
)
def test_rule(db, cast, rule, state, persona, expected):
    assert ask(cast, rule, persona, target(cast.world, state)) is expected
