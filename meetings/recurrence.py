"""Recurrence rules (RFC 5545 RRULE) and their expansion in a time zone.

A series recurs at the same wall-clock time in its zone: the rule is expanded on local, naive
times (python-dateutil's rrule) and each occurrence is then placed in the zone, so a weekly 10:00
meeting stays at 10:00 local when the clocks change, and its UTC instant moves by the hour."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from icalendar import vRecur

from governance.errors import Invalid

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
FIELD = "rrule"


def rule_for(frequency: str, local_start: datetime, custom: str = "") -> str:
    """The RRULE of a frequency, anchored on the first occurrence's local start."""
    if frequency == "weekly":
        return "FREQ=WEEKLY"
    if frequency == "fortnightly":
        return "FREQ=WEEKLY;INTERVAL=2"
    if frequency == "monthly":
        # The same weekday of the month: the 2nd Tuesday; a 5th becomes "the last".
        nth = (local_start.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY={'-1' if nth == 5 else nth}{WEEKDAYS[local_start.weekday()]}"
    if frequency == "custom":
        return clean_rule(custom)
    raise Invalid(gettext("Choose how often the meeting recurs."), field="frequency")


def clean_rule(text: str) -> str:
    """Check a custom RRULE and return it in canonical form, or explain what is wrong with it."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise Invalid(gettext("Write a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU."), field=FIELD)
    try:
        recur = vRecur.from_ical(text.upper())
    except (ValueError, TypeError) as exc:
        raise Invalid(
            gettext("This is not a valid RFC 5545 recurrence rule: %(rule)s.") % {"rule": text}, field=FIELD
        ) from exc
    frequency = (recur.get("FREQ") or [None])[0]
    if frequency not in ALLOWED_FREQUENCIES:
        raise Invalid(gettext("A meeting recurs daily, weekly, monthly or yearly (FREQ=…)."), field=FIELD)
    if "UNTIL" in recur:
        raise Invalid(gettext("Leave UNTIL out of the rule; set the last date in “Ends on” instead."), field=FIELD)
    canonical = recur.to_ical().decode()
    try:
        rule = rrulestr(canonical, dtstart=datetime(2000, 1, 3, 10, 0))
        first = rule[0]
    except (ValueError, TypeError, IndexError) as exc:
        raise Invalid(gettext("This rule never yields a date: %(rule)s.") % {"rule": text}, field=FIELD) from exc
    if first is None:
        raise Invalid(gettext("This rule never yields a date: %(rule)s.") % {"rule": text}, field=FIELD)
    return canonical


def expand(
    rule: str,
    first_start: datetime,
    zone: ZoneInfo,
    *,
    after: datetime,
    before: datetime,
    until: date | None = None,
) -> list[datetime]:
    """The aware starts of a series in [after, before), on or before the local date `until`.

    `first_start` is the (aware) first occurrence; it is always an occurrence itself, as RFC 5545
    says of DTSTART, even when the rule would not produce it."""
    local_first = first_start.astimezone(zone).replace(tzinfo=None)
    recurrence = rrulestr(rule, dtstart=local_first)
    lower = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    upper = before.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    naive = set(recurrence.between(lower, upper, inc=True))
    if lower <= local_first <= upper:
        naive.add(local_first)
    starts = []
    for local in sorted(naive):
        if until is not None and local.date() > until:
            continue
        # A wall-clock time inside a spring-forward gap does not exist; the round trip through UTC
        # moves it to the real instant an hour later, as calendars do.
        moment = local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).astimezone(zone)
        if after <= moment < before:
            starts.append(moment)
    return starts


EVERY = {
    "DAILY": (_("every day"), _("every %(count)s days")),
    "WEEKLY": (_("every week"), _("every %(count)s weeks")),
    "MONTHLY": (_("every month"), _("every %(count)s months")),
    "YEARLY": (_("every year"), _("every %(count)s years")),
}
# The ordinal of a weekday in the month: "the first Monday" (pgettext: its form depends on the weekday).
ORDINALS = {
    "1": pgettext_lazy("weekday of the month", "first"),
    "2": pgettext_lazy("weekday of the month", "second"),
    "3": pgettext_lazy("weekday of the month", "third"),
    "4": pgettext_lazy("weekday of the month", "fourth"),
    "-1": pgettext_lazy("weekday of the month", "last"),
}


def describe(rule: str) -> str:
    """A rule in plain words, for pages: "every 2 weeks on Tuesday"."""
    recur = vRecur.from_ical(rule)
    frequency = recur.get("FREQ", ["WEEKLY"])[0]
    interval = int(recur.get("INTERVAL", [1])[0])
    once, many = EVERY[frequency]
    words = str(once) if interval == 1 else str(many) % {"count": interval}
    days = recur.get("BYDAY") or []
    names = dict(zip(WEEKDAYS, [DAY_NAMES[n] for n in range(7)], strict=True))
    parts = []
    for day in days:
        day = str(day)
        nth, code = day[:-2].lstrip("+"), day[-2:]
        if nth:
            parts.append(
                gettext("the %(ordinal)s %(weekday)s") % {"ordinal": ORDINALS.get(nth, nth), "weekday": names[code]}
            )
        else:
            parts.append(str(names[code]))
    if parts:
        words = gettext("%(every)s on %(days)s") % {"every": words, "days": ", ".join(parts)}
    if "COUNT" in recur:
        words += gettext(", %(count)s times") % {"count": recur["COUNT"][0]}
    return words


# For an email's context, rendered in each recipient's language.
describe_lazy = lazy(describe, str)
