"""Tokens cannot outrun the rules around them: the token endpoint shares the login form's lockout, a
token mints only tokens that expire no later and write no more than itself, and an integration
acts with no more rights than the admin who made it has now."""

from datetime import timedelta

import pytest
import rules
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from governance.errors import Invalid
from governance.models import ApiToken, Event, Member, Organisation
from governance.services import api_token_create, integration_token_create, member_remove, member_update

RIGHT = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _fresh_limits():
    # Login failures and throttles are counted in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def ask_for_token(username="alice@acme.test", password=RIGHT, **body):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **body}, format="json")


def log_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# 8. One lockout for the login form and the token endpoint ------------------------------------------


def test_a_locked_account_gets_429_with_retry_after_from_the_token_endpoint_even_with_the_right_password(client, world):
    for _ in range(5):
        assert "Too many failed login attempts" not in log_in(client, "alice@acme.test", "wrong").content.decode()

    response = ask_for_token()

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 300
    assert "Too many failed login attempts" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_failed_token_requests_lock_the_login_form(client, world):
    assert [ask_for_token(password="wrong").status_code for _ in range(5)] == [400] * 5

    response = log_in(client, "Alice@ACME.test", RIGHT)

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert ask_for_token().status_code == 429


def test_the_lockout_is_per_account(world):
    for _ in range(5):
        ask_for_token(password="wrong")

    assert ask_for_token(username="mia@acme.test").status_code == 201
    assert list(ApiToken.objects.values_list("user__email", flat=True)) == ["mia@acme.test"]


def test_a_right_password_does_not_count_towards_the_lockout(client, world):
    assert [ask_for_token().status_code for _ in range(6)] == [201] * 6

    assert log_in(client, "alice@acme.test", RIGHT).status_code == 302
    assert client.session["_auth_user_id"] == str(world.alice.pk)


# 9. A token mints no more than itself ---------------------------------------------------------------


@pytest.fixture
def expiring(world):
    token, key = api_token_create(user=world.alice, name="Script", expires_at=timezone.now() + timedelta(days=7))
    return token, bearer(key)


def test_a_token_that_expires_mints_one_that_expires_with_it_when_no_expiry_is_asked(world, expiring):
    caller, client = expiring

    response = client.post("/api/v1/auth/tokens/", {"name": "Child"}, format="json")

    assert response.status_code == 201
    child = ApiToken.objects.get(pk=response.json()["id"])
    assert child.expires_at == caller.expires_at
    assert child.read_only is False


@pytest.mark.parametrize("asked", [None, "later"])
def test_it_refuses_a_token_that_would_outlive_the_one_asking(world, expiring, asked):
    caller, client = expiring
    expires_at = None if asked is None else (caller.expires_at + timedelta(days=1)).isoformat()

    response = client.post("/api/v1/auth/tokens/", {"name": "Forever", "expires_at": expires_at}, format="json")

    assert response.status_code == 400
    assert "no later than that token" in response.json()["expires_at"][0]
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [caller.pk]


def test_it_accepts_an_earlier_expiry(world, expiring):
    caller, client = expiring
    sooner = caller.expires_at - timedelta(days=3)

    response = client.post("/api/v1/auth/tokens/", {"name": "Short", "expires_at": sooner.isoformat()}, format="json")

    assert response.status_code == 201
    assert ApiToken.objects.get(pk=response.json()["id"]).expires_at == sooner


def test_a_read_only_token_mints_only_read_only_tokens(world):
    caller, _key = api_token_create(user=world.alice, name="Reader", read_only=True)

    child, _ = api_token_create(user=world.alice, name="Child", caller_token=caller)
    with pytest.raises(Invalid, match="read-only") as refused:
        api_token_create(user=world.alice, name="Writer", read_only=False, caller_token=caller)

    assert child.read_only is True
    assert refused.value.field == "read_only"
    assert not ApiToken.objects.filter(name="Writer").exists()


def test_a_token_that_never_expires_and_a_browser_session_choose_freely(world):
    _permanent, key = api_token_create(user=world.alice, name="Permanent")
    session = APIClient()
    session.force_authenticate(world.alice)

    by_token = bearer(key).post("/api/v1/auth/tokens/", {"name": "A", "expires_at": None}, format="json")
    by_session = session.post("/api/v1/auth/tokens/", {"name": "B"}, format="json")

    assert by_token.status_code == by_session.status_code == 201
    assert ApiToken.objects.get(name="A").expires_at is None
    assert ApiToken.objects.get(name="B").expires_at is None


def test_an_integration_made_with_an_expiring_token_expires_with_it(world, expiring):
    caller, client = expiring
    url = "/api/v1/integration-tokens/"

    refused = client.post(
        url, {"organisation": world.organisation.pk, "name": "Forever", "expires_at": None}, format="json"
    )
    made = client.post(url, {"organisation": world.organisation.pk, "name": "Chat"}, format="json")

    assert refused.status_code == 400 and "expires_at" in refused.json()
    assert made.status_code == 201
    assert ApiToken.objects.get(pk=made.json()["id"]).expires_at == caller.expires_at
    assert not ApiToken.objects.filter(name="Forever").exists()


# 10. An integration acts with no more than its maker's rights now --------------------------------------


@pytest.fixture
def admin_bot(world):
    """An admin-rights integration Alice made, and a second admin (Steve) so Alice can be demoted."""
    member_update(member=world.member(world.steve), by=world.member(world.alice), is_admin=True)
    token, key = integration_token_create(
        organisation=world.organisation, by=world.member(world.alice), name="Ops bot", is_admin=True
    )
    return token, bearer(key)


def demote_alice(world):
    member_update(member=world.member(world.alice), by=world.member(world.steve), is_admin=False)


def test_a_demoted_admin_cannot_promote_themselves_back_with_their_integration(world, admin_bot):
    token, bot = admin_bot
    demote_alice(world)
    alice = world.member(world.alice)

    promoted = bot.patch(f"/api/v1/members/{alice.pk}/", {"is_admin": True}, format="json")
    settings = bot.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Bot Co-op"}, format="json")

    assert promoted.status_code == 403
    assert settings.status_code == 403
    assert Member.objects.get(pk=alice.pk).is_admin is False
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"
    assert Member.objects.get(pk=token.member_id).is_admin is True  # granted, but acting as a member
    assert not rules.test_rule("governance.change_organisation", token.user, world.organisation)


def test_the_demotion_is_recorded_and_shown_for_the_integration(as_user, world, admin_bot):
    token, _bot = admin_bot

    demote_alice(world)

    event = Event.objects.get(verb="integration.rights_changed")
    assert event.object_id == token.member_id and event.actor == world.member(world.steve)
    assert event.details == {"name": "Ops bot", "member": str(world.alice), "acts_as": ["admin", "member"]}
    steve = APIClient()
    steve.force_authenticate(world.steve)
    listed = steve.get("/api/v1/integration-tokens/").json()["results"]
    assert [(row["is_admin"], row["acts_as"]) for row in listed] == [(True, "member")]
    page = as_user(world.steve).get("/o/acme/integrations/").content.decode()
    assert "acts as a member while Alice Admin is not an admin" in page


def test_making_the_maker_an_admin_again_gives_the_integration_its_rights_back(world, admin_bot):
    _token, bot = admin_bot
    demote_alice(world)

    member_update(member=world.member(world.alice), by=world.member(world.steve), is_admin=True)
    response = bot.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"consent_round_days": 9}, format="json")

    assert response.status_code == 200
    assert Organisation.objects.get(pk=world.organisation.pk).consent_round_days == 9
    changes = Event.objects.filter(verb="integration.rights_changed").order_by("pk")
    assert [e.details["acts_as"] for e in changes] == [["admin", "member"], ["member", "admin"]]


def test_an_integration_stops_when_its_maker_leaves(world, admin_bot):
    token, bot = admin_bot

    member_remove(member=world.member(world.alice), by=world.member(world.steve), reason="Moved away.")
    response = bot.get("/api/v1/organisations/")

    assert response.status_code == 401
    assert "has left the organisation" in response.json()["detail"]
    assert Event.objects.get(verb="integration.rights_changed").details["acts_as"] == ["admin", "none"]
    assert not rules.test_rule("governance.view_organisation", token.user, world.organisation)


def test_a_member_rights_integration_is_not_changed_by_its_makers_demotion(world, admin_bot):
    member_token, key = integration_token_create(
        organisation=world.organisation, by=world.member(world.alice), name="Reader bot"
    )

    demote_alice(world)

    assert bearer(key).get("/api/v1/organisations/").status_code == 200
    assert not Event.objects.filter(verb="integration.rights_changed", object_id=member_token.member_id).exists()


def test_a_demoted_admins_personal_token_follows_them(world, admin_bot):
    _personal, key = api_token_create(user=world.alice, name="Laptop")
    demote_alice(world)

    response = bearer(key).patch(f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"


def test_an_admin_integration_cannot_change_admins_or_its_own_membership(world, admin_bot):
    token, bot = admin_bot
    mia = world.member(world.mia)

    promote = bot.patch(f"/api/v1/members/{mia.pk}/", {"is_admin": True}, format="json")
    itself = bot.patch(f"/api/v1/members/{token.member_id}/", {"is_admin": False}, format="json")
    own_class = bot.patch(
        f"/api/v1/members/{token.member_id}/", {"membership_class": mia.membership_class_id}, format="json"
    )

    assert (promote.status_code, itself.status_code, own_class.status_code) == (403, 403, 403)
    assert "cannot change who is an admin" in promote.json()["detail"]
    assert Member.objects.get(pk=mia.pk).is_admin is False
    bot_member = Member.objects.get(pk=token.member_id)
    assert (bot_member.is_admin, bot_member.membership_class.name) == (True, "Integrations")
