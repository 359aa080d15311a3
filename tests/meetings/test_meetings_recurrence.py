"""Recurring meetings: rules expanded in the organisation's time zone (a weekly 10:00 stays at 10:00
local across daylight-saving changes), series materialised ahead and safely twice, one occurrence
edited or cancelled on its own, the whole series edited, rescheduled and ended."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance.errors import Invalid
from meetings.models import AgendaItem, Meeting, MeetingSeries
from meetings.recurrence import clean_rule, describe, expand, rule_for
from meetings.services import (
    agenda_item_add,
    meeting_cancel,
    meeting_update,
    meetings_materialise,
    series_create,
    series_end,
    series_reschedule,
    series_update,
)

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def local(*args):
    return datetime(*args, tzinfo=LONDON)


# The rule, expanded ----------------------------------------------------------------------------


def test_a_weekly_meeting_stays_at_ten_local_when_the_clocks_go_forward():
    starts = expand("FREQ=WEEKLY", local(2026, 3, 17, 10), LONDON, after=local(2026, 3, 1), before=local(2026, 4, 10))

    assert [s.astimezone(LONDON).strftime("%d %H:%M") for s in starts] == [
        "17 10:00",
        "24 10:00",
        "31 10:00",
        "07 10:00",
    ]
    # Before the change 10:00 London is 10:00 UTC; after it (29 March 2026), 09:00 UTC.
    assert [s.astimezone(UTC).hour for s in starts] == [10, 10, 9, 9]


def test_a_fortnightly_meeting_stays_at_ten_local_when_the_clocks_go_back():
    starts = expand(
        "FREQ=WEEKLY;INTERVAL=2",
        local(2026, 10, 13, 10),
        LONDON,
        after=local(2026, 10, 1),
        before=local(2026, 11, 30),
    )

    assert [s.astimezone(LONDON).date() for s in starts] == [
        date(2026, 10, 13),
        date(2026, 10, 27),
        date(2026, 11, 10),
        date(2026, 11, 24),
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [9, 10, 10, 10]


def test_a_time_that_does_not_exist_on_the_day_of_the_change_moves_an_hour_later():
    starts = expand(
        "FREQ=DAILY", local(2026, 3, 28, 1, 30), LONDON, after=local(2026, 3, 28), before=local(2026, 3, 31)
    )

    assert [s.astimezone(LONDON).strftime("%d %H:%M %Z") for s in starts] == [
        "28 01:30 GMT",
        "29 02:30 BST",  # 01:30 did not exist on the 29th: the clocks jumped from 01:00 to 02:00
        "30 01:30 BST",
    ]


def test_monthly_means_the_same_weekday_of_the_month():
    rule = rule_for("monthly", local(2026, 1, 13, 18))  # the second Tuesday of January

    starts = expand(rule, local(2026, 1, 13, 18), LONDON, after=local(2026, 1, 1), before=local(2026, 5, 1))

    assert rule == "FREQ=MONTHLY;BYDAY=2TU"
    assert [s.date() for s in starts] == [date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]
    assert rule_for("monthly", local(2026, 3, 31, 18)) == "FREQ=MONTHLY;BYDAY=-1TU"  # a fifth Tuesday: the last


def test_a_custom_rule_and_an_end_date_are_honoured():
    rule = clean_rule("rrule:freq=monthly;byday=1MO,3MO")

    starts = expand(
        rule, local(2026, 2, 2, 9), LONDON, after=local(2026, 2, 1), before=local(2026, 12, 1), until=date(2026, 3, 16)
    )

    assert rule == "FREQ=MONTHLY;BYDAY=1MO,3MO"
    assert [s.date() for s in starts] == [date(2026, 2, 2), date(2026, 2, 16), date(2026, 3, 2), date(2026, 3, 16)]
    assert describe(rule) == "every month on the first Monday, the third Monday"
    assert describe("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU") == "every 2 weeks on Tuesday"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Write a recurrence rule"),
        ("FREQ=HOURLY", "daily, weekly, monthly or yearly"),
        ("FREQ=WEEKLY;UNTIL=20270101T000000Z", "Leave UNTIL out"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RFC 5545"),
        ("nonsense", "daily, weekly, monthly or yearly"),
    ],
)
def test_it_refuses_a_rule_it_cannot_keep_and_says_why(rule, message):
    with pytest.raises(Invalid) as refused:
        clean_rule(rule)

    assert message in refused.value.message
    assert refused.value.field == "rrule"


# Series, materialised --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def early_march(time_machine):
    """The personas and their roles exist before the moments the tests move to."""
    time_machine.move_to(local(2026, 3, 1, 9))


@pytest.fixture
def london(world):
    world.organisation.time_zone = "Europe/London"
    world.organisation.save(update_fields=["time_zone"])
    world.finance.organisation.refresh_from_db()
    return world


def _weekly(world, *, starts_at, frequency="weekly", **extra):
    return series_create(
        circle=world.finance,
        by=world.member(world.steve),
        title="Finance weekly",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        frequency=frequency,
        **extra,
    )


def test_a_series_is_materialised_ahead_in_the_organisations_zone(london, time_machine, settings):
    settings.MEETING_HORIZON_DAYS = 28
    time_machine.move_to(local(2026, 3, 16, 12))

    series = _weekly(london, starts_at=local(2026, 3, 17, 10))

    rows = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    assert [m.starts_at.astimezone(LONDON).strftime("%d %b %H:%M") for m in rows] == [
        "17 Mar 10:00",
        "24 Mar 10:00",
        "31 Mar 10:00",
        "07 Apr 10:00",
    ]
    assert [m.starts_at.astimezone(UTC).hour for m in rows] == [10, 10, 9, 9]
    assert all(m.ends_at - m.starts_at == timedelta(hours=1) for m in rows)
    assert all(m.original_start == m.starts_at and m.title == "Finance weekly" for m in rows)
    assert series.time_zone == "Europe/London" and series.rrule == "FREQ=WEEKLY"


def test_the_sweep_adds_the_next_occurrences_and_is_safe_to_run_twice(london, time_machine, settings):
    settings.MEETING_HORIZON_DAYS = 14
    time_machine.move_to(local(2026, 3, 16, 12))
    series = _weekly(london, starts_at=local(2026, 3, 17, 10))
    assert Meeting.objects.filter(series=series).count() == 2

    time_machine.move_to(local(2026, 3, 30, 12))
    assert meetings_materialise() == 2
    assert meetings_materialise() == 0

    assert Meeting.objects.filter(series=series).count() == 4
    assert Meeting.objects.filter(series=series).values("original_start").distinct().count() == 4


def test_a_cancelled_occurrence_stays_cancelled_and_is_not_brought_back(london, time_machine, settings):
    settings.MEETING_HORIZON_DAYS = 21
    time_machine.move_to(local(2026, 3, 16, 12))
    series = _weekly(london, starts_at=local(2026, 3, 17, 10))
    second = Meeting.objects.filter(series=series).order_by("starts_at")[1]

    meeting_cancel(meeting=second, by=london.member(london.steve), reason="Easter")
    meetings_materialise()

    second.refresh_from_db()
    assert second.state == "cancelled" and second.cancel_reason == "Easter"
    assert Meeting.objects.filter(series=series, original_start=second.original_start).count() == 1
    assert Meeting.objects.scheduled().filter(series=series).count() == 2


def test_editing_one_occurrence_changes_it_alone_and_the_series_edit_leaves_it_be(london, time_machine, settings):
    settings.MEETING_HORIZON_DAYS = 21
    time_machine.move_to(local(2026, 3, 16, 12))
    series = _weekly(london, starts_at=local(2026, 3, 17, 10))
    first, second, third = Meeting.objects.filter(series=series).order_by("starts_at")

    meeting_update(
        meeting=second,
        by=london.member(london.steve),
        starts_at=local(2026, 3, 25, 14),
        ends_at=local(2026, 3, 25, 15),
        place="Room 2",
    )
    series_update(series=series, by=london.member(london.steve), title="Finance circle", place="Room 1")

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.title, second.place, second.is_edited) == ("Finance weekly", "Room 2", True)
    assert second.original_start == local(2026, 3, 24, 10)
    assert second.starts_at == local(2026, 3, 25, 14)
    assert (first.title, first.place, third.title, third.place) == (
        "Finance circle",
        "Room 1",
        "Finance circle",
        "Room 1",
    )
    assert third.sequence == 1 and second.sequence == 1


def test_rescheduling_ends_the_series_and_keeps_meetings_that_have_an_agenda(london, time_machine, settings):
    settings.MEETING_HORIZON_DAYS = 28
    time_machine.move_to(local(2026, 3, 16, 12))
    steve = london.member(london.steve)
    old = _weekly(london, starts_at=local(2026, 3, 17, 10))
    first, second, third, fourth = Meeting.objects.filter(series=old).order_by("starts_at")
    agenda_item_add(meeting=third, by=steve, title="Budget")

    new = series_reschedule(
        series=old,
        by=steve,
        starts_at=local(2026, 3, 26, 15),
        ends_at=local(2026, 3, 26, 16),
        frequency="fortnightly",
    )

    old.refresh_from_db()
    assert old.ended_at is not None and old.until == date(2026, 3, 25)
    assert set(Meeting.objects.filter(series=old)) == {first, second}
    third.refresh_from_db()
    assert third.series is None and AgendaItem.objects.filter(meeting=third).exists()  # kept, as a one-off
    assert not Meeting.objects.filter(pk=fourth.pk).exists()  # nothing on it: the old rule's projection goes
    assert [m.starts_at for m in Meeting.objects.filter(series=new).order_by("starts_at")] == [
        local(2026, 3, 26, 15),
        local(2026, 4, 9, 15),
    ]
    assert new.rrule == "FREQ=WEEKLY;INTERVAL=2" and new.title == old.title


def test_ending_a_series_takes_off_the_meetings_after_its_last_day(london, time_machine, settings):
    settings.MEETING_HORIZON_DAYS = 28
    time_machine.move_to(local(2026, 3, 16, 12))
    series = _weekly(london, starts_at=local(2026, 3, 17, 10))

    series_end(series=series, by=london.member(london.steve), last_day=date(2026, 3, 24))
    time_machine.move_to(local(2026, 3, 30, 12))
    meetings_materialise()

    assert [m.starts_at.date() for m in Meeting.objects.filter(series=series).order_by("starts_at")] == [
        date(2026, 3, 17),
        date(2026, 3, 24),
    ]
    assert MeetingSeries.objects.get(pk=series.pk).until == date(2026, 3, 24)


def test_it_refuses_a_series_that_ends_before_it_starts(london, time_machine):
    time_machine.move_to(local(2026, 3, 16, 12))

    with pytest.raises(Invalid) as refused:
        _weekly(london, starts_at=local(2026, 3, 17, 10), until=date(2026, 3, 1))

    assert refused.value.field == "until"
    assert not MeetingSeries.objects.exists()
