"""Secret ballots never leak while voting is open, by construction of the test: the same voters cast
two different sets of ballots (one after the other, the first rolled back), and everything anyone
can read (every elections page, the role, circle and home pages, every API endpoint, the CSV export,
the admin, the event log, every webhook payload and every email) is compared between the two. If
any of it differed, something would tell what the voters chose, or a running count by candidate.
The test also checks that the walk reads what it should (the turnout is there), so that an empty
page cannot pass it."""

import json
import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from governance.integrations.events import event_types
from governance.integrations.webhooks import webhook_create
from governance.models import Event, Notification, WebhookDelivery
from governance.services import notifications_flush
from tests.factories import make_role

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CSRF = re.compile(r"(csrfmiddlewaretoken\" value=\"|csrf-token\" content=\"|\"X-CSRFToken\": \")[^\"]+")
NONCE = re.compile(r"nonce=\"[^\"]+\"")


class Rollback(Exception):
    pass


@pytest.fixture
def election(world, time_machine, settings):
    """A ranked two-seat council election of the general circle, voting open; a webhook takes every
    election event type."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    time_machine.move_to(T0)
    webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url="http://127.0.0.1:9/hook",
        event_types=[key for key in event_types if key.startswith(("election.", "council."))],
    )
    role = make_role(world.general, "Council", seats=2, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice), counting="ranked")
    election.candidacy = {
        u: candidacy_add(election=election, member=world.member(u), statement="Me.").pk
        for u in (world.mia, world.nora, world.otto)
    }
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1), tick=False)
    elections_advance_due()
    election.refresh_from_db()
    return election


def _walk(world, election) -> dict[str, str]:
    """Everything readable about the organisation, by everyone in it (and the admin site)."""
    seen: dict[str, str] = {}
    org = world.organisation.slug
    pages = [
        reverse("election", kwargs={"org": org, "pk": election.pk}),
        reverse("election-results-csv", kwargs={"org": org, "pk": election.pk}),
        reverse("role", kwargs={"org": org, "pk": election.role_id}),
        reverse("roles", kwargs={"org": org}),
        reverse("my-roles", kwargs={"org": org}),
        reverse("circle", kwargs={"org": org, "circle": world.general.slug}),
        reverse("home"),
    ]
    endpoints = [
        "/api/v1/elections/",
        f"/api/v1/elections/{election.pk}/",
        f"/api/v1/ballots/?election={election.pk}",
        "/api/v1/candidacies/",
        "/api/v1/nominations/",
        "/api/v1/events/",
        "/api/v1/roles/",
        "/api/v1/webhook-deliveries/",
    ]
    for user in (world.alice, world.mia, world.nora):
        client = APIClient()
        client.force_login(user)
        for url in pages:
            answer = client.get(url, follow=True)
            seen[f"{user.email} {url}"] = answer.content.decode()
        for url in endpoints:
            seen[f"{user.email} {url}"] = client.get(url).content.decode()
    admin = APIClient()
    admin.force_login(world.alice)
    world.alice.is_staff = world.alice.is_superuser = True
    world.alice.save(update_fields=["is_staff", "is_superuser"])
    for model in ("ballot", "ballotvoter", "election", "candidacy"):
        url = reverse(f"admin:roles_{model}_changelist")
        seen[f"admin {url}"] = admin.get(url).content.decode()
    seen["admin election"] = admin.get(reverse("admin:roles_election_change", args=[election.pk])).content.decode()
    world.alice.is_staff = world.alice.is_superuser = False
    world.alice.save(update_fields=["is_staff", "is_superuser"])
    seen["events"] = json.dumps(
        list(
            Event.objects.filter(organisation=world.organisation)
            .order_by("created_at", "pk")
            .values("verb", "details", "actor")
        )
    )
    seen["webhooks"] = json.dumps(
        list(WebhookDelivery.objects.order_by("created_at", "pk").values_list("event_type", "payload")), default=str
    )
    seen["notifications"] = json.dumps(
        list(Notification.objects.order_by("created_at", "pk").values_list("email", "kind", "subject", "body"))
    )
    mail.outbox.clear()
    notifications_flush()
    seen["emails"] = json.dumps([(m.to, m.subject, m.body) for m in mail.outbox])
    return seen


ID_FIELD = re.compile(r'("(?:id|event|event_id)"\s*:\s*"?|/events/)(\d+)')
DELIVERY_ID = re.compile(r'((?<!"payload":\{)"id"\s*:\s*|/webhook-deliveries/)(\d+)')
EVENT_OF_DELIVERY = re.compile(r'("event"\s*:\s*|/events/)(\d+)')
PAYLOAD_ID = re.compile(r'("payload"\s*:\s*\{\s*"id"\s*:\s*)(\d+)')


def _swap(pattern, ids: dict[int, str], text: str) -> str:
    return pattern.sub(lambda m: m.group(1) + ids.get(int(m.group(2)), m.group(2)), text)


def _normalised(seen: dict[str, str], events: dict[int, str], deliveries: dict[int, str]) -> dict[str, str]:
    """Leave out what differs between two runs for reasons other than the ballots: random ids and
    tokens, and the ids of the rows each run adds (events and webhook deliveries, made in the same
    order in both; a rolled-back sequence is not rewound on PostgreSQL)."""
    out = {}
    for key, text in seen.items():
        text = NONCE.sub("nonce", CSRF.sub(r"\1token", UUID.sub("uuid", text)))
        if "webhook-deliveries" in key:  # the event a delivery carries, then the delivery's own id
            text = _swap(PAYLOAD_ID, events, text)
            text = _swap(DELIVERY_ID, deliveries, text)
            text = _swap(EVENT_OF_DELIVERY, events, text)
        else:
            text = _swap(ID_FIELD, events, text)
        out[key] = text
    return out


def _vote_and_walk(world, election, votes) -> dict[str, str]:
    result = {}
    try:
        with transaction.atomic():
            before = max(Event.objects.values_list("pk", flat=True))
            for user, ranking in votes:
                ballot_cast(
                    election=election, member=world.member(user), choices=[election.candidacy[u] for u in ranking]
                )
            events = Event.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
            deliveries = WebhookDelivery.objects.filter(event_id__gt=before).order_by("pk").values_list("pk", flat=True)
            events = {pk: f"event-{n}" for n, pk in enumerate(events)}
            deliveries = {pk: f"delivery-{n}" for n, pk in enumerate(deliveries)}
            result.update(_normalised(_walk(world, election), events, deliveries))
            raise Rollback
    except Rollback:
        pass
    return result


def test_nothing_anyone_can_read_during_voting_depends_on_what_was_chosen(world, election):
    first = _vote_and_walk(
        world,
        election,
        [
            (world.alice, [world.mia, world.nora]),
            (world.steve, [world.mia]),
            (world.mia, [world.mia, world.otto, world.nora]),
        ],
    )
    second = _vote_and_walk(
        world,
        election,
        [
            (world.alice, [world.otto]),
            (world.steve, [world.nora, world.mia]),
            (world.mia, []),
        ],
    )

    assert first.keys() == second.keys()
    differing = [key for key in first if first[key] != second[key]]
    assert differing == []
    # The walk read real pages: the turnout is public, the count is not.
    page = first[f"mia@acme.test {reverse('election', kwargs={'org': 'acme', 'pk': election.pk})}"]
    assert "3 of 5 eligible members have voted" in page
    assert '"results":{}' in first[f"mia@acme.test /api/v1/elections/{election.pk}/"]
    assert '"count":0' in first[f"mia@acme.test /api/v1/ballots/?election={election.pk}"]
    assert "election.voted" in first["events"] and "election.voted" in first["webhooks"]
