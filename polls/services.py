"""Writes to polls: open one, answer it, close it, and for a time poll pick the slot that schedules
the meeting (through meetings' own service, so the meeting is like any other)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle
from circles.queries import on_roster, roster
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Member
from governance.services import event_record, notifications_queue
from governance.text import single_line
from meetings.services import meeting_create

from .models import Poll, PollAnswer, PollOption

MAX_OPTIONS = 20


def _lock(poll: Poll) -> Poll:
    return Poll.objects.select_for_update(of=("self",)).select_related("circle__organisation").get(pk=poll.pk)


@transaction.atomic
def poll_create(
    *,
    circle: Circle,
    by: Member,
    kind: str,
    title: str,
    body: str = "",
    options: list[str] | None = None,
    slots: list[datetime] | None = None,
    points: int = 10,
    score_max: int = 5,
    duration_minutes: int = 60,
    closes_at: datetime | None = None,
) -> Poll:
    """Open a poll in a circle: options to score or spread dots on, or slots for a meeting."""
    if kind not in Poll.Kind.values:
        raise Invalid(gettext("Choose a score poll, a dot vote or a time poll."), field="kind")
    if circle.is_archived:
        raise Conflict(gettext("This circle is archived."))
    if not on_roster(by, circle):
        raise NotAllowed(gettext("Only members of %(circle)s can open a poll there.") % {"circle": circle.name})
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise Invalid(gettext("Give the poll a title of at most 200 characters."), field="title")
    single_line(title)
    now = timezone.now()
    if closes_at is not None and closes_at <= now:
        raise Invalid(gettext("The poll must close in the future."), field="closes_at")
    if kind == Poll.Kind.TIME:
        starts = sorted(dict.fromkeys(slots or []))
        if len(starts) < 2:
            raise Invalid(gettext("Propose at least two slots."), field="slots")
        if any(start <= now for start in starts):
            raise Invalid(gettext("Propose slots in the future."), field="slots")
        if not 5 <= duration_minutes <= 24 * 60:
            raise Invalid(gettext("A meeting lasts between 5 minutes and a day."), field="duration_minutes")
        rows = [
            PollOption(
                label=timezone.localtime(s, circle.organisation.tzinfo).strftime("%a %d %b %Y, %H:%M"), starts_at=s
            )
            for s in starts
        ]
    else:
        labels = list(dict.fromkeys(label.strip() for label in options or [] if label.strip()))
        if len(labels) < 2:
            raise Invalid(gettext("Give at least two options."), field="options")
        for label in labels:
            single_line(label)
            if len(label) > 200:
                raise Invalid(gettext("Keep each option to 200 characters."), field="options")
        rows = [PollOption(label=label) for label in labels]
    if len(rows) > MAX_OPTIONS:
        raise Invalid(gettext("At most %(n)d options.") % {"n": MAX_OPTIONS}, field="options")
    if not 1 <= points <= 100:
        raise Invalid(gettext("Give each member between 1 and 100 dots."), field="points")
    if not 1 <= score_max <= 10:
        raise Invalid(gettext("The highest score is between 1 and 10."), field="score_max")
    poll = Poll.objects.create(
        organisation=circle.organisation,
        circle=circle,
        kind=kind,
        title=title,
        body=body or "",
        points=points,
        score_max=score_max,
        duration_minutes=duration_minutes,
        created_by=by,
        closes_at=closes_at,
    )
    for position, row in enumerate(rows):
        row.poll, row.position = poll, position
    PollOption.objects.bulk_create(rows)
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="poll.opened",
        obj=poll,
        circle=circle,
        details={"title": title, "kind": kind, "options": len(rows)},
    )
    notifications_queue(
        recipients=[m.user for m in roster(circle) if m.pk != by.pk],
        kind="poll_opened",
        key=f"poll:{poll.pk}",
        organisation=circle.organisation,
        context={"poll": poll, "circle": circle, "url": poll_url(poll)},
    )
    return poll


def poll_url(poll: Poll) -> str:
    return settings.SITE_URL + reverse("poll", kwargs={"org": poll.organisation.slug, "pk": poll.pk})


@transaction.atomic
def poll_answer(*, poll: Poll, member: Member, values: dict[int, int]) -> list[PollAnswer]:
    """Record a member's answers (option id → value), replacing their earlier ones. Score: 0 to the
    highest score on each option. Dots: whole dots, at most the poll's points in all. Time: 2 yes,
    1 if need be, 0 no."""
    poll = _lock(poll)
    if not poll.is_open:
        raise Conflict(gettext("This poll is closed."))
    if not on_roster(member, poll.circle):
        raise NotAllowed(gettext("Only members of %(circle)s answer this poll.") % {"circle": poll.circle.name})
    options = {o.pk: o for o in poll.options.all()}
    values = {int(k): int(v) for k, v in (values or {}).items()}
    if not set(values) <= set(options):
        raise Invalid(gettext("Answer this poll's options only."), field="values")
    if any(v < 0 for v in values.values()):
        raise Invalid(gettext("Values cannot be negative."), field="values")
    if poll.kind == Poll.Kind.SCORE and any(v > poll.score_max for v in values.values()):
        raise Invalid(gettext("Score each option from 0 to %(max)d.") % {"max": poll.score_max}, field="values")
    if poll.kind == Poll.Kind.DOTS and sum(values.values()) > poll.points:
        raise Invalid(
            gettext("You have %(points)d dots; you spread %(used)d.")
            % {"points": poll.points, "used": sum(values.values())},
            field="values",
        )
    if poll.kind == Poll.Kind.TIME and any(v not in (0, 1, 2) for v in values.values()):
        raise Invalid(gettext("Mark each slot yes, if need be, or no."), field="values")
    now = timezone.now()
    answers = []
    for option_id, value in values.items():
        answer, _created = PollAnswer.objects.update_or_create(
            option_id=option_id, member=member, defaults={"value": value, "answered_at": now}
        )
        answers.append(answer)
    event_record(
        organisation=poll.organisation,
        actor=member,
        verb="poll.answered",
        obj=poll,
        circle=poll.circle,
        details={"title": poll.title},  # who answered, not what: totals are on the page
    )
    return answers


def may_manage(member: Member | None, poll: Poll) -> bool:
    """The organiser (who opened it) manages a poll."""
    return member is not None and poll.created_by_id == member.pk


@transaction.atomic
def poll_close(*, poll: Poll, by: Member | None) -> Poll:
    poll = _lock(poll)
    if poll.state == Poll.State.CLOSED:
        raise Conflict(gettext("This poll is already closed."))
    poll.state, poll.closed_at = Poll.State.CLOSED, timezone.now()
    poll.save(update_fields=["state", "closed_at"])
    event_record(
        organisation=poll.organisation,
        actor=by,
        verb="poll.closed",
        obj=poll,
        circle=poll.circle,
        details={"title": poll.title},
    )
    return poll


@transaction.atomic
def time_poll_pick(*, poll: Poll, option: PollOption, by: Member, title: str = "") -> Poll:
    """The organiser picks a slot: the poll closes and the meeting is scheduled for that slot in the
    poll's circle, by meetings' own service (its facilitator and secretary, reminders, calendar)."""
    poll = _lock(poll)
    if poll.kind != Poll.Kind.TIME:
        raise Conflict(gettext("Only a time poll schedules a meeting."))
    if poll.meeting_id is not None:
        raise Conflict(gettext("A slot was already picked: the meeting is scheduled."))
    if option.poll_id != poll.pk:
        raise Invalid(gettext("Pick one of this poll's slots."), field="option")
    if option.starts_at <= timezone.now():
        raise Conflict(gettext("That slot has passed; pick a later one."), field="option")
    starts = option.starts_at
    meeting = meeting_create(
        circle=poll.circle,
        by=by,
        title=(title or poll.title).strip(),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=poll.duration_minutes),
    )
    poll.picked, poll.meeting = option, meeting
    poll.state, poll.closed_at = Poll.State.CLOSED, poll.closed_at or timezone.now()
    poll.save(update_fields=["picked", "meeting", "state", "closed_at"])
    event_record(
        organisation=poll.organisation,
        actor=by,
        verb="poll.closed",
        obj=poll,
        circle=poll.circle,
        details={"title": poll.title, "meeting": meeting.pk, "starts_at": starts.isoformat()},
    )
    return poll
