"""The daily digest: what a member takes "in a daily digest" is held in the outbox
(governance.services.outbox) and goes out here, once a day per member and organisation, in one email.

A beat sweep (`digests_send`, every quarter of an hour) sends each digest that is due: the digest of
a day is due from DIGEST_HOUR in the organisation's time zone, and its outbox key names the member's
organisation and the day. So a second tick, a second worker, or a worker back after being down for
hours sends that day's digest once, at its next tick; nothing held is lost or sent twice. A day's
digest holds what was held before its hour: the first message of a day does not go out alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from .models import Member, Notification, Organisation
from .notifications import DIGEST_KIND
from .services.outbox import Message, notifications_queue_many
from .sweeps import sweep_each


def digest_due(organisation: Organisation, now) -> tuple[date, datetime]:
    """The day whose digest is due at `now` and its moment: today at DIGEST_HOUR in the
    organisation's time zone once that has come, else yesterday's. A day's digest holds what was
    held before its moment; what came after waits for the next day's."""
    tz = organisation.tzinfo
    local = timezone.localtime(now, tz)
    day = local.date() if local.hour >= settings.DIGEST_HOUR else local.date() - timedelta(days=1)
    return day, datetime.combine(day, time(settings.DIGEST_HOUR), tzinfo=tz)


def digests_send(*, now: datetime | None = None) -> int:
    """Send each member the digest of what is held for them, once a day per member and organisation.

    The digest of a day is due from DIGEST_HOUR, the organisation's time; the outbox key holds the
    member and the day, so a second tick, a second worker or a catch-up after the worker was down
    for hours sends it once. What is held after a day's digest went out waits for the next day's.
    Returns how many digests were queued."""
    now = now or timezone.now()
    held = Notification.objects.filter(
        recipient=OuterRef("user_id"), organisation=OuterRef("organisation_id"), held_for_digest=True, sent_at=None
    )
    members = Member.objects.filter(Exists(held), status=Member.Status.ACTIVE).select_related("organisation", "user")
    return sweep_each(members, lambda member: digest_send(member=member, now=now), sweep="digests_send", now=now).total


@transaction.atomic
def digest_send(*, member: Member, now) -> int:
    """Queue one member's digest for the day due at `now` (once), with what is held for them."""
    organisation = member.organisation
    day, cutoff = digest_due(organisation, now)
    key = f"digest:{organisation.pk}:{day.isoformat()}"
    if Notification.objects.filter(email=member.user.email, kind=DIGEST_KIND, key=key).exists():
        return 0  # this day's went out already: the rest waits for the next
    items = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            recipient=member.user, organisation=organisation, held_for_digest=True, sent_at=None, created_at__lt=cutoff
        )
        .order_by("created_at", "pk")
    )
    if not items:
        return 0
    url = settings.SITE_URL + reverse("inbox", kwargs={"org": organisation.slug})
    messages = Message.render(
        recipients=[member.user],
        kind=DIGEST_KIND,
        key=key,
        context={"items": items, "day": day, "url": url},
        organisation=organisation,
    )
    if not notifications_queue_many(messages=messages):
        return 0  # another worker queued it a moment ago (and sends what it held)
    digest = Notification.objects.get(email=member.user.email, kind=DIGEST_KIND, key=key)
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(sent_at=now, digest=digest)
    return 1
