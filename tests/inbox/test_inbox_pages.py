"""The inbox on the home page, its own page, the navigation's count and /api/v1/me/inbox/: who sees
what, and query counts that stay flat from 10 to 1,000 open items."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionItem, Meeting
from proposals.models import EligibleVoter, Proposal
from tests.factories import make_proposal


@pytest.fixture(autouse=True)
def database_path(settings):
    """These count what a page asks the database, so the response cache stays out of it (with Redis it
    would answer the second read, and these tests write rows directly, not through the services that
    replace the organisation's version); tests/perf counts the cached pages."""
    settings.RESPONSE_CACHE = False


def open_items(world, n):
    """n open rounds waiting for Mia, n actions of hers due and n meetings of her circle this week,
    written in bulk (the services would take minutes for a thousand)."""
    mia, steve = world.member(world.mia), world.member(world.steve)
    now, today = timezone.now(), timezone.localdate()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            organisation=world.organisation,
            circle=world.finance,
            author=steve,
            title=f"Round {i}",
            body="…",
            state=Proposal.State.OPEN,
            opened_at=now,
            closes_at=now + timedelta(days=3, minutes=i),
            round_length=timedelta(days=3),
        )
        for i in range(n)
    )
    EligibleVoter.objects.bulk_create(EligibleVoter(proposal=p, member=mia, weight=1) for p in proposals)
    ActionItem.objects.bulk_create(
        ActionItem(organisation=world.organisation, circle=world.finance, title=f"Action {i}", owner=mia, due=today)
        for i in range(n)
    )
    Meeting.objects.bulk_create(
        Meeting(
            organisation=world.organisation,
            circle=world.finance,
            title=f"Meeting {i}",
            starts_at=now + timedelta(days=1, minutes=i),
            ends_at=now + timedelta(days=1, minutes=i + 30),
            secretary=mia,
        )
        for i in range(n)
    )


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("url", ["/o/acme/", "/o/acme/inbox/", "/api/v1/me/inbox/"])
def test_the_query_count_is_flat_from_10_to_1000_items(world, as_user, url):
    client = as_user(world.mia)
    open_items(world, 10)
    few, response = queries_of(client, url)
    assert "Action 0" in response.content.decode()  # due today: the most pressing, on the home page too
    open_items(world, 990)
    many, response = queries_of(client, url)
    assert many == few, f"{few} queries with 30 items, {many} with 3,000"
    assert few <= 40
    if url.startswith("/api/"):
        assert response.json()["count"] == 3000
        assert response.json()["counts"] == {"proposal.position": 1000, "action.due": 1000, "meeting.week": 1000}


def test_the_home_page_shows_what_needs_me_and_the_navigation_counts_it(world, as_user):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    html = as_user(world.mia).get("/o/acme/").content.decode()
    assert "What needs me" in html and "Buy a printer" in html
    assert f'href="/o/acme/p/{proposal.pk}/"' in html
    assert '<span class="nav-count"' in html
    html = as_user(world.nora).get("/o/acme/").content.decode()
    inbox = html.split('id="inbox-heading"')[1].split("</section>")[0]
    assert "Buy a printer" not in inbox and "Nothing needs you right now." in inbox


def test_the_inbox_page_is_404_for_outsiders(world, as_user):
    assert as_user(world.olga).get(reverse("inbox", kwargs={"org": "acme"})).status_code == 404


def test_the_api_lists_my_entries_with_absolute_links(world, as_user):
    proposal = make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    answer = as_user(world.mia).get("/api/v1/me/inbox/").json()
    (entry,) = [e for e in answer["results"] if e["kind"] == "proposal.position"]
    assert entry["url"] == f"http://testserver/o/acme/p/{proposal.pk}/"
    assert entry["organisation"] == "acme" and entry["title"] == "Buy a printer" and entry["circle"] == "Finance"
    assert as_user(world.mia).get("/api/v1/me/inbox/?organisation=other").status_code == 404
    assert as_user(world.olga).get("/api/v1/me/inbox/").json()["results"] == []


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/me/inbox/").status_code in (401, 403)


def test_the_inbox_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/me/inbox/" in schema and "InboxEntry" in schema


def test_other_pages_fetch_the_count_after_loading_and_pay_no_inbox_queries(world, as_user):
    make_proposal(world.finance, world.member(world.steve), title="Buy a printer")
    client = as_user(world.mia)
    html = client.get("/o/acme/members/").content.decode()
    assert 'hx-get="/o/acme/inbox/count/"' in html
    count = client.get("/o/acme/inbox/count/")
    assert count.status_code == 200 and ">1</span>" in count.content.decode()
    assert count["Cache-Control"] == "private, no-store"
    assert as_user(world.olga).get("/o/acme/inbox/count/").status_code == 404
    # The home page has read the inbox: its navigation shows the count at once.
    home = as_user(world.mia).get("/o/acme/").content.decode()
    assert 'hx-get="/o/acme/inbox/count/"' not in home
