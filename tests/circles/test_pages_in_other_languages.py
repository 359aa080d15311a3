"""The circle and role pages, their messages and the refusals of their services read in the member's
language: French, Spanish or German, with the English unchanged for someone who reads English."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from rest_framework.test import APIClient

from circles.changes import CircleMove
from governance.changes import ChangeContext
from governance.models import User
from roles.services import role_assign
from tests.factories import UserFactory, make_circle, make_member, make_organisation, make_role


def reader(language: str):
    user = UserFactory(name="Ada Admin")
    User.objects.filter(pk=user.pk).update(language=language)
    organisation = make_organisation(admin=user)
    return user, organisation, organisation.members.get(user=user)


def read(client, path: str) -> str:
    """The page's text as a person reads it: entities decoded, French no-break spaces as spaces."""
    return unescape(client.get(path).content.decode()).replace("\u00a0", " ")


def test_a_circle_page_reads_in_french(client, db):
    user, organisation, ada = reader("fr")
    finance = make_circle(organisation, "Finance", steward=ada)
    client.force_login(user)

    page = read(client, reverse("circle", kwargs={"org": organisation.slug, "circle": finance.slug}))

    assert "Raison d'être" in page
    assert "Gérer la composition" in page
    assert "1 membre · responsable : Ada Admin" in page
    assert "Manage roster" not in page


def test_the_same_circle_page_keeps_its_english(client, db):
    user, organisation, ada = reader("en")
    finance = make_circle(organisation, "Finance", steward=ada)
    client.force_login(user)

    page = read(client, reverse("circle", kwargs={"org": organisation.slug, "circle": finance.slug}))

    assert "1 member · steward Ada Admin" in page
    assert "Manage roster" in page


def test_a_role_page_reads_in_german_with_its_plurals(client, db):
    user, organisation, ada = reader("de")
    finance = make_circle(organisation, "Finance", steward=ada)
    role = make_role(finance, "Bookkeeper", seats=2, term_months=12)
    client.force_login(user)

    page = read(client, reverse("role", kwargs={"org": organisation.slug, "pk": role.pk}))

    assert "2 Sitze" in page
    assert "Amtszeiten von 12 Monaten" in page
    assert "Was sie verlangt" in page
    assert "What it asks" not in page


def test_a_roster_refusal_reaches_the_api_in_spanish(db):
    user, organisation, ada = reader("es")
    finance = make_circle(organisation, "Finance", steward=ada)
    nora = make_member(organisation, circles=[finance])
    client = APIClient()
    client.force_login(user)

    answer = client.post("/api/v1/circle-memberships/", {"circle": finance.pk, "member": nora.pk}, format="json")

    assert answer.status_code == 409
    assert "ya está entre los integrantes de Finance" in answer.json()["detail"]


def test_the_steward_message_after_a_roster_change_reads_in_french(client, db):
    user, organisation, ada = reader("fr")
    finance = make_circle(organisation, "Finance", steward=ada)
    nora = make_member(organisation)
    client.force_login(user)

    answer = client.post(
        reverse("roster_add", kwargs={"org": organisation.slug, "circle": finance.slug}),
        {"member": nora.pk},
        follow=True,
    )

    text = unescape(answer.content.decode())
    assert f"{nora.user.display_name} fait désormais partie de la composition de Finance." in text


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("en", "Move “Finance” under “Outreach”"),
        ("fr", "Déplacer « Finance » sous « Outreach »"),
        ("es", "Mover “Finance” bajo “Outreach”"),
        ("de", "„Finance“ unter „Outreach“ verschieben"),
    ],
)
def test_a_circle_change_describes_itself_in_the_reader_s_language(db, language, summary):
    _user, organisation, ada = reader("en")
    finance = make_circle(organisation, "Finance")
    outreach = make_circle(organisation, "Outreach")
    ctx = ChangeContext(organisation=organisation, circle=organisation.circles.get(is_general=True), actor=ada)

    with translation.override(language):
        description = CircleMove().describe(ctx, {"circle": finance.pk, "parent": outreach.pk})

    assert description.summary.replace("\u00a0", " ") == summary


def test_a_date_in_full_is_written_as_the_reader_s_language_writes_it(client, db):
    user, organisation, ada = reader("es")
    finance = make_circle(organisation, "Finance", steward=ada)
    term = role_assign(role=make_role(finance, "Bookkeeper", term_months=12), member=ada, by=None)
    client.force_login(user)

    page = read(client, reverse("assignment-end", kwargs={"org": organisation.slug, "pk": term.pk}))

    started = timezone.localtime(term.started_at, organisation.tzinfo)
    with translation.override("es"):
        month = dateformat.format(started, "F")
    assert f"desde el {started.day} de {month} de {started.year}, hasta el" in page
