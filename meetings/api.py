"""Meetings over the REST API: meetings and series, agenda items, attendance, minutes, tensions,
action items and calendar links. The same queries, rules and services as the pages."""

from __future__ import annotations

import django_filters
import rules
from django.db.models import Q
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from governance.api.base import GovernanceViewSet, ScopeField, VisibleRelatedField
from governance.api.filters import IdFilter, IsoDateTimeFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference
from governance.dates import sane_date
from governance.rules import active_members, stewarded_circle_ids
from governance.text import MULTI_LINE, single_line
from proposals.models import Proposal
from proposals.queries import visible_proposals

from . import queries, services
from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Kind,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesVersion,
    Tension,
)
from .recurrence import describe
from .rules import role_circle_ids

LIST = (400, 401)


def meeting_scope(**kwargs):
    return ScopeField(model=Meeting, visible=queries.meetings_visible_to, **kwargs)


def tension_reference(**kwargs):
    return VisibleRelatedField(model=Tension, visible=queries.tensions_visible_to, **kwargs)


def proposal_reference(**kwargs):
    return VisibleRelatedField(model=Proposal, visible=visible_proposals, **kwargs)


def meeting_reference(**kwargs):
    return VisibleRelatedField(model=Meeting, visible=queries.meetings_visible_to, **kwargs)


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
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = MeetingSerializer
    input_serializers = {
        "create": MeetingCreateSerializer,
        "partial_update": MeetingUpdateSerializer,
        "cancel": MeetingCancelSerializer,
        "reorder_agenda": AgendaOrderSerializer,
    }
    rules = {
        "retrieve": "meetings.view_meeting",
        "create": ("meetings.schedule_meeting", "circle"),
        "partial_update": "meetings.change_meeting",
        "cancel": "meetings.change_meeting",
        "publish_agenda": "meetings.manage_agenda",
        "reorder_agenda": "meetings.manage_agenda",
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


# Agenda items ----------------------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    owner = MemberSummarySerializer(read_only=True, allow_null=True)
    added_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "kind",
            "title",
            "notes",
            "owner",
            "time_box",
            "tension",
            "proposal",
            "added_by",
            "created_at",
        ]
        read_only_fields = fields


class AgendaItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=AgendaItem.Kind.choices)
    owner = member_reference(allow_null=True)
    time_box = serializers.IntegerField(min_value=1, max_value=600, allow_null=True, help_text="Minutes.")
    notes = serializers.CharField(allow_blank=True, help_text="Markdown.", style=MULTI_LINE)


class AgendaItemCreateSerializer(serializers.Serializer):
    meeting = meeting_scope()
    title = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="Default: the tension's or proposal's title.",
        validators=[single_line],
    )
    kind = serializers.ChoiceField(choices=AgendaItem.Kind.choices, default=AgendaItem.Kind.OTHER)
    owner = member_reference(allow_null=True, default=None)
    time_box = serializers.IntegerField(min_value=1, max_value=600, allow_null=True, default=None)
    notes = serializers.CharField(allow_blank=True, default="", style=MULTI_LINE)
    tension = tension_reference(allow_null=True, default=None, help_text="Puts the tension on the agenda.")
    proposal = proposal_reference(allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(
        summary="Current agenda items (filter by meeting), in order",
        responses={200: AgendaItemSerializer(many=True), **errors(*LIST)},
    ),
    retrieve=extend_schema(responses={200: AgendaItemSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Add an item at the end of a meeting's agenda (members of the circle)",
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Change an item (the facilitator; whoever added it, until the agenda is published)",
        request=AgendaItemUpdateSerializer,
        responses={200: AgendaItemSerializer, **errors(*WRITE_STATEFUL)},
    ),
    remove=extend_schema(
        summary="Take an item off the agenda (kept in the record)",
        request=None,
        responses={200: AgendaItemSerializer, **errors(401, 403, 404, 409)},
    ),
)
class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = AgendaItemSerializer
    input_serializers = {"create": AgendaItemCreateSerializer, "partial_update": AgendaItemUpdateSerializer}
    rules = {"create": ("meetings.add_agenda_item", "meeting")}
    filterset_fields = ["meeting", "kind"]
    ordering_fields = ["position", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return AgendaItem.objects.none()
        return queries.agenda_items_visible_to(self.request.user)

    def _may_change(self, item):
        if not queries.may_change_agenda_item(self.request.user, item):
            raise PermissionDenied("Only the facilitator changes this item now.")

    def create(self, request):
        data = dict(self.read_input())
        meeting = data.pop("meeting")
        self.check_creation(AgendaItem(meeting=meeting))
        item = services.agenda_item_add(meeting=meeting, by=self.caller(meeting.organisation_id), **data)
        return self.answer(item, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        item = self.get_object()
        self._may_change(item)
        changes = self.read_input(partial=True)
        services.agenda_item_update(item=item, by=self.caller(item.meeting.organisation_id), **changes)
        return self.answer(item)

    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        item = self.get_object()
        self._may_change(item)
        services.agenda_item_remove(item=item, by=self.caller(item.meeting.organisation_id))
        item.refresh_from_db()
        return Response(AgendaItemSerializer(item).data)


# Attendance ------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    member = MemberSummarySerializer(read_only=True)
    recorded_by = MemberSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "member", "status", "recorded_by", "recorded_at"]
        read_only_fields = fields


class AttendanceInputSerializer(serializers.Serializer):
    meeting = meeting_scope()
    member = member_reference()
    status = serializers.ChoiceField(
        choices=Attendance.Status.choices, help_text="Before the meeting starts, only `excused` (an apology)."
    )


@extend_schema_view(
    list=extend_schema(
        summary="Attendance records (filter by meeting or member)",
        responses={200: AttendanceSerializer(many=True), **errors(*LIST)},
    ),
    retrieve=extend_schema(responses={200: AttendanceSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Record or correct someone's attendance (facilitator, secretary or steward)",
        request=AttendanceInputSerializer,
        responses={200: AttendanceSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class AttendanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = AttendanceSerializer
    input_serializers = {"create": AttendanceInputSerializer}
    rules = {"create": ("meetings.record_attendance", "meeting")}
    filterset_fields = ["meeting", "member", "status"]
    ordering_fields = ["recorded_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Attendance.objects.none()
        return queries.attendance_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        meeting = data.pop("meeting")
        self.check_creation(Attendance(meeting=meeting))
        row = services.attendance_record(meeting=meeting, by=self.caller(meeting.organisation_id), **data)
        return self.answer(row)


# Minutes ---------------------------------------------------------------------------------------


class MinutesSerializer(serializers.ModelSerializer):
    published_by = MemberSummarySerializer(read_only=True, allow_null=True)
    updated_by = MemberSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Minutes
        fields = [
            "id",
            "meeting",
            "state",
            "version",
            "body",
            "updated_by",
            "updated_at",
            "published_at",
            "published_by",
        ]
        read_only_fields = fields


class MinutesCreateSerializer(serializers.Serializer):
    meeting = meeting_scope()
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Markdown. Empty: the prefilled draft.",
        style=MULTI_LINE,
    )


class MinutesUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="Markdown.", style=MULTI_LINE)


class MinutesCorrectionSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="The corrected minutes, in full (Markdown).", style=MULTI_LINE)
    note = serializers.CharField(max_length=300, help_text="What the correction changes.", validators=[single_line])


class MinutesVersionSerializer(serializers.ModelSerializer):
    author = MemberSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = MinutesVersion
        fields = ["number", "body", "note", "author", "created_at"]
        read_only_fields = fields


class MinutesFilter(django_filters.FilterSet):
    meeting = IdFilter()
    state = django_filters.ChoiceFilter(choices=Minutes.State.choices)
    circle = IdFilter(field_name="meeting__circle")

    class Meta:
        model = Minutes
        fields = ["meeting", "state", "circle"]


@extend_schema_view(
    list=extend_schema(
        summary="Published minutes, and the drafts I may write",
        responses={200: MinutesSerializer(many=True), **errors(*LIST)},
    ),
    retrieve=extend_schema(responses={200: MinutesSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Start the draft minutes of a meeting (secretary or steward); empty body: prefilled",
        request=MinutesCreateSerializer,
        responses={201: MinutesSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Save the draft",
        request=MinutesUpdateSerializer,
        responses={200: MinutesSerializer, **errors(*WRITE_STATEFUL)},
    ),
    publish=extend_schema(
        summary="Publish the minutes: locked as version 1 and sent to the circle",
        request=None,
        responses={200: MinutesSerializer, **errors(401, 403, 404, 409)},
    ),
    correct=extend_schema(
        summary="Correct published minutes: a new version, the earlier ones kept",
        request=MinutesCorrectionSerializer,
        responses={200: MinutesSerializer, **errors(*WRITE_STATEFUL)},
    ),
    versions=extend_schema(
        summary="Every published version, newest first",
        responses={200: MinutesVersionSerializer(many=True), **errors(*READ_ONE)},
    ),
)
class MinutesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = MinutesSerializer
    input_serializers = {
        "create": MinutesCreateSerializer,
        "partial_update": MinutesUpdateSerializer,
        "correct": MinutesCorrectionSerializer,
    }
    rules = {
        "create": ("meetings.write_minutes", "meeting"),
        "partial_update": ("meetings.write_minutes", "meeting"),
        "publish": ("meetings.write_minutes", "meeting"),
        "correct": ("meetings.write_minutes", "meeting"),
    }
    filterset_class = MinutesFilter
    ordering_fields = ["published_at", "updated_at"]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Minutes.objects.none()
        mine = Q(state=Minutes.State.PUBLISHED)
        for organisation_id, member in active_members(user).items():
            may_write = stewarded_circle_ids(user, organisation_id) | role_circle_ids(
                user, organisation_id, "secretary"
            )
            mine |= Q(meeting__secretary=member) | Q(meeting__circle_id__in=may_write)
        return queries.minutes_visible_to(user).filter(mine)

    def create(self, request):
        data = self.read_input()
        meeting = data["meeting"]
        self.check_creation(Minutes(meeting=meeting))
        minutes = services.minutes_save_draft(
            meeting=meeting, by=self.caller(meeting.organisation_id), body=data["body"] or None
        )
        return self.answer(minutes, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        minutes = self.get_object()
        body = self.read_input()["body"]
        services.minutes_save_draft(meeting=minutes.meeting, by=self.caller(minutes.meeting.organisation_id), body=body)
        return self.answer(minutes)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        minutes = self.get_object()
        services.minutes_publish(minutes=minutes, by=self.caller(minutes.meeting.organisation_id))
        return self.answer(minutes)

    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        minutes = self.get_object()
        services.minutes_correct(minutes=minutes, by=self.caller(minutes.meeting.organisation_id), **self.read_input())
        return self.answer(minutes)

    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        return Response(MinutesVersionSerializer(queries.minutes_versions(self.get_object()), many=True).data)


# Tensions --------------------------------------------------------------------------------------


class TensionSerializer(serializers.ModelSerializer):
    raised_by = MemberSummarySerializer(read_only=True)
    resolved_by = MemberSummarySerializer(read_only=True, allow_null=True)
    on_agenda_of = serializers.IntegerField(read_only=True, help_text="Scheduled meetings with it on the agenda.")

    class Meta:
        model = Tension
        fields = [
            "id",
            "organisation",
            "circle",
            "raised_by",
            "title",
            "description",
            "state",
            "on_agenda_of",
            "resolution",
            "resolution_note",
            "proposal",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class TensionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    description = serializers.CharField(allow_blank=True, default="", help_text="Markdown.", style=MULTI_LINE)


class TensionCreateSerializer(TensionUpdateSerializer):
    circle = circle_scope()


class TensionResolveSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="How it was resolved.", style=MULTI_LINE)


class TensionActionSerializer(serializers.Serializer):
    owner = member_reference()
    due = serializers.DateField(allow_null=True, default=None, validators=[sane_date])
    title = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Default: the tension's.", validators=[single_line]
    )


@extend_schema_view(
    list=extend_schema(
        summary="Tensions of my organisations", responses={200: TensionSerializer(many=True), **errors(*LIST)}
    ),
    retrieve=extend_schema(responses={200: TensionSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Raise a tension in a circle I am on",
        request=TensionCreateSerializer,
        responses={201: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Edit my tension while it is unresolved",
        request=TensionUpdateSerializer,
        responses={200: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    resolve=extend_schema(
        summary="Resolve with a note (the raiser, the steward, the facilitator or the secretary)",
        request=TensionResolveSerializer,
        responses={200: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    to_proposal=extend_schema(
        summary="Turn it into a draft proposal pre-filled with its text, authored by me",
        request=None,
        responses={200: TensionSerializer, **errors(401, 403, 404, 409)},
    ),
    to_action=extend_schema(
        summary="Turn it into an action item",
        request=TensionActionSerializer,
        responses={200: TensionSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class TensionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = TensionSerializer
    input_serializers = {
        "create": TensionCreateSerializer,
        "partial_update": TensionUpdateSerializer,
        "resolve": TensionResolveSerializer,
        "to_action": TensionActionSerializer,
    }
    rules = {
        "retrieve": "meetings.view_tension",
        "create": ("meetings.raise_tension", "circle"),
        "partial_update": "meetings.change_tension",
        "resolve": "meetings.resolve_tension",
        "to_proposal": "meetings.resolve_tension",
        "to_action": "meetings.resolve_tension",
    }
    filterset_fields = ["organisation", "circle", "state", "resolution"]
    ordering_fields = ["created_at", "resolved_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Tension.objects.none()
        return queries.tensions_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(Tension(circle=circle, organisation_id=circle.organisation_id))
        tension = services.tension_raise(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(tension, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        tension = self.get_object()
        data = {"title": tension.title, "description": tension.description, **self.read_input(partial=True)}
        services.tension_update(tension=tension, by=self.caller(tension.organisation_id), **data)
        return self.answer(tension)

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        tension = self.get_object()
        services.tension_resolve(tension=tension, by=self.caller(tension.organisation_id), **self.read_input())
        return self.answer(tension)

    @action(detail=True, methods=["post"], url_path="to-proposal")
    def to_proposal(self, request, pk=None):
        tension = self.get_object()
        if not rules.test_rule("proposals.add_proposal", request.user, tension.circle):
            raise PermissionDenied("Only members of this circle write its proposals.")
        services.tension_to_proposal(tension=tension, by=self.caller(tension.organisation_id))
        return self.answer(tension)

    @action(detail=True, methods=["post"], url_path="to-action")
    def to_action(self, request, pk=None):
        tension = self.get_object()
        services.tension_to_action(tension=tension, by=self.caller(tension.organisation_id), **self.read_input())
        return self.answer(tension)


# Action items ----------------------------------------------------------------------------------


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


# Calendar links --------------------------------------------------------------------------------


class CalendarFeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarFeed
        fields = ["id", "circle", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class CalendarFeedCreatedSerializer(CalendarFeedSerializer):
    url = serializers.SerializerMethodField(help_text="The private iCalendar URL. Shown this once.")

    class Meta(CalendarFeedSerializer.Meta):
        fields = ["url", *CalendarFeedSerializer.Meta.fields]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, feed):
        return self.context["url"]


class CalendarFeedCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="The organisation whose meetings the feed lists.")
    circle = circle_scope(
        required=False, allow_null=True, default=None, help_text="One circle; empty: all my circles' meetings."
    )


@extend_schema_view(
    list=extend_schema(
        summary="My live calendar links", responses={200: CalendarFeedSerializer(many=True), **errors(*LIST)}
    ),
    retrieve=extend_schema(responses={200: CalendarFeedSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="A new private iCalendar URL (replaces the live one of the same scope)",
        request=CalendarFeedCreateSerializer,
        responses={201: CalendarFeedCreatedSerializer, **errors(*WRITE_STATEFUL)},
    ),
    revoke=extend_schema(
        summary="Revoke a calendar link", request=None, responses={200: CalendarFeedSerializer, **errors(401, 403, 404)}
    ),
)
class CalendarFeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = CalendarFeedSerializer
    input_serializers = {"create": CalendarFeedCreateSerializer}
    filterset_fields = ["circle"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return CalendarFeed.objects.none()
        return queries.feeds_visible_to(self.request.user).filter(revoked_at__isnull=True).order_by("-created_at")

    def create(self, request):
        data = self.read_input()
        member = active_members(request.user).get(data["organisation"])
        circle = data["circle"]
        if member is None or (circle is not None and circle.organisation_id != member.organisation_id):
            raise NotFound("No such organisation.")
        feed, token = services.calendar_feed_create(member=member, circle=circle)
        url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": token}))
        answer = CalendarFeedCreatedSerializer(feed, context={"url": url})
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        feed = services.calendar_feed_revoke(feed=self.get_object())
        return Response(CalendarFeedSerializer(feed).data)
