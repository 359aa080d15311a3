"""What the services of meetings share: the page URLs and the context their emails carry, who
hears of a meeting, and the checks of a title, its leads and its times."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from circles.queries import roster
from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation

from ..models import Meeting, Minutes

TITLE_MAX = 200
NOTE_MAX = 300


def meeting_url(meeting: Meeting) -> str:
    path = reverse("meeting", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk})
    return f"{settings.SITE_URL}{path}"


def _when_words(organisation: Organisation, moment) -> str:
    """A moment as people of the organisation read it in mail: their zone, weekday and all."""
    local = timezone.localtime(moment, organisation.tzinfo)
    return f"{date_format(local, 'l d F Y, H:i')} {local.strftime('%Z')}"


# Lazy: an email's context is rendered once per language its recipients read, and the weekday and
# month are each reader's.
when = lazy(_when_words, str)
day_words = lazy(date_format, str)

UNTITLED = {
    "the meeting": _("Give the meeting a title."),
    "the action": _("Give the action a title."),
    "the item": _("Give the item a title."),
    "the tension": _("Give the tension a title."),
}


def meeting_context(meeting: Meeting) -> dict:
    """What every email about a meeting says: the meeting, when it starts (its organisation's time), its page."""
    return {"meeting": meeting, "starts": when(meeting.organisation, meeting.starts_at), "url": meeting_url(meeting)}


def users_of(members) -> list:
    return [m.user for m in members if m is not None and m.is_active]


def circle_people(circle: Circle, *extra: Member | None) -> list:
    """The circle's roster (everyone, for the general circle), plus the meeting's leads."""
    people = {m.pk: m for m in roster(circle)}
    for member in extra:
        if member is not None:
            people.setdefault(member.pk, member)
    return users_of(people.values())


def clean_title(title: str, *, what: str = "the meeting") -> str:
    title = (title or "").strip()
    if not title:
        raise Invalid(str(UNTITLED[what]), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(gettext("Keep the title to %(max)s characters.") % {"max": TITLE_MAX}, field="title")
    return title


def check_lead(member: Member | None, circle: Circle, field: str) -> None:
    if member is not None and (member.organisation_id != circle.organisation_id or not member.is_active):
        raise Invalid(gettext("Choose an active member of this organisation."), field=field)


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at is None:
        raise Invalid(gettext("Say when the meeting starts."), field="starts_at")
    if ends_at is None or ends_at <= starts_at:
        raise Invalid(gettext("The meeting ends after it starts."), field="ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise Invalid(gettext("A meeting lasts at most 24 hours."), field="ends_at")


def check_circle(circle: Circle) -> None:
    if circle.is_archived:
        raise Conflict(gettext("This circle is archived; it holds no new meetings."))


def lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation", "circle", "series", "facilitator__user", "secretary__user")
        .get(pk=meeting.pk)
    )


def refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise Conflict(gettext("This meeting is cancelled."))


def has_published_minutes(meeting: Meeting) -> bool:
    return Minutes.objects.filter(meeting=meeting, state=Minutes.State.PUBLISHED).exists()


def refuse_if_closed(meeting: Meeting) -> None:
    refuse_if_cancelled(meeting)
    if has_published_minutes(meeting):
        raise Conflict(gettext("The minutes of this meeting are published; its agenda is part of the record."))


def actions_url(organisation: Organisation) -> str:
    return f"{settings.SITE_URL}{reverse('my-actions', kwargs={'org': organisation.slug})}"
