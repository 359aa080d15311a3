"""Term summaries: drafted from the record (on demand, or by the sweep when a steward's term ends),
edited and published by the steward or secretary, kept, and linked from the circle. Frozen time."""

import pytest
from django.urls import reverse

from governance.errors import Conflict
from record.models import TermSummary
from record.services import term_summaries_draft_due, term_summary_draft, term_summary_publish, term_summary_update
from roles.models import RoleAssignment
from roles.services import assignment_end

from .scenario import DAY, T0, build


@pytest.fixture
def scenario(db, time_machine):
    return build(time_machine)


def test_a_draft_is_written_from_the_record(scenario):
    world = scenario.world
    summary = term_summary_draft(circle=world.finance, since=T0 - 50 * DAY, until=T0, by=world.member(world.steve))
    assert summary.state == "draft" and summary.title == "Finance: term ending 15 Jun 2026"
    body = summary.body
    assert "- Adopt a budget — Passed" in body
    assert "- Open an account — Passed" in body
    assert "- Buy a printer — Rejected" in body
    assert "No elections this term." in body
    assert "5 of 6 responses to rounds; 3 proposals; 2 objections, 1 integrated" in body
    assert "1 of 3 actions done on time" in body
    assert "- Receipts pile up" in body  # the open tension, carried over
    assert "Money" not in body  # nothing registered on record.money_spent
    assert summary.figures["participation"]["members"] == 2


def test_it_is_edited_then_published_and_then_kept(scenario):
    world = scenario.world
    steve = world.member(world.steve)
    summary = term_summary_draft(circle=world.finance, since=T0 - 50 * DAY, until=T0, by=steve)
    term_summary_update(summary=summary, by=steve, title="Our spring term", body="We decided three things.")
    summary = term_summary_publish(summary=summary, by=steve)
    assert summary.published_at == T0 and summary.published_by == steve
    with pytest.raises(Conflict):
        term_summary_update(summary=summary, by=steve, title="Changed", body="Changed")
    with pytest.raises(Conflict):
        term_summary_draft(circle=world.finance, since=T0 - 50 * DAY, until=T0, by=steve)
    assert TermSummary.objects.get().body == "We decided three things."


def test_the_sweep_drafts_one_when_a_stewards_term_ends(scenario, time_machine):
    world = scenario.world
    term = RoleAssignment.objects.current().get(role__circle=world.finance, role__kind="steward")
    time_machine.move_to(T0 + DAY, tick=False)
    assignment_end(assignment=term, by=None, reason=RoleAssignment.EndReason.TERM_ENDED)
    assert term_summaries_draft_due() == 1
    assert term_summaries_draft_due() == 0  # the same term, once
    summary = TermSummary.objects.get()
    assert (summary.period_start, summary.period_end) == (term.started_at, T0 + DAY)
    assert summary.circle == world.finance and summary.drafted_by is None


def test_stewards_draft_members_read_what_is_published(scenario, as_user):
    world = scenario.world
    url = reverse("record-circle-summaries", kwargs={"org": "acme", "circle": "finance"})
    steve = as_user(world.steve)
    response = steve.post(url, {"since": "2026-04-26", "until": "2026-06-15"})
    summary = TermSummary.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "record-summary", kwargs={"org": "acme", "pk": summary.pk}
    )
    detail = reverse("record-summary", kwargs={"org": "acme", "pk": summary.pk})
    mia = as_user(world.mia)
    assert mia.get(detail).status_code == 404  # a draft is the steward's and secretary's
    assert mia.post(url, {"since": "2026-04-26", "until": "2026-06-15"}).status_code == 403
    steve = as_user(world.steve)
    steve.post(reverse("record-summary-publish", kwargs={"org": "acme", "pk": summary.pk}))
    mia = as_user(world.mia)
    assert mia.get(detail).status_code == 200
    assert summary.title.encode() in mia.get(url).content
    api = mia.get("/api/v1/term-summaries/").json()
    assert [s["id"] for s in api["results"]] == [summary.pk]


def test_the_api_drafts_edits_and_publishes(scenario, as_user):
    world = scenario.world
    steve = as_user(world.steve)
    made = steve.post(
        "/api/v1/term-summaries/",
        {"circle": world.finance.pk, "since": "2026-04-26", "until": "2026-06-15"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["state"] == "draft"
    pk = made.json()["id"]
    edited = steve.patch(
        f"/api/v1/term-summaries/{pk}/",
        {"title": "Spring", "body": "Three decisions."},
        content_type="application/json",
    )
    assert edited.json()["title"] == "Spring"
    assert steve.post(f"/api/v1/term-summaries/{pk}/publish/").json()["state"] == "published"
    assert steve.post(f"/api/v1/term-summaries/{pk}/publish/").status_code in (403, 409)
    mia = as_user(world.mia)
    refused = mia.post(
        "/api/v1/term-summaries/",
        {"circle": world.finance.pk, "since": "2026-01-01", "until": "2026-02-01"},
        content_type="application/json",
    )
    assert refused.status_code == 403
