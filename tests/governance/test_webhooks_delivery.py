"""Webhook deliveries against a real HTTP receiver on loopback: signed JSON, retries with exponential
backoff, disabling after repeated failures with the admins told, and never twice for one event."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import tasks
from governance.dispatch import Enqueue
from governance.integrations import deliveries, webhooks
from governance.integrations.webhooks import webhook_create, webhook_deliver, webhook_redeliver, webhooks_flush
from governance.models import Event, Notification, WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory, make_member, make_proposal

pytest_plugins = ["tests.receiver"]

SECRET = "a-shared-secret-of-some-length"


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (the snippet in docs/api.md)."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["webhook-signature"])


@pytest.fixture
def endpoint(world, receiver):
    return webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=receiver.url,
        event_types=["member.joined", "proposal.opened"],
        secret=SECRET,
    )


def someone_joins(world, email="newcomer@acme.test"):
    return make_member(world.organisation, user=UserFactory(email=email, name="New Comer"))


def test_it_posts_signed_json_with_the_event_id_type_timestamp_and_organisation(world, receiver, endpoint):
    member = someone_joins(world)

    assert webhooks_flush() == 1

    [request] = receiver.requests
    event = Event.objects.get(verb="member.joined", object_id=member.pk)
    assert request.path == "/hooks/governance"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == str(event.pk)
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert verify(SECRET, request.headers, request.body)
    body = json.loads(request.body)
    assert body["id"] == event.pk
    assert body["type"] == "member.joined"
    assert body["timestamp"] == event.created_at.isoformat().replace("+00:00", "Z")
    assert body["organisation"] == {"id": world.organisation.pk, "slug": "acme", "name": "Acme Co-op"}
    assert body["data"]["verb"] == "member.joined"
    assert body["data"]["object"] == {"type": "member", "id": member.pk, "name": str(member)}
    assert body["data"]["actor"] == {"id": member.pk, "name": "New Comer"}
    assert body["data"]["event_url"].endswith(f"/api/v1/events/{event.pk}/")


def test_the_signature_fails_with_another_secret_or_a_changed_body(world, receiver, endpoint):
    someone_joins(world)
    webhooks_flush()

    [request] = receiver.requests
    assert not verify("not-the-secret-at-all", request.headers, request.body)
    assert not verify(SECRET, request.headers, request.body.replace(b"New Comer", b"Someone Else"))
    assert not verify(SECRET, {**request.headers, "webhook-timestamp": "1"}, request.body)


def test_it_records_status_response_time_and_attempts(world, receiver, endpoint):
    someone_joins(world)
    webhooks_flush()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.response_status == 200
    assert delivery.response_ms is not None and delivery.response_ms >= 0
    assert delivery.delivered_at is not None
    assert delivery.last_error == ""


def test_it_sends_only_the_event_types_the_endpoint_chose(world, receiver, endpoint):
    proposal = make_proposal(world.finance, world.member(world.steve), opened=False)
    webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=receiver.url + "/closed-only",
        event_types=["proposal.closed"],
        secret=SECRET,
    )

    from proposals.services import proposal_open

    proposal_open(proposal=proposal, by=world.member(world.steve))
    webhooks_flush()

    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["proposal.opened"]
    assert receiver.requests[0].path == "/hooks/governance"


def test_it_sends_nothing_for_events_without_a_webhook_type(world, receiver, endpoint):
    from circles.services import circle_create

    circle_create(organisation=world.organisation, by=world.member(world.alice), name="Garden", parent=world.general)

    assert webhooks_flush() == 0
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_it_sends_nothing_to_another_organisations_endpoint(world, receiver):
    webhook_create(
        organisation=world.other,
        by=world.other.members.get(user=world.olga),
        url=receiver.url,
        event_types=["member.joined"],
        secret=SECRET,
    )

    someone_joins(world)
    webhooks_flush()

    assert receiver.requests == []


def test_it_retries_after_a_500_with_exponential_backoff_then_succeeds(world, receiver, endpoint, time_machine):
    receiver.answer(500, 500)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    someone_joins(world)

    webhooks_flush()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.response_status == 500
    assert "HTTP 500: receiver says no" in delivery.last_error
    assert delivery.next_attempt_at == start + timedelta(seconds=30)

    assert webhooks_flush() == 0  # not due yet: nothing is sent early
    assert len(receiver.requests) == 1

    time_machine.move_to(start + timedelta(seconds=31), tick=False)
    webhooks_flush()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + timedelta(seconds=31 + 60)  # twice the wait

    time_machine.move_to(start + timedelta(seconds=92), tick=False)
    webhooks_flush()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert delivery.response_status == 200
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    assert all(verify(SECRET, r.headers, r.body) for r in receiver.requests)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_it_gives_up_after_the_last_attempt(world, receiver, endpoint, settings, time_machine):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answer(503, 503, 503)
    someone_joins(world)

    webhooks_flush()
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    webhooks_flush()
    time_machine.move_to(timezone.now() + timedelta(hours=7))
    webhooks_flush()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2


def test_it_disables_an_endpoint_after_repeated_failures_and_tells_the_admins(
    world, receiver, endpoint, settings, time_machine
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.answer(*[500] * 10)
    for n in range(2):
        someone_joins(world, email=f"newcomer{n}@acme.test")
    webhooks_flush()  # two failures
    time_machine.move_to(timezone.now() + timedelta(minutes=1))
    webhooks_flush()  # a third: disabled, and the rest is not tried

    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_at is not None
    assert "3 failed attempts in a row" in endpoint.disabled_reason
    assert len(receiver.requests) == 3
    assert set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)) == {"failed"}
    told = Notification.objects.filter(kind="webhook_disabled")
    assert [n.email for n in told] == ["alice@acme.test"]
    assert receiver.url in told[0].body
    assert Event.objects.filter(verb="webhook.disabled", object_id=endpoint.pk, actor=None).exists()

    someone_joins(world, email="later@acme.test")
    assert webhooks_flush() == 0
    assert len(receiver.requests) == 3


def test_a_success_resets_the_count_of_failures_in_a_row(world, receiver, endpoint, settings, time_machine):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.answer(500, 500, 200, 500, 500)
    for n in range(3):
        someone_joins(world, email=f"newcomer{n}@acme.test")
    webhooks_flush()  # 500, 500, 200
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    webhooks_flush()  # the two retries: 500, 500

    endpoint.refresh_from_db()
    assert endpoint.is_active is True
    assert endpoint.consecutive_failures == 2


def test_it_never_queues_an_event_twice_for_one_endpoint(world, receiver, endpoint):
    member = someone_joins(world)
    event = Event.objects.get(verb="member.joined", object_id=member.pk)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, event_type="member.joined", payload={})
    assert deliveries.webhook_deliveries_queue(event=event) == 1  # asked again: the constraint keeps one row
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event=event).count() == 1
    assert delivery.event_id == event.pk


def test_it_never_sends_an_event_twice_even_when_asked_twice(world, receiver, endpoint):
    someone_joins(world)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    assert webhook_deliver(delivery_id=delivery.pk) is True
    assert webhook_deliver(delivery_id=delivery.pk) is False  # already delivered: nothing to claim
    assert webhooks_flush() == 0
    tasks.webhooks_flush()

    assert len(receiver.requests) == 1


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(world, receiver, endpoint):
    someone_joins(world)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    # A first worker claimed it (the lease moves its next attempt past the request timeout)…
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=70))

    # …so a second one finds nothing to send.
    assert webhook_deliver(delivery_id=delivery.pk) is False
    assert receiver.requests == []


def test_it_queues_delivery_after_the_commit(world, receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        someone_joins(world)

    assert Enqueue("governance.tasks.webhooks_flush") in callbacks
    assert receiver.requests == []  # nothing is sent before the change is committed
    tasks.webhooks_flush()  # what the queued task runs
    assert len(receiver.requests) == 1


def test_an_admin_can_send_a_delivery_again_with_the_same_id(world, receiver, endpoint):
    someone_joins(world)
    webhooks_flush()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)

    webhook_redeliver(delivery=delivery, by=world.member(world.alice))
    webhooks_flush()

    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert receiver.requests[0].body == receiver.requests[1].body
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_a_redirect_is_not_followed_and_counts_as_a_failure(world, receiver, endpoint):
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    receiver.answer(302)
    someone_joins(world)

    webhooks_flush()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.response_status == 302
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_a_failure_with_the_error(world, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url="http://127.0.0.1:9/nobody-listens",
        event_types=["member.joined"],
    )
    someone_joins(world)

    webhooks_flush()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.response_status is None
    assert "ConnectionRefusedError" in delivery.last_error


def test_a_disabled_endpoint_gets_no_new_deliveries(world, receiver, endpoint):
    webhooks.webhook_disable(endpoint=endpoint, by=world.member(world.alice))

    someone_joins(world)

    assert not WebhookDelivery.objects.exists()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active is False


def test_a_new_secret_signs_what_is_sent_from_then_on(world, receiver, endpoint):
    someone_joins(world)
    webhooks.webhook_update(endpoint=endpoint, by=world.member(world.alice), secret="the-second-secret-value")

    webhooks_flush()

    [request] = receiver.requests
    assert verify("the-second-secret-value", request.headers, request.body)
    assert not verify(SECRET, request.headers, request.body)
