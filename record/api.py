"""The record over the REST API: the dashboard (with load and size), participation, election history,
search and term summaries for members; the open record for anyone, without an account, rate-limited.
The same queries, rules and services as the pages."""

from __future__ import annotations

from datetime import timedelta

import rules
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from circles.models import Circle
from governance.api.base import GovernanceViewSet
from governance.api.schema import READ, READ_ONE, WRITE_STATEFUL, errors
from governance.dates import sane_date
from governance.queries import organisations_visible_to
from governance.rules import member_for
from governance.search import search_kinds
from governance.text import MULTI_LINE, single_line

from . import history, participation, public, services
from .forms import day_start
from .health import health_of
from .models import TermSummary
from .search import search as run_search

ORGANISATION = OpenApiParameter("organisation", int, required=True, description="The organisation's id.")
CIRCLE = OpenApiParameter("circle", int, required=False, description="A circle's id (default: the whole organisation).")
SINCE = OpenApiParameter("since", OpenApiTypes.DATE, required=False, description="First day of the term.")
UNTIL = OpenApiParameter("until", OpenApiTypes.DATE, required=False, description="Last day of the term.")


def _int(request, name, *, required=False):
    value = request.query_params.get(name)
    if value in (None, ""):
        if required:
            raise ValidationError({name: [_("This parameter is required.")]})
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({name: [_("A whole number is required.")]}) from None
    if not 0 < number < 2**63:
        raise ValidationError({name: [_("Out of range.")]})
    return number


def scope_of(request, *, action="governance.view_organisation"):
    """The organisation (404 unless the caller is an active member) and the circle of the query."""
    organisation = (
        organisations_visible_to(request.user).filter(pk=_int(request, "organisation", required=True)).first()
    )
    if organisation is None:
        raise NotFound(_("No such organisation."))
    if not rules.test_rule(action, request.user, organisation):
        raise PermissionDenied(_("You are not allowed to do that in this organisation."))
    circle_id = _int(request, "circle")
    circle = None
    if circle_id is not None:
        circle = Circle.objects.filter(organisation=organisation, pk=circle_id).first()
        if circle is None:
            raise NotFound(_("No such circle."))
    return organisation, circle


def _year(request):
    year = _int(request, "year")
    if year is not None and not 1 <= year <= 9999:
        raise ValidationError({"year": [_("A year between 1 and 9999.")]})
    return year


def _date(request, name):
    value = request.query_params.get(name)
    if not value:
        return None
    field = serializers.DateField()
    try:
        day = field.to_internal_value(value)
        sane_date(day)
    except Exception as e:
        raise ValidationError({name: [str(getattr(e, "message", e))]}) from None
    return day


# Serializers -----------------------------------------------------------------------------------


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, in the organisation's time zone.")
    passed = serializers.IntegerField()
    other = serializers.IntegerField(help_text="Rejected or no quorum.")
    total = serializers.IntegerField()


class DecisionsSerializer(serializers.Serializer):
    per_month = MonthSerializer(many=True)
    closed = serializers.IntegerField()
    median_days_to_outcome = serializers.FloatField(allow_null=True)
    passed_first_round = serializers.IntegerField()
    passed_first_round_percent = serializers.IntegerField(allow_null=True)


class ObjectionsSerializer(serializers.Serializer):
    raised = serializers.IntegerField()
    integrated = serializers.IntegerField()
    integrated_percent = serializers.IntegerField(allow_null=True)


class VacancySerializer(serializers.Serializer):
    role_id = serializers.IntegerField()
    role = serializers.CharField()
    circle = serializers.CharField()
    seats = serializers.IntegerField()
    held = serializers.IntegerField()
    open = serializers.IntegerField()


class TermEndingSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    role = serializers.CharField()
    circle = serializers.CharField()
    member_id = serializers.IntegerField()
    member = serializers.CharField()
    ends_at = serializers.DateTimeField()


class LoadSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    hours_per_week = serializers.DecimalField(max_digits=7, decimal_places=1)
    accountabilities = serializers.IntegerField()
    roles = serializers.IntegerField()
    circles = serializers.IntegerField()
    flag_hours = serializers.BooleanField()
    flag_circles = serializers.BooleanField()


class CircleSizeSerializer(serializers.Serializer):
    circle_id = serializers.IntegerField()
    circle = serializers.CharField()
    slug = serializers.CharField()
    size = serializers.IntegerField()
    outside = serializers.ChoiceField(choices=["", "small", "large"])


class SizeSerializer(serializers.Serializer):
    active_members = serializers.IntegerField()
    split_size = serializers.IntegerField()
    time_to_split = serializers.BooleanField()
    guidance_url = serializers.CharField()


class ThresholdsSerializer(serializers.Serializer):
    hours_flag = serializers.DecimalField(max_digits=5, decimal_places=1)
    load_max_circles = serializers.IntegerField()
    circle_size_min = serializers.IntegerField()
    circle_size_max = serializers.IntegerField()
    terms_ending_days = serializers.IntegerField()


class MoneySerializer(serializers.Serializer):
    category = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField(required=False)


class HealthSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    circle = serializers.CharField(allow_null=True)
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    decisions = DecisionsSerializer()
    objections = ObjectionsSerializer()
    overdue_actions = serializers.IntegerField()
    vacancies = VacancySerializer(many=True)
    terms_ending = TermEndingSerializer(many=True)
    load = LoadSerializer(many=True)
    load_flagged = serializers.IntegerField()
    circle_sizes = CircleSizeSerializer(many=True)
    circles_outside_guidance = serializers.IntegerField()
    size = SizeSerializer()
    thresholds = ThresholdsSerializer()
    money = MoneySerializer(many=True)


class ParticipationFiguresSerializer(serializers.Serializer):
    """The figures a leaderboard row and the totals share."""

    eligible = serializers.IntegerField()
    responded = serializers.IntegerField()
    responded_percent = serializers.IntegerField(allow_null=True)
    proposals = serializers.IntegerField()
    objections = serializers.IntegerField()
    objections_integrated = serializers.IntegerField()
    meetings_recorded = serializers.IntegerField()
    meetings_attended = serializers.IntegerField()
    actions = serializers.IntegerField()
    actions_done = serializers.IntegerField()
    actions_on_time = serializers.IntegerField()
    roles = serializers.IntegerField()
    hours_per_week = serializers.DecimalField(max_digits=7, decimal_places=1)
    contributions = serializers.IntegerField()


class ParticipationRowSerializer(ParticipationFiguresSerializer):
    member_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    hidden = serializers.BooleanField()


class ParticipationTotalsSerializer(ParticipationFiguresSerializer):
    members = serializers.IntegerField()
    hours_per_week = serializers.DecimalField(max_digits=9, decimal_places=1)


class ParticipationSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    rows = ParticipationRowSerializer(many=True, help_text="The leaderboard: members who hide are not listed.")
    unlisted = serializers.IntegerField(help_text="Members not listed (hidden); counted in the totals.")
    totals = ParticipationTotalsSerializer()


class HistoryPersonSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class HistoryCountSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    votes = serializers.IntegerField(allow_null=True)
    weight = serializers.IntegerField(allow_null=True)


class ElectionHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    role_id = serializers.IntegerField()
    circle = serializers.CharField()
    method = serializers.CharField()
    state = serializers.CharField()
    seats = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    candidates = HistoryPersonSerializer(many=True)
    elected = HistoryPersonSerializer(many=True)
    not_elected = HistoryPersonSerializer(many=True)
    eligible = serializers.IntegerField()
    voted = serializers.IntegerField()
    turnout_percent = serializers.IntegerField(allow_null=True)
    counts = HistoryCountSerializer(many=True)
    rounds = serializers.IntegerField()
    tie = serializers.BooleanField()


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField(help_text="HTML: the text escaped, matches in <mark>.")
    snippet = serializers.CharField(help_text="HTML: the text escaped, matches in <mark>.")
    url = serializers.CharField()
    circle = serializers.CharField()
    rank = serializers.FloatField()
    object_id = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Hits of each kind.")
    hits = SearchHitSerializer(many=True)


class TermSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = TermSummary
        fields = [
            "id",
            "organisation",
            "circle",
            "period_start",
            "period_end",
            "title",
            "body",
            "figures",
            "state",
            "drafted_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = fields


class TermSummaryDraftSerializer(serializers.Serializer):
    circle = serializers.IntegerField()
    since = serializers.DateField(validators=[sane_date])
    until = serializers.DateField(validators=[sane_date])

    def validate(self, data):
        if data["until"] <= data["since"]:
            raise serializers.ValidationError({"until": [_("The end comes after the start.")]})
        return data


class TermSummaryUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    body = serializers.CharField(max_length=20000, style=MULTI_LINE)


def _read_only(*classes):
    """Answers only: every declared field of these serializers is read-only (they never read a request)."""
    for serializer in classes:
        for field in serializer._declared_fields.values():
            field.read_only, field.required = True, False


_read_only(
    MonthSerializer,
    DecisionsSerializer,
    ObjectionsSerializer,
    VacancySerializer,
    TermEndingSerializer,
    LoadSerializer,
    CircleSizeSerializer,
    SizeSerializer,
    ThresholdsSerializer,
    MoneySerializer,
    HealthSerializer,
    ParticipationRowSerializer,
    ParticipationTotalsSerializer,
    ParticipationSerializer,
    HistoryPersonSerializer,
    HistoryCountSerializer,
    ElectionHistorySerializer,
    SearchHitSerializer,
    SearchResultSerializer,
)


# Members' endpoints ----------------------------------------------------------------------------


class HealthViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="The health dashboard of an organisation or a circle (load and size included)",
        parameters=[ORGANISATION, CIRCLE],
        responses={200: HealthSerializer, **errors(400, *READ_ONE)},
    )
    def list(self, request):
        organisation, circle = scope_of(request, action="record.view_health")
        return Response(HealthSerializer(health_of(organisation, circle=circle)).data)


class ParticipationViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Participation per member over a term, and the leaderboard",
        parameters=[ORGANISATION, CIRCLE, SINCE, UNTIL],
        responses={200: ParticipationSerializer, **errors(400, *READ_ONE)},
    )
    def list(self, request):
        organisation, circle = scope_of(request, action="record.view_participation")
        me = member_for(request.user, organisation.pk)
        term = participation.terms_of(circle, organisation)[0]
        since, until = term.since, term.until
        if day := _date(request, "since"):
            since = day_start(day, organisation.tzinfo)
        if day := _date(request, "until"):
            until = day_start(day, organisation.tzinfo) + timedelta(days=1)
        figures = participation.participation(organisation, circle=circle, since=since, until=until)
        rows = participation.leaderboard(figures, viewer=me)
        data = {
            "since": since,
            "until": until,
            "rows": rows,
            "unlisted": len(figures["rows"]) - len(rows),
            "totals": figures["totals"],
        }
        return Response(ParticipationSerializer(data).data)


class ElectionHistoryViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Every election with candidates, who was elected and not, turnout and the count",
        parameters=[
            ORGANISATION,
            CIRCLE,
            OpenApiParameter("state", str, required=False),
            OpenApiParameter("method", str, required=False),
            OpenApiParameter("year", int, required=False),
        ],
        responses={200: ElectionHistorySerializer(many=True), **errors(400, *READ_ONE)},
    )
    def list(self, request):
        organisation, circle = scope_of(request)
        entries = history.election_history(
            organisation,
            circle=circle,
            state=request.query_params.get("state", ""),
            method=request.query_params.get("method", ""),
            year=_year(request),
        )
        return Response(ElectionHistorySerializer(entries, many=True).data)


class SearchViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Search what the caller may see: ranked, highlighted, by kind and circle",
        parameters=[
            ORGANISATION,
            CIRCLE,
            OpenApiParameter("q", str, required=True, description="The words to look for."),
            OpenApiParameter("kind", str, required=False, description="One kind: proposal, comment, outcome…"),
        ],
        responses={200: SearchResultSerializer, **errors(400, *READ_ONE)},
    )
    def list(self, request):
        organisation, circle = scope_of(request, action="record.search")
        query = request.query_params.get("q", "").strip()[:200]
        if not query:
            raise ValidationError({"q": [_("Say what to look for.")]})
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in search_kinds:
            raise ValidationError({"kind": [_("One of: %(kinds)s.") % {"kinds": ", ".join(search_kinds)}]})
        results = run_search(request.user, organisation, query, kinds=[kind] if kind else None, circle=circle)
        return Response(SearchResultSerializer(results).data)


@extend_schema_view(
    list=extend_schema(
        summary="Term summaries: published ones, and drafts of circles whose record I keep",
        responses={200: TermSummarySerializer(many=True), **errors(*READ)},
    ),
    retrieve=extend_schema(responses={200: TermSummarySerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Draft a circle's term summary from the record",
        request=TermSummaryDraftSerializer,
        responses={201: TermSummarySerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Edit a draft",
        request=TermSummaryUpdateSerializer,
        responses={200: TermSummarySerializer, **errors(*WRITE_STATEFUL)},
    ),
    publish=extend_schema(
        summary="Publish a draft", request=None, responses={200: TermSummarySerializer, **errors(*WRITE_STATEFUL)}
    ),
)
class TermSummaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = TermSummarySerializer
    input_serializers = {"create": TermSummaryDraftSerializer, "partial_update": TermSummaryUpdateSerializer}
    rules = {"partial_update": "record.change_summary", "publish": "record.publish_summary"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        organisations = list(organisations_visible_to(self.request.user).values_list("pk", flat=True))
        rows = TermSummary.objects.filter(organisation_id__in=organisations).select_related("circle__organisation")
        if self.action == "list":
            visible = [s.pk for s in rows if rules.test_rule("record.view_summary", self.request.user, s)]
            return rows.filter(pk__in=visible).order_by("-period_end", "-pk")
        return rows.order_by("-period_end", "-pk")

    def get_object(self):
        summary = super().get_object()
        if not rules.test_rule("record.view_summary", self.request.user, summary):
            raise NotFound(_("No such summary."))
        return summary

    def create(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        circle = (
            Circle.objects.filter(
                pk=data.validated_data["circle"], organisation__in=organisations_visible_to(request.user)
            )
            .select_related("organisation")
            .first()
        )
        if circle is None:
            raise NotFound(_("No such circle."))
        if not rules.test_rule("record.draft_summary", request.user, circle):
            raise PermissionDenied(_("Only the circle's steward or secretary, or an admin, drafts its summaries."))
        tz = circle.organisation.tzinfo
        summary = services.term_summary_draft(
            circle=circle,
            since=day_start(data.validated_data["since"], tz),
            until=day_start(data.validated_data["until"], tz),
            by=member_for(request.user, circle.organisation_id),
        )
        return Response(TermSummarySerializer(summary).data, status=201)

    def partial_update(self, request, pk=None):
        summary = self.get_object()
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = services.term_summary_update(
            summary=summary, by=member_for(request.user, summary.organisation_id), **data.validated_data
        )
        return Response(TermSummarySerializer(summary).data)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        summary = self.get_object()
        summary = services.term_summary_publish(summary=summary, by=member_for(request.user, summary.organisation_id))
        return Response(TermSummarySerializer(summary).data)


# The open record: anonymous, rate-limited ----------------------------------------------------


class OpenDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    circle = serializers.CharField(source="circle.name")
    outcome = serializers.CharField()
    outcome_statement = serializers.CharField()
    closed_at = serializers.DateTimeField()
    responded = serializers.IntegerField(source="responded_count")
    eligible = serializers.IntegerField(source="eligible_count")


class OpenEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    verb = serializers.CharField()
    label = serializers.SerializerMethodField()
    object_type = serializers.CharField()
    object = serializers.CharField(source="object_repr")
    circle = serializers.CharField(source="circle.name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    def get_label(self, event) -> str:
        return public.verb_label(event.verb)


class OpenMinutesSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    meeting = serializers.CharField(source="meeting.title")
    circle = serializers.CharField(source="meeting.circle.name")
    starts_at = serializers.DateTimeField(source="meeting.starts_at")
    published_at = serializers.DateTimeField()
    body = serializers.CharField(help_text="Markdown.")


class OpenRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    circle = serializers.CharField()
    name = serializers.CharField()
    purpose = serializers.CharField()
    holders = serializers.ListField(child=serializers.CharField(), source="holder_names")


class OpenRateThrottle(ScopedRateThrottle):
    """OPEN_API_RATE per client address, read on each request (so that a changed setting applies)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class _OpenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Anyone may read, no credentials are looked at, and each client address has OPEN_API_RATE."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [OpenRateThrottle]
    throttle_scope = "open"
    filter_backends = []
    part = ""

    def open(self):
        return public.open_organisation(self.kwargs["org"], part=self.part)


@extend_schema_view(
    list=extend_schema(
        summary="The public decision log", responses={200: OpenDecisionSerializer(many=True), **errors(404, 429)}
    )
)
class OpenDecisionViewSet(_OpenViewSet):
    serializer_class = OpenDecisionSerializer
    part = "public_decisions"

    def get_queryset(self):
        organisation, _settings = self.open()
        return public.public_decisions(organisation)


@extend_schema_view(
    list=extend_schema(
        summary="The public council log", responses={200: OpenEventSerializer(many=True), **errors(404, 429)}
    )
)
class OpenLogViewSet(_OpenViewSet):
    serializer_class = OpenEventSerializer
    part = "public_log"

    def get_queryset(self):
        organisation, settings = self.open()
        return public.public_log(organisation, settings)


@extend_schema_view(
    list=extend_schema(
        summary="Published minutes", responses={200: OpenMinutesSerializer(many=True), **errors(404, 429)}
    )
)
class OpenMinutesViewSet(_OpenViewSet):
    serializer_class = OpenMinutesSerializer
    part = "public_minutes"

    def get_queryset(self):
        organisation, _settings = self.open()
        return public.public_minutes(organisation)


@extend_schema_view(
    list=extend_schema(
        summary="Who does what: roles and their holders",
        responses={200: OpenRoleSerializer(many=True), **errors(404, 429)},
    )
)
class OpenRoleViewSet(_OpenViewSet):
    serializer_class = OpenRoleSerializer
    part = "public_roles"
    pagination_class = None

    def list(self, request, *args, **kwargs):
        organisation, _settings = self.open()
        roles = []
        for circle, circle_roles in public.public_roles(organisation):
            for role in circle_roles:
                role.circle_name = circle.name
                roles.append(role)
        data = [
            {"pk": r.pk, "circle": r.circle_name, "name": r.name, "purpose": r.purpose, "holder_names": r.holder_names}
            for r in roles
        ]
        return Response(OpenRoleSerializer(data, many=True).data)

    def get_queryset(self):
        return []


_read_only(OpenDecisionSerializer, OpenEventSerializer, OpenMinutesSerializer, OpenRoleSerializer)
