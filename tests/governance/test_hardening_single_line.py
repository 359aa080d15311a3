"""Single-line text refuses line breaks and control characters wherever it comes in (forms, API,
admin), through one validator (governance.text.single_line); a system check fails when a text
input of our apps does not refuse them, and the project passes it."""

from types import SimpleNamespace

import pytest
from django import forms
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse
from rest_framework import serializers

from circles.models import Circle
from governance import checks
from governance.models import Organisation
from governance.text import MESSAGE, MULTI_LINE, SingleLineCharField, one_line, single_line
from meetings.models import Meeting
from proposals.models import Proposal
from tests.factories import make_meeting

REFUSED = {
    "line feed": "Budget\nreview",
    "carriage return": "Budget\rreview",
    "tab": "Budget\treview",
    "NUL": "Budget\x00review",
    "escape": "Budget\x1b[31mreview",
    "delete": "Budget\x7freview",
    "next line (C1)": "Budget\x85review",
    "line separator": "Budget\u2028review",
    "paragraph separator": "Budget\u2029review",
    "right-to-left override": "Budget\u202egpj.exe",
    "first strong isolate": "Budget\u2068review",
}
ALLOWED = {
    "accents": "Coopérative d’habitants",
    "emoji family (zero-width joiners)": "Team 👨\u200d👩\u200d👧",
    "Persian (zero-width non-joiner)": "می\u200cخواهم",
    "flag of Scotland (tag characters)": "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_the_validator_refuses_line_breaks_and_control_characters(text):
    with pytest.raises(forms.ValidationError) as refused:
        single_line(text)
    assert refused.value.messages == [MESSAGE]


@pytest.mark.parametrize("text", ALLOWED.values(), ids=ALLOWED.keys())
def test_the_validator_allows_what_writing_systems_and_emoji_need(text):
    single_line(text)


def test_one_line_folds_what_the_validator_refuses_into_spaces():
    assert one_line(" Budget\r\n\treview\u2028 2027 \n") == "Budget review 2027"


# The check ---------------------------------------------------------------------------------------


def test_every_single_line_text_input_of_the_project_refuses_control_characters(db):
    assert checks.single_line_offenders() == []
    call_command("check", "--tag", "governance")  # raises SystemCheckError on an offender


def test_the_check_names_a_model_field_that_lacks_the_validator():
    with isolate_apps("governance"):

        class Sample(models.Model):
            bare = models.CharField(max_length=20)
            checked = SingleLineCharField(max_length=20)
            status = models.CharField(max_length=5, choices=[("a", "A")])
            code = models.SlugField()
            notes = models.TextField()

            class Meta:
                app_label = "governance"

            def __str__(self):
                return self.bare

        found = checks._model_offenders([SimpleNamespace(get_models=lambda: [Sample])])

    assert found == ["governance.Sample.bare"]


class SampleForm(forms.Form):
    bare = forms.CharField()
    checked = forms.CharField(validators=[single_line])
    notes = forms.CharField(widget=forms.Textarea)
    email = forms.EmailField()
    secret = forms.CharField(widget=forms.PasswordInput)


class SampleSerializer(serializers.Serializer):
    bare = serializers.CharField()
    checked = serializers.CharField(validators=[single_line])
    body = serializers.CharField(style=MULTI_LINE)
    shown = serializers.CharField(read_only=True)
    items = serializers.ListField(child=serializers.CharField())
    password = serializers.CharField(style={"input_type": "password"})


def test_the_check_names_form_and_serializer_fields_that_lack_the_validator():
    assert checks._form_offenders(("tests",)) == [f"{__name__}.SampleForm.bare"]
    assert checks._serializer_offenders(("tests",)) == [
        f"{__name__}.SampleSerializer.bare",
        f"{__name__}.SampleSerializer.items",
    ]


def test_the_check_reports_an_offender_as_an_error(monkeypatch):
    monkeypatch.setattr(checks, "single_line_offenders", lambda: ["circles.Circle.name"])
    [error] = checks.check_single_line_text()
    assert error.id == "governance.E001" and "circles.Circle.name" in error.msg


# Forms keep what was typed and say why ------------------------------------------------------------


def test_the_meeting_form_refuses_a_title_on_two_lines_and_keeps_it(world, client):
    client.force_login(world.steve)
    data = {
        "title": "Budget\nreview",
        "kind": "governance",
        "date": "2030-01-10",
        "start_time": "10:00",
        "end_time": "11:00",
        "place": "Room 1\r\nSecond floor",
        "repeat": "once",
    }

    answer = client.post(reverse("meeting-new", kwargs={"org": "acme", "circle": "finance"}), data)

    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.errors["title"] == [MESSAGE] and form.errors["place"] == [MESSAGE]
    assert form["title"].value() == "Budget\nreview"
    assert MESSAGE in answer.content.decode()
    assert not Meeting.objects.exists()


def test_a_trailing_line_break_from_a_paste_is_trimmed_not_refused(world, client):
    client.force_login(world.alice)
    data = {"name": "Kitchen\r\n", "parent": world.general.pk, "purpose": "Line one\nline two"}

    client.post(reverse("circle_new", kwargs={"org": "acme"}), data)

    kitchen = Circle.objects.get(organisation=world.organisation, name="Kitchen")
    assert kitchen.purpose == "Line one\nline two"  # multi-line text keeps its lines


def test_the_circle_form_refuses_a_name_with_a_tab(world, client):
    client.force_login(world.alice)

    data = {"name": "Kit\tchen", "parent": world.general.pk}

    answer = client.post(reverse("circle_new", kwargs={"org": "acme"}), data)

    assert answer.status_code == 200 and answer.context["form"].errors["name"] == [MESSAGE]
    assert not Circle.objects.filter(name__startswith="Kit").exists()


def test_the_organisation_settings_refuse_a_name_on_two_lines(world, client):
    client.force_login(world.alice)
    data = {
        "name": "Acme\nEvil",
        "description": "",
        "time_zone": "UTC",
        "circle_size_min": 3,
        "circle_size_max": 8,
        "load_max_circles": 3,
        "consent_round_days": 7,
    }

    answer = client.post(reverse("organisation_settings", kwargs={"org": "acme"}), data)

    assert answer.status_code == 200 and answer.context["form"].errors["name"] == [MESSAGE]
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"


def test_the_admin_refuses_an_organisation_name_on_two_lines(world, client, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@site.test", password="pw-for-tests-1")
    client.force_login(root)
    data = {"name": "Evil\nCo-op", "slug": "", "creator": world.alice.pk, "description": "", "time_zone": "UTC"}

    answer = client.post(reverse("admin:governance_organisation_add"), data)

    assert answer.status_code == 200 and answer.context["adminform"].form.errors["name"] == [MESSAGE]
    assert not Organisation.objects.filter(name__startswith="Evil").exists()


# The API answers 400 with the field's message -----------------------------------------------------


def _refused(answer, field):
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert MESSAGE in body[field] and body["detail"]
    return body


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_the_api_refuses_a_meeting_title_with_a_control_character(world, client, text):
    client.force_login(world.steve)
    payload = {
        "circle": world.finance.pk,
        "title": text,
        "starts_at": "2030-06-01T10:00:00Z",
        "ends_at": "2030-06-01T11:00:00Z",
    }

    _refused(client.post("/api/v1/meetings/", payload, content_type="application/json"), "title")

    assert not Meeting.objects.exists()


def test_the_api_refuses_a_place_on_two_lines_when_a_meeting_is_edited(world, client):
    meeting = make_meeting(world.finance, by=world.member(world.steve), place="Room 1")
    client.force_login(world.steve)

    answer = client.patch(
        f"/api/v1/meetings/{meeting.pk}/", {"place": "Room 1\nSecond floor"}, content_type="application/json"
    )

    _refused(answer, "place")
    meeting.refresh_from_db()
    assert meeting.place == "Room 1"


def test_the_api_refuses_a_proposal_title_with_a_carriage_return(world, client):
    client.force_login(world.steve)
    payload = {"circle": world.finance.pk, "title": "Raise\rdues", "body": "Line one\nline two"}

    _refused(client.post("/api/v1/proposals/", payload, content_type="application/json"), "title")

    assert not Proposal.objects.exists()


def test_the_api_refuses_a_circle_name_through_a_model_serializer(world, client):
    client.force_login(world.alice)

    url = f"/api/v1/circles/{world.finance.pk}/"

    answer = client.patch(url, {"name": "Fin\nance"}, content_type="application/json")

    _refused(answer, "name")
    assert Circle.objects.get(pk=world.finance.pk).name == "Finance"


def test_the_api_refuses_an_organisation_name_with_a_bidi_override(world, client):
    client.force_login(world.alice)

    answer = client.patch(
        f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Acme\u202e"}, content_type="application/json"
    )

    _refused(answer, "name")
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"


def test_the_api_refuses_a_token_name_on_two_lines(world, client):
    client.force_login(world.mia)

    _refused(client.post("/api/v1/auth/tokens/", {"name": "Laptop\nscript"}, content_type="application/json"), "name")
