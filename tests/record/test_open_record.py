"""The open record shows exactly what the organisation made public, and nothing private, ever: every
public URL (pages, feeds and the anonymous API) is swept with private payloads planted."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from governance.services import member_remove
from meetings.services import minutes_publish, minutes_save_draft, tension_raise
from proposals.services import comment_add, position_record, proposal_close, proposal_create
from record.models import PUBLIC_VERBS
from record.services import record_settings_save
from record.urls import public_urlpatterns
from tests.factories import make_meeting, make_member, make_proposal

PRIVATE = [
    "PRIVATE-DRAFT-TITLE",
    "PRIVATE-DRAFT-BODY",
    "PRIVATE-OBJECTION",
    "PRIVATE-CONCERN",
    "PRIVATE-COMMENT",
    "PRIVATE-DRAFT-MINUTES",
    "PRIVATE-TENSION",
    "PRIVATE-LEFT-REASON",
    "PRIVATE-OTHER-ORG",
]
API = ["decisions", "log", "minutes", "roles"]


@pytest.fixture
def planted(world, time_machine):
    steve, mia, otto = world.member(world.steve), world.member(world.mia), world.member(world.otto)
    proposal_create(circle=world.finance, author=steve, title="PRIVATE-DRAFT-TITLE", body="PRIVATE-DRAFT-BODY")
    secret = make_proposal(world.finance, steve, title="Anonymous choice", anonymous=True, body="Public body text")
    position_record(proposal=secret, member=mia, kind="objection", reason="PRIVATE-OBJECTION")
    open_round = make_proposal(world.outreach, otto, title="Open round")
    position_record(proposal=open_round, member=otto, kind="concern", reason="PRIVATE-CONCERN")
    comment_add(proposal=open_round, author=otto, body="PRIVATE-COMMENT")
    tension_raise(circle=world.outreach, by=otto, title="Tension", description="PRIVATE-TENSION")
    meeting = make_meeting(world.finance, by=steve, title="Finance meeting", starts_in=-timedelta(hours=3))
    minutes_save_draft(meeting=meeting, by=steve, body="PRIVATE-DRAFT-MINUTES")
    published = make_meeting(world.outreach, by=otto, title="Outreach meeting", starts_in=-timedelta(hours=3))
    minutes = minutes_publish(minutes=minutes_save_draft(meeting=published, by=otto, body="PUBLIC-MINUTES"), by=otto)
    leaver = make_member(world.organisation)
    member_remove(member=leaver, by=world.member(world.alice), reason="PRIVATE-LEFT-REASON")
    other_admin = world.other.members.get(user=world.olga)
    make_proposal(world.other.circles.get(is_general=True), other_admin, title="PRIVATE-OTHER-ORG")
    time_machine.move_to(secret.closes_at + timedelta(minutes=1))
    proposal_close(proposal_id=secret.pk)
    record_settings_save(
        organisation=world.organisation,
        by=None,
        public_decisions=True,
        public_log=True,
        public_roles=True,
        public_minutes=True,
        public_log_verbs=list(PUBLIC_VERBS),
    )
    emails = list(world.organisation.members.values_list("user__email", flat=True))
    return world, minutes, emails


def _public_urls(minutes):
    urls = []
    for pattern in public_urlpatterns:
        kwargs = {"org": "acme"}
        if "<int:pk>" in str(pattern.pattern):
            kwargs["pk"] = minutes.pk
        urls.append(reverse(pattern.name, kwargs=kwargs))
    urls += [f"/api/v1/open/acme/{part}/" for part in API]
    return urls


def test_every_public_url_shows_nothing_private(planted, client):
    _world, minutes, emails = planted
    cache.clear()
    seen_public = False
    for url in _public_urls(minutes):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for payload in [*PRIVATE, *emails]:
            assert payload not in body, (url, payload)
        seen_public |= "Anonymous choice" in body or "PUBLIC-MINUTES" in body
    assert seen_public


def test_it_shows_what_was_made_public(planted, client):
    _world, minutes, _emails = planted
    cache.clear()
    assert "Anonymous choice" in client.get(reverse("open-decisions", kwargs={"org": "acme"})).content.decode()
    assert (
        "PUBLIC-MINUTES"
        in client.get(reverse("open-minutes-detail", kwargs={"org": "acme", "pk": minutes.pk})).content.decode()
    )
    roles = client.get(reverse("open-roles", kwargs={"org": "acme"})).content.decode()
    assert "Steve Steward" in roles
    feed = client.get(reverse("open-decisions-feed", kwargs={"org": "acme"}))
    assert feed["Content-Type"].startswith("application/atom+xml") and b"Anonymous choice" in feed.content
    decisions = client.get("/api/v1/open/acme/decisions/").json()["results"]
    assert [d["title"] for d in decisions] == ["Anonymous choice"]
    assert set(decisions[0]) == {
        "id",
        "title",
        "circle",
        "outcome",
        "outcome_statement",
        "closed_at",
        "responded",
        "eligible",
    }


def test_each_part_is_public_only_when_chosen(planted, client):
    world, minutes, _emails = planted
    cache.clear()
    record_settings_save(organisation=world.organisation, by=None, public_minutes=False, public_log=False)
    assert client.get(reverse("open-minutes", kwargs={"org": "acme"})).status_code == 404
    assert client.get(reverse("open-minutes-detail", kwargs={"org": "acme", "pk": minutes.pk})).status_code == 404
    assert client.get(reverse("open-log-feed", kwargs={"org": "acme"})).status_code == 404
    assert client.get("/api/v1/open/acme/minutes/").status_code == 404
    assert client.get(reverse("open-decisions", kwargs={"org": "acme"})).status_code == 200
    record_settings_save(organisation=world.organisation, by=None, public_decisions=False, public_roles=False)
    for url in _public_urls(minutes):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("open-index", kwargs={"org": "other"})).status_code == 404


def test_the_log_shows_only_the_chosen_events_and_never_their_details(planted, client):
    world, _minutes, _emails = planted
    cache.clear()
    record_settings_save(organisation=world.organisation, by=None, public_log_verbs=["minutes.published"])
    events = client.get("/api/v1/open/acme/log/").json()["results"]
    assert {e["verb"] for e in events} == {"minutes.published"}
    assert "details" not in events[0] and "actor" not in events[0]


def test_the_anonymous_api_is_rate_limited(planted, client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "open": "2/min"},
    }
    cache.clear()
    assert client.get("/api/v1/open/acme/decisions/").status_code == 200
    assert client.get("/api/v1/open/acme/roles/").status_code == 200
    refused = client.get("/api/v1/open/acme/decisions/")
    assert refused.status_code == 429 and "Retry-After" in refused
