"""Query-string filters of the circle and roster list endpoints (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from governance.api.filters import IdFilter

from .models import Circle, CircleMembership


class CircleFilter(django_filters.FilterSet):
    organisation = IdFilter()
    parent = IdFilter()
    archived = django_filters.BooleanFilter(method="filter_archived")

    class Meta:
        model = Circle
        fields = ["organisation", "parent", "archived"]

    def filter_archived(self, circles, name, value):
        return circles.filter(archived_at__isnull=not value)


class CircleMembershipFilter(django_filters.FilterSet):
    circle = IdFilter()
    member = IdFilter()
    current = django_filters.BooleanFilter(
        field_name="left_at", lookup_expr="isnull", label=_("true: on the roster now; false: the history.")
    )

    class Meta:
        model = CircleMembership
        fields = ["circle", "member", "current"]
