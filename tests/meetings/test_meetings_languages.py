"""Meetings in French, Spanish and German: the meeting page in the reader's language, the prefilled
minutes in the secretary's (else the organisation's), a calendar feed in its owner's, the words of a
recurrence rule, and a service's refusal as the API's `detail` in the language the caller asks for."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar
from rest_framework.test import APIClient

from meetings.queries import minutes_prefill
from meetings.recurrence import describe, describe_lazy
from meetings.services import agenda_item_add, calendar_feed_create
from tests.factories import give_role, make_meeting, make_member


def speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_the_meeting_page_reads_in_the_members_french(world, client):
    speaks(world.mia, "fr")
    meeting = make_meeting(world.finance, starts_in=timedelta(days=3))
    agenda_item_add(meeting=meeting, by=world.member(world.steve), title="Budget", time_box=20)
    client.force_login(world.mia)

    page = client.get(reverse("meeting", kwargs={"org": "acme", "pk": meeting.pk})).content.decode()

    assert "Ordre du jour" in page
    assert "Présences" in page
    assert "20 min" in page and "1 point" in page
    assert "Ajouter un point" in page and "Venez-vous ?" in page
    assert ">Agenda<" not in page and ">Attendance<" not in page


def test_the_circle_meetings_page_reads_in_german(world, client):
    speaks(world.steve, "de")
    make_meeting(world.finance, starts_in=timedelta(days=2))
    client.force_login(world.steve)

    page = client.get(reverse("circle-meetings", kwargs={"org": "acme", "circle": "finance"})).content.decode()

    assert "Sitzungen von Finance" in page
    assert "Sitzung planen" in page
    assert "Regelmäßige Sitzungen" in page


def test_the_prefilled_minutes_are_in_the_organisations_language(world):
    world.organisation.language = "es"
    world.organisation.save(update_fields=["language"])
    meeting = make_meeting(world.finance, starts_in=timedelta(days=1))

    with translation.override("en"):  # whoever opens the page, the draft is the circle's record
        body = minutes_prefill(meeting)

    assert "## Asistencia" in body and "## Orden del día" in body
    assert "_Ningún punto en el orden del día._" in body
    assert "Facilitación:" in body and "Quórum: " in body


def test_the_prefilled_minutes_follow_the_secretarys_own_language(world):
    world.organisation.language = "fr"
    world.organisation.save(update_fields=["language"])
    sam = make_member(world.organisation, circles=[world.finance])
    speaks(sam.user, "de")
    meeting = make_meeting(world.finance, starts_in=timedelta(days=1), secretary=sam)

    body = minutes_prefill(meeting)

    assert "## Anwesenheit" in body and "## Tagesordnung" in body
    assert "Protokollführung: " in body


def test_a_calendar_feed_reads_in_its_owners_language(world, client):
    speaks(world.mia, "fr")
    make_meeting(world.finance, starts_in=timedelta(days=2), title="Point hebdo")
    _, token = calendar_feed_create(member=world.member(world.mia))

    answer = client.get(reverse("calendar-feed", kwargs={"token": token}), HTTP_ACCEPT_LANGUAGE="en")

    calendar = Calendar.from_ical(answer.content)
    assert str(calendar["X-WR-CALNAME"]).startswith("Mes réunions · ")
    event = next(c for c in calendar.walk("VEVENT"))
    assert str(event["DESCRIPTION"]).startswith("Réunion de gouvernance de Finance.")


@pytest.mark.parametrize(
    ("language", "rule", "words"),
    [
        ("en", "FREQ=MONTHLY;BYDAY=1MO", "every month on the first Monday"),
        ("fr", "FREQ=MONTHLY;BYDAY=1MO", "tous les mois, le premier lundi"),
        ("es", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "cada 2 semanas, el martes"),
        ("de", "FREQ=MONTHLY;BYDAY=-1FR", "jeden Monat am letzten Freitag"),
    ],
)
def test_a_recurrence_rule_in_plain_words(language, rule, words):
    with translation.override(language):
        assert describe(rule) == words


def test_a_rule_for_an_email_is_worded_when_the_email_is_written():
    rule = describe_lazy("FREQ=WEEKLY")  # made in one language, rendered in each recipient's
    with translation.override("de"):
        assert str(rule) == "jede Woche"
    with translation.override("fr"):
        assert str(rule) == "toutes les semaines"


def test_a_refusal_is_the_apis_detail_in_the_language_asked_for(world):
    fay = make_member(world.organisation, circles=[world.finance])
    give_role(world.finance, fay, "facilitator")
    meeting = make_meeting(world.finance, starts_in=timedelta(days=3))
    api = APIClient()
    api.force_authenticate(fay.user)

    answer = api.post(f"/api/v1/meetings/{meeting.pk}/publish-agenda/", HTTP_ACCEPT_LANGUAGE="fr")

    assert answer.status_code == 409
    assert answer.json()["detail"] == "Ajoutez au moins un point avant de publier l'ordre du jour."
