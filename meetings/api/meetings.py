"""Meetings and series over the REST API: scheduling, changing, cancelling; the agenda published
and reordered; recurring meetings created, edited, rescheduled and ended."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.base import GovernanceViewSet
from governance.api.filters import IdFilter, IsoDateTimeFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference
from governance.dates import sane_date
from governance.text import single_line

from .. import queries, services
from ..models import Kind, Meeting, MeetingSeries, Reply
from ..recurrence import describe
from .common import LIST

# Meetings --------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    facilitator = MemberSummarySerializer(read_only=True, allow_null=True)
    secretary = MemberSummarySerializer(read_only=True, allow_null=True)
    item_count = serializers.IntegerField(read_only=True, help_text="Items on the agenda now.")
    minutes_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organisation",
            "circle",
            "series",
            "original_start",
            "is_edited",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "video_url",
            "facilitator",
            "secretary",
            "state",
            "cancelled_at",
            "cancel_reason",
            "agenda_published_at",
            "item_count",
            "minutes_published",
            "sequence",
            "created_at",
        ]
        read_only_fields = fields


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=Kind.choices)
    starts_at = serializers.DateTimeField(validators=[sane_date])
    ends_at = serializers.DateTimeField(validators=[sane_date])
    place = serializers.CharField(max_length=200, allow_blank=True, validators=[single_line])
    video_url = serializers.URLField(max_length=500, allow_blank=True)
    facilitator = member_reference(allow_null=True, help_text="Default: the holder of the circle's facilitator role.")
    secretary = member_reference(allow_null=True, help_text="Default: the holder of the circle's secretary role.")


class MeetingCreateSerializer(MeetingUpdateSerializer):
    circle = circle_scope(help_text="The circle that meets.")
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.GOVERNANCE)
    place = serializers.CharField(max_length=200, allow_blank=True, default="", validators=[single_line])
    video_url = serializers.URLField(max_length=500, allow_blank=True, default="")
    facilitator = member_reference(allow_null=True, default=None)
    secretary = member_reference(allow_null=True, default=None)


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, default="", validators=[single_line])


class MeetingReplySerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Reply.Answer.choices, help_text="Whether you will come.")


class MeetingRepliesSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Reply.Answer.choices, help_text="Your answer.")
    coming = serializers.IntegerField(help_text="Members who said they will come.")
    maybe = serializers.IntegerField()
    not_coming = serializers.IntegerField()


class AgendaOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every current agenda item's id, once, in the new order."
    )


class MeetingFilter(django_filters.FilterSet):
    organisation = IdFilter()
    circle = IdFilter()
    series = IdFilter()
    state = django_filters.ChoiceFilter(choices=Meeting.State.choices)
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["organisation", "circle", "series", "state", "starts_after", "starts_before"]


@extend_schema_view(
    list=extend_schema(
        summary="Meetings of my organisations", responses={200: MeetingSerializer(many=True), **errors(*LIST)}
    ),
    retrieve=extend_schema(responses={200: MeetingSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Schedule a one-off meeting (the circle's steward or facilitator)",
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Change a meeting; for an occurrence of a series, this occurrence only",
        request=MeetingUpdateSerializer,
        responses={200: MeetingSerializer, **errors(*WRITE_STATEFUL)},
    ),
    cancel=extend_schema(
        summary="Cancel a meeting or one occurrence",
        request=MeetingCancelSerializer,
        responses={200: MeetingSerializer, **errors(*WRITE_STATEFUL)},
    ),
    publish_agenda=extend_schema(
        summary="Publish the agenda (the facilitator or steward); it is sent to the circle",
        request=None,
        responses={200: MeetingSerializer, **errors(401, 403, 404, 409)},
    ),
    reorder_agenda=extend_schema(
        summary="Put the agenda in a new order (the facilitator or steward)",
        request=AgendaOrderSerializer,
        responses={200: MeetingSerializer, **errors(*WRITE_STATEFUL)},
    ),
    reply=extend_schema(
        summary="Say whether you will come (a member of the circle, until the meeting starts)",
        request=MeetingReplySerializer,
        responses={200: MeetingRepliesSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = MeetingSerializer
    input_serializers = {
        "create": MeetingCreateSerializer,
        "partial_update": MeetingUpdateSerializer,
        "cancel": MeetingCancelSerializer,
        "reorder_agenda": AgendaOrderSerializer,
        "reply": MeetingReplySerializer,
    }
    rules = {
        "retrieve": "meetings.view_meeting",
        "create": ("meetings.schedule_meeting", "circle"),
        "partial_update": "meetings.change_meeting",
        "cancel": "meetings.change_meeting",
        "publish_agenda": "meetings.manage_agenda",
        "reorder_agenda": "meetings.manage_agenda",
        "reply": "meetings.reply",
    }
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Meeting.objects.none()
        return queries.meetings_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(Meeting(circle=circle, organisation_id=circle.organisation_id))
        meeting = services.meeting_create(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(meeting, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        changes = self.read_input(partial=True)
        services.meeting_update(meeting=meeting, by=self.caller(meeting.organisation_id), **changes)
        return self.answer(meeting)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        services.meeting_cancel(meeting=meeting, by=self.caller(meeting.organisation_id), **self.read_input())
        return self.answer(meeting)

    @action(detail=True, methods=["post"], url_path="publish-agenda")
    def publish_agenda(self, request, pk=None):
        meeting = self.get_object()
        services.agenda_publish(meeting=meeting, by=self.caller(meeting.organisation_id))
        return self.answer(meeting)

    @action(detail=True, methods=["post"], url_path="reorder-agenda")
    def reorder_agenda(self, request, pk=None):
        meeting = self.get_object()
        services.agenda_reorder(meeting=meeting, by=self.caller(meeting.organisation_id), **self.read_input())
        return self.answer(meeting)

    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        meeting = self.get_object()
        reply = services.meeting_reply(
            meeting=meeting, member=self.caller(meeting.organisation_id), **self.read_input()
        )
        counts = queries.reply_counts(queries.replies_of(meeting))
        return Response(MeetingRepliesSerializer({"answer": reply.answer, **counts}).data)


# Series ----------------------------------------------------------------------------------------


class SeriesSerializer(serializers.ModelSerializer):
    facilitator = MemberSummarySerializer(read_only=True, allow_null=True)
    secretary = MemberSummarySerializer(read_only=True, allow_null=True)
    description = serializers.SerializerMethodField()
    duration_minutes = serializers.SerializerMethodField()

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "organisation",
            "circle",
            "kind",
            "title",
            "place",
            "video_url",
            "facilitator",
            "secretary",
            "starts_at",
            "duration_minutes",
            "frequency",
            "rrule",
            "until",
            "time_zone",
            "description",
            "created_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_description(self, series) -> str:
        return describe(series.rrule)

    def get_duration_minutes(self, series) -> int:
        return int(series.duration.total_seconds() // 60)


class SeriesUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=Kind.choices)
    place = serializers.CharField(max_length=200, allow_blank=True, validators=[single_line])
    video_url = serializers.URLField(max_length=500, allow_blank=True)
    facilitator = member_reference(allow_null=True)
    secretary = member_reference(allow_null=True)


class SeriesRescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="The first meeting at the new times.", validators=[sane_date])
    ends_at = serializers.DateTimeField(help_text="When that first meeting ends.", validators=[sane_date])
    frequency = serializers.ChoiceField(choices=MeetingSeries.Frequency.choices)
    rrule = serializers.CharField(
        max_length=300,
        allow_blank=True,
        default="",
        help_text="For `custom`: an RFC 5545 RRULE without UNTIL.",
        validators=[single_line],
    )
    until = serializers.DateField(
        allow_null=True, default=None, help_text="The last day it may occur.", validators=[sane_date]
    )


class SeriesCreateSerializer(SeriesRescheduleSerializer):
    circle = circle_scope()
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.GOVERNANCE)
    place = serializers.CharField(max_length=200, allow_blank=True, default="", validators=[single_line])
    video_url = serializers.URLField(max_length=500, allow_blank=True, default="")
    facilitator = member_reference(allow_null=True, default=None)
    secretary = member_reference(allow_null=True, default=None)


class SeriesEndSerializer(serializers.Serializer):
    last_day = serializers.DateField(help_text="Meetings after this (local) day are taken off.", validators=[sane_date])


@extend_schema_view(
    list=extend_schema(summary="Recurring meetings", responses={200: SeriesSerializer(many=True), **errors(*LIST)}),
    retrieve=extend_schema(responses={200: SeriesSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Schedule a recurring meeting: weekly, fortnightly, monthly or by an RFC 5545 rule",
        request=SeriesCreateSerializer,
        responses={201: SeriesSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Edit the whole series (its upcoming occurrences not edited on their own)",
        request=SeriesUpdateSerializer,
        responses={200: SeriesSerializer, **errors(*WRITE_STATEFUL)},
    ),
    reschedule=extend_schema(
        summary="New day, time or rule from a date on; answers the new series",
        request=SeriesRescheduleSerializer,
        responses={200: SeriesSerializer, **errors(*WRITE_STATEFUL)},
    ),
    end=extend_schema(
        summary="End the series after a day",
        request=SeriesEndSerializer,
        responses={200: SeriesSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class MeetingSeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = SeriesSerializer
    input_serializers = {
        "create": SeriesCreateSerializer,
        "partial_update": SeriesUpdateSerializer,
        "reschedule": SeriesRescheduleSerializer,
        "end": SeriesEndSerializer,
    }
    rules = {
        "retrieve": "meetings.view_meeting",
        "create": ("meetings.schedule_meeting", "circle"),
        "partial_update": "meetings.change_meeting",
        "reschedule": "meetings.change_meeting",
        "end": "meetings.change_meeting",
    }
    filterset_fields = ["organisation", "circle", "frequency"]
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return MeetingSeries.objects.none()
        return queries.series_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(MeetingSeries(circle=circle, organisation_id=circle.organisation_id))
        series = services.series_create(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(series, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        series = self.get_object()
        services.series_update(series=series, by=self.caller(series.organisation_id), **self.read_input(partial=True))
        return self.answer(series)

    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        series = self.get_object()
        new = services.series_reschedule(series=series, by=self.caller(series.organisation_id), **self.read_input())
        return self.answer(new)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        series = self.get_object()
        services.series_end(series=series, by=self.caller(series.organisation_id), **self.read_input())
        return self.answer(series)
