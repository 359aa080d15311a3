"""The changes a proposal carries over the REST API: their typed input (one shape per kind, from each
kind's `serializer_class`, documented as a polymorphic object keyed by `kind`), their output, and the
list of enacted changes. The same services check them as on the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import mixins, serializers

from governance.api.base import GovernanceViewSet
from governance.api.schema import errors
from governance.changes import change_kinds
from governance.models import Provenance
from governance.rules import active_members
from governance.text import single_line

from .models import Change


def _class_name(key: str) -> str:
    return "".join(part.capitalize() for part in key.replace("_", ".").split(".")) + "Change"


def _kind_wrappers() -> dict[str, type[serializers.Serializer]]:
    """One documented shape per registered kind: {"kind": "<key>", "data": <its serializer>}."""
    wrappers = {}
    for key, kind in change_kinds.items():
        if kind.serializer_class is None:
            continue
        wrappers[key] = type(
            _class_name(key) + "Serializer",
            (serializers.Serializer,),
            {
                "__module__": __name__,
                "__doc__": str(kind.label),
                "kind": serializers.ChoiceField(choices=[key]),
                "data": kind.serializer_class(),
            },
        )
    return wrappers


def change_input_schema(*, many: bool) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="ChangeInput", serializers=_kind_wrappers(), resource_type_field_name="kind", many=many
    )


class ChangeInputSerializer(serializers.Serializer):
    """A change to add: its kind and its data, shaped by the kind's serializer (the kind's rules then
    run in the service: 400 with the field's message)."""

    kind = serializers.CharField(max_length=60, validators=[single_line])
    data = serializers.DictField()

    def validate(self, attrs):
        kind = change_kinds.get(attrs["kind"])
        if kind is None:
            raise serializers.ValidationError(
                {"kind": [gettext("There is no kind of change called “%(kind)s”.") % {"kind": attrs["kind"]}]}
            )
        if kind.serializer_class is not None:
            shaped = kind.serializer_class(data=attrs["data"])
            if not shaped.is_valid():
                raise serializers.ValidationError({"data": shaped.errors})
            attrs["data"] = dict(shaped.validated_data)
        return attrs


@extend_schema_field(change_input_schema(many=True))
class ChangesField(serializers.ListField):
    child = ChangeInputSerializer()


class ChangeDataSerializer(serializers.Serializer):
    """The data of a change to update (its kind stays): shaped by the kind in the view."""

    data = serializers.DictField()


class ChangeRowSerializer(serializers.Serializer):
    label = serializers.CharField(validators=[single_line])
    before = serializers.JSONField(allow_null=True, help_text=_("What it was; null for something new."))
    after = serializers.JSONField(allow_null=True)
    text = serializers.BooleanField(help_text=_("Long Markdown text: show a diff of the two."))


class ChangeDescriptionSerializer(serializers.Serializer):
    summary = serializers.CharField(validators=[single_line])
    rows = ChangeRowSerializer(many=True)


class ChangeSerializer(serializers.ModelSerializer):
    description = ChangeDescriptionSerializer(
        read_only=True, help_text=_("Before → after; frozen when applied, so it reads as it did then.")
    )
    data = serializers.JSONField(read_only=True, help_text=_("As the kind's serializer shapes it (see ChangeInput)."))

    class Meta:
        model = Change
        fields = ["id", "proposal", "ordinal", "kind", "data", "description", "applied_at", "error", "created_at"]
        read_only_fields = fields


def kind_data(kind_key: str, data) -> dict:
    """Shape a change's data with its kind's serializer (for an update, whose kind is known)."""
    serializer = ChangeInputSerializer(data={"kind": kind_key, "data": data})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["data"]


class EnactedChangeFilter(django_filters.FilterSet):
    circle = django_filters.NumberFilter(
        method="filter_circle", label=_("Decided in this circle, or changing it (circle id)")
    )
    kind = django_filters.CharFilter()
    proposal = django_filters.NumberFilter()

    class Meta:
        model = Change
        fields = ["kind", "proposal"]

    def filter_circle(self, queryset, name, value):
        if value is None:
            return queryset
        touched = Provenance.objects.filter(circle_id=value, change_id__isnull=False).values("change_id")
        return queryset.filter(Q(proposal__circle_id=value) | Q(pk__in=touched))


@extend_schema(
    summary="Enacted changes of my organisations, newest first",
    responses={200: ChangeSerializer(many=True), **errors(400, 401)},
)
class EnactedChangeViewSet(mixins.ListModelMixin, GovernanceViewSet):
    serializer_class = ChangeSerializer
    filterset_class = EnactedChangeFilter
    ordering_fields = ["applied_at"]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Change.objects.none()
        return Change.objects.filter(
            proposal__organisation_id__in=list(active_members(user)), applied_at__isnull=False
        ).order_by("-applied_at", "-id")


__all__ = ["ChangeInputSerializer", "ChangeSerializer", "ChangesField", "EnactedChangeViewSet"]
