"""Circles and their rosters over the REST API: the same queries, rules and services as the pages.
Naming a circle's steward (`POST /circles/{id}/steward/`) is added by roles (roles.api.CircleViewSet)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from governance.api.base import GovernanceViewSet
from governance.api.schema import READ_ONE, WRITE, WRITE_STATEFUL, errors
from governance.api.serializers import (
    MemberSummarySerializer,
    ReasonSerializer,
    circle_reference,
    circle_scope,
    member_reference,
    organisation_scope,
)
from governance.text import single_line

from . import filters
from .models import Circle, CircleMembership
from .queries import circle_memberships_visible_to, circle_steward, circles_visible_to, with_stewards
from .services import circle_archive, circle_create, circle_restore, circle_update, roster_add, roster_remove

# Serializers -----------------------------------------------------------------------------------


class CircleListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # The stewards of the whole page in one query, not one per circle.
        return super().to_representation(with_stewards(data.all() if hasattr(data, "all") else data))


class CircleSerializer(serializers.ModelSerializer):
    is_archived = serializers.BooleanField(read_only=True)
    member_count = serializers.IntegerField(
        read_only=True, help_text=_("People on the roster now; for the general circle, every active member.")
    )
    steward = serializers.SerializerMethodField()

    class Meta:
        model = Circle
        fields = [
            "id",
            "organisation",
            "parent",
            "name",
            "slug",
            "purpose",
            "domains",
            "accountabilities",
            "is_general",
            "is_archived",
            "created_at",
            "archived_at",
            "member_count",
            "steward",
        ]
        read_only_fields = fields
        list_serializer_class = CircleListSerializer

    @extend_schema_field(MemberSummarySerializer(allow_null=True))
    def get_steward(self, circle):
        steward = circle_steward(circle)
        return MemberSummarySerializer(steward).data if steward else None


class CircleUpdateSerializer(serializers.ModelSerializer):
    parent = circle_reference(
        allow_null=True, help_text=_("Move the circle under another one. Only the general circle has none.")
    )

    class Meta:
        model = Circle
        fields = ["name", "parent", "purpose", "domains", "accountabilities"]
        validators = []


class CircleCreateSerializer(CircleUpdateSerializer):
    organisation = organisation_scope()
    parent = circle_reference(help_text=_("The circle it sits under (the general circle, or a sub-circle)."))

    class Meta(CircleUpdateSerializer.Meta):
        fields = ["organisation", *CircleUpdateSerializer.Meta.fields]
        extra_kwargs = {field: {"default": ""} for field in ("purpose", "domains", "accountabilities")}


class CircleArchiveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, validators=[single_line]
    )


class CircleMembershipSerializer(serializers.ModelSerializer):
    """One stay of a member on a roster: current while `left_at` is null."""

    member = MemberSummarySerializer(read_only=True)
    added_by = MemberSummarySerializer(read_only=True, allow_null=True)
    removed_by = MemberSummarySerializer(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = CircleMembership
        fields = [
            "id",
            "circle",
            "member",
            "is_current",
            "joined_at",
            "added_by",
            "left_at",
            "removed_by",
            "removal_reason",
        ]
        read_only_fields = fields


class RosterAddSerializer(serializers.Serializer):
    circle = circle_scope()
    member = member_reference(help_text=_("An active member of the circle's organisation."))


# Views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Circles of my organisations, with member count and steward",
        responses={200: CircleSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: CircleSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Create a circle (admins)",
        request=CircleCreateSerializer,
        responses={201: CircleSerializer, **errors(*WRITE)},
    ),
    partial_update=extend_schema(
        summary="Edit a circle, or move it under another parent (admins)",
        request=CircleUpdateSerializer,
        responses={200: CircleSerializer, **errors(*WRITE_STATEFUL)},
    ),
    archive=extend_schema(
        summary="Archive a circle (admins); nothing is deleted",
        request=CircleArchiveSerializer,
        responses={200: CircleSerializer, **errors(*WRITE_STATEFUL)},
    ),
    restore=extend_schema(
        summary="Restore an archived circle (admins)",
        request=None,
        responses={200: CircleSerializer, **errors(401, 403, 404, 409)},
    ),
)
class CircleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = CircleSerializer
    input_serializers = {
        "create": CircleCreateSerializer,
        "partial_update": CircleUpdateSerializer,
        "archive": CircleArchiveSerializer,
    }
    rules = {
        "retrieve": "circles.view_circle",
        "create": ("circles.add_circle", "organisation"),
        "partial_update": "circles.change_circle",
        "archive": "circles.change_circle",
        "restore": "circles.change_circle",
    }
    filterset_class = filters.CircleFilter
    ordering_fields = ["name", "created_at", "member_count"]

    def get_queryset(self):
        return circles_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        organisation = data["organisation"]
        self.check_creation(Circle(organisation=organisation))
        circle = circle_create(by=self.caller(organisation.pk), **data)
        return self.answer(circle, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        circle = self.get_object()
        changes = self.read_input(partial=True)
        circle_update(circle=circle, by=self.caller(circle.organisation_id), **changes)
        return self.answer(circle)

    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        circle = self.get_object()
        reason = self.read_input()["reason"]
        circle_archive(circle=circle, by=self.caller(circle.organisation_id), reason=reason)
        return self.answer(circle)

    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        circle = self.get_object()
        circle_restore(circle=circle, by=self.caller(circle.organisation_id))
        return self.answer(circle)


@extend_schema_view(
    list=extend_schema(
        summary="Roster rows of my organisations' circles, current and past",
        responses={200: CircleMembershipSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: CircleMembershipSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Add a member to a circle's roster (the circle's steward, or admins)",
        request=RosterAddSerializer,
        responses={201: CircleMembershipSerializer, **errors(*WRITE_STATEFUL)},
    ),
    remove=extend_schema(
        summary="Take a member off a roster, with a reason (the circle's steward, or admins)",
        description="The row ends (`left_at`, `removed_by`, `removal_reason`); it is never deleted.",
        request=ReasonSerializer,
        responses={200: CircleMembershipSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class CircleMembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = CircleMembershipSerializer
    input_serializers = {"create": RosterAddSerializer, "remove": ReasonSerializer}
    rules = {"create": ("circles.manage_roster", "circle"), "remove": ("circles.manage_roster", "circle")}
    filterset_class = filters.CircleMembershipFilter
    ordering_fields = ["joined_at", "left_at"]

    def get_queryset(self):
        return circle_memberships_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        self.check_creation(CircleMembership(**data))
        membership = roster_add(by=self.caller(data["circle"].organisation_id), **data)
        return self.answer(membership, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        membership = self.get_object()
        reason = self.read_input()["reason"]
        roster_remove(membership=membership, by=self.caller(membership.circle.organisation_id), reason=reason)
        return self.answer(membership)
