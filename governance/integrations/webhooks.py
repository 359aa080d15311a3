"""Webhooks: registering endpoints and sending the deliveries queued for them.

Deliveries are an outbox. The event log calls `webhook_deliveries_queue` (governance.integrations
.deliveries) inside the transaction of the change, which writes one WebhookDelivery per enabled
endpoint that chose the event's type (unique per endpoint and event, so an event is never queued
twice) and asks Celery to send them after commit. A worker claims a due row with a conditional
update, so two workers never both send it, and posts it with a short timeout. A failure is retried
with exponential backoff by the periodic sweep; after WEBHOOK_MAX_ATTEMPTS the delivery is marked
failed, and after WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row the endpoint is disabled
and its admins are told.

Every request is signed: HMAC-SHA256 with the endpoint's secret over `{id}.{timestamp}.{body}`
(see docs/api.md). Targets are checked against private, loopback, link-local, multicast and reserved
addresses when registered and again when sent, since a host name can resolve elsewhere later; the
connection goes to the address that was checked.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation, WebhookDelivery, WebhookEndpoint
from governance.services.events import changes_apply, event_record
from governance.services.outbox import notifications_queue

from .deliveries import webhooks_flush_after_commit
from .events import event_types as known_event_types

log = logging.getLogger(__name__)

SECRET_MIN_LENGTH = 16
USER_AGENT = "Governance-Webhooks/1.0"


# Signing -----------------------------------------------------------------------------------------


def signed_content(event_id, timestamp: int, body: bytes) -> bytes:
    """The exact bytes signed: the event id, a dot, the Unix timestamp, a dot, the raw body."""
    return f"{event_id}.{timestamp}.".encode() + body


def sign(secret: str, event_id, timestamp: int, body: bytes) -> str:
    """The `Webhook-Signature` header value: `v1=` and the hex HMAC-SHA256 of the signed content."""
    digest = hmac.new(secret.encode(), signed_content(event_id, timestamp, body), hashlib.sha256).hexdigest()
    return f"v1={digest}"


def body_of(payload: dict) -> bytes:
    """The JSON body, byte for byte the same on every attempt."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# Targets (SSRF guard) --------------------------------------------------------------------------


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to now (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str | None  # the checked address to connect to; None before resolving


def parse_target(url: str) -> Target:
    """Check the form of a webhook URL: http or https, a host, no credentials."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Invalid(_("This URL is not valid."), field="url") from exc
    if parts.scheme not in ("http", "https"):
        raise Invalid(_("Use an http:// or https:// URL."), field="url")
    if not parts.hostname:
        raise Invalid(_("The URL needs a host name."), field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid(_("Put no user name or password in the URL; the signature proves who sends."), field="url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, path, None)


def check_target(url: str) -> Target:
    """Refuse a URL whose host is (or resolves to) a private, loopback, link-local, multicast or
    reserved address, unless WEBHOOKS_ALLOW_PRIVATE_TARGETS allows them (for development). Returns
    the target with the address to connect to, so that the request goes where the check looked."""
    target = parse_target(url)
    try:
        addresses = resolve(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise Invalid(_("The host name %(host)s does not resolve.") % {"host": target.host}, field="url") from exc
    if not addresses:
        raise Invalid(_("The host name %(host)s does not resolve.") % {"host": target.host}, field="url")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        refused = [a for a in addresses if not _is_public(a)]
        if refused:
            raise Invalid(
                _(
                    "%(host)s is (or resolves to) %(address)s, a private, loopback, link-local, multicast or "
                    "reserved address; webhooks go to public addresses only."
                )
                % {"host": target.host, "address": refused[0]},
                field="url",
            )
    return Target(target.scheme, target.host, target.port, target.path, addresses[0])


# Registering endpoints -------------------------------------------------------------------------


def _clean_event_types(chosen) -> list[str]:
    """The event types chosen, each once, in the order given; every one of them registered."""
    chosen = list(dict.fromkeys(chosen or []))
    unknown = [t for t in chosen if t not in known_event_types]
    if unknown:
        raise Invalid(_("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}, field="event_types")
    if not chosen:
        raise Invalid(_("Choose at least one event type."), field="event_types")
    return chosen


def _clean_secret(secret: str) -> str:
    if any(c.isspace() for c in secret):
        raise Invalid(_("The secret cannot contain spaces."), field="secret")
    if len(secret) < SECRET_MIN_LENGTH:
        raise Invalid(
            _("Use a secret of at least %(n)d characters, or leave it empty.") % {"n": SECRET_MIN_LENGTH},
            field="secret",
        )
    if len(secret) > 200:
        raise Invalid(_("Keep the secret to 200 characters."), field="secret")
    return secret


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise Invalid(_("Keep the URL to 500 characters."), field="url")
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        parse_target(url)  # any address will do, so there is nothing to look up yet
    else:
        check_target(url)
    return url


@transaction.atomic
def webhook_create(
    *,
    organisation: Organisation,
    by: Member,
    url: str,
    event_types: list[str],
    description: str = "",
    secret: str = "",
) -> WebhookEndpoint:
    """Register an endpoint. An empty secret gets a generated one; either way the caller shows it once."""
    url = _clean_url(url)
    event_types = _clean_event_types(event_types)
    secret = _clean_secret(secret.strip()) if secret and secret.strip() else new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        description=(description or "").strip()[:100],
        secret=secret,
        event_types=event_types,
        created_by=by,
    )
    _record(endpoint, by, "webhook.registered", {"host": endpoint.host, "event_types": event_types})
    return endpoint


@transaction.atomic
def webhook_update(
    *,
    endpoint: WebhookEndpoint,
    by: Member,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    secret: str | None = None,
) -> WebhookEndpoint:
    """Change an endpoint. A non-empty secret replaces the old one (deliveries already queued are
    signed with the new one when they are sent).

    The event log is every member's to read, so the event says which host the URL points at, never
    the URL itself (its path or query may carry a token), and that the secret changed, never what to."""
    values = {}
    if url is not None and url.strip() != endpoint.url:
        values["url"] = _clean_url(url)
    if event_types is not None:
        chosen = _clean_event_types(event_types)
        if set(chosen) != set(endpoint.event_types):
            values["event_types"] = chosen
    if description is not None:
        values["description"] = description.strip()[:100]
    host = endpoint.host
    changes = changes_apply(endpoint, values)
    fields = list(changes)
    if secret is not None and secret.strip():
        endpoint.secret = _clean_secret(secret.strip())
        fields.append("secret")
    if fields:
        endpoint.save(update_fields=fields)
        if "url" in changes:
            changes["url"] = [host, endpoint.host]
        details = {"changes": changes, "host": endpoint.host}
        if "secret" in fields:
            details["secret_replaced"] = True
        _record(endpoint, by, "webhook.updated", details)
    return endpoint


@transaction.atomic
def webhook_disable(*, endpoint: WebhookEndpoint, by: Member | None, reason: str = "") -> WebhookEndpoint:
    """Stop sending to an endpoint. Deliveries still waiting are marked failed; they can be sent again
    by hand after it is enabled."""
    reason = (reason or "Disabled by an admin.").strip()[:300]
    now = timezone.now()
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    )
    if not disabled:
        raise Conflict(_("This webhook is already disabled."))
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error="Not sent: the webhook was disabled."
    )
    endpoint.refresh_from_db()
    _record(endpoint, by, "webhook.disabled", {"reason": reason, "host": endpoint.host})
    return endpoint


@transaction.atomic
def webhook_enable(*, endpoint: WebhookEndpoint, by: Member) -> WebhookEndpoint:
    enabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=False).update(
        is_active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )
    if not enabled:
        raise Conflict(_("This webhook is already enabled."))
    endpoint.refresh_from_db()
    _record(endpoint, by, "webhook.enabled", {"host": endpoint.host})
    return endpoint


@transaction.atomic
def webhook_remove(*, endpoint: WebhookEndpoint, by: Member) -> None:
    """Remove an endpoint with its delivery log. The event log keeps that it existed and who removed it."""
    _record(endpoint, by, "webhook.removed", {"host": endpoint.host})
    endpoint.delete()


def _record(endpoint: WebhookEndpoint, by: Member | None, verb: str, details: dict) -> None:
    event_record(organisation=endpoint.organisation, actor=by, verb=verb, obj=endpoint, details=details)


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery, by: Member) -> WebhookDelivery:
    """Send a delivery again, by hand: the same body and the same `Webhook-Id`, so that a receiver
    that already has it can tell. Its attempts start again from one."""
    if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
        raise Conflict(_("This webhook is disabled; enable it before sending again."))
    queued = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=WebhookDelivery.Status.PENDING)
        .update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
    )
    if not queued:
        raise Conflict(_("This delivery is already waiting to be sent."))
    delivery.refresh_from_db()
    webhooks_flush_after_commit()
    return delivery


# Sending ---------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base… after the 1st, 2nd, 3rd failed attempt, capped."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


@dataclass
class Outcome:
    ok: bool
    status: int | None = None
    ms: int | None = None
    error: str = ""


def post(url: str, *, headers: dict, body: bytes, timeout: float) -> Outcome:
    """POST to a checked target, connecting to the address the check resolved (no second lookup
    that could answer differently) and following no redirect. TLS still verifies the host name."""
    try:
        target = check_target(url)
    except Invalid as exc:
        return Outcome(ok=False, error=f"Refused: {exc.message}")
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect_to_checked_address(address, timeout=timeout, source_address=None):
        return socket.create_connection((target.address, address[1]), timeout, source_address)

    connection._create_connection = connect_to_checked_address
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(1000).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        ms = round((time.monotonic() - started) * 1000)
        return Outcome(ok=False, ms=ms, error=f"{type(exc).__name__}: {exc}"[:1000])
    finally:
        connection.close()
    ms = round((time.monotonic() - started) * 1000)
    if 200 <= response.status < 300:
        return Outcome(ok=True, status=response.status, ms=ms)
    return Outcome(ok=False, status=response.status, ms=ms, error=f"HTTP {response.status}: {excerpt}"[:1000])


def webhook_deliver(*, delivery_id: int) -> bool:
    """Make one attempt at a due delivery. The row is claimed by a conditional update that moves its
    next attempt past the request's timeout, so a second worker finds nothing to claim, and a worker
    that dies mid-request leaves a row the sweep picks up again after that lease."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 60)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, last_error="Not sent: the webhook was disabled."
        )
        return False
    timestamp = int(time.time())
    body = body_of(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": str(delivery.event_id),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": sign(endpoint.secret, delivery.event_id, timestamp, body),
    }
    outcome = post(endpoint.url, headers=headers, body=body, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    _record_outcome(delivery, outcome)
    return outcome.ok


@transaction.atomic
def _record_outcome(delivery: WebhookDelivery, outcome: Outcome) -> None:
    now = timezone.now()
    fields = {"response_status": outcome.status, "response_ms": outcome.ms, "last_error": outcome.error}
    if outcome.ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED, delivered_at=now, next_attempt_at=now, **fields
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        return
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED, **fields)
    else:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=now + retry_delay(delivery.attempts), **fields
        )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=delivery.endpoint_id)
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        _disable_after_failures(endpoint, last_error=outcome.error)


def _disable_after_failures(endpoint: WebhookEndpoint, *, last_error: str) -> None:
    """Disable an endpoint that keeps failing, and tell the organisation's admins (once per disabling)."""
    reason = f"Disabled after {endpoint.consecutive_failures} failed attempts in a row. Last: {last_error}"[:300]
    webhook_disable(endpoint=endpoint, by=None, reason=reason)
    endpoint.refresh_from_db()
    admins = Member.objects.filter(
        organisation_id=endpoint.organisation_id, is_admin=True, is_bot=False, status=Member.Status.ACTIVE
    ).select_related("user")
    notifications_queue(
        recipients=[admin.user for admin in admins],
        kind="webhook_disabled",
        key=f"webhook:{endpoint.pk}:{endpoint.disabled_at:%Y%m%d%H%M%S%f}",
        organisation=endpoint.organisation,
        context={
            "endpoint": endpoint,
            "last_error": last_error,
            "url": f"{settings.SITE_URL}/o/{endpoint.organisation.slug}/webhooks/{endpoint.pk}/",
        },
    )


def webhooks_flush(*, limit: int = 200) -> int:
    """Attempt every due delivery. Safe to run on several workers at once: each row is claimed."""
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(webhook_deliver(delivery_id=pk) for pk in due)
