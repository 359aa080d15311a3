"""Action items over the REST API: a circle's actions, created and changed."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status

from governance.api.base import GovernanceViewSet
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference
from governance.dates import sane_date
from governance.text import MULTI_LINE, single_line

from .. import queries, services
from ..models import ActionItem
from .common import LIST, meeting_reference


class ActionItemSerializer(serializers.ModelSerializer):
    owner = MemberSummarySerializer(read_only=True)
    created_by = MemberSummarySerializer(read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "organisation",
            "circle",
            "meeting",
            "tension",
            "title",
            "notes",
            "owner",
            "due",
            "status",
            "is_overdue",
            "created_by",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, item) -> bool:
        return item.is_overdue_on(queries.local_today(item.organisation))


class ActionItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    notes = serializers.CharField(allow_blank=True, style=MULTI_LINE)
    owner = member_reference()
    due = serializers.DateField(allow_null=True, validators=[sane_date])
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)


class ActionItemCreateSerializer(serializers.Serializer):
    circle = circle_scope()
    title = serializers.CharField(max_length=200, validators=[single_line])
    owner = member_reference()
    due = serializers.DateField(allow_null=True, default=None, validators=[sane_date])
    notes = serializers.CharField(allow_blank=True, default="", style=MULTI_LINE)
    meeting = meeting_reference(allow_null=True, default=None, help_text="The meeting it came from, if any.")


class ActionItemFilter(django_filters.FilterSet):
    organisation = IdFilter()
    circle = IdFilter()
    meeting = IdFilter()
    owner = IdFilter()
    status = django_filters.ChoiceFilter(choices=ActionItem.Status.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only the actions I own.")

    class Meta:
        model = ActionItem
        fields = ["organisation", "circle", "meeting", "owner", "status", "mine"]

    def filter_mine(self, items, name, value):
        if value is None:
            return items
        mine = Q(owner__user=self.request.user)
        return items.filter(mine) if value else items.exclude(mine)


@extend_schema_view(
    list=extend_schema(
        summary="Action items of my organisations", responses={200: ActionItemSerializer(many=True), **errors(*LIST)}
    ),
    retrieve=extend_schema(responses={200: ActionItemSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Add an action in a circle I am on",
        request=ActionItemCreateSerializer,
        responses={201: ActionItemSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Change an action, e.g. its status (its owner, its creator or the steward)",
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = ActionItemSerializer
    input_serializers = {"create": ActionItemCreateSerializer, "partial_update": ActionItemUpdateSerializer}
    rules = {
        "retrieve": "meetings.view_action_item",
        "create": ("meetings.add_action_item", "circle"),
        "partial_update": "meetings.change_action_item",
    }
    filterset_class = ActionItemFilter
    ordering_fields = ["due", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return ActionItem.objects.none()
        return queries.action_items_visible_to(self.request.user).select_related("organisation")

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(ActionItem(circle=circle, organisation_id=circle.organisation_id))
        item = services.action_item_create(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(item, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        item = self.get_object()
        services.action_item_update(item=item, by=self.caller(item.organisation_id), **self.read_input(partial=True))
        return self.answer(item)
