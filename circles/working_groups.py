"""Working groups: circles made for one initiative, with a goal and an end date. Before the end its
steward is reminded (once per end date) and offered to propose extending or closing it.

Why a sweep and not an ETA task: the end date can move (an extension), and a restart or a missed
tick must lose nothing; the sweep reads the dates as they are and `end_reminded_on` makes it
idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from governance.changes import ChangeContext
from governance.dates import sane_date
from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation
from governance.services import event_record, notifications_queue
from governance.sweeps import sweep_each

from . import hooks
from .models import Circle
from .services import circle_create


def _decided(decision: ChangeContext | None) -> dict:
    return decision.event_details() if decision is not None else {}


def local_today(organisation: Organisation, now=None) -> date:
    return timezone.localtime(now or timezone.now(), organisation.tzinfo).date()


def end_date_check(value, *, organisation: Organisation, after: date | None = None) -> date:
    """A working group's end date: a real date, after today (and after `after`, for an extension)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise Invalid(gettext("Give the end date as a date (YYYY-MM-DD)."), field="ends_on") from None
    if not isinstance(value, date):
        raise Invalid(gettext("Give the end date as a date (YYYY-MM-DD)."), field="ends_on")
    try:
        sane_date(value)
    except Exception:
        raise Invalid(gettext("That end date is too far away."), field="ends_on") from None
    if value <= local_today(organisation):
        raise Invalid(gettext("A working group ends after today."), field="ends_on")
    if after is not None and value <= after:
        raise Invalid(
            gettext("An extension ends after the current end date, %(date)s.") % {"date": after.isoformat()},
            field="ends_on",
        )
    return value


@transaction.atomic
def working_group_create(
    *,
    organisation: Organisation,
    by: Member | None,
    parent: Circle,
    name: str,
    goal: str,
    ends_on: date,
    purpose: str = "",
    decision: ChangeContext | None = None,
) -> Circle:
    """Create a working group: a circle under `parent` with a goal and an end date."""
    goal = (goal or "").strip()
    if not goal:
        raise Invalid(gettext("Say what the working group is for: its goal."), field="goal")
    ends_on = end_date_check(ends_on, organisation=organisation)
    circle = circle_create(
        organisation=organisation, by=by, name=name, parent=parent, purpose=purpose, decision=decision
    )
    Circle.objects.filter(pk=circle.pk).update(goal=goal, ends_on=ends_on)
    circle.refresh_from_db()
    event_record(
        organisation=organisation,
        actor=by,
        verb="working_group.created",
        obj=circle,
        circle=circle,
        details={"goal": goal, "ends_on": ends_on.isoformat(), **_decided(decision)},
    )
    return circle


@transaction.atomic
def working_group_extend(
    *, circle: Circle, by: Member | None, ends_on: date, decision: ChangeContext | None = None
) -> Circle:
    """Move a working group's end date later; its steward is reminded again before the new one."""
    circle = Circle.objects.select_for_update().select_related("organisation").get(pk=circle.pk)
    if circle.is_archived:
        raise Conflict(gettext("The working group “%(circle)s” is closed.") % {"circle": circle}, field="circle")
    if not circle.is_working_group:
        raise Conflict(gettext("“%(circle)s” is not a working group.") % {"circle": circle}, field="circle")
    before = circle.ends_on
    ends_on = end_date_check(ends_on, organisation=circle.organisation, after=before)
    circle.ends_on = ends_on
    circle.save(update_fields=["ends_on"])
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="working_group.extended",
        obj=circle,
        circle=circle,
        details={"changes": {"ends_on": [before.isoformat(), ends_on.isoformat()]}, **_decided(decision)},
    )
    return circle


def _page(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def working_groups_remind(*, now=None) -> int:
    """Remind each working group's steward (or, without one, the parent circle's) WORKING_GROUP_REMINDER_DAYS
    before its end date, once per end date, offering to propose extending or closing it."""
    now = now or timezone.now()
    horizon = (now + timedelta(days=settings.WORKING_GROUP_REMINDER_DAYS + 1)).date()
    due = (
        Circle.objects.active()
        .filter(ends_on__isnull=False, ends_on__lte=horizon)
        .exclude(end_reminded_on=F("ends_on"))
        .select_related("organisation", "parent")
    )

    def remind(circle: Circle) -> int:
        today = local_today(circle.organisation, now)
        if (circle.ends_on - today).days > settings.WORKING_GROUP_REMINDER_DAYS:
            return 0
        claimed = Circle.objects.filter(pk=circle.pk, ends_on=circle.ends_on).exclude(end_reminded_on=circle.ends_on)
        if not claimed.update(end_reminded_on=circle.ends_on):
            return 0
        stewards = hooks.stewards.collect([circle.pk, circle.parent_id])
        by_circle = {k: v for found in stewards for k, v in found.items()}
        steward = by_circle.get(circle.pk) or by_circle.get(circle.parent_id)
        if steward is None:
            return 0
        organisation = circle.organisation
        sent = notifications_queue(
            recipients=[steward.user],
            kind="working_group_ending",
            key=f"working_group:{circle.pk}:{circle.ends_on.isoformat()}",
            organisation=organisation,
            context={
                "circle": circle,
                "ends_on": circle.ends_on.isoformat(),
                "url": _page("working_group_end", org=organisation.slug, circle=circle.slug),
            },
        )
        event_record(
            organisation=organisation,
            actor=None,
            verb="working_group.ending",
            obj=circle,
            circle=circle,
            details={"ends_on": circle.ends_on.isoformat()},
        )
        return sent

    return sweep_each(due, remind, sweep="working_groups_remind", now=now).total
