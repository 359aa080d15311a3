"""The dashboard's and search's query counts are pinned, and the same with more data."""

from django.urls import reverse

from meetings.services import action_item_create, tension_raise
from proposals.services import comment_add, position_record
from record.health import health_of
from record.search import search
from roles.services import role_assign
from tests.factories import make_circle, make_member, make_proposal, make_role

HEALTH_QUERIES = 11
SEARCH_QUERIES = 16  # two per kind (its count and its best hits) and the membership lookup


def _grow(world, n):
    steve = world.member(world.steve)
    for i in range(n):
        member = make_member(world.organisation, circles=[world.finance])
        circle = make_circle(world.organisation, f"Extra {n}-{i}", steward=member)
        role = make_role(circle, f"Budget keeper {i}", time_hours=5, accountabilities=["x"])
        role_assign(role=role, member=member, by=None)
        proposal = make_proposal(world.finance, steve, title=f"Budget line {n}-{i}")
        position_record(proposal=proposal, member=member, kind="consent")
        comment_add(proposal=proposal, author=member, body="About the budget, again.")
        tension_raise(circle=world.finance, by=member, title=f"Budget tension {i}")
        action_item_create(circle=world.finance, by=steve, title=f"Budget action {i}", owner=member)


def test_the_dashboard_costs_the_same_with_more_data(world, django_assert_max_num_queries, as_user):
    _grow(world, 1)
    with django_assert_max_num_queries(HEALTH_QUERIES):
        health_of(world.organisation)
    _grow(world, 6)
    with django_assert_max_num_queries(HEALTH_QUERIES):
        figures = health_of(world.organisation)
    assert len(figures["load"]) == 5 + 7
    client = as_user(world.mia)
    client.get(reverse("record-health", kwargs={"org": "acme"}))
    with django_assert_max_num_queries(HEALTH_QUERIES + 8):  # session, user, memberships, nav rules
        assert client.get(reverse("record-health", kwargs={"org": "acme"})).status_code == 200


def test_search_costs_the_same_with_more_data(world, django_assert_max_num_queries):
    _grow(world, 1)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        few = search(world.mia, world.organisation, "budget")
    _grow(world, 6)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        many = search(world.mia, world.organisation, "budget")
    assert many["total"] > few["total"]
