"""Every write to organisations, members, invitations, tokens, the event log and the outbox.

Each function is atomic, takes keyword arguments, raises a DomainError with a clear message when a
rule refuses, records an event, and queues side effects (emails) only after the transaction commits.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.text import slugify

from .emails import fit_key, fit_subject, message_render
from .errors import Conflict, Invalid, NotAllowed
from .models import ApiToken, Event, Invitation, Member, MembershipClass, Notification, Organisation, User

log = logging.getLogger(__name__)


# The event log ---------------------------------------------------------------------------------


def event_record(
    *, organisation: Organisation, actor: Member | None, verb: str, obj, circle=None, details=None
) -> Event:
    """Append one line to the organisation's event log. Called by services inside their transaction.

    It also queues the webhook deliveries of the event, in the same transaction (see
    governance.integrations.events for which verbs are sent)."""
    (event,) = events_record(
        events=[event_new(organisation=organisation, actor=actor, verb=verb, obj=obj, circle=circle, details=details)]
    )
    return event


def event_new(*, organisation: Organisation, actor: Member | None, verb: str, obj, circle=None, details=None) -> Event:
    """An unsaved line of the event log, to pass to events_record."""
    return Event(
        organisation=organisation,
        actor=actor,
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        circle=circle,
        details=details or {},
    )


def plain(value):
    """A value as an event's details hold it: JSON's own types as they are, anything else (a circle,
    a moment, a date, a decimal) as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def changes_apply(obj, values: dict) -> dict[str, list]:
    """Set `values` on `obj` (unsaved) and say what changed, the way every `*.updated` event records
    it: `{field: [before, after]}` with plain values, only for the fields whose value differs. An event
    puts it under `details["changes"]`, so that every app's events and webhooks have one shape."""
    changed = {}
    for field, value in values.items():
        before = getattr(obj, field)
        if before != value:
            changed[field] = [plain(before), plain(value)]
            setattr(obj, field, value)
    return changed


def events_record(*, events: list[Event]) -> list[Event]:
    """Append many lines in one INSERT (the closing sweep records a batch of rounds at once).

    The one writer of the event log: event_record is a call of it with one line, so whatever must
    follow every event (its webhook deliveries) is done here, for one event or a thousand alike."""
    from .integrations.events import event_type_of
    from .integrations.webhooks import webhook_deliveries_queue
    from .models import WebhookEndpoint

    if not events:
        return []
    Event.objects.bulk_create(events, batch_size=1000)
    sent = [event for event in events if event_type_of(event.verb)]
    if len(sent) > 1:
        # One query tells which organisations have a webhook at all, so that a batch whose
        # organisations have none costs no query per event.
        hooked = set(
            WebhookEndpoint.objects.filter(
                organisation_id__in={event.organisation_id for event in sent}, is_active=True
            ).values_list("organisation_id", flat=True)
        )
        sent = [event for event in sent if event.organisation_id in hooked]
    for event in sent:
        webhook_deliveries_queue(event=event)
    return events


# The notification outbox -----------------------------------------------------------------------


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
        transaction.on_commit(_enqueue_flush)
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


def _enqueue_flush():
    from .tasks import notifications_flush

    try:
        notifications_flush.delay()
    except Exception as exc:  # the broker is down: the beat sweep delivers the rows later
        log.warning("Could not enqueue notification delivery (%s); the periodic flush will retry.", exc)


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


REASON_MAX = 300


def clean_reason(reason: str, *, what: str, max_length: int = REASON_MAX) -> str:
    """A reason kept in the history: required, and refused (not cut) when too long to store."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(f"Say why {what}; it is kept in the history.", field="reason")
    if len(reason) > max_length:
        raise Invalid(f"Keep the reason to {max_length} characters ({len(reason)} now).", field="reason")
    return reason


LEFT_PREFIX = "Left the organisation: "


# Organisations and membership classes ----------------------------------------------------------


def local_time(organisation: Organisation, moment) -> str:
    """A moment as people of the organisation read it in mail: their zone, weekday and all."""
    return timezone.localtime(moment, organisation.tzinfo).strftime("%A %d %B %Y, %H:%M %Z")


def unique_slug(model, base: str, *, fallback: str = "item", **scope) -> str:
    base = slugify(base)[:50] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    name: str,
    creator: User,
    slug: str = "",
    description: str = "",
    time_zone: str = "UTC",
    general_circle_name: str = "General circle",
) -> Organisation:
    """Create an organisation with a default membership class, its general circle, and the creator
    as its first admin member (and steward of the general circle)."""
    from circles.services import circle_create
    from roles.services import steward_assign

    organisation = Organisation.objects.create(
        name=name, slug=slug or unique_slug(Organisation, name), description=description, time_zone=time_zone
    )
    members_class = MembershipClass.objects.create(organisation=organisation, name="Members", voting_weight=1)
    creator_member = Member.objects.create(
        organisation=organisation, user=creator, membership_class=members_class, is_admin=True
    )
    event_record(organisation=organisation, actor=creator_member, verb="organisation.created", obj=organisation)
    general = circle_create(
        organisation=organisation,
        by=creator_member,
        name=general_circle_name,
        parent=None,
        purpose="All members of the organisation, together.",
    )
    steward_assign(circle=general, member=creator_member, by=creator_member)
    return organisation


ORGANISATION_SETTINGS = (
    "name",
    "description",
    "time_zone",
    "circle_size_min",
    "circle_size_max",
    "load_max_circles",
    "consent_round_days",
)


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: Member | None, **changes) -> Organisation:
    unknown = set(changes) - set(ORGANISATION_SETTINGS)
    if unknown:
        raise Invalid(f"Unknown setting: {', '.join(sorted(unknown))}.")
    if changes.get("consent_round_days", organisation.consent_round_days) < 1:
        raise Invalid("A consent round lasts at least one day.", field="consent_round_days")
    if changes.get("load_max_circles", organisation.load_max_circles) < 1:
        raise Invalid("The role-load guidance is at least one circle.", field="load_max_circles")
    size_min = changes.get("circle_size_min", organisation.circle_size_min)
    size_max = changes.get("circle_size_max", organisation.circle_size_max)
    if size_min < 1 or size_min > size_max:
        raise Invalid("The smallest circle size must be at least 1 and not above the largest.", field="circle_size_min")
    before = {field: getattr(organisation, field) for field in changes}
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.save(update_fields=list(changes))
    changed = {f: [str(before[f]), str(v)] for f, v in changes.items() if before[f] != v}
    if changed:
        event_record(
            organisation=organisation, actor=by, verb="organisation.updated", obj=organisation, details=changed
        )
    return organisation


@transaction.atomic
def membership_class_save(
    *,
    organisation: Organisation,
    by: Member | None,
    name: str,
    voting_weight: int,
    may_vote: bool,
    description: str = "",
    membership_class: MembershipClass | None = None,
) -> MembershipClass:
    """Create a membership class, or change one (its weight applies to rounds opened afterwards)."""
    name = name.strip()
    if not name:
        raise Invalid("A membership class needs a name.", field="name")
    if voting_weight < 0:
        raise Invalid("Voting weight cannot be negative.", field="voting_weight")
    clash = MembershipClass.objects.filter(organisation=organisation, name__iexact=name)
    if membership_class is not None:
        clash = clash.exclude(pk=membership_class.pk)
    if clash.exists():
        raise Invalid(f"There is already a membership class called “{name}”.", field="name")
    if may_vote and membership_class is not None and membership_class.members.filter(is_bot=True).exists():
        raise Invalid("Integrations are members of this class, and an integration never votes.", field="may_vote")
    verb = "membership_class.updated" if membership_class else "membership_class.created"
    membership_class = membership_class or MembershipClass(organisation=organisation)
    membership_class.name = name
    membership_class.voting_weight = voting_weight
    membership_class.may_vote = may_vote
    membership_class.description = description
    membership_class.save()
    event_record(
        organisation=organisation,
        actor=by,
        verb=verb,
        obj=membership_class,
        details={"voting_weight": voting_weight, "may_vote": may_vote},
    )
    return membership_class


# Members ---------------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *,
    organisation: Organisation,
    user: User,
    membership_class: MembershipClass,
    by: Member | None = None,
    is_admin: bool = False,
) -> Member:
    """Join a user to an organisation, or welcome back one who had left."""
    if membership_class.organisation_id != organisation.pk:
        raise Invalid("That membership class belongs to another organisation.", field="membership_class")
    member = Member.objects.select_for_update().filter(organisation=organisation, user=user).first()
    if member and member.is_active:
        raise Conflict(f"{user} is already a member of {organisation}.")
    if member:
        member.status, member.left_at, member.left_reason = Member.Status.ACTIVE, None, ""
        member.membership_class, member.joined_at = membership_class, timezone.now()
        member.save(update_fields=["status", "left_at", "left_reason", "membership_class", "joined_at"])
        verb = "member.rejoined"
    else:
        member = Member.objects.create(
            organisation=organisation, user=user, membership_class=membership_class, is_admin=is_admin
        )
        verb = "member.joined"
    event_record(
        organisation=organisation,
        actor=by or member,
        verb=verb,
        obj=member,
        details={"member": str(user), "membership_class": membership_class.name},
    )
    return member


@transaction.atomic
def member_update(
    *, member: Member, by: Member | None, membership_class: MembershipClass | None = None, is_admin: bool | None = None
) -> Member:
    changes = {}
    if by is not None and by.is_bot and (member.pk == by.pk or is_admin is not None):
        # An integration acts for the admin who made it; who is an admin is for people to decide.
        raise NotAllowed("An integration cannot change who is an admin, nor its own membership.")
    if membership_class is not None and membership_class.pk != member.membership_class_id:
        if member.is_bot:
            raise Invalid("An integration stays in its own membership class; it never votes.", field="membership_class")
        if membership_class.organisation_id != member.organisation_id:
            raise Invalid("That membership class belongs to another organisation.", field="membership_class")
        changes["membership_class"] = [member.membership_class.name, membership_class.name]
        member.membership_class = membership_class
    if is_admin is not None and is_admin != member.is_admin:
        if not is_admin and _is_last_admin(member):
            raise Conflict("This is the organisation's last admin; make someone else an admin first.")
        changes["is_admin"] = [member.is_admin, is_admin]
        member.is_admin = is_admin
    if changes:
        rights_before = _integration_rights_of_maker(member) if "is_admin" in changes else {}
        member.save(update_fields=["membership_class", "is_admin"])
        event_record(
            organisation=member.organisation,
            actor=by,
            verb="member.updated",
            obj=member,
            details={"member": str(member.user), **changes},
        )
        _record_integration_rights(maker=member, by=by, before=rights_before)
    return member


def _integration_rights_of_maker(maker: Member) -> dict[int, str | None]:
    """The rights each live integration this member made acts with now (ApiToken.bot_rights), by token."""
    if maker.is_bot:
        return {}
    tokens = ApiToken.objects.filter(created_by=maker, revoked_at__isnull=True, member__status=Member.Status.ACTIVE)
    return {token.pk: token.bot_rights for token in tokens.select_related("member", "created_by")}


def _record_integration_rights(*, maker: Member, by: Member | None, before: dict[int, str | None]) -> None:
    """Record, for each integration the member made, that it now acts with other rights: its rights
    follow its maker's (ApiToken.bot_rights), so a demotion or a departure changes them at once."""
    if not before:
        return
    for token in ApiToken.objects.filter(pk__in=before).select_related("member__user", "created_by__user"):
        if token.bot_rights != before[token.pk]:
            event_record(
                organisation=maker.organisation,
                actor=by,
                verb="integration.rights_changed",
                obj=token.member,
                details={
                    "name": token.name,
                    "member": str(maker.user),
                    "acts_as": [before[token.pk] or "none", token.bot_rights or "none"],
                },
            )


def _is_last_admin(member: Member) -> bool:
    """Whether no other person is an admin. An integration's bot member does not count: it cannot
    log in to the pages, so it cannot hand the organisation back to a person."""
    return (
        member.is_admin
        and not member.is_bot
        and not (
            Member.objects.filter(
                organisation_id=member.organisation_id, is_admin=True, is_bot=False, status=Member.Status.ACTIVE
            )
            .exclude(pk=member.pk)
            .exists()
        )
    )


@transaction.atomic
def member_remove(*, member: Member, by: Member | None, reason: str) -> Member:
    """A member leaves the organisation: their circle memberships and roles end with the same reason.
    Their history stays; they can no longer see the organisation or vote in it."""
    from circles.models import CircleMembership
    from roles.models import RoleAssignment

    reason = clean_reason(reason, what="the member leaves", max_length=REASON_MAX - len(LEFT_PREFIX))
    if _is_last_admin(member):
        raise Conflict("This is the organisation's last admin; make someone else an admin first.")
    rights_before = _integration_rights_of_maker(member)
    now = timezone.now()
    changed = Member.objects.filter(pk=member.pk, status=Member.Status.ACTIVE).update(
        status=Member.Status.LEFT, left_at=now, left_reason=reason
    )
    if not changed:
        raise Conflict(f"{member.user} has already left.")
    CircleMembership.objects.filter(member=member, left_at__isnull=True).update(
        left_at=now, removed_by=by, removal_reason=LEFT_PREFIX + reason
    )
    RoleAssignment.objects.filter(member=member, ended_at__isnull=True).update(
        ended_at=now, end_reason=RoleAssignment.EndReason.LEFT
    )
    member.refresh_from_db()
    event_record(
        organisation=member.organisation,
        actor=by,
        verb="member.left",
        obj=member,
        details={"member": str(member.user), "reason": reason},
    )
    _record_integration_rights(maker=member, by=by, before=rights_before)
    return member


# Invitations -----------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    by: Member,
    email: str,
    membership_class: MembershipClass,
    circle=None,
    message: str = "",
    bound_to_email: bool = True,
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and its one-time token (only its hash is kept).
    Unless `bound_to_email` is off ("anyone with the link"), only that address's account may accept."""
    email = (email or "").strip().lower()
    if not email:
        raise Invalid("Enter an email address.", field="email")
    if membership_class.organisation_id != organisation.pk:
        raise Invalid("That membership class belongs to another organisation.", field="membership_class")
    if circle is not None and (circle.organisation_id != organisation.pk or circle.is_archived):
        raise Invalid("Choose an active circle of this organisation.", field="circle")
    if Member.objects.filter(
        organisation=organisation, user__email__iexact=email, status=Member.Status.ACTIVE
    ).exists():
        raise Conflict(f"{email} is already a member of {organisation}.", field="email")
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        membership_class=membership_class,
        circle=circle,
        message=message,
        bound_to_email=bound_to_email,
        token_hash=token_hash,
        invited_by=by,
    )
    event_record(
        organisation=organisation,
        actor=by,
        verb="invitation.created",
        obj=invitation,
        circle=circle,
        details={"email": email} if bound_to_email else {"email": email, "anyone_with_the_link": True},
    )
    notifications_queue(
        recipients=[email],
        kind="invitation",
        key=f"invitation:{invitation.pk}",
        context={
            "invitation": invitation,
            "organisation": organisation,
            "by": by,
            "circle": circle,
            "message": message,
            "link": f"{settings.SITE_URL}/invitations/{token}/",
        },
        organisation=organisation,
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by__user", "circle", "membership_class")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def invitation_is_for(invitation: Invitation, user: User) -> bool:
    """Whether this account may accept the invitation: anyone may when the inviter chose "anyone with
    the link"; otherwise only an account whose login email, or another of its verified addresses, is
    the invited one (in any case)."""
    if not invitation.bound_to_email or (user.email or "").lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Member:
    """Accept an invitation: single use (claimed by a conditional update), refused once expired, and,
    unless it is for anyone with the link, refused to another account than the invited address's
    (before it is claimed, so the invited person can still use it)."""
    from circles.services import roster_add

    invitation = invitation_for_token(token)
    if invitation is None:
        raise Invalid("This invitation link is not valid.")
    if invitation.state != "pending":
        raise Conflict(f"This invitation has been {invitation.state}; ask for a new one.")
    if not invitation_is_for(invitation, user):
        raise NotAllowed(
            f"This invitation is for {invitation.email} only, and you are logged in as {user.email}. "
            f"Log in with {invitation.email} to accept it, or ask {invitation.invited_by.user} to invite this address."
        )
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not claimed:
        raise Conflict("This invitation has just been used; ask for a new one.")
    organisation = invitation.organisation
    member = Member.objects.filter(organisation=organisation, user=user).first()
    if member is None or not member.is_active:
        member = member_add(organisation=organisation, user=user, membership_class=invitation.membership_class)
    if invitation.circle_id and not invitation.circle.is_archived:
        try:
            with transaction.atomic():
                roster_add(circle=invitation.circle, member=member, by=invitation.invited_by)
        except Conflict:
            pass  # already on the roster
    event_record(
        organisation=organisation, actor=member, verb="invitation.accepted", obj=invitation, circle=invitation.circle
    )
    return member


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Member | None) -> Invitation:
    revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise Conflict(f"This invitation has already been {invitation.state}.")
    invitation.refresh_from_db()
    event_record(organisation=invitation.organisation, actor=by, verb="invitation.revoked", obj=invitation)
    return invitation


# API tokens ------------------------------------------------------------------------------------

TOKEN_NAME_MAX = 100
INTEGRATIONS_CLASS = "Integrations"


def _clean_token(name: str, expires_at) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the token a name, so you recognise it later.", field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise Invalid(f"Keep the name to {TOKEN_NAME_MAX} characters ({len(name)} now).", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid("A token expires in the future; leave the date empty for one that does not.", field="expires_at")
    return name


# "Not given": a token minted with a token then takes that token's expiry; otherwise it never expires.
CALLERS_EXPIRY = object()


def _bounded_by_caller(caller: ApiToken | None, *, read_only: bool | None, expires_at) -> tuple[bool, object]:
    """A token minted with a token (over the API) expires no later than that token and writes only if
    it may: what is not asked for is the caller's, what asks for more is refused, never quietly cut
    down. A person in the browser (no caller token) chooses freely."""
    if read_only is None:
        read_only = bool(caller and caller.read_only)
    if expires_at is CALLERS_EXPIRY:
        expires_at = caller.expires_at if caller else None
    if caller is None:
        return read_only, expires_at
    if caller.read_only and not read_only:
        raise Invalid("A read-only token can only create read-only tokens.", field="read_only")
    if caller.expires_at is not None and (expires_at is None or expires_at > caller.expires_at):
        raise Invalid(
            "A token created with a token expires no later than that token does "
            f"({caller.expires_at.isoformat()}); choose that moment or an earlier one.",
            field="expires_at",
        )
    return read_only, expires_at


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    read_only: bool | None = None,
    expires_at=CALLERS_EXPIRY,
    caller_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """A personal token, acting as its user. Returns the token and its secret (only the hash is kept).
    An integration's bot cannot make itself tokens: revoking the integration must stop it for good.
    `caller_token`: the token the request came with, which bounds the new one (_bounded_by_caller)."""
    read_only, expires_at = _bounded_by_caller(caller_token, read_only=read_only, expires_at=expires_at)
    name = _clean_token(name, expires_at)
    if Member.objects.filter(user=user, is_bot=True).exists():
        raise NotAllowed("An integration cannot create tokens; an admin of its organisation can.")
    key, key_hash = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:12], key_hash=key_hash, read_only=read_only, expires_at=expires_at
    )
    return token, key


def _integrations_class(organisation: Organisation) -> MembershipClass:
    """The membership class of integration bots: it may not vote and weighs nothing, so a bot is
    never an eligible voter and never counts towards a quorum."""
    membership_class, _ = MembershipClass.objects.get_or_create(
        organisation=organisation,
        name=INTEGRATIONS_CLASS,
        defaults={
            "voting_weight": 0,
            "may_vote": False,
            "description": "Integration tokens act as members of this class. They never vote.",
        },
    )
    return membership_class


@transaction.atomic
def integration_token_create(
    *,
    organisation: Organisation,
    by: Member,
    name: str,
    is_admin: bool = False,
    read_only: bool | None = None,
    expires_at=CALLERS_EXPIRY,
    caller_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """An organisation's integration token. It acts as a new bot member of the organisation named
    after it, with a member's rights or, when granted, an admin's; add the bot to a circle's roster to
    let it act there. Returns the token and its secret (only the hash is kept). Made with a token
    (`caller_token`), it is bounded by that token as a personal one is (_bounded_by_caller)."""
    read_only, expires_at = _bounded_by_caller(caller_token, read_only=read_only, expires_at=expires_at)
    name = _clean_token(name, expires_at)
    bot_user = User.objects.create_user(
        email=f"integration-{secrets.token_hex(8)}@{organisation.slug}.integrations.invalid", password=None, name=name
    )
    bot = Member.objects.create(
        organisation=organisation,
        user=bot_user,
        membership_class=_integrations_class(organisation),
        is_admin=is_admin,
        is_bot=True,
    )
    key, key_hash = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=bot_user,
        organisation=organisation,
        member=bot,
        created_by=by,
        name=name,
        prefix=key[:12],
        key_hash=key_hash,
        read_only=read_only,
        expires_at=expires_at,
    )
    event_record(
        organisation=organisation,
        actor=by,
        verb="integration.created",
        obj=bot,
        details={"name": name, "is_admin": is_admin, "read_only": read_only},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Member | None = None) -> ApiToken:
    """Revoke a token. Revoking an integration's token also ends its bot's membership (with its
    circle memberships and roles), so nothing it was granted outlives it."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    if revoked and token.member_id:
        bot = Member.objects.select_related("organisation", "user").get(pk=token.member_id)
        ApiToken.objects.filter(user_id=bot.user_id, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
        if bot.is_active:
            member_remove(member=bot, by=by, reason="Its integration token was revoked.")
    return token


def user_create(*, email: str, password: str | None, name: str = "") -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError as exc:
        raise Conflict(f"There is already an account for {email}.", field="email") from exc
