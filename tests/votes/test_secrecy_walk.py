"""Issue 15, the broken promise: in an anonymous round, and in a round whose results are hidden,
nothing produced while the round is open lets anyone but the member infer how a member responded.

The walk: every page and API answer under the proposal (and the lists, feeds and exports that
mention it), as other members, the author, the steward, the organisation admin and a site admin
(Django admin), plus every event, webhook delivery and email written so far; after the first
response and after all of them. It looks for the members' reasons, the kinds they took, any count
by kind (the tally's markers, `kinds`, `objections`), and, for anonymous rounds, who responded.

The rule written down (proposals.queries.shown_positions, Proposal.results_hidden):
- hidden results (an option; always on for anonymous rounds): until the close at most "n of m
  responded"; who responded stays visible unless the round is anonymous;
- anonymous: neither who nor how until the close; after it the counts by kind only, never who.
"""

import json
import re

import pytest
from django.urls import reverse

from governance.models import Event, Notification, WebhookDelivery, WebhookEndpoint
from proposals.proxies import proxy_give
from proposals.services import position_record, proposal_close
from tests.factories import UserFactory, make_proposal

SECRETS = ("MIA-SECRET", "VIC-SECRET", "WES-SECRET")
KIND_WORDS = ("objection", "concern")  # the kinds the secret responders take
TALLY_MARKERS = ('data-kind="', "seg-objection", "seg-concern", "seg-consent", "standing objection", "kind-objection")
FORM = re.compile(r"<form\b.*?</form>", re.S)


@pytest.fixture
def round_(request, world, voters):
    anonymous = request.param == "anonymous"
    # Made directly: webhook_create resolves the host name, and tests have no network.
    WebhookEndpoint.objects.create(
        organisation=world.organisation,
        created_by=world.member(world.alice),
        url="https://hooks.example.test/in",
        secret="s" * 40,
        event_types=["position.recorded", "proposal.opened", "proposal.closed", "proxy.given"],
    )
    proxy_give(grantor=voters["wes"], holder=world.member(world.mia), circle=world.finance)
    proposal = make_proposal(
        world.finance,
        voters["ann"],
        title="Buy a second van",
        anonymous=anonymous,
        hidden_results=not anonymous,
        quorum_percent=50,
    )
    return proposal


def _viewers(world, voters):
    root = UserFactory(email="root@acme.test", name="Root Admin", is_staff=True, is_superuser=True)
    return {
        "nora (another member)": world.nora,
        "ann (the author)": voters["ann"].user,
        "steve (the steward)": world.steve,
        "alice (the organisation admin)": world.alice,
        "root (a site admin)": root,
    }


def _urls(world, proposal, event_ids):
    org = "acme"
    pk = proposal.pk
    pages = [
        reverse("proposal", kwargs={"org": org, "pk": pk}),
        reverse("proposal", kwargs={"org": org, "pk": pk}) + "?comments=all",
        reverse("proposal-versions", kwargs={"org": org, "pk": pk}),
        reverse("circle-proposals", kwargs={"org": org, "circle": world.finance.slug}),
        reverse("circle", kwargs={"org": org, "circle": world.finance.slug}),
        reverse("waiting", kwargs={"org": org}),
        reverse("decision-log", kwargs={"org": org}),
        reverse("decision-log", kwargs={"org": org}) + "?format=csv",
        reverse("proxies", kwargs={"org": org}),
        reverse("organisation", kwargs={"org": org}),
    ]
    api = [
        "/api/v1/proposals/",
        f"/api/v1/proposals/{pk}/",
        f"/api/v1/proposals/{pk}/tally/",
        f"/api/v1/proposals/{pk}/positions/",
        f"/api/v1/proposals/{pk}/versions/",
        f"/api/v1/proposals/{pk}/my-positions/",
        f"/api/v1/proposals/{pk}/comments/",
        "/api/v1/proxies/",
        "/api/v1/events/",
        *(f"/api/v1/events/{event_id}/" for event_id in event_ids),
    ]
    admin = [
        reverse("admin:proposals_proposal_change", args=[pk]),
        reverse("admin:proposals_position_changelist"),
        reverse("admin:proposals_proxy_changelist"),
        reverse("admin:governance_event_changelist"),
    ]
    return pages, api, admin


def _visible_text(response) -> str:
    text = response.content.decode()
    if "csv" in response.get("Content-Type", ""):
        return text.split("\n", 1)[1]  # the rows; the header names an "objections" column
    # The position forms list every kind as a choice to pick; what a form offers reveals nobody's.
    return FORM.sub("", text) if "html" in response.get("Content-Type", "") else text


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)] if value is not None else []


def _json_leaks(value, path="") -> list[str]:
    """Counts by kind or kinds in an API answer."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "kinds" and item:
                found.append(f"{path}.kinds")
            if key in ("objections", "kind") and item is not None:
                found.append(f"{path}.{key}={item}")
            if key == "tally" and item:
                found.append(f"{path}.tally")
            found += _json_leaks(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            found += _json_leaks(item, path)
    return found


def _assert_nothing_leaks(client, world, proposal, viewers, *, anonymous, moment):
    event_ids = list(Event.objects.values_list("pk", flat=True))
    pages, api, admin = _urls(world, proposal, event_ids)
    for who, user in viewers.items():
        client.force_login(user)
        urls = admin if who.startswith("root") else pages + api
        for url in urls:
            response = client.get(url)
            if response.status_code == 404 and url.startswith("/api/v1/events/"):
                continue  # an event of a circle this viewer may not see
            assert response.status_code == 200, (moment, who, url, response.status_code)
            # The admin's change page is one big form: read it whole.
            text = response.content.decode() if url.startswith("/admin/") else _visible_text(response)
            where = f"{moment}: {who} at {url}"
            for secret in SECRETS:
                assert secret not in text, f"{where} shows a reason ({secret})"
            # In an API answer, the values: a key such as "objections" (null until the close) says nothing.
            lowered = " ".join(_strings(response.json())).lower() if url.startswith("/api/") else text.lower()
            if not who.startswith("root"):
                for word in KIND_WORDS:
                    assert word not in lowered, f"{where} names a kind ({word})"
            else:  # the admin's own filters name "Objection withdrawn": look for values, not labels
                for word in KIND_WORDS:
                    for shape in (f"&quot;{word}&quot;", f">{word.title()}<", f">{word}<"):
                        assert shape not in text, f"{where} shows a kind ({shape})"
            for marker in TALLY_MARKERS:
                assert marker not in text, f"{where} shows a count by kind ({marker})"
            if url.startswith("/api/"):
                assert not _json_leaks(response.json()), f"{where}: {_json_leaks(response.json())}"
            if anonymous:
                # Rosters name Vic, of course; what is about the round must not, nor the feed's lines.
                about_the_round = f"/p/{proposal.pk}/" in url or url.startswith("/api/v1/proposals")
                assert not (about_the_round and "Vic Voter" in text), f"{where} tells that Vic responded"
                assert "Vic Voter</strong> responded" not in text, f"{where} tells that Vic responded"
    # What went out, or will: events, webhook deliveries, emails.
    for event in Event.objects.all():
        blob = json.dumps(event.details).lower()
        assert "kind" not in event.details and not any(w in blob for w in KIND_WORDS), (moment, event.verb)
        assert not any(s.lower() in blob for s in SECRETS)
        if anonymous and event.verb == "position.recorded":
            assert event.actor_id is None and event.details == {}, (moment, "who responded is in the log")
    for delivery in WebhookDelivery.objects.all():
        blob = json.dumps(delivery.payload)
        assert not any(w in blob.lower() for w in KIND_WORDS), (moment, delivery.event_type)
        assert not any(s in blob for s in SECRETS)
        if anonymous and delivery.event_type == "position.recorded":
            assert delivery.payload["data"]["actor"] is None and "Vic" not in blob
    for note in Notification.objects.all():
        mail = f"{note.subject}\n{note.body}".lower()
        assert not any(w in mail for w in KIND_WORDS), (moment, note.kind, note.email)
        assert not any(s.lower() in mail for s in SECRETS)
    assert not Notification.objects.filter(kind="objection_raised").exists()


@pytest.mark.parametrize("round_", ["anonymous", "hidden results"], indirect=True)
def test_nothing_tells_how_anyone_responded_before_the_close(world, voters, round_, client, time_machine):
    proposal = round_
    anonymous = proposal.anonymous
    viewers = _viewers(world, voters)
    mia = world.member(world.mia)

    # One responder: with counts beside "who responded", this is where a vote gave itself away.
    position_record(proposal=proposal, member=mia, kind="objection", reason="MIA-SECRET worry")
    _assert_nothing_leaks(client, world, proposal, viewers, anonymous=anonymous, moment="after one response")

    # Vic through the page, Wes by proxy (Mia holds it) through the API, Vic again (a change).
    client.force_login(voters["vic"].user)
    answer = client.post(
        reverse("position-record", kwargs={"org": "acme", "pk": proposal.pk}),
        {"kind": "concern", "reason": "VIC-SECRET doubt"},
    )
    assert answer.status_code == 302
    client.force_login(world.mia)
    answer = client.post(
        f"/api/v1/proposals/{proposal.pk}/positions/",
        {"kind": "concern", "reason": "WES-SECRET fear", "for_member": voters["wes"].pk},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    position_record(proposal=proposal, member=voters["vic"], kind="objection", reason="VIC-SECRET doubt, firmer")
    _assert_nothing_leaks(client, world, proposal, viewers, anonymous=anonymous, moment="after every response")

    # The member sees their own position, and only theirs.
    client.force_login(voters["vic"].user)
    mine = client.get(f"/api/v1/proposals/{proposal.pk}/my-positions/").json()
    assert [p["kind"] for p in mine] == ["objection", "concern"]
    listed = client.get(f"/api/v1/proposals/{proposal.pk}/positions/").json()["results"]
    assert {row["member"]["id"]: row["kind"] for row in listed if row["kind"]} == {voters["vic"].pk: "objection"}
    page = client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).content.decode()
    assert "VIC-SECRET doubt, firmer" in page and "MIA-SECRET" not in page and "WES-SECRET" not in page

    # The holder sees what they recorded for the grantor, nothing of Vic's.
    client.force_login(world.mia)
    page = FORM.sub("", client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).content.decode())
    assert "VIC-SECRET" not in page and 'data-kind="' not in page

    # After the close: the counts by kind; in an anonymous round still nobody's name beside them.
    time_machine.move_to(proposal.closes_at)
    assert proposal_close(proposal_id=proposal.pk)
    client.force_login(world.nora)
    page = client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).content.decode()
    assert 'data-kind="objection">2<' in page and 'data-kind="concern">1<' in page
    tally = client.get(f"/api/v1/proposals/{proposal.pk}/tally/").json()
    assert tally["objections"] == 2 and not tally["results_hidden"]
    listed = client.get(f"/api/v1/proposals/{proposal.pk}/positions/").json()["results"]
    if anonymous:
        assert "Vic Voter" not in page and "Mia Member" not in FORM.sub("", page).split("comments-heading")[0]
        assert listed == []
    else:
        assert {row["member"]["name"]: row["kind"] for row in listed} == {
            "Mia Member": "objection",
            "Vic Voter": "objection",
            "Wes Weighty": "concern",
        }
        assert "by proxy: Mia Member" in page
