"""Meetings over the REST API: the meeting's life end to end, the permission grid (member,
facilitator, secretary, steward, outsider) with status codes and database effects, 400/403/404/409
answers, tenancy, and list query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import ActionItem, AgendaItem, Attendance, Meeting, MeetingSeries, Minutes, Tension
from meetings.services import agenda_item_add, tension_raise
from tests.factories import give_role, make_meeting, make_member


@pytest.fixture
def api():
    def as_(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return as_


@pytest.fixture
def cast(world):
    fay = make_member(world.organisation, circles=[world.finance])
    sam = make_member(world.organisation, circles=[world.finance])
    give_role(world.finance, fay, "facilitator")
    give_role(world.finance, sam, "secretary")
    return {"facilitator": fay.user, "secretary": sam.user}


def test_a_meeting_from_schedule_to_published_minutes(world, cast, api):
    fay, sam, mia = api(cast["facilitator"]), api(cast["secretary"]), api(world.mia)
    starts = timezone.now() + timedelta(minutes=5)

    created = fay.post(
        "/api/v1/meetings/",
        {"circle": world.finance.pk, "title": "Finance", "starts_at": starts, "ends_at": starts + timedelta(hours=1)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    meeting = created.json()
    assert meeting["facilitator"]["name"] == cast["facilitator"].display_name
    assert meeting["secretary"]["name"] == cast["secretary"].display_name

    tension = mia.post("/api/v1/tensions/", {"circle": world.finance.pk, "title": "Late invoices"}, format="json")
    assert tension.status_code == 201
    item = mia.post("/api/v1/agenda-items/", {"meeting": meeting["id"], "tension": tension.json()["id"]}, format="json")
    assert item.status_code == 201 and item.json()["kind"] == "tension"
    other = mia.post("/api/v1/agenda-items/", {"meeting": meeting["id"], "title": "Budget"}, format="json")
    order = [other.json()["id"], item.json()["id"]]
    assert (
        fay.post(f"/api/v1/meetings/{meeting['id']}/reorder-agenda/", {"order": order}, format="json").status_code
        == 200
    )
    published = fay.post(f"/api/v1/meetings/{meeting['id']}/publish-agenda/")
    assert published.status_code == 200 and published.json()["agenda_published_at"]
    listed = mia.get("/api/v1/agenda-items/", {"meeting": meeting["id"]}).json()["results"]
    assert [i["title"] for i in listed] == ["Budget", "Late invoices"]
    assert mia.get(f"/api/v1/tensions/{tension.json()['id']}/").json()["state"] == "on_agenda"

    Meeting.objects.filter(pk=meeting["id"]).update(starts_at=timezone.now() - timedelta(minutes=5))
    present = sam.post(
        "/api/v1/attendance/",
        {"meeting": meeting["id"], "member": world.member(world.mia).pk, "status": "present"},
        format="json",
    )
    assert present.status_code == 200 and present.json()["status"] == "present"
    draft = sam.post("/api/v1/minutes/", {"meeting": meeting["id"]}, format="json")
    assert draft.status_code == 201 and "Present (1): Mia Member" in draft.json()["body"]
    assert mia.get(f"/api/v1/minutes/{draft.json()['id']}/").status_code == 404  # a draft is the secretary's
    assert sam.post(f"/api/v1/minutes/{draft.json()['id']}/publish/").status_code == 200
    assert mia.get(f"/api/v1/minutes/{draft.json()['id']}/").json()["state"] == "published"
    again = sam.patch(f"/api/v1/minutes/{draft.json()['id']}/", {"body": "Rewrite"}, format="json")
    assert again.status_code == 409 and "locked" in again.json()["detail"]
    corrected = sam.post(
        f"/api/v1/minutes/{draft.json()['id']}/correct/", {"body": "Fixed", "note": "Typo"}, format="json"
    )
    assert corrected.status_code == 200 and corrected.json()["version"] == 2
    versions = mia.get(f"/api/v1/minutes/{draft.json()['id']}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]

    action = sam.post(
        "/api/v1/action-items/",
        {
            "circle": world.finance.pk,
            "title": "Chase invoices",
            "owner": world.member(world.mia).pk,
            "meeting": meeting["id"],
        },
        format="json",
    )
    assert action.status_code == 201
    done = mia.patch(f"/api/v1/action-items/{action.json()['id']}/", {"status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert mia.get("/api/v1/action-items/", {"mine": "true"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("who", "see", "add_item", "publish", "attend", "minutes", "edit", "tension", "resolve"),
    [
        ("oscar", 404, 404, 404, 404, 404, 404, 404, 404),
        ("olga", 404, 404, 404, 404, 404, 404, 404, 404),
        ("nora", 200, 403, 403, 403, 403, 403, 403, 403),
        ("mia", 200, 201, 403, 403, 403, 403, 201, 200),  # member, who raised the tension
        ("facilitator", 200, 201, 200, 200, 403, 200, 201, 200),
        ("secretary", 200, 201, 403, 200, 201, 403, 201, 200),
        ("steve", 200, 201, 200, 200, 201, 200, 201, 200),
    ],
)
def test_the_permission_grid_of_the_api(
    world, cast, api, who, see, add_item, publish, attend, minutes, edit, tension, resolve
):
    meeting = make_meeting(world.finance, starts_in=timedelta(minutes=-5))
    agenda_item_add(meeting=meeting, by=world.member(world.steve), title="Opening")
    raised = tension_raise(circle=world.finance, by=world.member(world.mia), title="Receipts")
    user = cast.get(who) or getattr(world, who)
    client = api(user)

    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == see
    answer = client.post("/api/v1/agenda-items/", {"meeting": meeting.pk, "title": "Mine"}, format="json")
    assert answer.status_code == add_item
    assert AgendaItem.objects.filter(title="Mine").exists() is (add_item == 201)
    assert client.post(f"/api/v1/meetings/{meeting.pk}/publish-agenda/").status_code == publish
    answer = client.post(
        "/api/v1/attendance/",
        {"meeting": meeting.pk, "member": world.member(world.mia).pk, "status": "present"},
        format="json",
    )
    assert answer.status_code == attend
    assert Attendance.objects.exists() is (attend == 200)
    answer = client.post("/api/v1/minutes/", {"meeting": meeting.pk, "body": "We met."}, format="json")
    assert answer.status_code == minutes
    assert Minutes.objects.exists() is (minutes == 201)
    answer = client.patch(f"/api/v1/meetings/{meeting.pk}/", {"title": "Renamed"}, format="json")
    assert answer.status_code == edit
    assert Meeting.objects.get(pk=meeting.pk).title == ("Renamed" if edit == 200 else "Circle meeting")
    answer = client.post("/api/v1/tensions/", {"circle": world.finance.pk, "title": "Mine too"}, format="json")
    assert answer.status_code == tension
    answer = client.post(f"/api/v1/tensions/{raised.pk}/resolve/", {"note": "Sorted"}, format="json")
    assert answer.status_code == resolve
    assert Tension.objects.get(pk=raised.pk).is_resolved is (resolve == 200)


def test_bad_input_and_state_conflicts_get_clear_answers(world, cast, api):
    fay = api(cast["facilitator"])
    starts = timezone.now() + timedelta(days=1)

    backwards = fay.post(
        "/api/v1/meetings/",
        {"circle": world.finance.pk, "title": "X", "starts_at": starts, "ends_at": starts - timedelta(hours=1)},
        format="json",
    )
    assert backwards.status_code == 400 and "ends_at" in backwards.json()
    bad_rule = fay.post(
        "/api/v1/meeting-series/",
        {
            "circle": world.finance.pk,
            "title": "X",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "frequency": "custom",
            "rrule": "FREQ=MINUTELY",
        },
        format="json",
    )
    assert bad_rule.status_code == 400 and "rrule" in bad_rule.json()
    meeting = make_meeting(world.finance)
    assert fay.post(f"/api/v1/meetings/{meeting.pk}/publish-agenda/").status_code == 409  # no items yet
    assert fay.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": "Clash"}, format="json").status_code == 200
    again = fay.post(f"/api/v1/meetings/{meeting.pk}/cancel/", {}, format="json")
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    assert not MeetingSeries.objects.exists()
    other_circle = fay.post(
        "/api/v1/meetings/", {"circle": 99999, "title": "X", "starts_at": starts, "ends_at": starts}, format="json"
    )
    assert other_circle.status_code == 404


def test_a_fortnightly_series_over_the_api(world, api):
    steve = api(world.steve)
    starts = timezone.now() + timedelta(days=1)

    created = steve.post(
        "/api/v1/meeting-series/",
        {
            "circle": world.finance.pk,
            "title": "Finance",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "frequency": "fortnightly",
        },
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["rrule"] == "FREQ=WEEKLY;INTERVAL=2" and created.json()["description"] == "every 2 weeks"
    occurrences = steve.get("/api/v1/meetings/", {"series": created.json()["id"]}).json()
    assert occurrences["count"] > 5
    renamed = steve.patch(f"/api/v1/meeting-series/{created.json()['id']}/", {"title": "Finance circle"}, format="json")
    assert renamed.status_code == 200
    assert set(Meeting.objects.filter(series_id=created.json()["id"]).values_list("title", flat=True)) == {
        "Finance circle"
    }
    ended = steve.post(
        f"/api/v1/meeting-series/{created.json()['id']}/end/", {"last_day": starts.date().isoformat()}, format="json"
    )
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert Meeting.objects.filter(series_id=created.json()["id"]).count() == 1


def test_calendar_links_over_the_api(world, api, client):
    mia = api(world.mia)

    created = mia.post("/api/v1/calendar-feeds/", {"organisation": world.organisation.pk}, format="json")

    assert created.status_code == 201
    url = created.json()["url"]
    assert client.get(url).status_code == 200
    assert "url" not in mia.get("/api/v1/calendar-feeds/").json()["results"][0]
    assert mia.post(f"/api/v1/calendar-feeds/{created.json()['id']}/revoke/").status_code == 200
    assert client.get(url).status_code == 404
    assert api(world.steve).post(f"/api/v1/calendar-feeds/{created.json()['id']}/revoke/").status_code == 404
    assert (
        api(world.oscar)
        .post("/api/v1/calendar-feeds/", {"organisation": world.organisation.pk}, format="json")
        .status_code
        == 404
    )


def test_another_organisation_sees_nothing(world, api):
    meeting = make_meeting(world.finance)
    tension_raise(circle=world.finance, by=world.member(world.mia), title="Hidden")
    olga = api(world.olga)

    for path in ("meetings", "meeting-series", "agenda-items", "attendance", "minutes", "tensions", "action-items"):
        assert olga.get(f"/api/v1/{path}/").json()["count"] == 0, path
    assert olga.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["meetings", "tensions", "action-items", "agenda-items", "attendance"])
def test_lists_take_as_many_queries_for_30_rows_as_for_3(world, api, path, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.services import action_item_create, attendance_record

    steve = world.member(world.steve)
    counts = []
    for n in (3, 30):
        client = api(type(world.mia).objects.get(pk=world.mia.pk))  # a fresh user: no cached memberships
        while Meeting.objects.count() < n:
            meeting = make_meeting(world.finance, starts_in=timedelta(minutes=-5), title=f"M{Meeting.objects.count()}")
            member = make_member(world.organisation, circles=[world.finance])
            agenda_item_add(meeting=meeting, by=steve, title="Item", owner=member)
            attendance_record(meeting=meeting, by=steve, member=member, status="present")
            tension_raise(circle=world.finance, by=member, title="T")
            action_item_create(circle=world.finance, by=steve, title="A", owner=member, meeting=meeting)
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as captured:
            answer = client.get(f"/api/v1/{path}/")
        assert answer.status_code == 200 and answer.json()["count"] == n
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert ActionItem.objects.count() == 30
