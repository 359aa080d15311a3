"""The notification outbox: one row per recipient, kind and key, written in the transaction of the
change and delivered after commit by a task (or the periodic flush, if the broker is down).

Each member's notification preferences are obeyed here, for every kind and every caller: a kind
they turned off is not queued for them, one they take in a daily digest is queued held
(`held_for_digest`) and goes out in the next digest (`digests_send`), never alone. Every message
goes out as text and HTML, with one-click unsubscribe headers (RFC 8058) for the kinds that can be
turned off and a footer that links to the preferences."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone, translation

from governance.dispatch import enqueue_after_commit
from governance.emails import fit_key, fit_subject, message_footer, message_render
from governance.models import Notification, NotificationPreference, Organisation, User
from governance.notifications import ALWAYS_SENT, unsubscribe_url

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
    personal=(),
) -> int:
    """Write one outbox row per recipient (a User, or an email address for people without an account).

    The text is the kind's templates rendered with `context` (see governance.emails), or, without
    a context, the `subject` and `body` given. The (email, kind, key) constraint means asking twice
    queues once. Delivery is kicked off after commit; if the broker is down then, the periodic
    flush picks the rows up later. `personal`: the users this message is about in particular (the
    holder of a term that ends), whom it reaches whatever their preferences say."""
    personal = frozenset(u.pk if isinstance(u, User) else u for u in personal)
    if context is not None:
        messages = Message.render(
            recipients=recipients, kind=kind, key=key, context=context, organisation=organisation, personal=personal
        )
    else:
        messages = [
            Message(
                recipients=recipients,
                kind=kind,
                key=key,
                subject=subject,
                body=body,
                organisation=organisation,
                personal=personal,
            )
        ]
    return notifications_queue_many(messages=messages)


@dataclass(frozen=True, eq=False)  # compared (and hashed) by identity: two messages are two messages
class Message:
    """One message for notifications_queue_many: its recipients (Users or email addresses) and text."""

    recipients: Iterable
    kind: str
    key: str
    subject: str
    body: str
    organisation: Organisation | None = None
    html: str = ""
    personal: frozenset = frozenset()  # ids of the users it is about: their preferences do not apply
    held: bool = False  # queued for the recipients' daily digest

    @classmethod
    def render(
        cls, *, recipients: Iterable, kind: str, key: str, context: dict, organisation=None, personal=frozenset()
    ) -> list[Message]:
        """The kind's email templates rendered with `context`, once for each language its recipients
        read (their own choice, else the organisation's): one message per language."""
        if organisation is not None:
            context = {"organisation": organisation, **context}
        by_language: dict[str, list] = {}
        for recipient in recipients:
            by_language.setdefault(recipient_language(recipient, organisation), []).append(recipient)
        messages = []
        for language, group in by_language.items():
            with translation.override(language):
                subject, body, html = message_render(kind, context)
            messages.append(
                cls(
                    recipients=group,
                    kind=kind,
                    key=key,
                    subject=subject,
                    body=body,
                    organisation=organisation,
                    html=html,
                    personal=frozenset(personal),
                )
            )
        return messages


def recipient_language(recipient, organisation=None) -> str:
    """The language an email to `recipient` (a User, or an address without an account) is written in."""
    chosen = recipient.language if isinstance(recipient, User) else ""
    return chosen or (organisation.language if organisation is not None else settings.LANGUAGE_CODE)


def notifications_queue_many(*, messages: Iterable[Message]) -> int:
    """Queue many messages at once, as notifications_queue does one (the closing sweep queues a
    batch of rounds at a time) in one INSERT that skips what is queued already. Returns how many
    rows were queued."""
    recipients: dict[Message, dict[str, int | None]] = {}
    for message in messages:
        for recipient in message.recipients:
            user = recipient if isinstance(recipient, User) else None
            recipients.setdefault(message, {})[user.email if user else str(recipient)] = user.pk if user else None
    recipients = _obey_preferences(recipients)
    queued = _outbox_insert(recipients) if recipients else 0
    if queued:
        enqueue_after_commit("governance.tasks.notifications_flush")
    return queued


def _obey_preferences(recipients: dict[Message, dict[str, int | None]]) -> dict[Message, dict[str, int | None]]:
    """Leave out the recipients who turned a message's kind off in its organisation, and move those
    who take it in a digest to a held copy of the message. One query for the whole batch: the
    preferences of its organisations and kinds that are not "at once" (few: most people keep the
    default, which has no row)."""
    concerned = {m for m in recipients if m.organisation is not None and m.kind not in ALWAYS_SENT and not m.held}
    if not concerned:
        return recipients
    chosen = {
        (user_id, organisation_id, kind): delivery
        for user_id, organisation_id, kind, delivery in NotificationPreference.objects.filter(
            member__organisation_id__in={m.organisation.pk for m in concerned},
            kind__in={m.kind for m in concerned},
        )
        .exclude(delivery=NotificationPreference.Delivery.NOW)
        .values_list("member__user_id", "member__organisation_id", "kind", "delivery")
    }
    if not chosen:
        return recipients
    result: dict[Message, dict[str, int | None]] = {}
    for message, users in recipients.items():
        if message not in concerned:
            result[message] = users
            continue
        now_, held = {}, {}
        for address, user_id in users.items():
            delivery = None
            if user_id is not None and user_id not in message.personal:
                delivery = chosen.get((user_id, message.organisation.pk, message.kind))
            if delivery == NotificationPreference.Delivery.OFF:
                continue
            (held if delivery == NotificationPreference.Delivery.DIGEST else now_)[address] = user_id
        if now_:
            result[message] = now_
        if held:
            result[replace(message, held=True)] = held
    return result


def _outbox_insert(recipients: dict[Message, dict[str, int | None]]) -> int:
    """Write one outbox row per message and recipient (email: user id), skipping those the
    (email, kind, key) constraint already holds; returns how many were written.

    This is bulk_create(ignore_conflicts=True) without a model object per row. The closing sweep
    queues a message to every eligible voter of every round (120,000 rows for 10,000 rounds), and
    preparing and sending every field of every row costs more than the database takes to store it.
    Here the values that are the same for every row (the fields' defaults: when it was queued, no
    attempt yet) are prepared by their field once per call, those of a message (its text) once per
    message, and per row only the recipient's id and email vary (an integer and a string, which
    need no preparing)."""
    meta, ops = Notification._meta, connection.ops
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    recipient, email = meta.get_field("recipient"), meta.get_field("email")
    varying = [meta.get_field(name) for name in MESSAGE_FIELDS]  # a message's own values
    constant = [f for f in fields if f not in (recipient, email, *varying)]  # the same for every row
    constants = {f: f.get_db_prep_save(f.get_default(), connection) for f in constant}
    messages = []  # the prepared values of `varying`, per message
    numbers, user_ids, addresses = [], [], []  # per row: its message's number, the user id, the email
    for number, (message, users) in enumerate(recipients.items()):
        values = {
            "organisation": message.organisation.pk if message.organisation else None,
            # Whoever built the message, what is stored fits its columns: a long title or name
            # never makes the insert, and with it a whole sweep, fail.
            "kind": fit_key(message.kind, "kind"),
            "key": fit_key(message.key),
            "subject": fit_subject(message.subject),
            "body": message.body,
            "html": message.html,
            "held_for_digest": message.held,
        }
        messages.append([f.get_db_prep_save(values[f.name], connection) for f in varying])
        numbers += [number] * len(users)
        user_ids += users.values()
        addresses += users.keys()
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
            # of the message, so that a message's text is sent once and not once per recipient;
            # the columns that are the same for every row are sent once.
            def array(f):
                return f"%s::{f.db_type(connection).split('(')[0]}[]"

            column = {f: ops.quote_name(f.column) for f in fields}
            source = {
                recipient: f"r.{column[recipient]}",
                email: f"r.{column[email]}",
                **{f: f"m.{column[f]}" for f in varying},
                **{f: f"%s::{f.db_type(connection)}" for f in constant},
            }
            sql = (
                f"{insert} SELECT {', '.join(source[f] for f in fields)} "  # noqa: S608 -- names and types from the model
                f"FROM UNNEST(%s::integer[], {array(recipient)}, {array(email)}) "
                f"AS r(message, {column[recipient]}, {column[email]}) "
                f"JOIN UNNEST({', '.join(array(f) for f in varying)}) WITH ORDINALITY "
                f"AS m({', '.join(column[f] for f in varying)}, message) ON m.message = r.message + 1 {suffix}"
            )
            # The recipients' columns (one value per row: thousands in a sweep's batch) go as array
            # literals, which the server reads as one value each; a Python list would be sent as
            # ARRAY[…] with an expression per element for the server to parse, type and plan.
            per_row = [_array_literal(numbers), _array_literal(user_ids), _array_literal(addresses)]
            params = [constants[f] for f in fields if f in constants]  # in the order of the SELECT's %s
            cursor.execute(sql, [*params, *per_row, *map(list, zip(*messages, strict=True))])
            written += cursor.rowcount
        else:
            placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
            rows = list(zip(numbers, user_ids, addresses, strict=True))
            size = max(1, min(1000, ops.bulk_batch_size(fields, rows)))
            # Each message's values by field, made once per message, not once per recipient.
            by_message = [{**constants, **dict(zip(varying, prepared, strict=True))} for prepared in messages]
            for start in range(0, len(rows), size):
                values = []
                for number, user_id, address in rows[start : start + size]:
                    by_field = {**by_message[number], recipient: user_id, email: address}
                    values += [by_field[f] for f in fields]
                placeholders = ", ".join([placeholder] * (len(values) // len(fields)))
                cursor.execute(f"{insert} VALUES {placeholders} {suffix}", values)
                written += cursor.rowcount
    return written


# The columns of an outbox row that a message sets (the same for each of its recipients).
MESSAGE_FIELDS = ("organisation", "kind", "key", "subject", "body", "html", "held_for_digest")


def _array_literal(values) -> str:
    """A PostgreSQL array literal of integers, text or None: `{1,NULL,"a \\"b\\""}`."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(value) is str for value in values):
        # Addresses: quoted, with nothing to escape in nearly every case (a NUL cannot be in a text).
        joined = "\0".join(values)
        if '"' not in joined and "\\" not in joined:
            return '{"' + joined.replace("\0", '","') + '"}'

    def element(value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int):
            return str(value)
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(map(element, values)) + "}"


RETRY_BACKOFF = [60, 300, 900, 3600, 6 * 3600]


def notification_send(*, notification_id: int) -> bool:
    """Send one queued message, holding its row lock so that two workers never both send it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=notification_id, sent_at__isnull=True, held_for_digest=False)
            .select_related("organisation", "recipient")
            .first()
        )
        if notification is None:
            return False
        now = timezone.now()
        notification.attempts += 1
        try:
            email_of(notification).send()
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


def email_of(notification: Notification) -> EmailMultiAlternatives:
    """The email of an outbox row: its text, its HTML, the footer (the organisation, the link to the
    preferences, and for a kind that can be turned off, the link that does it) and, for those kinds,
    the List-Unsubscribe headers of RFC 8058 with a link signed for this recipient and kind."""
    organisation = notification.organisation
    unsubscribe = ""
    if organisation is not None and notification.recipient_id and notification.kind not in ALWAYS_SENT:
        unsubscribe = unsubscribe_url(
            user_id=notification.recipient_id, organisation_id=organisation.pk, kind=notification.kind
        )
    with translation.override(recipient_language(notification.recipient or notification.email, organisation)):
        text_footer, html_footer = message_footer(organisation=organisation, unsubscribe=unsubscribe)
    headers = {}
    if unsubscribe:
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    email = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body.rstrip() + "\n" + text_footer,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers=headers,
    )
    if notification.html:
        email.attach_alternative(_with_footer(notification.html, html_footer), "text/html")
    return email


def _with_footer(html: str, footer: str) -> str:
    marker = "</body>"
    at = html.rfind(marker)
    return html + footer if at < 0 else html[:at] + footer + html[at:]


def notifications_flush(*, limit: int = 500) -> int:
    """Send every due, unsent message (not those held for a digest). Safe to run on several workers at once."""
    due = list(
        Notification.objects.filter(sent_at__isnull=True, held_for_digest=False, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_send(notification_id=pk) for pk in due)
