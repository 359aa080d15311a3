"""Dates people may enter, and date arithmetic that cannot overflow.

Python's dates end at year 1 and year 9999, and the database's are as wide: a meeting on 31 December
9999 was accepted, and then its page (a week after it) and its .ics (its time in a zone east of UTC)
raised OverflowError. No meeting, deadline, term or review of a cooperative lies a century away, so
every date or moment typed into a form or sent to the API is refused outside a window of
SANE_YEARS years either side of today. `sane_date` is the one validator: on every declared date and
datetime input of a form or serializer (the check governance.E002 sees to it), and on the columns a
person sets (`SaneDateField`, `SaneDateTimeField`), for the admin and any ModelForm or
ModelSerializer. Rows written before it existed still render: `shift` saturates at the ends of time
instead of raising, and `in_zone` falls back to UTC where a zone would leave Python's range.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

SANE_YEARS = 100

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def sane_years(today: date | None = None) -> tuple[int, int]:
    """The first and the last year a date may fall in."""
    year = (today or timezone.now().date()).year
    return year - SANE_YEARS, year + SANE_YEARS


def sane_date(value) -> None:
    """The validator: a date or a moment must fall within SANE_YEARS years of today."""
    if value is None or not isinstance(value, date):
        return
    first, last = sane_years()
    if not first <= value.year <= last:
        raise ValidationError(
            _("Choose a date between the years %(first)d and %(last)d.") % {"first": first, "last": last},
            code="date_out_of_range",
        )


class SaneDateField(models.DateField):
    """A DateField a person sets; it refuses a date outside the sane window. The validator lives in
    Python only, so the field deconstructs as a DateField and migrations see no change."""

    default_validators = [sane_date]

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateField", args, kwargs


class SaneDateTimeField(models.DateTimeField):
    """A DateTimeField a person sets (see SaneDateField)."""

    default_validators = [sane_date]

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


def shift(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, stopping at the first or last moment Python knows instead of overflowing."""
    try:
        return moment + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST


def in_zone(moment: datetime, zone) -> datetime:
    """The moment in the zone; in UTC when the zone would take it past year 9999 or before year 1."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment.astimezone(UTC)
