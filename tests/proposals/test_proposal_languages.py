"""The proposal pages, their refusals and the API's `detail` read in the member's own language."""

from django.urls import reverse
from rest_framework.test import APIClient

from governance.models import User
from proposals.services import position_record
from tests.factories import make_proposal


def url(name, proposal):
    return reverse(name, kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})


def speaks(user, language):
    User.objects.filter(pk=user.pk).update(language=language)


def test_the_proposal_page_reads_in_french(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Trop cher")
    speaks(world.mia, "fr")
    client.force_login(world.mia)
    page = client.get(url("proposal", proposal)).content.decode()
    assert "Votre position" in page and "Qui a répondu" in page and "Décompte" in page
    assert "Retirer mon objection" in page and "Garder mon motif comme note" in page
    assert "1 objection maintenue : la proposition ne peut pas être adoptée" in page
    assert "Tour de consentement dans" in page
    assert "Who responded" not in page and "Your position" not in page


def test_a_refused_position_is_explained_in_spanish_on_the_page(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    speaks(world.mia, "es")
    client.force_login(world.mia)
    page = client.post(url("position-record", proposal), {"kind": "objection", "reason": ""}).content.decode()
    assert "Una objeción necesita un motivo" in page
    assert "Registrar mi posición" in page


def test_the_api_says_why_it_refuses_in_german(world):
    proposal = make_proposal(world.finance, world.member(world.steve))
    speaks(world.mia, "de")
    api = APIClient()
    api.force_login(world.mia)
    answer = api.post(f"/api/v1/proposals/{proposal.pk}/positions/", {"kind": "concern"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["reason"] == ["Bedenken brauchen eine Begründung, damit man mit ihnen arbeiten kann."]


def test_the_decision_log_and_the_waiting_list_read_in_german(world, client):
    make_proposal(world.finance, world.member(world.steve))
    speaks(world.mia, "de")
    client.force_login(world.mia)
    waiting = client.get(reverse("waiting", kwargs={"org": world.organisation.slug})).content.decode()
    assert "Wartet auf deine Position" in waiting and "Antworten" in waiting
    log = client.get(reverse("decision-log", kwargs={"org": world.organisation.slug})).content.decode()
    assert "Entscheidungsprotokoll" in log and "Noch keine Entscheidungen" in log
