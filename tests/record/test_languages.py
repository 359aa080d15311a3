"""The record's pages, its drafts, the activity feed and the emails read in French, Spanish and German:
each email in its recipient's language, a term summary in its organisation's, a page in its reader's."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from governance.models import Event, Notification
from governance.services import notifications_flush
from governance.templatetags.governance_tags import event_text
from record.services import term_summary_draft
from tests.factories import make_circle, make_member, make_organisation, make_proposal

from .scenario import DAY, T0, build


@pytest.fixture
def finance(db):
    organisation = make_organisation("Coopérative du Rhône")
    steward = make_member(organisation)
    circle = make_circle(organisation, "Finance", steward=steward)
    return organisation, circle, steward


def test_the_proposal_opened_email_reads_in_french_for_a_member_whose_language_is_french(finance):
    organisation, circle, author = finance
    in_french = make_member(organisation, circles=[circle])
    in_french.user.language = "fr"
    in_french.user.save()
    in_english = make_member(organisation, circles=[circle])

    make_proposal(circle, author, title="Adopter un budget partagé")

    french = Notification.objects.get(kind="proposal_opened", email=in_french.user.email)
    english = Notification.objects.get(kind="proposal_opened", email=in_english.user.email)
    assert french.subject == "[Finance] Votre position est demandée : Adopter un budget partagé"
    assert f"{author.user} demande votre position sur « Adopter un budget partagé »" in french.body
    assert english.subject == "[Finance] Your position is asked: Adopter un budget partagé"
    assert f"{author.user} asks for your position on “Adopter un budget partagé”" in english.body

    notifications_flush()
    sent = {message.to[0]: message for message in mail.outbox}
    html = sent[in_french.user.email].alternatives[0][0]
    assert "Un tour est ouvert dans Finance et votre position est demandée." in html
    assert "Donnez votre position" in html
    assert "Vous recevez ceci en tant que membre de Coopérative du Rhône." in sent[in_french.user.email].body


def test_the_activity_feed_reads_in_the_reader_s_language(finance):
    organisation, circle, author = finance
    make_proposal(circle, author, title="Adopt a shared budget")
    event = Event.objects.get(verb="proposal.opened")

    with translation.override("fr"):
        french = event_text(event, organisation)
    with translation.override("de"):
        german = event_text(event, organisation)

    assert "</strong> a ouvert la proposition « Adopt a shared budget » dans <a href=" in french
    assert "</strong> hat den Vorschlag „Adopt a shared budget“ in <a href=" in german
    assert german.endswith("</a> eröffnet")


def test_a_term_summary_is_drafted_in_the_organisation_s_language_whoever_drafts_it(db, time_machine):
    world = build(time_machine).world
    world.finance.organisation.language = "de"
    world.finance.organisation.save()

    with translation.override("fr"):  # the steward reads French; the circle's summary is the organisation's
        summary = term_summary_draft(circle=world.finance, since=T0 - 50 * DAY, until=T0, by=None)

    assert summary.title == "Finance: Amtszeit bis 15. Juni 2026"
    assert "Amtszeit von Finance vom 26. April 2026 bis 15. Juni 2026." in summary.body
    assert "## Entscheidungen" in summary.body and "Keine Wahlen in dieser Amtszeit." in summary.body
    assert "5 von 6 Antworten in Runden; 3 Vorschläge; 2 Einwände, davon 1 integriert" in summary.body


def test_the_health_dashboard_reads_in_spanish_for_a_member_who_reads_spanish(finance, client):
    organisation, _circle, steward = finance
    steward.user.language = "es"
    steward.user.save()
    client.force_login(steward.user)

    page = client.get(reverse("record-health", kwargs={"org": organisation.slug})).content.decode()

    assert '<html lang="es"' in page
    assert "Salud de Coopérative du Rhône" in page
    assert "Decisiones por mes" in page  # the chart's title, drawn on the server
    assert 'data-scroll-hint="Desplázate de lado para ver toda la tabla →"' in page


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "When to split"), ("fr", "Quand se scinder"), ("es", "Cuándo dividirse"), ("de", "Wann aufteilen")],
)
def test_the_size_guidance_reads_in_the_reader_s_language(client, db, language, heading):
    page = client.get(reverse("record-size-guidance"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"<h1>{heading}</h1>" in page
    assert f"<title>{heading} ·" in page
