"""Agenda items over the REST API: added to a meeting, changed, taken off."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance.api.base import GovernanceViewSet
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, member_reference
from governance.text import MULTI_LINE, single_line

from .. import queries, services
from ..models import AgendaItem
from .common import LIST, meeting_scope, proposal_reference, tension_reference


class AgendaItemSerializer(serializers.ModelSerializer):
    owner = MemberSummarySerializer(read_only=True, allow_null=True)
    added_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "kind",
            "title",
            "notes",
            "owner",
            "time_box",
            "tension",
            "proposal",
            "added_by",
            "created_at",
        ]
        read_only_fields = fields


class AgendaItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=AgendaItem.Kind.choices)
    owner = member_reference(allow_null=True)
    time_box = serializers.IntegerField(min_value=1, max_value=600, allow_null=True, help_text="Minutes.")
    notes = serializers.CharField(allow_blank=True, help_text="Markdown.", style=MULTI_LINE)


class AgendaItemCreateSerializer(serializers.Serializer):
    meeting = meeting_scope()
    title = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="Default: the tension's or proposal's title.",
        validators=[single_line],
    )
    kind = serializers.ChoiceField(choices=AgendaItem.Kind.choices, default=AgendaItem.Kind.OTHER)
    owner = member_reference(allow_null=True, default=None)
    time_box = serializers.IntegerField(min_value=1, max_value=600, allow_null=True, default=None)
    notes = serializers.CharField(allow_blank=True, default="", style=MULTI_LINE)
    tension = tension_reference(allow_null=True, default=None, help_text="Puts the tension on the agenda.")
    proposal = proposal_reference(allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(
        summary="Current agenda items (filter by meeting), in order",
        responses={200: AgendaItemSerializer(many=True), **errors(*LIST)},
    ),
    retrieve=extend_schema(responses={200: AgendaItemSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Add an item at the end of a meeting's agenda (members of the circle)",
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Change an item (the facilitator; whoever added it, until the agenda is published)",
        request=AgendaItemUpdateSerializer,
        responses={200: AgendaItemSerializer, **errors(*WRITE_STATEFUL)},
    ),
    remove=extend_schema(
        summary="Take an item off the agenda (kept in the record)",
        request=None,
        responses={200: AgendaItemSerializer, **errors(401, 403, 404, 409)},
    ),
)
class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = AgendaItemSerializer
    input_serializers = {"create": AgendaItemCreateSerializer, "partial_update": AgendaItemUpdateSerializer}
    rules = {"create": ("meetings.add_agenda_item", "meeting")}
    filterset_fields = ["meeting", "kind"]
    ordering_fields = ["position", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return AgendaItem.objects.none()
        return queries.agenda_items_visible_to(self.request.user)

    def _may_change(self, item):
        if not queries.may_change_agenda_item(self.request.user, item):
            raise PermissionDenied(gettext("Only the facilitator changes this item now."))

    def create(self, request):
        data = dict(self.read_input())
        meeting = data.pop("meeting")
        self.check_creation(AgendaItem(meeting=meeting))
        item = services.agenda_item_add(meeting=meeting, by=self.caller(meeting.organisation_id), **data)
        return self.answer(item, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        item = self.get_object()
        self._may_change(item)
        changes = self.read_input(partial=True)
        services.agenda_item_update(item=item, by=self.caller(item.meeting.organisation_id), **changes)
        return self.answer(item)

    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        item = self.get_object()
        self._may_change(item)
        services.agenda_item_remove(item=item, by=self.caller(item.meeting.organisation_id))
        item.refresh_from_db()
        return Response(AgendaItemSerializer(item).data)
