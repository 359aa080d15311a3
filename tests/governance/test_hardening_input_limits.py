"""Input the server cannot handle is refused with a 400, never answered with a 500: JSON nested
100,000 deep (RecursionError in the decoder), and dates a century or more away (a meeting in year
9999 or year 1), refused by one validator (governance.dates.sane_date) on every date input, which a
system check keeps so."""

from datetime import date, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from governance import checks
from governance.api.parsers import MAX_DEPTH
from governance.dates import sane_date, sane_years
from meetings.models import ActionItem, Meeting, MeetingSeries
from meetings.services import action_item_create
from proposals.models import Proposal
from tests.factories import make_proposal

# Deep JSON ------------------------------------------------------------------------------------------


def _post_json(client, path, body: str):
    return client.post(path, body, content_type="application/json")


def test_json_nested_100000_deep_is_a_400_not_a_500(world, client):
    client.force_login(world.steve)

    answer = _post_json(client, "/api/v1/proposals/", "[" * 100_000 + "]" * 100_000)

    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]
    assert not Proposal.objects.exists()


def test_json_nested_deeper_than_any_request_needs_is_refused_too(world, client):
    client.force_login(world.steve)
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    body = f'{{"circle": {world.finance.pk}, "title": "Deep", "body": "x", "changes": {deep}}}'

    answer = _post_json(client, "/api/v1/proposals/", body)

    assert answer.status_code == 400 and "nested too deeply" in answer.json()["detail"]
    assert not Proposal.objects.exists()


def test_an_ordinary_request_still_parses(world, client):
    client.force_login(world.steve)
    payload = {"circle": world.finance.pk, "title": "Shallow", "body": "Line one\nline two"}

    answer = client.post("/api/v1/proposals/", payload, content_type="application/json")

    assert answer.status_code == 201, answer.content
    assert Proposal.objects.get().body == "Line one\nline two"


# Sane dates -----------------------------------------------------------------------------------------


def test_the_window_is_a_century_either_side_of_today(time_machine):
    time_machine.move_to("2026-03-01")
    assert sane_years() == (1926, 2126)
    sane_date(date(1926, 1, 1))
    sane_date(date(2126, 12, 31))
    for far in (date(1925, 12, 31), date(2127, 1, 1), date(9999, 12, 31), date(1, 1, 1)):
        with pytest.raises(forms.ValidationError, match="between the years 1926 and 2126"):
            sane_date(far)


def _message():
    first, last = sane_years()
    return f"Choose a date between the years {first} and {last}."


def _refused(answer, field):
    assert answer.status_code == 400, answer.content
    assert answer.json()[field] == [_message()]


@pytest.mark.parametrize("year", [9999, 1, 2200], ids=["year-9999", "year-1", "year-2200"])
def test_the_api_refuses_a_meeting_in_a_far_year(world, client, year):
    client.force_login(world.steve)
    payload = {
        "circle": world.finance.pk,
        "title": "Far away",
        "starts_at": f"{year:04d}-12-31T22:00:00Z",
        "ends_at": f"{year:04d}-12-31T23:00:00Z",
    }

    _refused(client.post("/api/v1/meetings/", payload, content_type="application/json"), "starts_at")

    assert not Meeting.objects.exists()


def test_the_api_refuses_a_series_that_runs_until_year_9999(world, client):
    client.force_login(world.steve)
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    payload = {
        "circle": world.finance.pk,
        "title": "Weekly",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "frequency": "weekly",
        "until": "9999-12-31",
    }

    _refused(client.post("/api/v1/meeting-series/", payload, content_type="application/json"), "until")

    assert not MeetingSeries.objects.exists()


def test_the_api_refuses_a_round_that_closes_in_year_9999(world, client):
    draft = make_proposal(world.finance, world.member(world.steve), opened=False)
    client.force_login(world.steve)

    answer = client.post(
        f"/api/v1/proposals/{draft.pk}/open/", {"closes_at": "9999-12-31T23:00:00Z"}, content_type="application/json"
    )

    _refused(answer, "closes_at")
    draft.refresh_from_db()
    assert draft.state == Proposal.State.DRAFT


def test_the_api_refuses_an_action_due_in_year_1(world, client):
    client.force_login(world.steve)
    payload = {"circle": world.finance.pk, "title": "Pay", "owner": world.member(world.mia).pk, "due": "0001-01-01"}

    _refused(client.post("/api/v1/action-items/", payload, content_type="application/json"), "due")

    assert not ActionItem.objects.exists()


def test_the_api_refuses_a_token_that_expires_in_year_9999(world, client):
    client.force_login(world.mia)
    payload = {"name": "Laptop", "expires_at": "9999-12-31T00:00:00Z"}

    _refused(client.post("/api/v1/auth/tokens/", payload, content_type="application/json"), "expires_at")


def test_the_meeting_form_refuses_a_far_date_and_keeps_what_was_typed(world, client):
    client.force_login(world.steve)
    data = {
        "title": "Kept",
        "kind": "governance",
        "date": "9999-12-31",
        "start_time": "22:00",
        "end_time": "23:00",
        "repeat": "once",
    }

    answer = client.post(reverse("meeting-new", kwargs={"org": "acme", "circle": "finance"}), data)

    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.errors["date"] == [_message()] and form["title"].value() == "Kept"
    assert not Meeting.objects.exists()


def test_the_admin_refuses_an_action_due_in_year_9999(world, client, django_user_model):
    item = action_item_create(
        circle=world.finance, by=world.member(world.steve), title="Pay", owner=world.member(world.mia)
    )
    root = django_user_model.objects.create_superuser(email="root@site.test", password="pw-for-tests-1")
    client.force_login(root)
    data = {"title": "Pay", "notes": "", "owner": item.owner_id, "due": "9999-12-31", "status": item.status}

    answer = client.post(reverse("admin:meetings_actionitem_change", args=[item.pk]), data)

    assert answer.status_code == 200 and answer.context["adminform"].form.errors["due"] == [_message()]
    item.refresh_from_db()
    assert item.due is None


# The check -----------------------------------------------------------------------------------------


def test_every_date_input_of_the_project_refuses_far_dates(db):
    assert checks.date_offenders() == []


class SampleForm(forms.Form):
    bare = forms.DateField()
    checked = forms.DateTimeField(validators=[sane_date])


class SampleSerializer(serializers.Serializer):
    bare = serializers.DateTimeField()
    checked = serializers.DateField(validators=[sane_date])
    shown = serializers.DateTimeField(read_only=True)


def test_the_check_names_date_inputs_that_accept_any_date():
    assert checks._date_offenders(("tests",)) == [
        f"{__name__}.SampleForm.bare",
        f"{__name__}.SampleSerializer.bare",
    ]
