"""Meeting pages: the permission grid (member, facilitator, secretary, steward, a member of another
circle, an outsider) with its effect on the database, the agenda through forms and htmx, attendance
and quorum, the minutes from prefilled draft to published and corrected, the lists, and the number
of queries the meeting page and the lists need however much they hold."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionItem, AgendaItem, Attendance, Meeting, Minutes, MinutesVersion, Tension
from meetings.services import action_item_create, agenda_item_add, attendance_record, tension_raise
from tests.factories import give_role, make_meeting, make_member

HX = {"HX-Request": "true"}
MEETING_PAGE_MAX_QUERIES = 24
LIST_MAX_QUERIES = 14


@pytest.fixture
def cast(world):
    """A facilitator and a secretary of Finance (by role), both on its roster."""
    fay = make_member(world.organisation, circles=[world.finance])
    sam = make_member(world.organisation, circles=[world.finance])
    give_role(world.finance, fay, "facilitator")
    give_role(world.finance, sam, "secretary")
    return {"facilitator": fay.user, "secretary": sam.user}


def user_of(world, cast, who):
    return cast.get(who) or getattr(world, who)


def url(name, meeting, **extra):
    return reverse(name, kwargs={"org": "acme", "pk": meeting.pk, **extra})


def started(world, **fields):
    return make_meeting(world.finance, starts_in=timedelta(minutes=-10), minutes=90, **fields)


# The permission grid --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "view", "add_item", "publish", "attendance", "minutes", "edit", "tension"),
    [
        ("oscar", 404, 404, 404, 404, 404, 404, 404),  # outsider
        ("olga", 404, 404, 404, 404, 404, 404, 404),  # admin of another organisation
        ("nora", 200, 403, 403, 403, 403, 403, 403),  # member of the organisation, not in the circle
        ("otto", 200, 403, 403, 403, 403, 403, 403),  # steward of another circle
        ("mia", 200, 302, 403, 403, 403, 403, 302),  # member of the circle
        ("facilitator", 200, 302, 302, 302, 403, 200, 302),
        ("secretary", 200, 302, 403, 302, 302, 403, 302),
        ("steve", 200, 302, 302, 302, 302, 200, 302),  # the circle's steward
    ],
)
def test_the_permission_grid_of_the_pages(
    world, cast, client, who, view, add_item, publish, attendance, minutes, edit, tension
):
    meeting = started(world)
    agenda_item_add(meeting=meeting, by=world.member(world.steve), title="Opening")
    user = user_of(world, cast, who)
    client.force_login(user)

    page = client.get(url("meeting", meeting))
    assert page.status_code == view
    assert ("Circle meeting" in page.content.decode()) is (view == 200)

    answer = client.post(url("agenda-add", meeting), {"title": "My item", "kind": "report"})
    assert answer.status_code == add_item
    assert AgendaItem.objects.filter(meeting=meeting, title="My item").exists() is (add_item == 302)

    assert client.post(url("agenda-publish", meeting)).status_code == publish
    meeting.refresh_from_db()
    assert (meeting.agenda_published_at is not None) is (publish == 302)

    answer = client.post(url("attendance-record", meeting), {f"status_{world.member(world.mia).pk}": "present"})
    assert answer.status_code == attendance
    assert Attendance.objects.filter(meeting=meeting).exists() is (attendance == 302)

    answer = client.post(url("minutes-save", meeting), {"body": "# Minutes\n\nWe met.", "publish": "1"})
    assert answer.status_code == minutes
    assert Minutes.objects.filter(meeting=meeting, state="published").exists() is (minutes == 302)

    assert client.get(url("meeting-edit", meeting)).status_code == edit

    path = reverse("circle-tensions", kwargs={"org": "acme", "circle": "finance"})
    answer = client.post(path, {"title": "Our invoices are late"})
    assert answer.status_code == tension
    assert Tension.objects.filter(circle=world.finance).exists() is (tension == 302)


@pytest.mark.parametrize(
    ("who", "schedule", "cancel"),
    [
        ("oscar", 404, 404),
        ("nora", 403, 403),
        ("mia", 403, 403),
        ("secretary", 403, 403),
        ("facilitator", 200, 302),
        ("steve", 200, 302),
    ],
)
def test_only_the_facilitator_and_the_steward_schedule_and_cancel(world, cast, client, who, schedule, cancel):
    meeting = make_meeting(world.finance)
    client.force_login(user_of(world, cast, who))

    assert client.get(reverse("meeting-new", kwargs={"org": "acme", "circle": "finance"})).status_code == schedule
    assert client.post(url("meeting-cancel", meeting), {"reason": "Clash"}).status_code == cancel
    meeting.refresh_from_db()
    assert meeting.is_cancelled is (cancel == 302)


def test_pages_ask_anonymous_visitors_to_log_in(world, client):
    meeting = make_meeting(world.finance)
    for path in (url("meeting", meeting), reverse("my-meetings", kwargs={"org": "acme"})):
        answer = client.get(path)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


# Scheduling ------------------------------------------------------------------------------------


def test_the_facilitator_schedules_a_fortnightly_meeting_in_the_organisations_zone(world, cast, client):
    world.organisation.time_zone = "Europe/Paris"
    world.organisation.save(update_fields=["time_zone"])
    client.force_login(cast["facilitator"])
    day = (timezone.now() + timedelta(days=3)).date()

    answer = client.post(
        reverse("meeting-new", kwargs={"org": "acme", "circle": "finance"}),
        {
            "title": "Finance circle",
            "kind": "governance",
            "date": day.isoformat(),
            "start_time": "18:30",
            "end_time": "20:00",
            "repeat": "fortnightly",
            "video_url": "https://video.example/finance",
        },
    )

    meetings = list(Meeting.objects.filter(circle=world.finance).order_by("starts_at"))
    assert answer.status_code == 302 and answer["Location"] == url("meeting", meetings[0])
    assert len(meetings) > 5 and meetings[0].series.rrule == "FREQ=WEEKLY;INTERVAL=2"
    first = timezone.localtime(meetings[0].starts_at, world.organisation.tzinfo)
    assert (first.date(), first.strftime("%H:%M")) == (day, "18:30")
    # Defaults from the circle's roles.
    assert meetings[0].facilitator.user == cast["facilitator"] and meetings[0].secretary.user == cast["secretary"]


def test_a_refused_schedule_keeps_what_was_typed(world, client):
    client.force_login(world.steve)

    answer = client.post(
        reverse("meeting-new", kwargs={"org": "acme", "circle": "finance"}),
        {
            "title": "Kept",
            "kind": "governance",
            "date": "2030-01-10",
            "start_time": "10:00",
            "end_time": "11:00",
            "repeat": "custom",
            "rrule": "FREQ=HOURLY",
        },
    )

    assert answer.status_code == 200
    assert "daily, weekly, monthly or yearly" in answer.content.decode()
    assert 'value="Kept"' in answer.content.decode()
    assert not Meeting.objects.exists()


# The agenda ------------------------------------------------------------------------------------


def test_the_facilitator_reorders_the_agenda_in_place_with_htmx(world, cast, client):
    meeting = make_meeting(world.finance)
    mia = world.member(world.mia)
    first, second, third = (agenda_item_add(meeting=meeting, by=mia, title=t) for t in ("One", "Two", "Three"))
    client.force_login(cast["facilitator"])

    answer = client.post(url("agenda-move", meeting, item=third.pk), {"direction": "up"}, headers=HX)

    assert answer.status_code == 200 and answer.templates[0].name == "meetings/_agenda.html"
    html = answer.content.decode()
    assert html.index("One") < html.index("Three") < html.index("Two")
    assert list(AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("title", flat=True)) == [
        "One",
        "Three",
        "Two",
    ]
    answer = client.post(url("agenda-reorder", meeting), {"item": [second.pk, first.pk, third.pk]}, headers=HX)
    assert answer.status_code == 200
    assert [i.title for i in AgendaItem.objects.filter(meeting=meeting).order_by("position")] == ["Two", "One", "Three"]
    client.post(url("agenda-reorder", meeting), {"item": [second.pk]}, headers=HX)  # not every item: refused
    assert [i.title for i in AgendaItem.objects.filter(meeting=meeting).order_by("position")] == ["Two", "One", "Three"]


def test_a_member_adds_a_tension_to_the_agenda_and_may_take_it_off_until_publication(world, client):
    meeting = make_meeting(world.finance)
    tension = tension_raise(circle=world.finance, by=world.member(world.mia), title="Receipts get lost")
    client.force_login(world.mia)

    answer = client.post(
        url("agenda-add", meeting), {"tension": tension.pk, "kind": "other", "time_box": "15"}, headers=HX
    )

    item = AgendaItem.objects.get(meeting=meeting)
    assert answer.status_code == 200 and "Receipts get lost" in answer.content.decode()
    assert (item.kind, item.title, item.time_box, item.owner.user) == ("tension", "Receipts get lost", 15, world.mia)
    tension.refresh_from_db()
    assert tension.state == "on_agenda"
    answer = client.post(url("agenda-remove", meeting, item=item.pk))
    assert answer.status_code == 302
    item.refresh_from_db()
    tension.refresh_from_db()
    assert item.removed_at is not None and tension.state == "open"


def test_an_item_without_title_or_link_is_refused_with_the_form_kept(world, client):
    meeting = make_meeting(world.finance)
    client.force_login(world.mia)

    answer = client.post(url("agenda-add", meeting), {"kind": "report", "time_box": "20"}, headers=HX)

    assert answer.status_code == 200
    assert "Give the item a title" in answer.content.decode()
    assert 'value="20"' in answer.content.decode()
    assert not AgendaItem.objects.exists()


# Attendance and minutes ------------------------------------------------------------------------


def test_the_secretary_records_attendance_and_the_quorum_follows(world, cast, client):
    meeting = started(world)
    client.force_login(cast["secretary"])
    people = {u: world.member(u) if u in (world.mia, world.steve) else None for u in (world.mia, world.steve)}
    fay = cast["facilitator"].memberships.get()
    data = {
        f"status_{people[world.mia].pk}": "present",
        f"status_{people[world.steve].pk}": "excused",
        f"status_{fay.pk}": "present",
    }

    answer = client.post(url("attendance-record", meeting), data, headers=HX)

    html = answer.content.decode()
    assert answer.status_code == 200 and "Attendance is recorded" in html
    assert "2 present · 1 excused · 0 absent" in html and "Quorum met" in html  # 2 of 4 on the roster, 50 %
    assert dict(Attendance.objects.values_list("member__user__email", "status")) == {
        "mia@acme.test": "present",
        "steve@acme.test": "excused",
        fay.user.email: "present",
    }


def test_before_the_meeting_only_apologies_are_recorded(world, cast, client):
    meeting = make_meeting(world.finance)
    client.force_login(cast["secretary"])

    answer = client.post(
        url("attendance-record", meeting), {f"status_{world.member(world.mia).pk}": "present"}, headers=HX
    )

    assert "only apologies" in answer.content.decode()
    assert not Attendance.objects.exists()


def test_the_minutes_draft_is_prefilled_then_published_locked_and_corrected_as_a_new_version(world, cast, client):
    meeting = started(world, title="Finance circle")
    steve = world.member(world.steve)
    agenda_item_add(meeting=meeting, by=steve, title="Budget review", kind="report", owner=steve, time_box=20)
    attendance_record(meeting=meeting, by=steve, member=world.member(world.mia), status="present")
    action_item_create(
        circle=world.finance, by=steve, title="Send the budget", owner=world.member(world.mia), meeting=meeting
    )
    client.force_login(cast["secretary"])

    form_body = client.get(url("meeting", meeting)).context["minutes_form"].initial["body"]
    assert "# Finance circle" in form_body and "### 1. Budget review (Report, Steve Steward, 20 min)" in form_body
    assert "Present (1): Mia Member" in form_body and "Send the budget (Mia Member)" in form_body
    assert not Minutes.objects.exists()  # nothing saved until the secretary saves

    client.post(url("minutes-save", meeting), {"body": form_body + "\nDecided to go ahead.", "save": "1"})
    assert Minutes.objects.get().state == "draft"
    answer = client.post(url("minutes-save", meeting), {"body": form_body + "\nDecided to go ahead.", "publish": "1"})
    assert answer.status_code == 302
    minutes = Minutes.objects.get()
    assert (minutes.state, minutes.version) == ("published", 1)

    answer = client.post(url("minutes-save", meeting), {"body": "Rewritten", "save": "1"})
    assert "locked" in answer.content.decode()
    assert Minutes.objects.get().body.endswith("Decided to go ahead.")

    answer = client.post(url("minutes-correct", meeting), {"body": "Corrected text", "note": "Fixed a name"})
    assert answer.status_code == 302
    assert list(MinutesVersion.objects.order_by("number").values_list("number", "note")) == [
        (1, ""),
        (2, "Fixed a name"),
    ]
    page = client.get(url("minutes-versions", meeting)).content.decode()
    assert "Corrected text" in page and "Decided to go ahead." in page


def test_the_action_board_and_my_actions_flag_overdue_items(world, client):
    mia = world.member(world.mia)
    late = action_item_create(
        circle=world.finance, by=mia, title="Late one", owner=mia, due=timezone.localdate() - timedelta(days=2)
    )
    action_item_create(
        circle=world.finance, by=mia, title="Later one", owner=mia, due=timezone.localdate() + timedelta(days=9)
    )
    client.force_login(world.mia)

    mine = client.get(reverse("my-actions", kwargs={"org": "acme"})).content.decode()
    board = client.get(reverse("circle-actions", kwargs={"org": "acme", "circle": "finance"})).content.decode()

    for html in (mine, board):
        assert html.count("badge overdue") == 1 and "Late one" in html and "Later one" in html
    answer = client.post(
        reverse("action-status", kwargs={"org": "acme", "pk": late.pk}), {"status": "done"}, headers=HX
    )
    assert answer.status_code == 200 and "status-done" in answer.content.decode()
    assert ActionItem.objects.get(pk=late.pk).completed_at is not None
    client.force_login(world.nora)
    answer = client.post(reverse("action-status", kwargs={"org": "acme", "pk": late.pk}), {"status": "open"})
    assert answer.status_code == 403 and ActionItem.objects.get(pk=late.pk).status == "done"


def test_my_meetings_lists_my_circles_and_the_general_circle(world, client):
    make_meeting(world.finance, title="Finance talk")
    make_meeting(world.general, title="All hands")
    make_meeting(world.outreach, title="Outreach talk")
    client.force_login(world.mia)

    html = client.get(reverse("my-meetings", kwargs={"org": "acme"})).content.decode()

    assert "Finance talk" in html and "All hands" in html and "Outreach talk" not in html


def test_admins_set_the_agenda_due_days_and_the_quorum(world, client):
    client.force_login(world.alice)
    path = reverse("meeting-settings", kwargs={"org": "acme"})

    assert client.post(path, {"agenda_due_days": "3", "quorum_percent": "60"}).status_code == 302
    assert (
        world.organisation.meeting_settings.agenda_due_days,
        world.organisation.meeting_settings.quorum_percent,
    ) == (3, 60)
    client.force_login(world.steve)
    assert client.get(path).status_code == 403


# Query counts ----------------------------------------------------------------------------------


def _fill(world, meeting, n):
    steve = world.member(world.steve)
    while AgendaItem.objects.filter(meeting=meeting).count() < n:
        member = make_member(world.organisation, circles=[world.finance])
        agenda_item_add(meeting=meeting, by=steve, title=f"Item {member.pk}", owner=member, time_box=5)
        attendance_record(meeting=meeting, by=steve, member=member, status="present")
        action_item_create(circle=world.finance, by=steve, title=f"Action {member.pk}", owner=member, meeting=meeting)
        tension_raise(circle=world.finance, by=member, title=f"Tension {member.pk}")


@pytest.mark.parametrize("who", ["steve", "nora"])
def test_the_meeting_page_needs_as_many_queries_for_40_items_as_for_4(
    world, client, django_assert_max_num_queries, who
):
    meeting = started(world)
    client.force_login(getattr(world, who))
    counts = []
    for n in (4, 40):
        _fill(world, meeting, n)
        with django_assert_max_num_queries(MEETING_PAGE_MAX_QUERIES), CaptureQueriesContext(connection) as captured:
            assert client.get(url("meeting", meeting)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_lists_need_as_many_queries_for_30_rows_as_for_3(world, client, django_assert_max_num_queries):
    client.force_login(world.mia)
    mia = world.member(world.mia)
    paths = [
        reverse("circle-meetings", kwargs={"org": "acme", "circle": "finance"}),
        reverse("my-meetings", kwargs={"org": "acme"}),
        reverse("circle-tensions", kwargs={"org": "acme", "circle": "finance"}),
        reverse("circle-actions", kwargs={"org": "acme", "circle": "finance"}),
        reverse("my-actions", kwargs={"org": "acme"}),
    ]
    counts = []
    for n in (3, 30):
        while Meeting.objects.count() < n:
            k = Meeting.objects.count()
            make_meeting(world.finance, starts_in=timedelta(days=k - 10), title=f"M{k}")
            tension_raise(circle=world.finance, by=mia, title=f"T{k}")
            action_item_create(circle=world.finance, by=mia, title=f"A{k}", owner=mia)
        found = []
        for path in paths:
            with django_assert_max_num_queries(LIST_MAX_QUERIES), CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            found.append(len(captured))
        counts.append(found)
    assert counts[0] == counts[1]
