"""Attendance and minutes over the REST API: attendance recorded; minutes drafted, published,
corrected, and their versions."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.base import GovernanceViewSet
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, member_reference
from governance.rules import active_members, stewarded_circle_ids
from governance.text import MULTI_LINE, single_line

from .. import queries, services
from ..models import Attendance, Minutes, MinutesVersion
from ..rules import role_circle_ids
from .common import LIST, meeting_scope

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
