"""Polls over the REST API: the same queries, rules and services as the pages."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from governance.api.base import GovernanceViewSet
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import circle_reference
from governance.dates import sane_date
from governance.errors import Invalid
from governance.text import MULTI_LINE, single_line

from . import queries, services
from .models import Poll, PollOption


class OptionResultSerializer(serializers.Serializer):
    option = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    total = serializers.IntegerField(read_only=True, help_text=_("Sum of scores, or of dots."))
    answered = serializers.IntegerField(read_only=True)
    average = serializers.FloatField(read_only=True, required=False, allow_null=True, help_text=_("Score poll."))
    yes = serializers.IntegerField(read_only=True, required=False, help_text=_("Time poll."))
    if_need_be = serializers.IntegerField(read_only=True, required=False, help_text=_("Time poll."))
    no = serializers.IntegerField(read_only=True, required=False, help_text=_("Time poll."))


class PollSerializer(serializers.ModelSerializer):
    answered_count = serializers.IntegerField(read_only=True)
    results = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = [
            "id",
            "organisation",
            "circle",
            "kind",
            "title",
            "body",
            "state",
            "points",
            "score_max",
            "duration_minutes",
            "created_at",
            "closes_at",
            "closed_at",
            "picked",
            "meeting",
            "answered_count",
            "results",
        ]
        read_only_fields = fields

    @extend_schema_field(OptionResultSerializer(many=True))
    def get_results(self, poll):
        return [{k: v for k, v in row.items() if k != "people"} for row in queries.poll_results(poll)]


class PollCreateSerializer(serializers.Serializer):
    circle = circle_reference()
    kind = serializers.ChoiceField(choices=Poll.Kind.choices)
    title = serializers.CharField(max_length=200, validators=[single_line])
    body = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[single_line]), required=False, default=list
    )
    slots = serializers.ListField(child=serializers.DateTimeField(validators=[sane_date]), required=False, default=list)
    points = serializers.IntegerField(min_value=1, max_value=100, default=10)
    score_max = serializers.IntegerField(min_value=1, max_value=10, default=5)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=1440, default=60)


class AnswerInputSerializer(serializers.Serializer):
    values = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text=_("Option id → value: a score, a number of dots, or 2 yes / 1 if need be / 0 no."),
    )


class PickSerializer(serializers.Serializer):
    option = serializers.IntegerField(help_text=_("The slot that schedules the meeting."))


@extend_schema_view(
    list=extend_schema(
        summary="Polls of my organisations", responses={200: PollSerializer(many=True), **errors(400, 401)}
    ),
    retrieve=extend_schema(responses={200: PollSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Open a poll in a circle (members of its roster)",
        request=PollCreateSerializer,
        responses={201: PollSerializer, **errors(*WRITE_STATEFUL)},
    ),
    answer=extend_schema(
        summary="Record my answers (replacing the earlier ones)",
        request=AnswerInputSerializer,
        responses={200: PollSerializer, **errors(*WRITE_STATEFUL)},
    ),
    close=extend_schema(
        summary="Close the poll (its organiser)",
        request=None,
        responses={200: PollSerializer, **errors(*WRITE_STATEFUL)},
    ),
    pick=extend_schema(
        summary="Time poll: pick a slot, which schedules the meeting (its organiser)",
        request=PickSerializer,
        responses={200: PollSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class PollViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = PollSerializer
    input_serializers = {"create": PollCreateSerializer, "answer": AnswerInputSerializer, "pick": PickSerializer}
    rules = {
        "retrieve": "polls.view_poll",
        "answer": "polls.answer_poll",
        "close": "polls.manage_poll",
        "pick": "polls.manage_poll",
    }
    filterset_fields = ["organisation", "circle", "kind", "state"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Poll.objects.none()
        return queries.polls_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        poll = services.poll_create(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer_with(poll, status_code=status.HTTP_201_CREATED)

    def answer_with(self, poll, *, status_code=status.HTTP_200_OK):
        return GovernanceViewSet.answer(self, poll, status_code=status_code)

    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        poll = self.get_object()
        services.poll_answer(poll=poll, member=self.caller(poll.organisation_id), **self.read_input())
        return self.answer_with(poll)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        poll = self.get_object()
        services.poll_close(poll=poll, by=self.caller(poll.organisation_id))
        return self.answer_with(poll)

    @action(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        poll = self.get_object()
        option = PollOption.objects.filter(poll=poll, pk=self.read_input()["option"]).first()
        if option is None:
            raise Invalid(gettext("Pick one of this poll's slots."), field="option")
        services.time_poll_pick(poll=poll, option=option, by=self.caller(poll.organisation_id))
        return self.answer_with(poll)
