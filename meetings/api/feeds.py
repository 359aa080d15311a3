"""Calendar links over the REST API: a member's private iCalendar URLs, created and revoked."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from governance.api.base import GovernanceViewSet
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import circle_scope
from governance.rules import active_members

from .. import queries, services
from ..models import CalendarFeed
from .common import LIST


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
            raise NotFound(gettext("No such organisation."))
        feed, token = services.calendar_feed_create(member=member, circle=circle)
        url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": token}))
        answer = CalendarFeedCreatedSerializer(feed, context={"url": url})
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        feed = services.calendar_feed_revoke(feed=self.get_object())
        return Response(CalendarFeedSerializer(feed).data)
