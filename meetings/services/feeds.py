"""Calendar feeds: a member's secret iCalendar URL, for all their circles or for one."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle
from governance.errors import Invalid, NotAllowed
from governance.models import Member

from ..models import CalendarFeed


@transaction.atomic
def calendar_feed_create(*, member: Member, circle: Circle | None = None) -> tuple[CalendarFeed, str]:
    """A new secret feed URL for the member (all their circles) or for one circle. A live one of the
    same scope is revoked: this is also how a leaked link is replaced. Only the token's hash is kept."""
    if not member.is_active:
        raise NotAllowed(gettext("Only active members have calendar feeds."))
    if circle is not None and circle.organisation_id != member.organisation_id:
        raise Invalid(gettext("That circle belongs to another organisation."), field="circle")
    CalendarFeed.objects.filter(member=member, circle=circle, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token, token_hash = CalendarFeed.new_token()
    feed = CalendarFeed.objects.create(member=member, circle=circle, prefix=token[:12], token_hash=token_hash)
    return feed, token


def calendar_feed_revoke(*, feed: CalendarFeed) -> CalendarFeed:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    feed.refresh_from_db()
    return feed


def calendar_feed_touch(*, feed: CalendarFeed) -> None:
    """Note when a feed was last fetched, at most once an hour (calendar apps poll often)."""
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(hours=1))
    ).update(last_used_at=now)
