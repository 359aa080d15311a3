"""Roles and terms over the REST API: the same queries, rules and services as the pages. Naming a
circle's steward is a roles action on the circles resource (CircleViewSet below, which the router
registers for /circles/)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from circles import api as circles_api
from governance.api.base import GovernanceViewSet, ScopeField
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference
from governance.dates import sane_date
from governance.text import MULTI_LINE, single_line

from . import queries, services
from .models import ElectionMethod, Role, RoleAssignment, Selection, TimePeriod


def role_reference(**kwargs):
    return ScopeField(model=Role, visible=queries.roles_visible_to, **kwargs)


# Serializers -----------------------------------------------------------------------------------


class TermSerializer(serializers.ModelSerializer):
    member = MemberSummarySerializer(read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "member", "started_at", "planned_end_at", "term_number", "days_left"]
        read_only_fields = fields


class RoleSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="circle.organisation_id", read_only=True)
    accountabilities = serializers.ListField(child=serializers.CharField(), read_only=True)
    hours_per_week = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)
    is_core = serializers.BooleanField(read_only=True)
    is_archived = serializers.BooleanField(read_only=True)
    holders = serializers.SerializerMethodField()
    upcoming = serializers.SerializerMethodField()
    free_seats = serializers.SerializerMethodField()
    active_election = serializers.SerializerMethodField()

    class Meta:
        model = Role
        fields = [
            "id",
            "organisation",
            "circle",
            "kind",
            "name",
            "purpose",
            "domains",
            "accountabilities",
            "time_hours",
            "time_period",
            "hours_per_week",
            "is_paid",
            "seats",
            "term_months",
            "term_limit",
            "selection",
            "election_method",
            "auto_renew",
            "is_core",
            "is_archived",
            "created_at",
            "archived_at",
            "holders",
            "upcoming",
            "free_seats",
            "active_election",
        ]
        read_only_fields = fields

    @extend_schema_field(TermSerializer(many=True))
    def get_holders(self, role):
        return TermSerializer(queries.holders(role), many=True).data

    @extend_schema_field(TermSerializer(many=True))
    def get_upcoming(self, role):
        return TermSerializer(queries.upcoming(role), many=True).data

    def get_free_seats(self, role) -> int:
        return max(role.seats - len(queries.holders(role)), 0)

    def get_active_election(self, role) -> int | None:
        return role.active_elections[0].pk if role.active_elections else None


class RoleUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, validators=[single_line])
    purpose = serializers.CharField(allow_blank=True, required=False, help_text=_("Markdown."), style=MULTI_LINE)
    domains = serializers.CharField(allow_blank=True, required=False, help_text=_("Markdown."), style=MULTI_LINE)
    accountabilities = serializers.ListField(
        child=serializers.CharField(max_length=300, validators=[single_line]), required=False
    )
    time_hours = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, required=False)
    time_period = serializers.ChoiceField(choices=TimePeriod.choices, required=False)
    is_paid = serializers.BooleanField(required=False)
    seats = serializers.IntegerField(min_value=1, max_value=50, required=False)
    term_months = serializers.IntegerField(min_value=1, max_value=60, allow_null=True, required=False)
    term_limit = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    selection = serializers.ChoiceField(choices=Selection.choices, required=False)
    election_method = serializers.ChoiceField(choices=ElectionMethod.choices, required=False)
    auto_renew = serializers.BooleanField(required=False)
    override_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        validators=[single_line],
        help_text=_(
            "Under “structure changes by consent”: why an admin edits directly instead of proposing "
            "(logged and shown as an admin override). Others propose a change (role.amend) instead."
        ),
    )


class RoleCreateSerializer(RoleUpdateSerializer):
    circle = circle_scope(help_text=_("The circle the role belongs to."))


class AssignmentSerializer(serializers.ModelSerializer):
    circle = serializers.IntegerField(source="role.circle_id", read_only=True)
    member = MemberSummarySerializer(read_only=True)
    assigned_by = MemberSummarySerializer(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)
    is_upcoming = serializers.BooleanField(read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "role",
            "circle",
            "member",
            "started_at",
            "planned_end_at",
            "ended_at",
            "end_reason",
            "end_note",
            "term_number",
            "assigned_by",
            "election",
            "is_current",
            "is_upcoming",
            "days_left",
        ]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    role = role_reference()
    member = member_reference(help_text=_("A member on the roster of the role's circle."))
    planned_end_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Default: the role's term length from now."),
        validators=[sane_date],
    )


class AssignmentEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[
            RoleAssignment.EndReason.RESIGNED,
            RoleAssignment.EndReason.REMOVED,
            RoleAssignment.EndReason.TERM_ENDED,
        ]
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", validators=[single_line])


class StewardAssignSerializer(serializers.Serializer):
    member = member_reference(help_text=_("The new steward; they join the roster if not on it yet."))


# Filters ---------------------------------------------------------------------------------------


class RoleFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="circle__organisation")
    circle = IdFilter()
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Role
        fields = ["organisation", "circle", "kind", "selection", "archived"]


class AssignmentFilter(django_filters.FilterSet):
    circle = IdFilter(field_name="role__circle")
    open = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label=_("true: running or upcoming; false: the history.")
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "member", "circle", "open", "end_reason"]


# Views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Roles of my organisations, with holders, vacancies and any election under way",
        responses={200: RoleSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: RoleSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Define a role in a circle (its steward, or admins)",
        request=RoleCreateSerializer,
        responses={201: RoleSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Change a role's definition (its circle's steward, or admins)",
        request=RoleUpdateSerializer,
        responses={200: RoleSerializer, **errors(*WRITE_STATEFUL)},
    ),
    archive=extend_schema(
        summary="Archive a role: its terms end, its history stays",
        request=None,
        responses={200: RoleSerializer, **errors(400, 401, 403, 404, 409)},
    ),
    restore=extend_schema(
        summary="Restore an archived role",
        request=None,
        responses={200: RoleSerializer, **errors(400, 401, 403, 404, 409)},
    ),
)
class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = RoleSerializer
    input_serializers = {"create": RoleCreateSerializer, "partial_update": RoleUpdateSerializer}
    rules = {
        "retrieve": "roles.view_role",
        "create": ("roles.add_role", "circle"),
        "partial_update": "roles.change_role",
        "archive": "roles.change_role",
        "restore": "roles.change_role",
    }
    filterset_class = RoleFilter
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Role.objects.none()
        return queries.roles_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(Role(circle=circle))
        role = services.role_create(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(role, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        role = self.get_object()
        services.role_update(role=role, by=self.caller(role.circle.organisation_id), **self.read_input(partial=True))
        return self.answer(role)

    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        role = self.get_object()
        services.role_archive(
            role=role,
            by=self.caller(role.circle.organisation_id),
            override_reason=str(request.data.get("override_reason", "")),
        )
        return self.answer(role)

    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        role = self.get_object()
        services.role_restore(
            role=role,
            by=self.caller(role.circle.organisation_id),
            override_reason=str(request.data.get("override_reason", "")),
        )
        return self.answer(role)


@extend_schema_view(
    list=extend_schema(
        summary="Terms, running, upcoming and past, of my organisations' roles",
        responses={200: AssignmentSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: AssignmentSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Assign a role to a member for a term (the circle's steward, or admins)",
        description="Refused with the reason: seats full (409), not on the circle's roster (400), the term limit "
        "reached, with when they may serve again (409).",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer, **errors(*WRITE_STATEFUL)},
    ),
    end=extend_schema(
        summary="End a term (the holder stepping down, the steward, or admins)",
        request=AssignmentEndSerializer,
        responses={200: AssignmentSerializer, **errors(*WRITE_STATEFUL)},
    ),
    renew=extend_schema(
        summary="Renew a term for one more term from its end (appointed roles; the limit applies)",
        request=None,
        responses={201: AssignmentSerializer, **errors(401, 403, 404, 409)},
    ),
)
class RoleAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = AssignmentSerializer
    input_serializers = {"create": AssignmentCreateSerializer, "end": AssignmentEndSerializer}
    rules = {
        "retrieve": "roles.view_assignment",
        "create": ("roles.assign_role", "role"),
        "end": "roles.end_assignment",
        "renew": "roles.renew_assignment",
    }
    filterset_class = AssignmentFilter
    ordering_fields = ["started_at", "planned_end_at", "ended_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return RoleAssignment.objects.none()
        return queries.assignments_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        role = data["role"]
        self.check_creation(RoleAssignment(role=role))
        by = self.caller(role.circle.organisation_id)
        if role.kind == Role.Kind.STEWARD:
            assignment = services.steward_assign(circle=role.circle, member=data["member"], by=by)
        else:
            assignment = services.role_assign(
                role=role, member=data["member"], by=by, planned_end_at=data["planned_end_at"]
            )
        return self.answer(assignment, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        services.assignment_end(
            assignment=assignment, by=self.caller(assignment.role.circle.organisation_id), **self.read_input()
        )
        return self.answer(assignment)

    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        assignment = self.get_object()
        renewed = services.assignment_renew(
            assignment=assignment, by=self.caller(assignment.role.circle.organisation_id)
        )
        return self.answer(renewed, status_code=status.HTTP_201_CREATED)


@extend_schema_view(
    steward=extend_schema(
        summary="Make a member the circle's steward, replacing the current one (admins)",
        request=StewardAssignSerializer,
        responses={200: circles_api.CircleSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class CircleViewSet(circles_api.CircleViewSet):
    """Circles, with the action roles adds: naming the steward (roles.services.steward_assign)."""

    input_serializers = {**circles_api.CircleViewSet.input_serializers, "steward": StewardAssignSerializer}
    rules = {**circles_api.CircleViewSet.rules, "steward": "circles.assign_steward"}

    @action(detail=True, methods=["post"])
    def steward(self, request, pk=None):
        circle = self.get_object()
        member = self.read_input()["member"]
        services.steward_assign(circle=circle, member=member, by=self.caller(circle.organisation_id))
        return self.answer(circle)
