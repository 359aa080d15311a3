"""Elections over the REST API: the same queries, rules and services as the pages.

Ballot secrecy: casting answers with the election, never with a ballot id (a receipt would let a
voter prove their vote); `/ballots/` lists the anonymous ballots of closed elections as published
(queries.published_ballots: no id, no voter, no time, in the order of what was chosen, and only where
no weight singles out a voter); who has voted is a count (`voted_count`) and the caller's own
`i_have_voted`."""

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from governance.api.base import GovernanceViewSet, ScopeField
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_reference, member_reference
from governance.dates import sane_date
from governance.errors import Invalid
from governance.rules import member_for
from governance.text import MULTI_LINE, single_line
from roles.api import role_reference
from roles.models import Ballot, Candidacy, Counting, Election, ElectionMethod, Nomination

from . import queries, services
from .councils import role_council_set


def election_scope(**kwargs):
    return ScopeField(model=Election, visible=queries.elections_visible_to, **kwargs)


# Serializers -----------------------------------------------------------------------------------


class CountSerializer(serializers.Serializer):
    candidacy = serializers.IntegerField()
    member = serializers.IntegerField()
    name = serializers.CharField()
    votes = serializers.IntegerField(
        required=False, help_text=_("Left out when a voting weight held by one voter alone would reveal their vote.")
    )
    weight = serializers.IntegerField()


class TieSerializer(serializers.Serializer):
    weight = serializers.IntegerField()
    members = serializers.ListField(child=serializers.IntegerField())
    names = serializers.ListField(child=serializers.CharField())
    seats_left = serializers.IntegerField()


class TransferTargetSerializer(serializers.Serializer):
    candidacy = serializers.IntegerField(allow_null=True, help_text=_("Null: the ballots were exhausted."))
    value = serializers.CharField(read_only=True, help_text=_('Exact value, as a fraction ("7/3").'))


class TransferSerializer(serializers.Serializer):
    candidacy = serializers.IntegerField(help_text=_("The candidacy whose votes moved on (elected or eliminated)."))
    to = TransferTargetSerializer(many=True)


class RoundTieSerializer(serializers.Serializer):
    candidacies = serializers.ListField(child=serializers.IntegerField())
    rule = serializers.CharField(read_only=True)
    round = serializers.IntegerField(required=False, help_text=_("The earlier round that broke the tie."))


class CountRoundSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    totals = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text=_("Candidacy id → exact total.")
    )
    exhausted = serializers.CharField(read_only=True, help_text=_("Value of the ballots exhausted before this round."))
    elected = serializers.ListField(child=serializers.IntegerField())
    eliminated = serializers.ListField(child=serializers.IntegerField())
    transfers = TransferSerializer(many=True)
    tie = RoundTieSerializer(allow_null=True)


class RankedCountSerializer(serializers.Serializer):
    quota = serializers.CharField(read_only=True, help_text=_("Droop quota: ⌊valid weight ÷ (seats + 1)⌋ + 1."))
    valid_weight = serializers.IntegerField()
    blank = serializers.IntegerField()
    rounds = CountRoundSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    """Published at the close; empty before."""

    elected = serializers.ListField(child=serializers.IntegerField(), required=False, help_text=_("Member ids seated."))
    counts = CountSerializer(many=True, required=False, help_text=_("Ballot: each candidate's votes and weight."))
    ballots = serializers.IntegerField(required=False)
    tie = TieSerializer(required=False, allow_null=True, help_text=_("Candidates tied for the last seats, not broken."))
    counting = serializers.CharField(
        required=False, validators=[single_line], help_text=_("Plurality or ranked; ranked: `count` holds every round.")
    )
    count = RankedCountSerializer(required=False, help_text=_("Ranked: the quota and every round of the count."))
    ballots_published = serializers.BooleanField(
        required=False,
        help_text=_(
            "Whether the ballots (/ballots/) and each candidate's votes are published: not when a voting "
            "weight held by only one of those who voted would show how they voted."
        ),
    )


class ElectionSerializer(serializers.ModelSerializer):
    circle = serializers.IntegerField(source="role.circle_id", read_only=True)
    council = serializers.IntegerField(
        source="role.council_id",
        read_only=True,
        allow_null=True,
        help_text=_("The council circle the role's holders sit on, seated on the day their term starts."),
    )
    candidate = MemberSummarySerializer(read_only=True, allow_null=True)
    i_may_vote = serializers.BooleanField(read_only=True)
    i_have_voted = serializers.BooleanField(read_only=True)
    voted_count = serializers.IntegerField(read_only=True, help_text=_("How many have voted (never who chose what)."))
    results = serializers.SerializerMethodField()
    decided = serializers.SerializerMethodField(help_text=_("Closed: one sentence saying what decided it."))

    class Meta:
        model = Election
        fields = [
            "id",
            "organisation",
            "circle",
            "council",
            "role",
            "method",
            "counting",
            "state",
            "seats",
            "term_starts_at",
            "opened_at",
            "nominations_close_at",
            "applications_close_at",
            "voting_closes_at",
            "candidate",
            "proposal",
            "voters_count",
            "voters_weight",
            "voted_count",
            "i_may_vote",
            "i_have_voted",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
            "results",
            "decided",
        ]
        read_only_fields = fields

    @extend_schema_field(ResultsSerializer)
    def get_results(self, election):
        return queries.published_results(election)

    @extend_schema_field(serializers.CharField())
    def get_decided(self, election) -> str:
        return queries.why_decided(election, queries.published_results(election))


class ElectionCreateSerializer(serializers.Serializer):
    role = role_reference()
    method = serializers.ChoiceField(
        choices=ElectionMethod.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Default: the role's."),
    )
    counting = serializers.ChoiceField(
        choices=Counting.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Ballot. Default: plurality."),
    )
    nominations_close_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[sane_date]
    )
    applications_close_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[sane_date]
    )
    voting_closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None, validators=[sane_date])


class ProposeSerializer(serializers.Serializer):
    candidate = member_reference(help_text=_("One of the nominees."))
    round_days = serializers.IntegerField(min_value=1, max_value=30, required=False, allow_null=True, default=None)


class BallotInputSerializer(serializers.Serializer):
    choices = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text=_(
            "Candidacy ids, at most one per seat; ranked: every candidate you rank, first choice first. "
            "An empty list is a blank ballot."
        ),
    )


class AnswerSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text=_("True: I accept to stand; false: I decline."))


class CouncilSerializer(serializers.Serializer):
    council = circle_reference(
        allow_null=True, help_text=_("The circle whose roster the role's holders make up; null: none.")
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, validators=[single_line])


class NominationSerializer(serializers.ModelSerializer):
    nominee = MemberSummarySerializer(read_only=True)
    nominated_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "election", "nominee", "nominated_by", "reason", "created_at"]
        read_only_fields = fields


class NominationCreateSerializer(serializers.Serializer):
    election = election_scope()
    nominee = member_reference(help_text=_("A member of the role's circle; yourself included."))
    reason = serializers.CharField(help_text=_("Why them."), style=MULTI_LINE)


class CandidacySerializer(serializers.ModelSerializer):
    member = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Candidacy
        fields = ["id", "election", "member", "statement", "created_at", "withdrawn_at"]
        read_only_fields = fields


class CandidacyCreateSerializer(serializers.Serializer):
    election = election_scope()
    statement = serializers.CharField(help_text=_("Markdown. Why you, and what you would do."), style=MULTI_LINE)


class BallotSerializer(serializers.ModelSerializer):
    """An anonymous ballot: what was chosen, with what weight; no id, no voter, no time."""

    class Meta:
        model = Ballot
        fields = ["election", "choices", "weight"]
        read_only_fields = fields


# Filters ---------------------------------------------------------------------------------------


class ElectionFilter(django_filters.FilterSet):
    circle = IdFilter(field_name="role__circle")

    class Meta:
        model = Election
        fields = ["organisation", "role", "circle", "state", "method"]


# Views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Elections of my organisations (results only once closed)",
        responses={200: ElectionSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: ElectionSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Open an election for a role (its circle's steward or facilitator, or admins)",
        request=ElectionCreateSerializer,
        responses={201: ElectionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    propose=extend_schema(
        summary="Propose a nominee for consent (the circle's facilitator): opens a consent round",
        request=ProposeSerializer,
        responses={200: ElectionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    vote=extend_schema(
        summary="Cast my secret ballot (once; answers with the election, never a ballot id)",
        request=BallotInputSerializer,
        responses={200: ElectionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    nomination_answer=extend_schema(
        summary="Accept or decline my nomination (the nominee), while nominations are open",
        request=AnswerSerializer,
        responses={200: ElectionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    council=extend_schema(
        summary="Make the role seat a council circle (its holders make up that circle's roster), or stop",
        request=CouncilSerializer,
        responses={200: ElectionSerializer, **errors(*WRITE_STATEFUL)},
    ),
    cancel=extend_schema(
        summary="Cancel an election under way (the circle's steward, or admins)",
        request=CancelSerializer,
        responses={200: ElectionSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class ElectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = ElectionSerializer
    input_serializers = {
        "create": ElectionCreateSerializer,
        "propose": ProposeSerializer,
        "vote": BallotInputSerializer,
        "cancel": CancelSerializer,
        "council": CouncilSerializer,
        "nomination_answer": AnswerSerializer,
    }
    rules = {
        "retrieve": "elections.view_election",
        "create": ("roles.start_election", "role"),
        "propose": "elections.propose_candidate",
        "vote": "elections.vote",
        "cancel": "elections.cancel_election",
        "council": "elections.seat_council",
        "nomination_answer": "elections.answer_nomination",
    }
    filterset_class = ElectionFilter
    ordering_fields = ["opened_at", "closed_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Election.objects.none()
        return queries.elections_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        role = data.pop("role")
        self.check_creation(Election(role=role, organisation_id=role.circle.organisation_id))
        election = services.election_open(role=role, by=self.caller(role.circle.organisation_id), **data)
        return self.answer(election, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        election = self.get_object()
        data = self.read_input()
        if data["candidate"].organisation_id != election.organisation_id:
            raise Invalid(gettext("The candidate belongs to another organisation."), field="candidate")
        services.election_propose(election=election, by=self.caller(election.organisation_id), **data)
        return self.answer(election)

    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        election = self.get_object()
        services.ballot_cast(
            election=election, member=member_for(request.user, election.organisation_id), **self.read_input()
        )
        return self.answer(election)

    @action(detail=True, methods=["post"], url_path="answer")
    def nomination_answer(self, request, pk=None):
        election = self.get_object()
        services.nomination_answer(
            election=election, nominee=self.caller(election.organisation_id), **self.read_input()
        )
        return self.answer(election)

    @action(detail=True, methods=["post"])
    def council(self, request, pk=None):
        election = self.get_object()
        role_council_set(role=election.role, by=self.caller(election.organisation_id), **self.read_input())
        return self.answer(election)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        election = self.get_object()
        services.election_cancel(election=election, by=self.caller(election.organisation_id), **self.read_input())
        return self.answer(election)


@extend_schema_view(
    list=extend_schema(
        summary="Nominations in my organisations' elections, with their reasons",
        responses={200: NominationSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: NominationSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Nominate someone (yourself included), with a reason (members of the role's circle)",
        request=NominationCreateSerializer,
        responses={201: NominationSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class NominationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = NominationSerializer
    input_serializers = {"create": NominationCreateSerializer}
    rules = {"create": ("elections.nominate", "election")}
    filterset_fields = ["election", "nominee", "nominated_by"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Nomination.objects.none()
        return queries.nominations_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        election = data["election"]
        self.check_creation(Nomination(election=election))
        nomination = services.nomination_add(
            election=election,
            nominee=data["nominee"],
            by=self.caller(election.organisation_id),
            reason=data["reason"],
        )
        return self.answer(nomination, status_code=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Candidacies in my organisations' ballots, with their statements",
        responses={200: CandidacySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: CandidacySerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Stand in a ballot with a statement, while applications are open",
        request=CandidacyCreateSerializer,
        responses={201: CandidacySerializer, **errors(*WRITE_STATEFUL)},
    ),
    withdraw=extend_schema(
        summary="Withdraw my candidacy while applications are open",
        request=None,
        responses={200: CandidacySerializer, **errors(401, 403, 404, 409)},
    ),
)
class CandidacyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = CandidacySerializer
    input_serializers = {"create": CandidacyCreateSerializer}
    rules = {"create": ("elections.stand", "election")}
    filterset_fields = ["election", "member"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Candidacy.objects.none()
        return queries.candidacies_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        election = data["election"]
        self.check_creation(Candidacy(election=election))
        candidacy = services.candidacy_add(
            election=election, member=self.caller(election.organisation_id), statement=data["statement"]
        )
        return self.answer(candidacy, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        candidacy = self.get_object()
        services.candidacy_withdraw(candidacy=candidacy, member=self.caller(candidacy.election.organisation_id))
        return self.answer(candidacy)


@extend_schema_view(
    list=extend_schema(
        summary="Anonymous ballots of closed elections, for a recount",
        description="No id, no voter, no time, ordered by what was chosen. Listed once the election has "
        "closed, and only where no voting weight is held by a single one of those who voted "
        "(`results.ballots_published`): such a weight would show how that voter voted.",
        responses={200: BallotSerializer(many=True), **errors(400, 401)},
    ),
)
class BallotViewSet(mixins.ListModelMixin, GovernanceViewSet):
    serializer_class = BallotSerializer
    filterset_fields = ["election"]
    ordering_fields = []  # the published order only: never an order that could follow the casting

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Ballot.objects.none()
        return queries.ballots_visible_to(self.request.user)
