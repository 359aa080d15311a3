"""Proxies: limits, the grantor's override, revocation during an open round, holders leaving, the
grantor's snapshot of eligibility and weight, the event log, pages and API."""

import pytest
from django.urls import reverse

from circles.services import roster_remove
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Event
from governance.services import member_remove, organisation_update
from proposals.models import Position, Proxy
from proposals.proxies import proxy_give, proxy_revoke
from proposals.queries import tally_recount
from proposals.services import position_record
from tests.factories import make_member, make_proposal


@pytest.fixture
def mia(world):
    return world.member(world.mia)


def test_a_holder_responds_for_the_grantor_with_the_grantor_weight(world, voters, heavy_class, mia):
    wes = voters["wes"]
    wes.membership_class = heavy_class
    wes.save(update_fields=["membership_class"])
    proposal = make_proposal(world.finance, voters["ann"])
    proxy = proxy_give(grantor=wes, holder=mia, proposal=proposal)
    position = position_record(proposal=proposal, member=wes, by=mia, kind="consent")
    assert (position.member, position.by_proxy, position.proxy, position.weight) == (wes, mia, proxy, 3)
    proposal.refresh_from_db()
    assert proposal.tally == tally_recount(proposal) == {"consent": [1, 3]}
    event = Event.objects.filter(verb="position.recorded").latest("pk")
    assert event.actor == mia and event.details == {
        "kind": "consent",
        "member": "Wes Weighty",
        "by_proxy": "Mia Member",
    }


def test_eligibility_stays_the_grantor_snapshot(world, voters, mia):
    proposal = make_proposal(world.finance, voters["ann"])
    late = make_member(world.organisation, circles=[world.finance])  # joined after the round opened
    proxy_give(grantor=late, holder=mia, circle=world.finance)
    with pytest.raises(NotAllowed):
        position_record(proposal=proposal, member=late, by=mia, kind="consent")


def test_the_organisation_caps_how_many_proxies_one_member_holds(world, voters, mia):
    proxy_give(grantor=voters["wes"], holder=mia, circle=world.finance)
    with pytest.raises(Conflict, match="already holds 1 proxies"):
        proxy_give(grantor=voters["vic"], holder=mia, circle=world.finance)
    organisation_update(organisation=world.organisation, by=None, proxies_max_held=2)
    mia.organisation.refresh_from_db()
    vic = voters["vic"]
    vic.organisation.refresh_from_db()
    proxy_give(grantor=vic, holder=mia, circle=world.finance)
    assert Proxy.objects.filter(holder=mia, revoked_at__isnull=True).count() == 2
    # A revoked proxy frees its place.
    proxy_revoke(proxy=Proxy.objects.get(grantor=vic), by=vic)
    ann = voters["ann"]
    ann.organisation.refresh_from_db()
    proxy_give(grantor=ann, holder=mia, circle=world.finance)


def test_proxies_can_be_turned_off_and_the_setting_is_bounded(world, voters, mia):
    organisation_update(organisation=world.organisation, by=None, proxies_max_held=0)
    wes = voters["wes"]
    wes.organisation.refresh_from_db()
    with pytest.raises(Conflict, match="does not use proxies"):
        proxy_give(grantor=wes, holder=mia, circle=world.finance)
    with pytest.raises(Invalid):
        organisation_update(organisation=world.organisation, by=None, proxies_max_held=99)


def test_one_active_proxy_per_grantor_and_scope_and_never_to_oneself(world, voters, mia):
    wes = voters["wes"]
    proxy_give(grantor=wes, holder=mia, circle=world.finance)
    with pytest.raises(Conflict, match="already gave"):
        proxy_give(grantor=wes, holder=voters["vic"], circle=world.finance)
    with pytest.raises(Invalid):
        proxy_give(grantor=wes, holder=wes, circle=world.finance)
    with pytest.raises(Invalid, match="not on the roster"):
        proxy_give(grantor=voters["vic"], holder=world.member(world.nora), circle=world.finance)


def test_the_grantor_overrides_and_the_holder_can_no_longer_change_it(world, voters, mia):
    wes = voters["wes"]
    proposal = make_proposal(world.finance, voters["ann"])
    proxy_give(grantor=wes, holder=mia, circle=world.finance)
    position_record(proposal=proposal, member=wes, by=mia, kind="objection", reason="Too soon")
    own = position_record(proposal=proposal, member=wes, kind="consent")
    assert own.by_proxy is None
    with pytest.raises(Conflict, match="responded themselves"):
        position_record(proposal=proposal, member=wes, by=mia, kind="objection", reason="Still too soon")
    current = Position.objects.get(proposal=proposal, member=wes, is_current=True)
    assert current.pk == own.pk and current.kind == "consent"
    # Even the same kind as the holder's becomes the grantor's own.
    proposal2 = make_proposal(world.finance, voters["ann"], title="Second")
    position_record(proposal=proposal2, member=wes, by=mia, kind="consent")
    assert position_record(proposal=proposal2, member=wes, kind="consent").by_proxy is None


def test_revoking_during_an_open_round_is_immediate(world, voters, mia):
    wes = voters["wes"]
    proposal = make_proposal(world.finance, voters["ann"])
    proxy = proxy_give(grantor=wes, holder=mia, proposal=proposal)
    recorded = position_record(proposal=proposal, member=wes, by=mia, kind="consent")
    proxy_revoke(proxy=proxy, by=wes)
    with pytest.raises(NotAllowed, match="has not given you a proxy"):
        position_record(proposal=proposal, member=wes, by=mia, kind="abstain")
    # What the holder recorded while the proxy held stays, until the grantor responds.
    assert Position.objects.get(proposal=proposal, member=wes, is_current=True).pk == recorded.pk
    proxy.refresh_from_db()
    assert proxy.revoked_at and proxy.end_reason == "revoked" and proxy.revoked_by == wes
    with pytest.raises(Conflict, match="already ended"):
        proxy_revoke(proxy=proxy, by=wes)
    assert Event.objects.filter(verb="proxy.revoked", object_id=proxy.pk).exists()


def test_a_holder_leaving_the_organisation_ends_their_proxies(world, voters, mia):
    wes = voters["wes"]
    proposal = make_proposal(world.finance, voters["ann"])
    proxy = proxy_give(grantor=wes, holder=mia, circle=world.finance)
    member_remove(member=mia, by=world.member(world.alice), reason="Moved away")
    proxy.refresh_from_db()
    assert proxy.end_reason == "holder_left" and proxy.revoked_at is not None
    assert Event.objects.filter(verb="proxy.ended", object_id=proxy.pk).count() == 1
    with pytest.raises(NotAllowed):
        position_record(proposal=proposal, member=wes, by=mia, kind="consent")


def test_a_holder_leaving_the_circle_ends_their_proxies_there(world, voters, mia):
    wes = voters["wes"]
    proposal = make_proposal(world.finance, voters["ann"])
    in_circle = proxy_give(grantor=wes, holder=mia, circle=world.finance)
    membership = mia.circle_memberships.get(circle=world.finance, left_at__isnull=True)
    roster_remove(membership=membership, by=world.member(world.steve), reason="Rotated out")
    in_circle.refresh_from_db()
    assert in_circle.end_reason == "holder_left"
    with pytest.raises(NotAllowed):
        position_record(proposal=proposal, member=wes, by=mia, kind="consent")


def test_the_holder_responds_for_a_grantor_on_the_proposal_page(world, voters, mia, client):
    wes = voters["wes"]
    proposal = make_proposal(world.finance, voters["ann"])
    proxy_give(grantor=wes, holder=mia, circle=world.finance)
    client.force_login(world.mia)
    url = reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})
    page = client.get(url).content.decode()
    assert "Respond by proxy" in page and "For Wes Weighty" in page
    answer = client.post(
        reverse("proxy-position-record", kwargs={"org": "acme", "pk": proposal.pk}),
        {"for_member": wes.pk, f"for-{wes.pk}-kind": "concern", f"for-{wes.pk}-reason": "Costs"},
    )
    assert answer.status_code == 302
    position = Position.objects.get(proposal=proposal, member=wes, is_current=True)
    assert (position.kind, position.by_proxy) == ("concern", mia)
    # Shown so, to everyone (an open round, not anonymous, results shown).
    client.force_login(world.nora)
    assert "by proxy: Mia Member" in client.get(url).content.decode()
    # The grantor sees it is theirs by proxy.
    client.force_login(wes.user)
    assert "Recorded for you by proxy by Mia Member" in client.get(url).content.decode()
    # A concern needs a reason: the page says so and records nothing.
    client.force_login(world.mia)
    answer = client.post(
        reverse("proxy-position-record", kwargs={"org": "acme", "pk": proposal.pk}),
        {"for_member": wes.pk, f"for-{wes.pk}-kind": "objection", f"for-{wes.pk}-reason": ""},
    )
    assert answer.status_code == 200 and "needs a reason" in answer.content.decode()


def test_members_give_and_revoke_proxies_on_their_page(world, voters, mia, client):
    wes = voters["wes"]
    client.force_login(wes.user)
    url = reverse("proxies", kwargs={"org": "acme"})
    assert client.post(url, {"holder": mia.pk, "circle": world.finance.pk}).status_code == 302
    proxy = Proxy.objects.get(grantor=wes)
    page = client.get(url).content.decode()
    assert "Mia Member" in page and "for every round of Finance" in page
    # Someone else cannot end it (404); the holder may hand it back, the grantor revoke it.
    client.force_login(world.nora)
    assert client.post(reverse("proxy-revoke", kwargs={"org": "acme", "pk": proxy.pk})).status_code == 404
    client.force_login(wes.user)
    assert client.post(reverse("proxy-revoke", kwargs={"org": "acme", "pk": proxy.pk})).status_code == 302
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    assert "ended" in client.get(url).content.decode()


def test_proxies_over_the_api(world, voters, mia, client):
    wes = voters["wes"]
    proposal = make_proposal(world.finance, voters["ann"])
    client.force_login(wes.user)
    answer = client.post(
        "/api/v1/proxies/", {"holder": mia.pk, "proposal": proposal.pk}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    proxy_id = answer.json()["id"]
    again = client.post(
        "/api/v1/proxies/", {"holder": mia.pk, "proposal": proposal.pk}, content_type="application/json"
    )
    assert again.status_code == 409
    client.force_login(world.mia)
    assert [p["id"] for p in client.get("/api/v1/proxies/").json()["results"]] == [proxy_id]
    answer = client.post(
        f"/api/v1/proposals/{proposal.pk}/positions/",
        {"kind": "consent", "for_member": wes.pk},
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["by_proxy"]["id"] == mia.pk
    client.force_login(wes.user)
    assert client.post(f"/api/v1/proxies/{proxy_id}/revoke/").status_code == 200
    client.force_login(world.mia)
    answer = client.post(
        f"/api/v1/proposals/{proposal.pk}/positions/",
        {"kind": "abstain", "for_member": wes.pk},
        content_type="application/json",
    )
    assert answer.status_code == 403
    client.force_login(world.nora)
    assert client.get(f"/api/v1/proxies/{proxy_id}/").status_code == 404
