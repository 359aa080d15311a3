"""The notification outbox: one row per recipient, kind and key, written in the transaction of the
change and delivered after commit by a task (or the periodic flush, if the broker is down)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone

from governance.dispatch import enqueue_after_commit
from governance.emails import fit_key, fit_subject, message_render
from governance.models import Notification, Organisation, User

log = logging.getLogger(__name__)


def notifications_queue(
    *,
    recipients,
    kind: str,
    key: str,
    context: dict | None = None,
    subject: str = "",
    body: str = "",
    organisation=None,
) -> int:
    """Write one outbox row per recipient (a User, or an email address for people without an account).

    The text is the kind's templates rendered with `context` (see governance.emails), or, without
    a context, the `subject` and `body` given. The (email, kind, key) constraint means asking twice
    queues once. Delivery is kicked off after commit; if the broker is down then, the periodic
    flush picks the rows up later."""
    if context is not None:
        message = Message.render(recipients=recipients, kind=kind, key=key, context=context, organisation=organisation)
    else:
        message = Message(
            recipients=recipients, kind=kind, key=key, subject=subject, body=body, organisation=organisation
        )
    return notifications_queue_many(messages=[message])


@dataclass(frozen=True, eq=False)  # compared (and hashed) by identity: two messages are two messages
class Message:
    """One message for notifications_queue_many: its recipients (Users or email addresses) and text."""

    recipients: Iterable
    kind: str
    key: str
    subject: str
    body: str
    organisation: Organisation | None = None

    @classmethod
    def render(cls, *, recipients: Iterable, kind: str, key: str, context: dict, organisation=None) -> Message:
        """A message whose subject and body are the kind's email templates rendered with `context`."""
        subject, body = message_render(kind, context)
        return cls(recipients=recipients, kind=kind, key=key, subject=subject, body=body, organisation=organisation)


def notifications_queue_many(*, messages: Iterable[Message]) -> int:
    """Queue many messages at once, as notifications_queue does one (the closing sweep queues a
    batch of rounds at a time) in one INSERT that skips what is queued already. Returns how many
    rows were queued."""
    recipients: dict[Message, dict[str, int | None]] = {}
    for message in messages:
        for recipient in message.recipients:
            user = recipient if isinstance(recipient, User) else None
            recipients.setdefault(message, {})[user.email if user else str(recipient)] = user.pk if user else None
    queued = _outbox_insert(recipients) if recipients else 0
    if queued:
        enqueue_after_commit("governance.tasks.notifications_flush")
    return queued


def _outbox_insert(recipients: dict[Message, dict[str, int | None]]) -> int:
    """Write one outbox row per message and recipient (email: user id), skipping those the
    (email, kind, key) constraint already holds; returns how many were written.

    This is bulk_create(ignore_conflicts=True) without a model object per row. The closing sweep
    queues a message to every eligible voter of every round (120,000 rows for 10,000 rounds), and
    preparing and sending every field of every row costs more than the database takes to store it.
    Here each value is prepared by its field once per message; per row only the recipient's id and
    email vary (an integer and a string, which need no preparing)."""
    meta, ops = Notification._meta, connection.ops
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    recipient, email = meta.get_field("recipient"), meta.get_field("email")
    shared = [f for f in fields if f not in (recipient, email)]
    defaults = {f.attname: f.get_default() for f in shared}
    messages, rows = [], []  # messages: prepared values of `shared`; rows: (message number, user id, email)
    for number, (message, users) in enumerate(recipients.items()):
        values = {
            **defaults,
            "organisation_id": message.organisation.pk if message.organisation else None,
            # Whoever built the message, what is stored fits its columns: a long title or name
            # never makes the insert, and with it a whole sweep, fail.
            "kind": fit_key(message.kind, "kind"),
            "key": fit_key(message.key),
            "subject": fit_subject(message.subject),
            "body": message.body,
        }
        messages.append([f.get_db_prep_save(values[f.attname], connection) for f in shared])
        rows.extend((number, user_id, address) for address, user_id in users.items())
    # Skipping conflicts also covers a concurrent writer that queued the same message a moment ago.
    insert = "{} {} ({})".format(
        ops.insert_statement(on_conflict=OnConflict.IGNORE),
        ops.quote_name(meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
    )
    suffix = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Arrays, as bulk_create sends on PostgreSQL (a long VALUES list costs the server more to
            # parse and plan than to store the rows): three per recipient, joined to one per column
            # of the message, so that a message's text is sent once and not once per recipient.
            def array(f):
                return f"%s::{f.db_type(connection).split('(')[0]}[]"

            column = {f: ops.quote_name(f.column) for f in fields}
            select = ", ".join(f"r.{column[f]}" if f in (recipient, email) else f"m.{column[f]}" for f in fields)
            sql = (
                f"{insert} SELECT {select} "  # noqa: S608 -- names and types from the model
                f"FROM UNNEST(%s::integer[], {array(recipient)}, {array(email)}) "
                f"AS r(message, {column[recipient]}, {column[email]}) "
                f"JOIN UNNEST({', '.join(array(f) for f in shared)}) WITH ORDINALITY "
                f"AS m({', '.join(column[f] for f in shared)}, message) ON m.message = r.message + 1 {suffix}"
            )
            cursor.execute(sql, [*map(list, zip(*rows, strict=True)), *map(list, zip(*messages, strict=True))])
            written += cursor.rowcount
        else:
            placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
            size = max(1, min(1000, ops.bulk_batch_size(fields, rows)))
            for start in range(0, len(rows), size):
                values = []
                for number, user_id, address in rows[start : start + size]:
                    rest = iter(messages[number])
                    by_field = {recipient: user_id, email: address}
                    values += [by_field[f] if f in by_field else next(rest) for f in fields]
                placeholders = ", ".join([placeholder] * (len(values) // len(fields)))
                cursor.execute(f"{insert} VALUES {placeholders} {suffix}", values)
                written += cursor.rowcount
    return written


RETRY_BACKOFF = [60, 300, 900, 3600, 6 * 3600]


def notification_send(*, notification_id: int) -> bool:
    """Send one queued message, holding its row lock so that two workers never both send it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        now = timezone.now()
        notification.attempts += 1
        try:
            send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email])
        except Exception as exc:
            delay = RETRY_BACKOFF[min(notification.attempts - 1, len(RETRY_BACKOFF) - 1)]
            notification.next_attempt_at = now + timedelta(seconds=delay)
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            notification.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            log.warning("Sending notification %s failed; retrying in %ss", notification_id, delay)
            return False
        notification.sent_at = now
        notification.last_error = ""
        notification.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def notifications_flush(*, limit: int = 500) -> int:
    """Send every due, unsent message. Safe to run on several workers at once."""
    due = list(
        Notification.objects.filter(sent_at__isnull=True, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_send(notification_id=pk) for pk in due)
