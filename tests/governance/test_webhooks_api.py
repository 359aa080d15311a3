"""Webhooks over the REST API: admins register, change, disable, enable and remove them and read the
delivery log; members get 403, outsiders 404; the secret is in the creation answer only."""

import pytest
from rest_framework.test import APIClient

from governance.integrations.events import event_types
from governance.integrations.webhooks import webhook_create, webhooks_flush
from governance.models import Event, WebhookDelivery, WebhookEndpoint
from governance.services import integration_token_create
from tests.factories import UserFactory, make_member

pytest_plugins = ["tests.receiver"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(client, organisation, url, **extra):
    body = {"organisation": organisation.pk, "url": url, "event_types": ["member.joined"], **extra}
    return client.post("/api/v1/webhooks/", body, format="json")


def test_an_admin_registers_a_webhook_and_sees_the_generated_secret_once(world, receiver):
    client = api(world.alice)

    response = register(client, world.organisation, receiver.url, description="Team chat")

    assert response.status_code == 201
    body = response.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret and endpoint.secret.startswith("whsec_")
    assert body["event_types"] == ["member.joined"]
    assert body["is_active"] is True
    assert body["created_by"]["name"] == "Alice Admin"
    assert "secret" not in client.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert endpoint.secret not in client.get("/api/v1/webhooks/").content.decode()
    assert Event.objects.filter(verb="webhook.registered", object_id=endpoint.pk).exists()


def test_an_admin_may_choose_the_secret(world, receiver):
    response = register(api(world.alice), world.organisation, receiver.url, secret="our-own-secret-0123")

    assert response.status_code == 201
    assert WebhookEndpoint.objects.get().secret == "our-own-secret-0123"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"url": "http://10.0.0.1/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["everything"]}, "event_types"),
        ({"secret": "short"}, "secret"),
    ],
)
def test_it_refuses_bad_input_with_the_field_message(world, extra, field):
    body = {"organisation": world.organisation.pk, "url": "http://10.0.0.1/hook", "event_types": ["member.joined"]}
    body.update(extra)

    response = api(world.alice).post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("steve", 403), ("mia", 403), ("nora", 403), ("olga", 404)])
def test_only_admins_of_the_organisation_register_webhooks(world, receiver, persona, status):
    response = register(api(getattr(world, persona)), world.organisation, receiver.url)

    assert response.status_code == status
    assert not WebhookEndpoint.objects.exists()


@pytest.fixture
def endpoint(world, receiver):
    return webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=receiver.url,
        event_types=["member.joined"],
        secret="a-shared-secret-of-some-length",
    )


@pytest.mark.parametrize("persona", ["mia", "steve", "olga", "oscar"])
def test_members_and_outsiders_do_not_see_webhooks(world, endpoint, persona):
    client = api(getattr(world, persona))

    assert client.get("/api/v1/webhooks/").json()["results"] == []
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"description": "x"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert client.get("/api/v1/webhook-deliveries/").json()["results"] == []
    endpoint.refresh_from_db()
    assert endpoint.description == ""


def test_an_admin_changes_the_event_types_and_secret(world, endpoint):
    response = api(world.alice).patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"event_types": ["proposal.opened", "proposal.closed"], "secret": "rotated-secret-0123456"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["event_types"] == ["proposal.opened", "proposal.closed"]
    endpoint.refresh_from_db()
    assert endpoint.secret == "rotated-secret-0123456"
    assert "secret" not in response.json()


def test_a_change_is_logged_with_what_changed_but_neither_the_url_nor_the_secret(world, endpoint):
    response = api(world.alice).patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"url": "http://127.0.0.1:9/hooks/new?token=s3cr3t", "description": "Chat", "secret": "rotated-secret-0123456"},
        format="json",
    )

    assert response.status_code == 200
    event = Event.objects.get(verb="webhook.updated")
    assert event.details == {
        "changes": {"url": [endpoint.host, "127.0.0.1:9"], "description": ["", "Chat"]},
        "host": "127.0.0.1:9",
        "secret_replaced": True,
    }
    assert "s3cr3t" not in str(event.details) and "rotated" not in str(event.details)


def test_an_admin_disables_and_enables_a_webhook(world, endpoint):
    client = api(world.alice)

    disabled = client.post(f"/api/v1/webhooks/{endpoint.pk}/disable/", {"reason": "Chat migration"}, format="json")
    again = client.post(f"/api/v1/webhooks/{endpoint.pk}/disable/", {}, format="json")
    enabled = client.post(f"/api/v1/webhooks/{endpoint.pk}/enable/")

    assert disabled.status_code == 200
    assert disabled.json()["is_active"] is False
    assert disabled.json()["disabled_reason"] == "Chat migration"
    assert again.status_code == 409
    assert enabled.status_code == 200
    assert enabled.json()["is_active"] is True


def test_an_admin_removes_a_webhook_and_the_event_log_keeps_it(world, endpoint):
    response = api(world.alice).delete(f"/api/v1/webhooks/{endpoint.pk}/")

    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert Event.objects.filter(verb="webhook.removed", object_id=endpoint.pk).exists()


def test_the_delivery_log_shows_status_attempts_and_response_time(world, endpoint, receiver):
    receiver.answer(500)
    make_member(world.organisation, user=UserFactory(email="newcomer@acme.test"))
    webhooks_flush()

    response = api(world.alice).get("/api/v1/webhook-deliveries/", {"endpoint": endpoint.pk})

    [row] = response.json()["results"]
    assert row["event_type"] == "member.joined"
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert row["response_status"] == 500
    assert row["response_ms"] >= 0
    assert row["payload"]["type"] == "member.joined"


def test_an_admin_redelivers_and_a_pending_one_is_a_conflict(world, endpoint, receiver):
    make_member(world.organisation, user=UserFactory(email="newcomer@acme.test"))
    delivery = WebhookDelivery.objects.get()
    client = api(world.alice)

    pending = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    webhooks_flush()
    again = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    webhooks_flush()

    assert pending.status_code == 409
    assert again.status_code == 200
    assert again.json()["status"] == "pending"
    assert len(receiver.requests) == 2


def test_it_lists_the_event_types_and_their_verbs(world):
    response = api(world.mia).get("/api/v1/webhooks/event-types/")

    assert response.status_code == 200
    rows = {row["type"]: row for row in response.json()}
    assert rows["member.joined"]["verbs"] == ["member.joined", "member.rejoined"]
    assert rows["proposal.opened"]["label"] == "Proposal opened"
    assert len(rows) == len(event_types)  # every type the apps registered (proposal.enacted too)
    assert rows["proposal.enacted"]["verbs"] == ["proposal.enacted", "proposal.not_enacted"]


def test_an_integration_with_admin_rights_cannot_manage_webhooks(world, receiver):
    _token, key = integration_token_create(
        organisation=world.organisation, by=world.member(world.alice), name="Chat bot", is_admin=True
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = register(client, world.organisation, receiver.url)

    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("value", ["-325984698326498934784", "1e-05", "seven"])
def test_an_id_filter_that_no_database_id_can_be_is_a_400(world, value):
    response = api(world.alice).get("/api/v1/webhook-deliveries/", {"endpoint": value})

    assert response.status_code == 400
    assert response.json()["endpoint"]
