"""Query-string filters of the list endpoints (django-filter).

References are filtered by id, not checked against a choice list: the queryset already holds only
what the caller can see, so an id from elsewhere simply matches nothing."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from governance.integrations.events import event_type_choices
from governance.models import (
    ApiToken,
    Event,
    Invitation,
    MembershipClass,
    WebhookDelivery,
    WebhookEndpoint,
)

ID_RANGE = 2**63 - 1  # a database id (bigint); beyond it SQLite cannot even compare


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """An id in the query string: a whole number a database id can be, or a 400 (not a 500 from a
    database that cannot hold the number, and not 1e-05 read as a decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -ID_RANGE)
        kwargs.setdefault("max_value", ID_RANGE)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, turned into UTC before it reaches the database: PostgreSQL refuses offsets
    beyond ±15:59 that ISO 8601 allows (+18:45), and a moment that UTC cannot hold is bad input."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValidationError(_("This moment is out of range."), code="invalid") from exc


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's IsoDateTimeFilter, with the moment in UTC (see UtcIsoDateTimeField)."""

    field_class = UtcIsoDateTimeField


class MembershipClassFilter(django_filters.FilterSet):
    organisation = IdFilter()

    class Meta:
        model = MembershipClass
        fields = ["organisation"]


class InvitationFilter(django_filters.FilterSet):
    organisation = IdFilter()
    circle = IdFilter()

    class Meta:
        model = Invitation
        fields = ["organisation", "circle"]


class EventFilter(django_filters.FilterSet):
    organisation = IdFilter()
    circle = IdFilter()
    verb = django_filters.CharFilter()
    since = IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gt",
        label=gettext_lazy("Only events after this moment (ISO 8601), to sync."),
    )

    class Meta:
        model = Event
        fields = ["organisation", "circle", "verb", "since"]


class IntegrationTokenFilter(django_filters.FilterSet):
    organisation = IdFilter()
    usable = django_filters.BooleanFilter(
        method="filter_usable", label=gettext_lazy("true: neither revoked nor expired.")
    )

    class Meta:
        model = ApiToken
        fields = ["organisation", "usable"]

    def filter_usable(self, tokens, name, value):
        usable = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        return tokens.filter(usable) if value else tokens.exclude(usable)


class WebhookFilter(django_filters.FilterSet):
    organisation = IdFilter()
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "is_active"]


class WebhookDeliveryFilter(django_filters.FilterSet):
    endpoint = IdFilter()
    event = IdFilter()
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    # A list, not the callable: the schema lists the choices (every app has registered its types by now).
    event_type = django_filters.ChoiceFilter(choices=event_type_choices())

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "event", "status", "event_type"]
