"""Tensions over the REST API: raised in a circle, edited, and resolved with a note, as a proposal
or as an action item."""

from __future__ import annotations

import rules
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from governance.api.base import GovernanceViewSet
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference
from governance.dates import sane_date
from governance.text import MULTI_LINE, single_line

from .. import queries, services
from ..models import Tension
from .common import LIST


class TensionSerializer(serializers.ModelSerializer):
    raised_by = MemberSummarySerializer(read_only=True)
    resolved_by = MemberSummarySerializer(read_only=True, allow_null=True)
    on_agenda_of = serializers.IntegerField(read_only=True, help_text="Scheduled meetings with it on the agenda.")

    class Meta:
        model = Tension
        fields = [
            "id",
            "organisation",
            "circle",
            "raised_by",
            "title",
            "description",
            "state",
            "on_agenda_of",
            "resolution",
            "resolution_note",
            "proposal",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class TensionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    description = serializers.CharField(allow_blank=True, default="", help_text="Markdown.", style=MULTI_LINE)


class TensionCreateSerializer(TensionUpdateSerializer):
    circle = circle_scope()


class TensionResolveSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="How it was resolved.", style=MULTI_LINE)


class TensionActionSerializer(serializers.Serializer):
    owner = member_reference()
    due = serializers.DateField(allow_null=True, default=None, validators=[sane_date])
    title = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Default: the tension's.", validators=[single_line]
    )


@extend_schema_view(
    list=extend_schema(
        summary="Tensions of my organisations", responses={200: TensionSerializer(many=True), **errors(*LIST)}
    ),
    retrieve=extend_schema(responses={200: TensionSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Raise a tension in a circle I am on",
        request=TensionCreateSerializer,
        responses={201: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Edit my tension while it is unresolved",
        request=TensionUpdateSerializer,
        responses={200: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    resolve=extend_schema(
        summary="Resolve with a note (the raiser, the steward, the facilitator or the secretary)",
        request=TensionResolveSerializer,
        responses={200: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    to_proposal=extend_schema(
        summary="Turn it into a draft proposal pre-filled with its text, authored by me",
        request=None,
        responses={200: TensionSerializer, **errors(401, 403, 404, 409)},
    ),
    to_action=extend_schema(
        summary="Turn it into an action item",
        request=TensionActionSerializer,
        responses={200: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class TensionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = TensionSerializer
    input_serializers = {
        "create": TensionCreateSerializer,
        "partial_update": TensionUpdateSerializer,
        "resolve": TensionResolveSerializer,
        "to_action": TensionActionSerializer,
    }
    rules = {
        "retrieve": "meetings.view_tension",
        "create": ("meetings.raise_tension", "circle"),
        "partial_update": "meetings.change_tension",
        "resolve": "meetings.resolve_tension",
        "to_proposal": "meetings.resolve_tension",
        "to_action": "meetings.resolve_tension",
    }
    filterset_fields = ["organisation", "circle", "state", "resolution"]
    ordering_fields = ["created_at", "resolved_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Tension.objects.none()
        return queries.tensions_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(Tension(circle=circle, organisation_id=circle.organisation_id))
        tension = services.tension_raise(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(tension, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        tension = self.get_object()
        data = {"title": tension.title, "description": tension.description, **self.read_input(partial=True)}
        services.tension_update(tension=tension, by=self.caller(tension.organisation_id), **data)
        return self.answer(tension)

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        tension = self.get_object()
        services.tension_resolve(tension=tension, by=self.caller(tension.organisation_id), **self.read_input())
        return self.answer(tension)

    @action(detail=True, methods=["post"], url_path="to-proposal")
    def to_proposal(self, request, pk=None):
        tension = self.get_object()
        if not rules.test_rule("proposals.add_proposal", request.user, tension.circle):
            raise PermissionDenied(gettext("Only members of this circle write its proposals."))
        services.tension_to_proposal(tension=tension, by=self.caller(tension.organisation_id))
        return self.answer(tension)

    @action(detail=True, methods=["post"], url_path="to-action")
    def to_action(self, request, pk=None):
        tension = self.get_object()
        services.tension_to_action(tension=tension, by=self.caller(tension.organisation_id), **self.read_input())
        return self.answer(tension)
