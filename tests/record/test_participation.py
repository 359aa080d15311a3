"""Participation and the leaderboard against the hand-made term (tests/record/scenario.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.services import position_record
from record.participation import leaderboard, participation
from record.services import leaderboard_preference_set
from tests.factories import make_member, make_proposal

from .scenario import DAY, T0, build


@pytest.fixture
def scenario(db, time_machine):
    return build(time_machine)


def _figures(scenario, circle="finance"):
    world = scenario.world
    return participation(
        world.organisation, circle=getattr(world, circle) if circle else None, since=T0 - 50 * DAY, until=T0 + DAY
    )


def _rows(figures):
    return {r.name: r for r in figures["rows"]}


def test_each_members_figures_in_the_circle_over_the_term(scenario):
    rows = _rows(_figures(scenario))
    assert set(rows) == {"Steve Steward", "Mia Member"}
    mia, steve = rows["Mia Member"].counts, rows["Steve Steward"].counts
    assert (mia["eligible"], mia["responded"], rows["Mia Member"].responded_percent) == (3, 2, 67)
    assert (steve["eligible"], steve["responded"]) == (3, 3)
    assert (steve["proposals"], mia["proposals"]) == (3, 0)
    assert (mia["objections"], mia["objections_integrated"]) == (2, 1)
    assert (steve["objections"], steve["objections_integrated"]) == (0, 0)
    assert (steve["meetings_attended"], steve["meetings_recorded"]) == (1, 1)
    assert (mia["meetings_attended"], mia["meetings_recorded"]) == (0, 1)
    assert (mia["actions"], mia["actions_done"], mia["actions_on_time"]) == (3, 1, 1)
    assert (mia["roles"], rows["Mia Member"].hours_per_week) == (2, Decimal("31.5"))


def test_the_leaderboard_ranks_by_contributions(scenario):
    figures = _figures(scenario)
    board = leaderboard(figures, viewer=None)
    # Steve: 3 responded + 3 proposals + 1 meeting = 7; Mia: 2 responded + 1 action on time = 3.
    assert [(r["name"], r["contributions"]) for r in board] == [("Steve Steward", 7), ("Mia Member", 3)]
    assert figures["totals"]["responded"] == 5 and figures["totals"]["members"] == 2


def test_a_member_who_hides_is_left_off_but_counted_in_the_totals(scenario, as_user):
    world = scenario.world
    leaderboard_preference_set(member=world.member(world.mia), hidden=True)
    figures = _figures(scenario)
    assert [r["name"] for r in leaderboard(figures, viewer=world.member(world.otto))] == ["Steve Steward"]
    assert figures["totals"]["responded"] == 5 and figures["totals"]["contributions"] == 10
    assert [r["name"] for r in leaderboard(figures, viewer=world.member(world.mia))] == ["Steve Steward", "Mia Member"]
    page = as_user(world.otto).get(
        reverse("record-participation", kwargs={"org": "acme"}),
        {"circle": "finance", "since": "2026-04-26", "until": "2026-06-15"},
    )
    assert b"Mia Member" not in page.content
    assert b"1 member prefers not to be listed" in page.content
    api = (
        as_user(world.otto)
        .get(
            "/api/v1/participation/",
            {
                "organisation": world.organisation.pk,
                "circle": world.finance.pk,
                "since": "2026-04-26",
                "until": "2026-06-15",
            },
        )
        .json()
    )
    assert [r["name"] for r in api["rows"]] == ["Steve Steward"] and api["unlisted"] == 1
    assert api["totals"]["responded"] == 5


def test_anonymous_rounds_count_for_nobody(scenario):
    scenario.p3.__class__.objects.filter(pk=scenario.p3.pk).update(anonymous=True)
    mia = _rows(_figures(scenario))["Mia Member"].counts
    assert (mia["eligible"], mia["responded"], mia["objections"]) == (2, 1, 1)


def test_the_organisation_wide_view_lists_everyone(scenario):
    rows = _rows(_figures(scenario, circle=None))
    assert {"Alice Admin", "Nora Nocircle", "Otto Other-Steward", "Mia Member", "Steve Steward"} <= set(rows)
    assert rows["Nora Nocircle"].contributions == 0


def test_its_queries_do_not_grow_with_the_data(scenario, django_assert_max_num_queries, time_machine):
    world = scenario.world
    with django_assert_max_num_queries(10):
        _figures(scenario)
    _more(world, time_machine)
    with django_assert_max_num_queries(10):
        _figures(scenario)


def _more(world, time_machine):
    time_machine.move_to(T0 - 3 * DAY, tick=False)
    for _ in range(4):
        make_member(world.organisation, circles=[world.finance])
    for n in range(3):
        p = make_proposal(world.finance, world.member(world.steve), title=f"More {n}")
        position_record(proposal=p, member=world.member(world.mia), kind="consent")
    time_machine.move_to(T0, tick=False)
