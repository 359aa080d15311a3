"""Organisation integration tokens: an admin creates one, and it acts as a named bot member with the
rights granted (member or admin, read-only or read-write) in that organisation only. It never votes,
cannot mint tokens or manage webhooks, and revoking it ends its membership."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import ApiToken, Event, Member, MembershipClass, Organisation
from governance.services import (
    api_token_revoke,
    integration_token_create,
    member_update,
    membership_class_save,
)
from proposals.models import EligibleVoter
from tests.factories import make_proposal


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def integration(world, **kwargs):
    kwargs.setdefault("name", "Accounting sync")
    return integration_token_create(organisation=world.organisation, by=world.member(world.alice), **kwargs)


# Creating --------------------------------------------------------------------------------------


def test_an_admin_creates_an_integration_on_the_page_and_sees_the_token_once(as_user, world):
    client = as_user(world.alice)

    response = client.post(
        "/o/acme/integrations/", {"name": "Team chat", "rights": "member", "access": "read_write", "expires_on": ""}
    )

    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(organisation=world.organisation)
    key = html.split('id="new-token" value="')[1].split('"')[0]
    assert token.key_hash == ApiToken.hash_key(key)
    assert "no-store" in response["Cache-Control"]
    assert key not in client.get("/o/acme/integrations/").content.decode()
    bot = token.member
    assert (bot.organisation, bot.is_bot, bot.is_admin, bot.user.name) == (world.organisation, True, False, "Team chat")
    assert bot.membership_class.name == "Integrations"
    assert bot.membership_class.may_vote is False
    assert not bot.user.has_usable_password()
    assert Event.objects.filter(verb="integration.created", object_id=bot.pk, actor=world.member(world.alice)).exists()
    assert not Event.objects.filter(verb="member.joined", object_id=bot.pk).exists()


def test_the_expiry_day_ends_at_midnight_in_the_organisations_time_zone(as_user, world):
    Organisation.objects.filter(pk=world.organisation.pk).update(time_zone="Europe/Berlin")

    as_user(world.alice).post(
        "/o/acme/integrations/", {"name": "Wiki", "rights": "admin", "access": "read_only", "expires_on": "2099-07-01"}
    )

    token = ApiToken.objects.get(organisation=world.organisation)
    assert token.expires_at == dt.datetime(2099, 7, 1, 22, 0, tzinfo=dt.UTC)
    assert token.member.is_admin is True
    assert token.read_only is True


@pytest.mark.parametrize(("persona", "status"), [("mia", 403), ("steve", 403), ("olga", 404), ("oscar", 404)])
def test_only_admins_reach_the_integrations_page(as_user, world, persona, status):
    client = as_user(getattr(world, persona))

    assert client.get("/o/acme/integrations/").status_code == status
    response = client.post("/o/acme/integrations/", {"name": "Sneaky", "rights": "admin", "access": "read_write"})
    assert response.status_code == status
    assert not ApiToken.objects.exists()


def test_an_admin_creates_an_integration_over_the_api(world):
    client = APIClient()
    client.force_authenticate(world.alice)

    response = client.post(
        "/api/v1/integration-tokens/",
        {"organisation": world.organisation.pk, "name": "Chat", "is_admin": False, "read_only": True},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == ApiToken.hash_key(body["token"])
    assert body["member"] == {"id": token.member_id, "name": "Chat"}
    assert body["is_admin"] is False and body["read_only"] is True
    assert body["created_by"]["name"] == "Alice Admin"
    listed = client.get("/api/v1/integration-tokens/").json()["results"]
    assert [row["id"] for row in listed] == [token.pk]
    assert "token" not in listed[0]


@pytest.mark.parametrize(("persona", "status"), [("mia", 403), ("olga", 404)])
def test_members_and_outsiders_cannot_create_integrations_over_the_api(world, persona, status):
    client = APIClient()
    client.force_authenticate(getattr(world, persona))

    response = client.post(
        "/api/v1/integration-tokens/", {"organisation": world.organisation.pk, "name": "X"}, format="json"
    )

    assert response.status_code == status
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/integration-tokens/").json()["results"] == []


# Acting with the rights granted -----------------------------------------------------------------


def test_a_member_integration_reads_but_may_not_change_settings(world):
    _token, key = integration(world)
    client = bearer(key)

    read = client.get(f"/api/v1/organisations/{world.organisation.pk}/")
    write = client.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Bot Co-op"}, format="json")

    assert read.status_code == 200
    assert read.json()["my_membership"]["is_admin"] is False
    assert write.status_code == 403
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"


def test_an_admin_integration_does_what_admins_do(world):
    _token, key = integration(world, is_admin=True)

    response = bearer(key).patch(
        f"/api/v1/organisations/{world.organisation.pk}/", {"consent_round_days": 10}, format="json"
    )

    assert response.status_code == 200
    assert Organisation.objects.get(pk=world.organisation.pk).consent_round_days == 10
    event = Event.objects.get(verb="organisation.updated")
    assert event.actor.is_bot and event.actor.user.name == "Accounting sync"


def test_a_read_only_integration_is_refused_on_writes(world):
    _token, key = integration(world, is_admin=True, read_only=True)

    response = bearer(key).post(
        "/api/v1/circles/",
        {"organisation": world.organisation.pk, "name": "Bots", "parent": world.general.pk},
        format="json",
    )

    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert not Circle.objects.filter(name="Bots").exists()


def test_an_integration_token_cannot_reach_another_organisation(world):
    _token, key = integration(world, is_admin=True)
    client = bearer(key)
    other_general = Circle.objects.get(organisation=world.other, is_general=True)
    before = Event.objects.filter(organisation=world.other).count()

    assert [o["id"] for o in client.get("/api/v1/organisations/").json()["results"]] == [world.organisation.pk]
    assert client.get(f"/api/v1/organisations/{world.other.pk}/").status_code == 404
    assert client.get(f"/api/v1/circles/{other_general.pk}/").status_code == 404
    patched = client.patch(f"/api/v1/organisations/{world.other.pk}/", {"name": "Taken"}, format="json")
    created = client.post(
        "/api/v1/circles/",
        {"organisation": world.other.pk, "name": "Intruders", "parent": other_general.pk},
        format="json",
    )

    assert patched.status_code == 404
    assert created.status_code == 404
    assert Organisation.objects.get(pk=world.other.pk).name == "Other Co-op"
    assert not Circle.objects.filter(name="Intruders").exists()
    assert Event.objects.filter(organisation=world.other).count() == before
    assert all(e["organisation"] == world.organisation.pk for e in client.get("/api/v1/events/").json()["results"])


def test_an_integration_is_never_an_eligible_voter(world):
    _token, _key = integration(world, is_admin=True)

    proposal = make_proposal(world.general, world.member(world.alice))

    voters = EligibleVoter.objects.filter(proposal=proposal)
    assert not voters.filter(member__is_bot=True).exists()
    assert voters.count() == Member.objects.filter(organisation=world.organisation, is_bot=False).count()


def test_an_integration_cannot_mint_tokens_or_manage_integrations(world):
    _token, key = integration(world, is_admin=True)
    client = bearer(key)

    personal = client.post("/api/v1/auth/tokens/", {"name": "Escape hatch"}, format="json")
    another = client.post(
        "/api/v1/integration-tokens/", {"organisation": world.organisation.pk, "name": "Twin"}, format="json"
    )

    assert personal.status_code == 403
    assert another.status_code == 403
    assert ApiToken.objects.count() == 1


def test_an_integration_stays_out_of_voting_classes(world):
    token, _key = integration(world)
    members_class = MembershipClass.objects.get(organisation=world.organisation, name="Members")

    with pytest.raises(Invalid, match="never votes"):
        member_update(member=token.member, by=world.member(world.alice), membership_class=members_class)
    with pytest.raises(Invalid, match="never votes"):
        membership_class_save(
            organisation=world.organisation,
            by=world.member(world.alice),
            membership_class=token.member.membership_class,
            name="Integrations",
            voting_weight=1,
            may_vote=True,
        )


def test_an_admin_integration_does_not_count_as_the_last_admin(world):
    integration(world, is_admin=True)

    with pytest.raises(Conflict, match="last admin"):
        member_update(member=world.member(world.alice), by=world.member(world.alice), is_admin=False)


# Expiry and revocation -------------------------------------------------------------------------


def test_an_expired_integration_token_is_refused(world, time_machine):
    _token, key = integration(world, expires_at=timezone.now() + timedelta(days=1))
    time_machine.move_to(timezone.now() + timedelta(days=2))

    response = bearer(key).get("/api/v1/organisations/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_revoking_an_integration_refuses_its_token_and_its_member_leaves(as_user, world):
    token, key = integration(world)

    response = as_user(world.alice).post(f"/o/acme/integrations/{token.pk}/revoke/", follow=True)

    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.member.status == Member.Status.LEFT
    assert bearer(key).get("/api/v1/organisations/").status_code == 401
    assert Event.objects.filter(verb="member.left", object_id=token.member_id).exists()


def test_an_admin_revokes_an_integration_over_the_api(world):
    token, key = integration(world)
    client = APIClient()
    client.force_authenticate(world.alice)

    response = client.post(f"/api/v1/integration-tokens/{token.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    assert bearer(key).get("/api/v1/organisations/").status_code == 401


def test_an_integration_whose_member_was_removed_is_refused(world):
    from governance.services import member_remove

    token, key = integration(world)
    member_remove(member=token.member, by=world.member(world.alice), reason="No longer used.")

    response = bearer(key).get("/api/v1/organisations/")

    assert response.status_code == 401
    assert "removed" in response.json()["detail"]


def test_revoking_twice_changes_nothing(world):
    token, _key = integration(world)
    api_token_revoke(token=token, by=world.member(world.alice))
    first = ApiToken.objects.get(pk=token.pk).revoked_at

    api_token_revoke(token=token, by=world.member(world.alice))

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert Event.objects.filter(verb="member.left", object_id=token.member_id).count() == 1
