"""Search finds what the searcher may see, and nothing else: not in results, snippets or counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from circles.models import Circle
from governance.search import SearchKind, search_kinds
from meetings.services import minutes_publish, minutes_save_draft, tension_raise
from proposals.services import comment_add, proposal_create
from record.search import highlight, search
from tests.factories import make_meeting, make_proposal


@pytest.fixture
def record(world):
    steve, otto = world.member(world.steve), world.member(world.otto)
    make_proposal(world.finance, steve, title="Budget for 2027", body="A zebra budget for the **finance** circle.")
    proposal_create(circle=world.finance, author=steve, title="Hidden zebra draft", body="zebra secrets")
    shown = make_proposal(world.outreach, otto, title="Flyers", body="Print flyers.")
    comment_add(proposal=shown, author=otto, body="Zebra stripes on the flyers?")
    tension_raise(circle=world.outreach, by=otto, title="Zebra crossing", description="Outside the office.")
    meeting = make_meeting(world.finance, by=steve)
    minutes_save_draft(meeting=meeting, by=steve, body="Draft zebra minutes")
    other = make_meeting(world.outreach, by=otto, title="Outreach meeting", starts_in=-timedelta(hours=3))
    minutes_publish(minutes=minutes_save_draft(meeting=other, by=otto, body="We talked about the zebra logo."), by=otto)
    olga = world.other.members.get(user=world.olga)
    foreign = world.other.circles.get(is_general=True)
    make_proposal(foreign, olga, title="Other zebra plan", body="zebra")
    return world


def _kinds(results):
    return {key: n for key, n in results["counts"].items() if n}


def test_it_finds_every_kind_a_member_may_see(record):
    results = search(record.mia, record.organisation, "zebra")
    assert _kinds(results) == {"proposal": 1, "comment": 1, "minutes": 1, "tension": 1}
    assert results["total"] == 4
    titles = " ".join(str(h.title) for h in results["hits"])
    assert "Hidden" not in titles and "Other zebra" not in titles


def test_a_draft_is_found_by_its_author_only(record):
    assert search(record.steve, record.organisation, "zebra")["counts"]["proposal"] == 2
    for user in (record.mia, record.otto, record.alice):
        results = search(user, record.organisation, "secrets")
        assert results["total"] == 0 and results["hits"] == []


def test_draft_minutes_are_never_found(record):
    results = search(record.steve, record.organisation, "draft zebra minutes")
    assert all("Draft zebra minutes" not in str(h.snippet) for h in results["hits"])
    assert results["counts"]["minutes"] == 0


def test_another_organisation_sees_nothing_of_this_one(record):
    assert search(record.olga, record.organisation, "zebra")["total"] == 0
    assert search(record.oscar, record.organisation, "zebra")["total"] == 0
    assert search(record.mia, record.other, "zebra")["total"] == 0


def test_it_filters_by_kind_and_circle(record):
    assert _kinds(search(record.mia, record.organisation, "zebra", kinds=["tension"])) == {"tension": 1}
    assert _kinds(search(record.mia, record.organisation, "zebra", circle=record.finance)) == {"proposal": 1}


def test_hits_are_highlighted_after_escaping(world):
    steve = world.member(world.steve)
    make_proposal(world.finance, steve, title="<b>Budget</b> & co", body="<script>alert('budget')</script>")
    hit = search(world.mia, world.organisation, "budget")["hits"][0]
    assert str(hit.title) == "&lt;b&gt;<mark>Budget</mark>&lt;/b&gt; &amp; co"
    assert "<script>" not in str(hit.snippet)
    assert str(highlight("a <mark> b", ["mark"])) == "a &lt;<mark>mark</mark>&gt; b"


def test_the_page_and_the_api_answer_the_same(record, as_user):
    client = as_user(record.otto)
    page = client.get(reverse("record-search", kwargs={"org": "acme"}), {"q": "zebra"})
    assert b"<mark>Zebra</mark> crossing" in page.content and b"Hidden" not in page.content
    api = client.get("/api/v1/search/", {"organisation": record.organisation.pk, "q": "zebra"}).json()
    assert api["total"] == 4 and api["counts"]["proposal"] == 1
    assert client.get("/api/v1/search/", {"organisation": record.other.pk, "q": "zebra"}).status_code == 404
    assert client.get("/api/v1/search/", {"organisation": record.organisation.pk}).status_code == 400


def test_another_app_adds_its_kind(world):
    kind = SearchKind(
        key="test-circle-purpose",
        label="Purposes",
        visible=lambda user, organisation: Circle.objects.filter(organisation=organisation),
        fields=("purpose",),
        title=str,
        url=lambda obj, organisation: "/",
        circle="pk",
    )
    search_kinds.register(kind.key, kind)
    try:
        Circle.objects.filter(pk=world.finance.pk).update(purpose="Keep the zebra fed")
        assert search(world.mia, world.organisation, "zebra")["counts"]["test-circle-purpose"] == 1
    finally:
        search_kinds._items.pop(kind.key)
