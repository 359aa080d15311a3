"""Provenance: the circle page says which decision made or last changed the circle, and its
"Governance record" tab lists every change, newest first, a page at a time, in a number of queries
that does not grow with the record."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Provenance
from tests.changes.helpers import amend_data, close, opened

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_circle_page_links_the_decision_that_last_changed_it(world, client, time_machine):
    time_machine.move_to(T0)
    proposal = opened(
        world.general, world.member(world.alice), ("circle.amend", amend_data(world.finance, purpose="B"))
    )
    proposal = close(proposal, time_machine)
    client.force_login(world.mia)
    html = client.get(reverse("circle", kwargs={"org": "acme", "circle": "finance"})).content.decode()
    link = reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})
    assert f'Decided by\n    <a href="{link}">{proposal.title}</a>' in html
    record = client.get(reverse("circle-record", kwargs={"org": "acme", "circle": "finance"})).content.decode()
    assert "Amend the circle “Finance”" in record and link in record
    assert "Current structure" in record


def _rows(world, n, start):
    Provenance.objects.bulk_create(
        [
            Provenance(
                organisation=world.organisation,
                object_type="circle",
                object_id=world.finance.pk,
                object_repr="Finance",
                circle=world.finance,
                change_kind="circle.amend",
                summary=f"Amend the circle “Finance” ({i})",
                proposal_id=None if i % 2 else 10_000 + i,
                proposal_title=f"Decision {i}",
                actor=world.member(world.alice),
                override_reason="Urgent" if i % 2 else "",
                created_at=start + timedelta(minutes=i),
            )
            for i in range(n)
        ]
    )


def test_the_governance_record_needs_as_many_queries_for_200_changes_as_for_2(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.mia)
    url = reverse("circle-record", kwargs={"org": "acme", "circle": "finance"})
    counts = {}
    for total in (2, 200):
        _rows(world, total - Provenance.objects.count(), T0 + timedelta(days=total))
        with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts[total] = len(captured)
    assert counts[2] == counts[200]
    html = response.content.decode()
    assert "Page 1 of 8" in html and html.count("<li>\n          <strong>") == 25
    # Newest first: the last row written heads the list.
    assert html.index("“Finance” (197)") < html.index("“Finance” (196)") < html.index("“Finance” (190)")
    assert "Urgent" in html and "Decision 196" in html
    assert client.get(url + "?page=8").status_code == 200
