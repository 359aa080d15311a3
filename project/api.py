"""Members over the REST API, with the circles they are on now (their load): the one core resource
whose shape shows another app's data, so it is the project's."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from circles.models import Circle
from governance.api.base import GovernanceViewSet
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberUpdateSerializer, ReasonSerializer
from governance.models import Member
from governance.services import member_remove, member_update

from .queries import members_visible_to


class CircleReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="circle.pk", read_only=True)
    name = serializers.CharField(source="circle.name", read_only=True)


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True, help_text=_("The person's account."))
    name = serializers.CharField(source="user.display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    membership_class_name = serializers.CharField(source="membership_class.name", read_only=True)
    circle_count = serializers.IntegerField(
        read_only=True, help_text=_("Active circles (other than the general circle) the member is on: their load.")
    )
    circles = CircleReferenceSerializer(source="current_circle_memberships", many=True, read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "organisation",
            "user",
            "name",
            "email",
            "membership_class",
            "membership_class_name",
            "is_admin",
            "is_bot",
            "status",
            "joined_at",
            "left_at",
            "left_reason",
            "circle_count",
            "circles",
        ]
        read_only_fields = fields


class MemberFilter(django_filters.FilterSet):
    organisation = IdFilter()
    circle = IdFilter(
        method="filter_circle", label=_("On this circle's roster now (the general circle: every active member).")
    )
    membership_class = IdFilter()
    status = django_filters.ChoiceFilter(choices=Member.Status.choices)
    search = django_filters.CharFilter(method="filter_search", label=_("Part of the name or email address."))

    class Meta:
        model = Member
        fields = ["organisation", "circle", "membership_class", "status", "search"]

    def filter_circle(self, members, name, value):
        circle = Circle.objects.filter(pk=value).only("is_general", "organisation_id").first()
        if circle is None:
            return members.none()
        if circle.is_general:
            return members.people().filter(organisation_id=circle.organisation_id)
        return members.filter(circle_memberships__circle=circle, circle_memberships__left_at__isnull=True)

    def filter_search(self, members, name, value):
        return members.filter(Q(user__name__icontains=value) | Q(user__email__icontains=value))


@extend_schema_view(
    list=extend_schema(responses={200: MemberSerializer(many=True), **errors(400, 401)}),
    retrieve=extend_schema(responses={200: MemberSerializer, **errors(*READ_ONE)}),
    partial_update=extend_schema(
        summary="Change a member's class or admin status (admins)",
        request=MemberUpdateSerializer,
        responses={200: MemberSerializer, **errors(*WRITE_STATEFUL)},
    ),
    remove=extend_schema(
        summary="A member leaves the organisation, with a reason (admins)",
        description="Their circle memberships and roles end with the same reason; their history stays.",
        request=ReasonSerializer,
        responses={200: MemberSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = MemberSerializer
    input_serializers = {"partial_update": MemberUpdateSerializer, "remove": ReasonSerializer}
    rules = {
        "partial_update": ("governance.manage_members", "organisation"),
        "remove": ("governance.manage_members", "organisation"),
    }
    filterset_class = MemberFilter
    ordering_fields = ["joined_at", "user__name", "circle_count"]

    def get_queryset(self):
        return members_visible_to(self.request.user)

    def partial_update(self, request, pk=None):
        member = self.get_object()
        changes = self.read_input(partial=True)
        member_update(member=member, by=self.caller(member.organisation_id), **changes)
        return self.answer(member)

    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        member = self.get_object()
        reason = self.read_input()["reason"]
        member_remove(member=member, by=self.caller(member.organisation_id), reason=reason)
        return self.answer(member)
