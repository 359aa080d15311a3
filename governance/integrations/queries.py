"""Reads for the integration pages and API: tokens, webhooks and deliveries an admin may manage."""

from __future__ import annotations

from django.http import Http404

from governance.models import ApiToken, WebhookDelivery, WebhookEndpoint
from governance.queries import get_organisation_for
from governance.rules import active_members


def managed_organisation_ids(user) -> list[int]:
    """Organisations whose integrations this user manages: where they are an admin, and a person."""
    return [org_id for org_id, member in active_members(user).items() if member.is_admin and not member.is_bot]


def get_integrations_for(user, slug: str):
    """The organisation and the admin's membership, for the integration pages. 404 for outsiders,
    403 for members who are not admins (and for an integration's bot)."""
    return get_organisation_for(user, slug, action="governance.manage_integrations")


def personal_tokens(user):
    return ApiToken.objects.filter(user=user, organisation__isnull=True).order_by("-created_at", "-pk")


def integration_tokens_visible_to(user):
    return (
        ApiToken.objects.filter(organisation_id__in=managed_organisation_ids(user))
        .select_related("member__user", "created_by__user")
        .order_by("-created_at", "-pk")
    )


def webhooks_visible_to(user):
    return (
        WebhookEndpoint.objects.filter(organisation_id__in=managed_organisation_ids(user))
        .select_related("organisation", "created_by__user")
        .order_by("-created_at", "-pk")
    )


def deliveries_visible_to(user):
    return (
        WebhookDelivery.objects.filter(endpoint__organisation_id__in=managed_organisation_ids(user))
        .select_related("endpoint__organisation")
        .order_by("-created_at", "-pk")
    )


def webhook_log(endpoint: WebhookEndpoint):
    """The endpoint's deliveries, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-created_at", "-pk")


def get_webhook(organisation, pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(organisation=organisation, pk=pk).first()
    if endpoint is None:
        raise Http404("No such webhook.")
    return endpoint


def get_integration_token(organisation, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(organisation=organisation, pk=pk).select_related("member").first()
    if token is None:
        raise Http404("No such integration.")
    return token
