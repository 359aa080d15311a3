"""Changing a concern or an objection to consent or abstain: the old reason is cleared unless the
member keeps it as a note, in the service, the browser and the API alike; and the htmx answer brings
"who responded" back with the tally (never naming anyone in an anonymous round)."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from proposals.models import Position
from proposals.proxies import proxy_give
from proposals.services import position_record
from tests.factories import make_proposal

HX = {"HX-Request": "true"}
REASON = "The budget has no reserve for repairs."


def url(name, proposal):
    return reverse(name, kwargs={"org": proposal.organisation.slug, "pk": proposal.pk})


def current(proposal, user) -> Position:
    return Position.objects.get(proposal=proposal, member__user=user, is_current=True)


@pytest.fixture
def objected(world):
    """An open round in Finance where Mia objects with a reason."""
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason=REASON)
    return proposal


# The service --------------------------------------------------------------------------------------


def test_consenting_after_an_objection_clears_its_reason_sent_again(world, objected):
    position_record(proposal=objected, member=world.member(world.mia), kind="consent", reason=REASON)
    mine = current(objected, world.mia)
    assert mine.kind == "consent" and mine.reason == ""
    earlier = Position.objects.get(proposal=objected, member__user=world.mia, is_current=False)
    assert earlier.kind == "objection" and earlier.reason == REASON  # the history keeps it


def test_abstaining_after_a_concern_clears_its_reason(world):
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="concern", reason="Line one\nLine two")
    # A browser sends the pre-filled text back with CRLF line endings.
    position_record(proposal=proposal, member=world.member(world.mia), kind="abstain", reason="Line one\r\nLine two")
    assert current(proposal, world.mia).reason == ""


def test_the_member_may_keep_the_reason_as_a_note(world, objected):
    position_record(
        proposal=objected, member=world.member(world.mia), kind="consent", reason=REASON, keep_reason_as_note=True
    )
    mine = current(objected, world.mia)
    assert mine.kind == "consent" and mine.reason == REASON


def test_a_note_written_anew_with_the_consent_is_kept(world, objected):
    position_record(proposal=objected, member=world.member(world.mia), kind="consent", reason="Resolved by v2.")
    assert current(objected, world.mia).reason == "Resolved by v2."


def test_changing_an_objection_to_a_concern_keeps_the_reason(world, objected):
    position_record(proposal=objected, member=world.member(world.mia), kind="concern", reason=REASON)
    mine = current(objected, world.mia)
    assert mine.kind == "concern" and mine.reason == REASON


def test_a_proxy_holder_consenting_clears_the_reason_too(world, objected):
    steve = world.member(world.steve)
    proposal = make_proposal(world.finance, steve, title="Another round")
    proxy_give(grantor=world.member(world.mia), holder=steve, proposal=proposal)
    position_record(proposal=proposal, member=world.member(world.mia), by=steve, kind="objection", reason=REASON)
    position_record(proposal=proposal, member=world.member(world.mia), by=steve, kind="consent", reason=REASON)
    assert current(proposal, world.mia).reason == ""


# The browser --------------------------------------------------------------------------------------


def test_the_form_offers_to_keep_the_reason_only_to_a_concern_or_an_objection(world, client, objected):
    client.force_login(world.mia)
    assert "Keep my reason as a note" in client.get(url("proposal", objected)).content.decode()
    client.force_login(world.steve)
    assert "Keep my reason as a note" not in client.get(url("proposal", objected)).content.decode()


def test_consenting_in_the_browser_clears_the_prefilled_reason(world, client, objected):
    client.force_login(world.mia)
    page = client.get(url("proposal", objected)).content.decode()
    assert REASON in page  # the textarea is pre-filled with the objection's reason
    client.post(url("position-record", objected), {"kind": "consent", "reason": REASON})
    assert current(objected, world.mia).reason == ""
    page = client.get(url("proposal", objected)).content.decode()
    positions = page[page.index('id="positions"') : page.index('id="comments"')]
    assert "Consent" in positions and REASON not in positions


def test_ticking_keep_in_the_browser_keeps_the_reason(world, client, objected):
    client.force_login(world.mia)
    client.post(url("position-record", objected), {"kind": "consent", "reason": REASON, "keep_reason_as_note": "on"})
    assert current(objected, world.mia).reason == REASON


# The API ------------------------------------------------------------------------------------------


def test_the_api_clears_the_reason_unless_asked_to_keep_it(world, objected):
    api = APIClient()
    api.force_authenticate(world.mia)
    path = f"/api/v1/proposals/{objected.pk}/positions/"
    answer = api.post(path, {"kind": "abstain", "reason": REASON}, format="json")
    assert answer.status_code == 201 and answer.json()["kind"] == "abstain" and answer.json()["reason"] == ""
    api.post(path, {"kind": "objection", "reason": REASON}, format="json")
    answer = api.post(path, {"kind": "consent", "reason": REASON, "keep_reason_as_note": True}, format="json")
    assert answer.status_code == 201 and answer.json()["reason"] == REASON
    assert current(objected, world.mia).reason == REASON


def test_the_schema_describes_keep_reason_as_note(world, client):
    client.force_login(world.mia)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["PositionInputRequest"]["properties"]
    assert fields["keep_reason_as_note"]["type"] == "boolean"


# Who responded, together with the tally ------------------------------------------------------------


def oob_section(html: str) -> str:
    match = re.search(r'<section[^>]*id="positions"[^>]*hx-swap-oob="true"[^>]*>.*?</section>', html, re.S)
    assert match, "the htmx answer carries who responded out of band"
    return match.group(0)


def test_the_htmx_answer_brings_who_responded_with_the_tally(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve))
    client.force_login(world.mia)
    answer = client.post(url("position-record", proposal), {"kind": "concern", "reason": "Costly"}, headers=HX)
    html = answer.content.decode()
    assert html.lstrip().startswith('<div id="position-panel"')  # the panel is still swapped in place
    positions = oob_section(html)
    assert "Mia Member" in positions and "Concern" in positions and "Costly" in positions
    assert "1 of 2" in positions and 'data-kind="concern">1<' in html
    assert "Steve Steward" in positions.split("Not responded yet")[1]

    answer = client.post(url("position-record", proposal), {"kind": "consent", "reason": "Costly"}, headers=HX)
    positions = oob_section(answer.content.decode())
    assert "Consent" in positions and "Concern" not in positions and "Costly" not in positions


def test_with_hidden_results_the_htmx_answer_names_who_responded_never_how(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve), hidden_results=True)
    client.force_login(world.mia)
    html = client.post(url("position-record", proposal), {"kind": "objection", "reason": "Secret"}, headers=HX)
    html = html.content.decode()
    positions = oob_section(html)
    assert "Mia Member" in positions and "1 of 2" in positions
    assert "Objection" not in positions and "kind-" not in positions and "Secret" not in positions
    assert 'data-kind="objection"' not in html


def test_an_anonymous_round_never_names_who_responded_in_the_htmx_answer(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve), anonymous=True)
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    client.force_login(world.mia)
    html = client.post(url("position-record", proposal), {"kind": "objection", "reason": "Secret"}, headers=HX)
    html = html.content.decode()
    positions = oob_section(html)
    assert "2 of 2" in positions
    assert "Steve Steward" not in html and "Not responded yet" not in positions
    assert 'data-kind="' not in html and "Secret" not in positions
