"""The SSRF guard: webhooks go to public addresses only, checked when an endpoint is registered and
again when each delivery is sent (a DNS answer can change), unless a setting allows private ones."""

import ipaddress
import json

import pytest

from governance.errors import Invalid
from governance.integrations import webhooks
from governance.integrations.webhooks import check_target, webhook_create, webhook_update, webhooks_flush
from governance.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory, make_member

pytest_plugins = ["tests.receiver"]

PUBLIC = "93.184.215.14"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@pytest.fixture
def dns(monkeypatch):
    """What host names resolve to, as a test says: no lookup leaves the machine. An IP literal
    resolves to itself, as it does with the real resolver."""
    answers: dict[str, list[str]] = {}
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: answers.get(host) or ([host] if _is_ip(host) else []))
    return answers


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8000/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://[ff02::1]/hook",
        "http://0.0.0.0/hook",
        "http://240.0.0.1/hook",
        "http://100.64.0.1/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
    ],
)
def test_it_refuses_private_loopback_link_local_multicast_and_reserved_addresses(url, dns):
    with pytest.raises(Invalid) as refused:
        check_target(url)

    assert refused.value.field == "url"
    assert "public addresses only" in refused.value.message


def test_it_refuses_a_host_name_that_resolves_to_a_private_address(dns):
    dns["intranet.example.org"] = ["10.1.2.3"]

    with pytest.raises(Invalid, match=r"10\.1\.2\.3"):
        check_target("https://intranet.example.org/hook")


def test_it_refuses_a_host_name_when_any_of_its_addresses_is_private(dns):
    dns["mixed.example.org"] = [PUBLIC, "127.0.0.1"]

    with pytest.raises(Invalid, match=r"127\.0\.0\.1"):
        check_target("https://mixed.example.org/hook")


def test_it_refuses_a_host_name_that_does_not_resolve(dns):
    with pytest.raises(Invalid, match="does not resolve"):
        check_target("https://nowhere.example.org/hook")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.org/hook", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://user:pw@hooks.example.org/", "no user name or password"),
        ("https:///no-host", "needs a host name"),
        ("https://hooks.example.org:99999/", "not valid"),
    ],
)
def test_it_refuses_urls_of_the_wrong_form(url, message, dns):
    with pytest.raises(Invalid, match=message):
        check_target(url)


def test_it_accepts_a_public_address_and_connects_to_the_one_it_checked(dns):
    dns["hooks.example.org"] = [PUBLIC]

    target = check_target("https://hooks.example.org/in?x=1")

    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "hooks.example.org",
        443,
        "/in?x=1",
        PUBLIC,
    )


def test_registration_refuses_a_private_target_and_keeps_nothing(world, dns):
    with pytest.raises(Invalid):
        webhook_create(
            organisation=world.organisation,
            by=world.member(world.alice),
            url="http://169.254.169.254/latest/meta-data/",
            event_types=["member.joined"],
        )

    assert not WebhookEndpoint.objects.exists()


def test_changing_the_url_to_a_private_target_is_refused(world, dns):
    dns["hooks.example.org"] = [PUBLIC]
    endpoint = webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url="https://hooks.example.org/in",
        event_types=["member.joined"],
    )

    with pytest.raises(Invalid):
        webhook_update(endpoint=endpoint, by=world.member(world.alice), url="http://localhost:8000/")

    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/in"


def test_a_delivery_is_refused_when_the_host_now_resolves_to_a_private_address(world, dns, receiver, settings):
    """Registered while the name pointed at a public address; by the time of sending, its DNS answer
    points at the receiver on loopback. The delivery is refused and nothing reaches the receiver."""
    port = receiver.url.split(":")[2].split("/")[0]
    dns["rebind.example.org"] = [PUBLIC]
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    endpoint = webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=f"http://rebind.example.org:{port}/hooks/governance",
        event_types=["member.joined"],
    )
    dns["rebind.example.org"] = ["127.0.0.1"]

    make_member(world.organisation, user=UserFactory(email="newcomer@acme.test"))
    webhooks_flush()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_error.startswith("Refused:")
    assert "127.0.0.1" in delivery.last_error


def test_the_development_setting_allows_a_loopback_receiver(world, receiver):
    endpoint = webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=receiver.url,
        event_types=["member.joined"],
    )

    make_member(world.organisation, user=UserFactory(email="newcomer@acme.test"))
    webhooks_flush()

    assert WebhookDelivery.objects.get(endpoint=endpoint).status == WebhookDelivery.Status.DELIVERED
    assert json.loads(receiver.requests[0].body)["type"] == "member.joined"


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(world, dns, receiver, settings):
    """A name that resolves to the receiver's address (allowed here): the request is made to that
    address, with the name in the Host header, without asking DNS again."""
    port = receiver.url.split(":")[2].split("/")[0]
    dns["receiver.example.org"] = ["127.0.0.1"]
    endpoint = webhook_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        url=f"http://receiver.example.org:{port}/hooks/governance",
        event_types=["member.joined"],
    )

    make_member(world.organisation, user=UserFactory(email="newcomer@acme.test"))
    webhooks_flush()

    assert WebhookDelivery.objects.get(endpoint=endpoint).status == WebhookDelivery.Status.DELIVERED
    assert receiver.requests[0].headers["host"] == f"receiver.example.org:{port}"
