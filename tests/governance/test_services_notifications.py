"""The notification outbox: queued once per recipient and subject, sent by notification_send, retried
with backoff when the mail server is down (a real SMTP connection to a port nobody listens on)."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from governance import services
from governance.models import Notification


def queue(recipients, key="proposal:1"):
    return services.notifications_queue(
        recipients=recipients, kind="proposal.opened", key=key, subject="A proposal is open", body="Have your say."
    )


@pytest.fixture
def closed_port():
    """A local port with nothing listening: bind one, then let it go."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mail_server_down(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


def test_it_queues_one_row_per_recipient_and_delivers_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        created = queue([world.mia, world.nora, "guest@elsewhere.test"])

    assert created == 3
    rows = Notification.objects.order_by("email")
    assert [n.email for n in rows] == ["guest@elsewhere.test", "mia@acme.test", "nora@acme.test"]
    assert rows.get(email="mia@acme.test").recipient == world.mia
    assert rows.get(email="guest@elsewhere.test").recipient is None
    assert len(callbacks) == 1


def test_addresses_with_quotes_and_backslashes_are_stored_as_given(world):
    """The recipients go to the database as one array literal: an address with characters that the
    literal must escape is stored exactly, beside plain ones and users."""
    odd = ['"quoted"@elsewhere.test', "back\\slash@elsewhere.test", "comma,brace}@elsewhere.test"]

    assert queue([world.mia, *odd]) == 4

    rows = Notification.objects.filter(key="proposal:1")
    assert set(rows.values_list("email", flat=True)) == {"mia@acme.test", *odd}
    assert set(rows.values_list("subject", "body", "attempts", "sent_at", "held_for_digest", "digest")) == {
        ("A proposal is open", "Have your say.", 0, None, False, None)
    }


def test_it_queues_the_same_message_only_once(world, django_capture_on_commit_callbacks):
    queue([world.mia])

    with django_capture_on_commit_callbacks() as callbacks:
        created = queue([world.mia, world.mia])

    assert created == 0
    assert Notification.objects.filter(email="mia@acme.test").count() == 1
    assert callbacks == []


def test_it_queues_the_same_kind_again_for_another_subject(world):
    queue([world.mia], key="proposal:1")
    queue([world.mia], key="proposal:2")

    assert Notification.objects.filter(email="mia@acme.test").count() == 2


def test_it_sends_a_queued_message_and_marks_it_sent(world):
    queue([world.mia])
    notification = Notification.objects.get()

    assert services.notification_send(notification_id=notification.pk) is True

    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 1
    (message,) = mail.outbox
    assert message.to == ["mia@acme.test"] and message.subject == "A proposal is open"


def test_it_never_sends_a_message_twice(world):
    queue([world.mia])
    notification = Notification.objects.get()
    services.notification_send(notification_id=notification.pk)

    assert services.notification_send(notification_id=notification.pk) is False

    assert len(mail.outbox) == 1


def test_it_retries_with_growing_backoff_while_the_mail_server_is_down(world, mail_server_down):
    queue([world.mia])
    notification = Notification.objects.get()
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert services.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.sent_at is None and notification.attempts == 1
    assert notification.next_attempt_at == start + timedelta(seconds=60)
    assert notification.last_error.startswith("ConnectionRefusedError")

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert services.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.next_attempt_at == start + timedelta(seconds=61 + 300)


def test_it_caps_the_backoff_at_six_hours(world, mail_server_down):
    queue([world.mia])
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(attempts=9)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.next_attempt_at == start + timedelta(hours=6)


def test_the_flush_leaves_a_failed_message_alone_until_its_next_attempt_is_due(world, mail_server_down, settings):
    queue([world.mia])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.notifications_flush()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert services.notifications_flush() == 0
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert services.notifications_flush() == 1

    notification = Notification.objects.get()
    assert notification.sent_at is not None and notification.attempts == 2 and notification.last_error == ""
    assert len(mail.outbox) == 1
