"""The health dashboard's figures against the hand-made term of tests/record/scenario.py."""

from decimal import Decimal

import pytest
from django.urls import reverse

from record.health import health_of
from record.services import record_settings_save
from roles.models import RoleAssignment

from .scenario import T0, build


@pytest.fixture
def scenario(db, time_machine):
    return build(time_machine)


def test_it_counts_decisions_per_month_in_the_last_twelve(scenario):
    figures = health_of(scenario.world.organisation, now=T0)["decisions"]
    months = {m["month"]: m for m in figures["per_month"]}
    assert len(figures["per_month"]) == 12
    assert figures["per_month"][-1]["month"] == "2026-06" and figures["per_month"][0]["month"] == "2025-07"
    assert months["2026-05"] == {"month": "2026-05", "passed": 1, "other": 0, "total": 1}
    assert months["2026-06"] == {"month": "2026-06", "passed": 1, "other": 1, "total": 2}
    assert sum(m["total"] for m in figures["per_month"]) == 3


def test_it_takes_the_median_days_to_outcome_and_the_first_round_share(scenario):
    figures = health_of(scenario.world.organisation, now=T0)["decisions"]
    assert figures["closed"] == 3
    assert figures["median_days_to_outcome"] == 7.0  # 3, 7 and 10 days
    assert figures["passed_first_round"] == 1
    assert figures["passed_first_round_percent"] == 33


def test_it_counts_objections_raised_and_integrated(scenario):
    assert health_of(scenario.world.organisation, now=T0)["objections"] == {
        "raised": 2,
        "integrated": 1,
        "integrated_percent": 50,
    }


def test_objections_of_anonymous_rounds_are_nobodys_sum(scenario):
    scenario.p3.__class__.objects.filter(pk=scenario.p3.pk).update(anonymous=True)
    assert health_of(scenario.world.organisation, now=T0)["objections"]["raised"] == 1


def test_it_counts_overdue_actions(scenario):
    assert health_of(scenario.world.organisation, now=T0)["overdue_actions"] == 1
    assert health_of(scenario.world.organisation, circle=scenario.world.outreach, now=T0)["overdue_actions"] == 0


def test_it_lists_vacant_seats_and_terms_ending(scenario):
    figures = health_of(scenario.world.organisation, circle=scenario.world.finance, now=T0)
    treasurer = next(v for v in figures["vacancies"] if v["role"] == "Paymaster")
    assert (treasurer["seats"], treasurer["held"], treasurer["open"]) == (2, 1, 1)
    assert not any(v["role"] == "Bookkeeper" for v in figures["vacancies"])
    assert not any(v["role_id"] == scenario.world.finance.roles.get(kind="steward").pk for v in figures["vacancies"])
    ending = [t for t in figures["terms_ending"] if t["role"] == "Paymaster"]
    assert [(t["member"], t["ends_at"]) for t in ending] == [("Mia Member", scenario.treasurer_term.planned_end_at)]
    assert not any(t["role"] == "Bookkeeper" for t in figures["terms_ending"])


def test_a_member_with_thirty_hours_of_roles_is_flagged_even_in_one_circle(scenario):
    load = {r["name"]: r for r in health_of(scenario.world.organisation, now=T0)["load"]}
    mia = load["Mia Member"]
    assert mia["hours_per_week"] == Decimal("31.5")  # 20 + 50 / 4.345
    assert (mia["accountabilities"], mia["roles"], mia["circles"]) == (4, 2, 1)
    assert mia["flag_hours"] and not mia["flag_circles"]
    assert not load["Nora Nocircle"]["flag_hours"] and load["Nora Nocircle"]["hours_per_week"] == 0
    steve_hours = sum(
        a.role.hours_per_week for a in RoleAssignment.objects.current().filter(member__user=scenario.world.steve)
    )
    assert load["Steve Steward"]["hours_per_week"] == steve_hours


def test_the_hours_flag_is_a_setting(scenario):
    record_settings_save(organisation=scenario.world.organisation, by=None, hours_flag=Decimal("40"))
    load = {r["name"]: r for r in health_of(scenario.world.organisation, now=T0)["load"]}
    assert not load["Mia Member"]["flag_hours"]


def test_a_circles_load_lists_its_roster(scenario):
    names = {r["name"] for r in health_of(scenario.world.organisation, circle=scenario.world.finance, now=T0)["load"]}
    assert names == {"Steve Steward", "Mia Member"}


def test_circles_outside_three_to_eight_are_named(scenario):
    figures = health_of(scenario.world.organisation, now=T0)
    sizes = {c["circle"]: (c["size"], c["outside"]) for c in figures["circle_sizes"]}
    assert sizes == {"Finance": (2, "small"), "Outreach": (1, "small")}
    assert figures["circles_outside_guidance"] == 2


def test_past_the_split_size_it_says_it_may_be_time_to_split(scenario, as_user):
    organisation = scenario.world.organisation
    size = health_of(organisation, now=T0)["size"]
    assert (size["active_members"], size["split_size"], size["time_to_split"]) == (5, 100, False)
    record_settings_save(organisation=organisation, by=None, split_size=4)
    assert health_of(organisation, now=T0)["size"]["time_to_split"]
    page = as_user(scenario.world.mia).get(reverse("record-health", kwargs={"org": "acme"}))
    assert b"it may be time to split" in page.content
    assert reverse("record-size-guidance").encode() in page.content


def test_the_page_draws_each_chart_with_its_table(scenario, as_user):
    page = as_user(scenario.world.mia).get(reverse("record-health", kwargs={"org": "acme"})).content.decode()
    assert page.count('<svg class="chart"') == 3
    assert "<td>2026-06</td>" in page
    assert "style=" not in page.split("<main", 1)[1]


def test_the_api_gives_the_same_figures(scenario, as_user):
    client = as_user(scenario.world.mia)
    answer = client.get("/api/v1/health/", {"organisation": scenario.world.organisation.pk})
    assert answer.status_code == 200
    data = answer.json()
    assert data["decisions"]["median_days_to_outcome"] == 7.0
    assert data["objections"]["integrated"] == 1
    mia = next(r for r in data["load"] if r["name"] == "Mia Member")
    assert mia["hours_per_week"] == "31.5" and mia["flag_hours"]
    assert data["size"]["active_members"] == 5
    scoped = client.get(
        "/api/v1/health/", {"organisation": scenario.world.organisation.pk, "circle": scenario.world.finance.pk}
    )
    assert scoped.json()["circle"] == "finance"


def test_the_api_hides_other_organisations(world, as_user):
    client = as_user(world.olga)
    assert client.get("/api/v1/health/", {"organisation": world.organisation.pk}).status_code == 404
    assert client.get("/api/v1/health/").status_code == 400


def test_the_api_refuses_numbers_no_database_id_can_be(world, as_user):
    client = as_user(world.mia)
    for value in ("-325984698326498934784", "0", "seven"):
        assert client.get("/api/v1/health/", {"organisation": value}).status_code == 400, value
    answer = client.get("/api/v1/election-history/", {"organisation": world.organisation.pk, "year": 99999})
    assert answer.status_code == 400
