"""The pages cost the same number of SQL queries whatever the size of the roster or directory."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.models import CircleMembership
from governance.models import Member, User

# Session, user, the circle, the user's memberships, roster, sub-circles, stewards, ancestors,
# events, and the rules' lookup of the circles a steward keeps. Never growing with the roster.
CIRCLE_PAGE_MAX_QUERIES = 11  # + the provenance of the circle ("Decided by …", issue 12)


@pytest.fixture(autouse=True)
def database_path(settings):
    """These count what a page asks the database, so the response cache stays out of it (with Redis it
    would answer the second read, and these tests write rows directly, not through the services that
    replace the organisation's version); tests/perf counts the cached pages."""
    settings.RESPONSE_CACHE = False


def grow(world, circle, size: int) -> None:
    """Add people to the organisation and to `circle` until its roster holds `size` members."""
    missing = size - CircleMembership.objects.current().filter(circle=circle).count()
    membership_class = world.organisation.membership_classes.first()
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(email=f"extra{n}@acme.test", name=f"Extra Person {n:03}") for n in range(start, start + missing)]
    )
    members = Member.objects.bulk_create(
        [Member(organisation=world.organisation, user=u, membership_class=membership_class) for u in users]
    )
    CircleMembership.objects.bulk_create([CircleMembership(circle=circle, member=m) for m in members])


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("size", [10, 200])
def test_the_circle_page_stays_within_its_query_budget(as_user, world, django_assert_max_num_queries, size):
    grow(world, world.finance, size)
    client = as_user(world.steve)
    url = reverse("circle", kwargs={"org": "acme", "circle": "finance"})

    with django_assert_max_num_queries(CIRCLE_PAGE_MAX_QUERIES):
        response = client.get(url)

    assert len(response.context["roster"]) == size


def test_the_circle_page_costs_the_same_for_10_and_200_members(as_user, world):
    client = as_user(world.steve)
    url = reverse("circle", kwargs={"org": "acme", "circle": "finance"})
    grow(world, world.finance, 10)
    at_10 = queries_for(client, url)

    grow(world, world.finance, 200)
    at_200 = queries_for(client, url)

    assert at_10 == at_200


def test_the_general_circle_page_costs_the_same_for_10_and_200_members(as_user, world):
    client = as_user(world.mia)
    url = reverse("circle", kwargs={"org": "acme", "circle": world.general.slug})
    grow(world, world.finance, 10)
    at_10 = queries_for(client, url)

    grow(world, world.finance, 200)
    at_200 = queries_for(client, url)

    assert at_10 == at_200


def test_the_roster_page_costs_the_same_for_10_and_200_members(as_user, world):
    client = as_user(world.steve)
    url = reverse("roster", kwargs={"org": "acme", "circle": "finance"})
    grow(world, world.finance, 10)
    at_10 = queries_for(client, url)

    grow(world, world.finance, 200)
    at_200 = queries_for(client, url)

    assert at_10 == at_200


def test_the_member_directory_costs_the_same_for_10_and_200_members(as_user, world):
    client = as_user(world.mia)
    url = reverse("members", kwargs={"org": "acme"})
    grow(world, world.finance, 10)
    at_10 = queries_for(client, url)

    grow(world, world.finance, 200)
    at_200 = queries_for(client, url)

    assert at_10 == at_200


def test_the_organisation_home_costs_the_same_for_10_and_200_members(as_user, world):
    client = as_user(world.mia)
    url = reverse("organisation", kwargs={"org": "acme"})
    grow(world, world.finance, 10)
    at_10 = queries_for(client, url)

    grow(world, world.finance, 200)
    at_200 = queries_for(client, url)

    assert at_10 == at_200
