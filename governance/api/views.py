"""Organisations, membership classes, invitations, the event log, API tokens and webhooks (members,
with the circles they are on, are project.api's).

Each write fetches its object through the caller's queryset (404 for what they cannot see), lets
RulePermission judge the action (403), and calls the one service that does it (400/409 from its
domain errors)."""

from dataclasses import asdict

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from governance import queries
from governance.authentication import LoginLocked, authenticate_password, needs_email_confirmation
from governance.errors import Invalid
from governance.inbox import inbox_of
from governance.integrations import queries as integration_queries
from governance.integrations import webhooks
from governance.integrations.events import event_type_choices, verbs_of
from governance.models import ApiToken, Invitation, MembershipClass, NotificationPreference, WebhookEndpoint
from governance.notifications import deliveries_for, email_kinds
from governance.rules import active_members, member_for
from governance.services import (
    api_token_create,
    api_token_revoke,
    integration_token_create,
    invitation_create,
    invitation_revoke,
    membership_class_save,
    notification_preference_set,
    organisation_update,
    user_update,
)

from . import filters, serializers
from .base import GovernanceViewSet
from .schema import READ, READ_ONE, WRITE, WRITE_STATEFUL, errors


@extend_schema_view(
    list=extend_schema(
        summary="The organisations I am an active member of",
        responses={200: serializers.OrganisationSerializer(many=True), **errors(*READ)},
    ),
    retrieve=extend_schema(responses={200: serializers.OrganisationSerializer, **errors(*READ_ONE)}),
    partial_update=extend_schema(
        summary="Change an organisation's settings (admins)",
        request=serializers.OrganisationUpdateSerializer,
        responses={200: serializers.OrganisationSerializer, **errors(*WRITE)},
    ),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.OrganisationSerializer
    input_serializers = {"partial_update": serializers.OrganisationUpdateSerializer}
    rules = {"retrieve": "governance.view_organisation", "partial_update": "governance.change_organisation"}
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return queries.organisations_visible_to(self.request.user)

    def partial_update(self, request, pk=None):
        organisation = self.get_object()
        changes = self.read_input(partial=True)
        organisation_update(organisation=organisation, by=self.caller(organisation.pk), **changes)
        return self.answer(organisation)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.MembershipClassSerializer(many=True), **errors(400, 401)}),
    retrieve=extend_schema(responses={200: serializers.MembershipClassSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Add a membership class (admins)",
        request=serializers.MembershipClassCreateSerializer,
        responses={201: serializers.MembershipClassSerializer, **errors(*WRITE)},
    ),
    partial_update=extend_schema(
        summary="Change a membership class (admins); a new weight applies to rounds opened afterwards",
        request=serializers.MembershipClassUpdateSerializer,
        responses={200: serializers.MembershipClassSerializer, **errors(*WRITE)},
    ),
)
class MembershipClassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.MembershipClassSerializer
    input_serializers = {
        "create": serializers.MembershipClassCreateSerializer,
        "partial_update": serializers.MembershipClassUpdateSerializer,
    }
    rules = {
        "create": ("governance.change_organisation", "organisation"),
        "partial_update": ("governance.change_organisation", "organisation"),
    }
    filterset_class = filters.MembershipClassFilter
    ordering_fields = ["name", "voting_weight"]

    def get_queryset(self):
        return queries.membership_classes_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        organisation = data.pop("organisation")
        self.check_creation(MembershipClass(organisation=organisation))
        membership_class = membership_class_save(organisation=organisation, by=self.caller(organisation.pk), **data)
        return self.answer(membership_class, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        membership_class = self.get_object()
        data = self.read_input(partial=True)
        membership_class_save(
            organisation=membership_class.organisation,
            by=self.caller(membership_class.organisation_id),
            membership_class=membership_class,
            name=data.get("name", membership_class.name),
            voting_weight=data.get("voting_weight", membership_class.voting_weight),
            may_vote=data.get("may_vote", membership_class.may_vote),
            description=data.get("description", membership_class.description),
        )
        return self.answer(membership_class)


# Admins invite to the organisation or to any circle; a steward only to a circle they steward.
INVITATION_RULES = "governance.handle_invitation"


@extend_schema_view(
    list=extend_schema(
        summary="Invitations: admins see all; a steward those they sent or to their circles",
        responses={200: serializers.InvitationSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: serializers.InvitationSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Invite someone by email (admins; stewards to a circle they steward)",
        description="The invitation link goes to the email address only; it is not in the answer.",
        request=serializers.InvitationCreateSerializer,
        responses={201: serializers.InvitationSerializer, **errors(*WRITE_STATEFUL)},
    ),
    revoke=extend_schema(
        summary="Revoke a pending invitation",
        request=None,
        responses={200: serializers.InvitationSerializer, **errors(401, 403, 404, 409)},
    ),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.InvitationSerializer
    input_serializers = {"create": serializers.InvitationCreateSerializer}
    rules = {"create": INVITATION_RULES, "revoke": INVITATION_RULES}
    filterset_class = filters.InvitationFilter
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        return queries.invitations_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        organisation = data["organisation"]
        self.check_creation(Invitation(organisation=organisation, circle=data["circle"]))
        invitation, _link_token = invitation_create(by=self.caller(organisation.pk), **data)
        return self.answer(invitation, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = self.get_object()
        invitation_revoke(invitation=invitation, by=self.caller(invitation.organisation_id))
        return self.answer(invitation)


@extend_schema_view(
    list=extend_schema(
        summary="The event log, oldest first",
        description="To sync, remember the `created_at` of the last event read and ask again with `since`.",
        responses={200: serializers.EventSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: serializers.EventSerializer, **errors(*READ_ONE)}),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return queries.events_visible_to(self.request.user)


# API tokens ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="My API tokens (never their secret)",
        responses={200: serializers.ApiTokenSerializer(many=True), **errors(*READ)},
    ),
    retrieve=extend_schema(
        summary="One of my API tokens",
        responses={200: serializers.ApiTokenSerializer, **errors(*READ_ONE)},
    ),
    create=extend_schema(
        summary="Create a personal API token",
        description="It acts as you, with your rights (or reads only). The token is in this answer only.",
        request=serializers.ApiTokenCreateSerializer,
        responses={201: serializers.TokenCreatedSerializer, **errors(400, 401, 403)},
    ),
    revoke=extend_schema(
        summary="Revoke one of my API tokens",
        request=None,
        responses={200: serializers.ApiTokenSerializer, **errors(*READ_ONE, 403)},
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.ApiTokenSerializer
    input_serializers = {"create": serializers.ApiTokenCreateSerializer}
    filter_backends = []

    def get_queryset(self):
        return ApiToken.objects.filter(user_id=self.request.user.pk).order_by("-created_at", "-pk")

    def create(self, request):
        data = self.read_input()
        token, key = api_token_create(user=request.user, caller_token=self.caller_token(), **data)
        token.token = key
        return Response(serializers.TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        by = member_for(request.user, token.organisation_id) if token.organisation_id else None
        api_token_revoke(token=token, by=by)
        return self.answer(token)


MANAGE_INTEGRATIONS = ("governance.manage_integrations", "organisation")


@extend_schema_view(
    list=extend_schema(
        summary="Integration tokens of the organisations I administer",
        responses={200: serializers.IntegrationTokenSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: serializers.IntegrationTokenSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Create an integration token (admins)",
        description="The token acts as a new bot member of the organisation, named after it, with a member's "
        "rights or, when `is_admin`, an admin's. Add the bot to a circle's roster to let it act there. "
        "The bot never votes. The token is in this answer only.",
        request=serializers.IntegrationTokenCreateSerializer,
        responses={201: serializers.IntegrationTokenCreatedSerializer, **errors(*WRITE)},
    ),
    revoke=extend_schema(
        summary="Revoke an integration token (admins); its bot member leaves the organisation",
        request=None,
        responses={200: serializers.IntegrationTokenSerializer, **errors(401, 403, 404)},
    ),
)
class IntegrationTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.IntegrationTokenSerializer
    input_serializers = {"create": serializers.IntegrationTokenCreateSerializer}
    rules = {"create": MANAGE_INTEGRATIONS, "revoke": MANAGE_INTEGRATIONS}
    filterset_class = filters.IntegrationTokenFilter
    ordering_fields = ["created_at", "last_used_at", "name"]

    def get_queryset(self):
        return integration_queries.integration_tokens_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        organisation = data.pop("organisation")
        self.check_creation(ApiToken(organisation=organisation))
        token, key = integration_token_create(
            organisation=organisation, by=self.caller(organisation.pk), caller_token=self.caller_token(), **data
        )
        fresh = self.get_queryset().get(pk=token.pk)
        fresh.token = key
        return Response(serializers.IntegrationTokenCreatedSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        api_token_revoke(token=token, by=self.caller(token.organisation_id))
        return self.answer(token)


@extend_schema_view(
    list=extend_schema(
        summary="Webhooks of the organisations I administer",
        responses={200: serializers.WebhookSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: serializers.WebhookSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Register a webhook (admins)",
        description="Private, loopback, link-local, multicast and reserved addresses are refused. The secret "
        "(yours, or a generated one) is in this answer only; it signs every delivery.",
        request=serializers.WebhookCreateSerializer,
        responses={201: serializers.WebhookCreatedSerializer, **errors(*WRITE)},
    ),
    partial_update=extend_schema(
        summary="Change a webhook's URL, description, event types or secret (admins)",
        request=serializers.WebhookUpdateSerializer,
        responses={200: serializers.WebhookSerializer, **errors(*WRITE)},
    ),
    destroy=extend_schema(
        summary="Remove a webhook and its delivery log (admins)",
        responses={204: None, **errors(401, 403, 404)},
    ),
    disable=extend_schema(
        summary="Stop sending to a webhook (admins); waiting deliveries are marked failed",
        request=serializers.WebhookDisableSerializer,
        responses={200: serializers.WebhookSerializer, **errors(*WRITE_STATEFUL)},
    ),
    enable=extend_schema(
        summary="Send to a disabled webhook again (admins)",
        request=None,
        responses={200: serializers.WebhookSerializer, **errors(401, 403, 404, 409)},
    ),
    event_types=extend_schema(
        summary="The event types a webhook can receive, and the event-log verbs behind each",
        responses={200: serializers.EventTypeSerializer(many=True), **errors(*READ)},
    ),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.WebhookSerializer
    input_serializers = {
        "create": serializers.WebhookCreateSerializer,
        "partial_update": serializers.WebhookUpdateSerializer,
        "disable": serializers.WebhookDisableSerializer,
    }
    rules = {
        "create": MANAGE_INTEGRATIONS,
        "partial_update": MANAGE_INTEGRATIONS,
        "destroy": MANAGE_INTEGRATIONS,
        "disable": MANAGE_INTEGRATIONS,
        "enable": MANAGE_INTEGRATIONS,
    }
    filterset_class = filters.WebhookFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return integration_queries.webhooks_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        organisation = data.pop("organisation")
        self.check_creation(WebhookEndpoint(organisation=organisation))
        endpoint = webhooks.webhook_create(organisation=organisation, by=self.caller(organisation.pk), **data)
        fresh = self.get_queryset().get(pk=endpoint.pk)
        return Response(serializers.WebhookCreatedSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        data = self.read_input(partial=True)
        webhooks.webhook_update(endpoint=endpoint, by=self.caller(endpoint.organisation_id), **data)
        return self.answer(endpoint)

    def destroy(self, request, pk=None):
        endpoint = self.get_object()
        webhooks.webhook_remove(endpoint=endpoint, by=self.caller(endpoint.organisation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        endpoint = self.get_object()
        reason = self.read_input()["reason"]
        webhooks.webhook_disable(endpoint=endpoint, by=self.caller(endpoint.organisation_id), reason=reason)
        return self.answer(endpoint)

    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        endpoint = self.get_object()
        webhooks.webhook_enable(endpoint=endpoint, by=self.caller(endpoint.organisation_id))
        return self.answer(endpoint)

    @action(detail=False, methods=["get"], url_path="event-types", pagination_class=None, filter_backends=[])
    def event_types(self, request):
        rows = [{"type": type_, "label": label, "verbs": verbs_of(type_)} for type_, label in event_type_choices()]
        return Response(serializers.EventTypeSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="The delivery log of the webhooks I administer, newest first",
        responses={200: serializers.WebhookDeliverySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: serializers.WebhookDeliverySerializer, **errors(*READ_ONE)}),
    redeliver=extend_schema(
        summary="Send a delivery again (admins)",
        description="The same body and `Webhook-Id`, so a receiver that has it already can tell.",
        request=None,
        responses={200: serializers.WebhookDeliverySerializer, **errors(401, 403, 404, 409)},
    ),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = serializers.WebhookDeliverySerializer
    rules = {"redeliver": ("governance.manage_integrations", "endpoint.organisation")}
    filterset_class = filters.WebhookDeliveryFilter
    ordering_fields = ["created_at", "next_attempt_at"]

    def get_queryset(self):
        return integration_queries.deliveries_visible_to(self.request.user)

    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = self.get_object()
        webhooks.webhook_redeliver(delivery=delivery, by=self.caller(delivery.endpoint.organisation_id))
        return self.answer(delivery)


class TokenCreateView(GenericAPIView):
    """Exchange an email address and password for an API token. The password is checked as the login
    form checks it, under the same lockout (see authenticate_password)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    serializer_class = serializers.TokenRequestSerializer

    @extend_schema(
        summary="Create an API token with email and password",
        description="The token is in this answer only; the server keeps its hash. Failed attempts count "
        "towards the same lockout as the login form: after too many, the account gets 429 (with `Retry-After`) "
        "here and on the login page, even with the right password.",
        auth=[],
        responses={201: serializers.TokenCreatedSerializer, **errors(400, 429)},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = authenticate_password(request._request, email=data["username"], password=data["password"])
        except LoginLocked as locked:
            raise Throttled(
                wait=locked.wait, detail=_("Too many failed login attempts for this account. Try again later.")
            ) from locked
        if user is None:
            raise Invalid(_("No account matches this email address and password."))
        if needs_email_confirmation(user):
            raise Invalid(_("Confirm your email address first: log in on the site to get the link again."))
        token, key = api_token_create(user=user, name=data["name"], read_only=data["read_only"])
        token.token = key
        return Response(serializers.TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class InboxView(GenericAPIView):
    """What needs me: every inbox source, in each organisation I am an active member of (or one)."""

    serializer_class = serializers.InboxSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="What needs me: positions to give, agendas and minutes to publish, actions due, meetings…",
        parameters=[
            OpenApiParameter("organisation", str, description="Only this organisation (its slug).", required=False)
        ],
        responses={200: serializers.InboxSerializer, **errors(*READ_ONE)},
    )
    def get(self, request):
        members = sorted(active_members(request.user).values(), key=lambda m: m.organisation.slug)
        wanted = request.query_params.get("organisation")
        if wanted:
            members = [m for m in members if m.organisation.slug == wanted]
            if not members:
                raise NotFound(_("You are not an active member of that organisation."))
        now = timezone.now()
        entries, counts = [], {}
        for member in members:
            if member.is_bot:
                continue
            found = inbox_of(member, now)
            for entry in found.entries:
                entries.append({**asdict(entry), "organisation": member.organisation.slug})
                entries[-1]["url"] = request.build_absolute_uri(entry.url)
            for kind, n in found.counts.items():
                counts[kind] = counts.get(kind, 0) + n
        entries.sort(key=lambda e: (e["due"] is None, e["due"].timestamp() if e["due"] else 0, e["kind"], e["title"]))
        data = {"count": len(entries), "counts": counts, "results": entries}
        return Response(self.get_serializer(data).data)


class NotificationPreferencesView(GenericAPIView):
    """How I take each kind of email, in each organisation I am an active member of (or one)."""

    serializer_class = serializers.NotificationPreferenceSerializer
    pagination_class = None
    filter_backends = []

    def _members(self, slug: str | None):
        members = sorted(
            (m for m in active_members(self.request.user).values() if not m.is_bot),
            key=lambda m: m.organisation.slug,
        )
        if slug:
            members = [m for m in members if m.organisation.slug == slug]
            if not members:
                raise NotFound(_("You are not an active member of that organisation."))
        return members

    @staticmethod
    def _row(member, kind, delivery: str) -> dict:
        return {
            "organisation": member.organisation.slug,
            "kind": kind.key,
            "label": kind.label,
            "group": kind.group,
            "delivery": delivery if kind.can_turn_off else NotificationPreference.Delivery.NOW,
            "can_turn_off": kind.can_turn_off,
        }

    @extend_schema(
        summary="How I take each kind of email: at once, in a daily digest, or off",
        parameters=[
            OpenApiParameter("organisation", str, description="Only this organisation (its slug).", required=False)
        ],
        responses={200: serializers.NotificationPreferenceSerializer(many=True), **errors(*READ_ONE)},
    )
    def get(self, request):
        kinds = email_kinds()
        rows = []
        for member in self._members(request.query_params.get("organisation")):
            chosen = deliveries_for(member)
            rows += [self._row(member, kind, chosen.get(kind.key, "now")) for kind in kinds]
        return Response(self.get_serializer(rows, many=True).data)

    @extend_schema(
        summary="Choose how I take one kind of email from one organisation",
        request=serializers.NotificationPreferenceSetSerializer,
        responses={200: serializers.NotificationPreferenceSerializer, **errors(*WRITE_STATEFUL)},
    )
    def post(self, request):
        given = serializers.NotificationPreferenceSetSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        (member,) = self._members(data["organisation"])
        preference = notification_preference_set(member=member, kind=data["kind"], delivery=data["delivery"])
        kind = next(k for k in email_kinds() if k.key == preference.kind)
        return Response(self.get_serializer(self._row(member, kind, preference.delivery)).data)


class MeView(GenericAPIView):
    """Who I am: my name, my email address, and the language of my pages and emails."""

    serializer_class = serializers.MeSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="Who I am, and my language", responses={200: serializers.MeSerializer, **errors(401)})
    def get(self, request):
        return Response(self.get_serializer(request.user).data)

    @extend_schema(
        summary="Change my name or my language",
        request=serializers.MeSerializer,
        responses={200: serializers.MeSerializer, **errors(*WRITE)},
    )
    def patch(self, request):
        given = self.get_serializer(request.user, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        user = user_update(user=request.user, **given.validated_data)
        return Response(self.get_serializer(user).data)
