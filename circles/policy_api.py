"""Policies over the REST API, read-only: a section changes by a proposal's change (policy.* kinds),
whose API is the proposals'. Each section comes with its versions and the decision behind each."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from governance.api.base import GovernanceViewSet
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, errors
from governance.rules import active_members

from .models import PolicySection, PolicySectionVersion


class PolicySectionVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicySectionVersion
        fields = [
            "number",
            "title",
            "body",
            "is_repeal",
            "proposal_id",
            "proposal_title",
            "override_reason",
            "created_at",
        ]
        read_only_fields = fields


class PolicySectionSerializer(serializers.ModelSerializer):
    circle = serializers.IntegerField(source="policy.circle_id", read_only=True)
    policy_title = serializers.CharField(source="policy.title", read_only=True)
    is_repealed = serializers.BooleanField(read_only=True)
    versions = PolicySectionVersionSerializer(many=True, read_only=True, help_text=_("Newest first."))

    class Meta:
        model = PolicySection
        fields = [
            "id",
            "circle",
            "policy_title",
            "position",
            "title",
            "body",
            "version",
            "is_repealed",
            "created_at",
            "repealed_at",
            "versions",
        ]
        read_only_fields = fields


class PolicySectionFilter(django_filters.FilterSet):
    circle = IdFilter(field_name="policy__circle")
    repealed = django_filters.BooleanFilter(
        field_name="repealed_at", lookup_expr="isnull", exclude=True, label=_("true: repealed sections only.")
    )

    class Meta:
        model = PolicySection
        fields = ["circle", "repealed"]


@extend_schema_view(
    list=extend_schema(
        summary="Policy sections of my organisations' circles, with every version",
        responses={200: PolicySectionSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: PolicySectionSerializer, **errors(*READ_ONE)}),
)
class PolicySectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = PolicySectionSerializer
    rules = {"retrieve": ("circles.view_circle", "policy.circle")}
    filterset_class = PolicySectionFilter
    ordering_fields = ["position", "created_at"]

    def get_queryset(self):
        return (
            PolicySection.objects.filter(policy__circle__organisation_id__in=list(active_members(self.request.user)))
            .select_related("policy__circle")
            .prefetch_related("versions")
            .order_by("policy__circle_id", "position", "pk")
        )
