"""The webhook pages: admins register a URL with its secret and event types, read the delivery log
(status, response time, attempts), send a delivery again, disable, enable and remove; members get
403 and outsiders 404; bad input is refused on the form and kept."""

import pytest

from governance.integrations.webhooks import webhook_create, webhooks_flush
from governance.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory, make_member

pytest_plugins = ["tests.receiver"]


@pytest.fixture
def endpoint(world, receiver):
    return webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=receiver.url,
        description="Team chat",
        event_types=["member.joined"],
        secret="a-shared-secret-of-some-length",
    )


def someone_joins(world, n=0):
    return make_member(world.organisation, user=UserFactory(email=f"newcomer{n}@acme.test", name=f"New Comer {n}"))


def test_an_admin_registers_a_webhook_and_sees_its_generated_secret_once(as_user, world, receiver):
    client = as_user(world.alice)

    response = client.post(
        "/o/acme/webhooks/",
        {"url": receiver.url, "description": "Team chat", "event_types": ["proposal.opened", "member.joined"]},
    )

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["proposal.opened", "member.joined"]
    assert endpoint.created_by == world.member(world.alice)
    html = response.content.decode()
    assert endpoint.secret in html
    assert "no-store" in response["Cache-Control"]
    assert endpoint.secret not in client.get(f"/o/acme/webhooks/{endpoint.pk}/").content.decode()
    listing = client.get("/o/acme/webhooks/").content.decode()
    assert "Team chat" in listing and "Proposal opened" in listing


def test_a_private_target_is_refused_on_the_form_and_the_input_kept(as_user, world):
    response = as_user(world.alice).post(
        "/o/acme/webhooks/",
        {"url": "http://192.168.1.20/hook", "description": "Router", "event_types": ["member.joined"]},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "public addresses only" in html
    assert 'value="http://192.168.1.20/hook"' in html
    assert 'value="Router"' in html
    assert not WebhookEndpoint.objects.exists()


def test_no_event_type_chosen_is_refused(as_user, world, receiver):
    response = as_user(world.alice).post("/o/acme/webhooks/", {"url": receiver.url})

    assert "Choose at least one event type." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("mia", 403), ("steve", 403), ("olga", 404), ("oscar", 404)])
def test_only_admins_reach_the_webhook_pages(as_user, world, endpoint, persona, status):
    client = as_user(getattr(world, persona))

    assert client.get("/o/acme/webhooks/").status_code == status
    assert client.get(f"/o/acme/webhooks/{endpoint.pk}/").status_code == status
    assert client.post(f"/o/acme/webhooks/{endpoint.pk}/remove/").status_code == status
    assert client.post(f"/o/acme/webhooks/{endpoint.pk}/disable/").status_code == status
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_a_webhook_of_another_organisation_is_not_found(as_user, world, receiver):
    theirs = webhook_create(
        organisation=world.other,
        by=world.other.members.get(user=world.olga),
        url=receiver.url,
        event_types=["member.joined"],
    )

    assert as_user(world.alice).get(f"/o/acme/webhooks/{theirs.pk}/").status_code == 404


def test_the_log_shows_status_response_time_and_attempts(as_user, world, endpoint, receiver):
    receiver.answer(500)
    someone_joins(world, 1)
    someone_joins(world, 2)
    webhooks_flush()

    html = as_user(world.alice).get(f"/o/acme/webhooks/{endpoint.pk}/").content.decode()

    _failed, delivered = WebhookDelivery.objects.order_by("pk")
    assert html.count('class="badge">pending<') == 1  # the one that got a 500, waiting to be tried again
    assert html.count('class="badge ok">delivered<') == 1
    assert "HTTP 500: receiver says no" in html
    assert f"{delivered.response_ms} ms" in html
    assert "next try" in html
    assert "1 failed" not in html  # the success since reset the count


def test_the_log_can_be_filtered_by_status(as_user, world, endpoint, receiver):
    receiver.answer(500)
    someone_joins(world, 1)
    someone_joins(world, 2)
    webhooks_flush()

    html = as_user(world.alice).get(f"/o/acme/webhooks/{endpoint.pk}/?status=delivered").content.decode()

    assert 'class="badge ok">delivered<' in html
    assert 'class="badge">pending<' not in html


def test_an_admin_redelivers_in_place_with_htmx(as_user, world, endpoint, receiver):
    someone_joins(world)
    webhooks_flush()
    delivery = WebhookDelivery.objects.get()

    response = as_user(world.alice).post(
        f"/o/acme/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="delivery-{delivery.pk}">')
    assert "Queued again." in html
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    webhooks_flush()
    assert len(receiver.requests) == 2


def test_redelivering_without_htmx_redirects_with_a_message(as_user, world, endpoint, receiver):
    someone_joins(world)
    webhooks_flush()
    delivery = WebhookDelivery.objects.get()

    response = as_user(world.alice).post(
        f"/o/acme/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/", follow=True
    )

    assert f"Delivery of event #{delivery.event_id} queued" in response.content.decode()


def test_an_admin_disables_enables_and_edits_a_webhook(as_user, world, endpoint):
    client = as_user(world.alice)

    disabled = client.post(f"/o/acme/webhooks/{endpoint.pk}/disable/", follow=True)
    assert "Webhook disabled" in disabled.content.decode()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active is False
    enabled = client.post(f"/o/acme/webhooks/{endpoint.pk}/enable/", follow=True)
    assert "Webhook enabled" in enabled.content.decode()

    edited = client.post(
        f"/o/acme/webhooks/{endpoint.pk}/",
        {"url": endpoint.url, "description": "Chat", "event_types": ["proposal.closed"], "secret": ""},
        follow=True,
    )

    assert "Webhook saved." in edited.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.event_types, endpoint.is_active) == ("Chat", ["proposal.closed"], True)
    assert endpoint.secret == "a-shared-secret-of-some-length"  # empty keeps the secret


def test_a_new_secret_is_generated_and_shown_once(as_user, world, endpoint):
    response = as_user(world.alice).post(f"/o/acme/webhooks/{endpoint.pk}/secret/")

    endpoint.refresh_from_db()
    assert endpoint.secret != "a-shared-secret-of-some-length"
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_admin_removes_a_webhook(as_user, world, endpoint):
    response = as_user(world.alice).post(f"/o/acme/webhooks/{endpoint.pk}/remove/", follow=True)

    assert "is removed" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_pages_have_useful_empty_states(as_user, world):
    client = as_user(world.alice)

    assert "No webhooks yet." in client.get("/o/acme/webhooks/").content.decode()
    assert "No integrations yet." in client.get("/o/acme/integrations/").content.decode()


def test_the_log_needs_as_many_queries_for_40_deliveries_as_for_4(
    as_user, world, endpoint, django_assert_max_num_queries
):
    client = as_user(world.alice)
    for n in range(4):
        someone_joins(world, n)
    with django_assert_max_num_queries(14) as few:
        client.get(f"/o/acme/webhooks/{endpoint.pk}/")
    for n in range(4, 40):
        someone_joins(world, n)

    with django_assert_max_num_queries(14) as many:
        client.get(f"/o/acme/webhooks/{endpoint.pk}/")

    assert len(many.captured_queries) == len(few.captured_queries)
