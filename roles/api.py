"""Roles, terms and elections over the REST API: the same queries, rules and services as the pages.

Ballot secrecy: casting answers with the election, never with a ballot id (a receipt would let a
voter prove their vote); `/ballots/` lists the anonymous ballots of closed elections as published
(queries.published_ballots: no id, no voter, no time, in the order of what was chosen, and only where
no weight singles out a voter); who has voted is a count (`voted_count`) and the caller's own
`i_have_voted`."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from governance.api.base import GovernanceViewSet, ScopeField
from governance.api.filters import IdFilter
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference
from governance.dates import sane_date
from governance.errors import Invalid
from governance.rules import member_for
from governance.text import MULTI_LINE, single_line

from . import queries, services
from .models import (
    Ballot,
    Candidacy,
    Election,
    ElectionMethod,
    Nomination,
    Role,
    RoleAssignment,
    Selection,
    TimePeriod,
)


def role_reference(**kwargs):
    return ScopeField(model=Role, visible=queries.roles_visible_to, **kwargs)


def election_scope(**kwargs):
    return ScopeField(model=Election, visible=queries.elections_visible_to, **kwargs)


# Serializers -----------------------------------------------------------------------------------


class TermSerializer(serializers.ModelSerializer):
    member = MemberSummarySerializer(read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "member", "started_at", "planned_end_at", "term_number", "days_left"]
        read_only_fields = fields


class RoleSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="circle.organisation_id", read_only=True)
    accountabilities = serializers.ListField(child=serializers.CharField(), read_only=True)
    hours_per_week = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)
    is_core = serializers.BooleanField(read_only=True)
    is_archived = serializers.BooleanField(read_only=True)
    holders = serializers.SerializerMethodField()
    upcoming = serializers.SerializerMethodField()
    free_seats = serializers.SerializerMethodField()
    active_election = serializers.SerializerMethodField()

    class Meta:
        model = Role
        fields = [
            "id",
            "organisation",
            "circle",
            "kind",
            "name",
            "purpose",
            "domains",
            "accountabilities",
            "time_hours",
            "time_period",
            "hours_per_week",
            "is_paid",
            "seats",
            "term_months",
            "term_limit",
            "selection",
            "election_method",
            "auto_renew",
            "is_core",
            "is_archived",
            "created_at",
            "archived_at",
            "holders",
            "upcoming",
            "free_seats",
            "active_election",
        ]
        read_only_fields = fields

    @extend_schema_field(TermSerializer(many=True))
    def get_holders(self, role):
        return TermSerializer(queries.holders(role), many=True).data

    @extend_schema_field(TermSerializer(many=True))
    def get_upcoming(self, role):
        return TermSerializer(queries.upcoming(role), many=True).data

    def get_free_seats(self, role) -> int:
        return max(role.seats - len(queries.holders(role)), 0)

    def get_active_election(self, role) -> int | None:
        return role.active_elections[0].pk if role.active_elections else None


class RoleUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, validators=[single_line])
    purpose = serializers.CharField(allow_blank=True, required=False, help_text="Markdown.", style=MULTI_LINE)
    domains = serializers.CharField(allow_blank=True, required=False, help_text="Markdown.", style=MULTI_LINE)
    accountabilities = serializers.ListField(
        child=serializers.CharField(max_length=300, validators=[single_line]), required=False
    )
    time_hours = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, required=False)
    time_period = serializers.ChoiceField(choices=TimePeriod.choices, required=False)
    is_paid = serializers.BooleanField(required=False)
    seats = serializers.IntegerField(min_value=1, max_value=50, required=False)
    term_months = serializers.IntegerField(min_value=1, max_value=60, allow_null=True, required=False)
    term_limit = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    selection = serializers.ChoiceField(choices=Selection.choices, required=False)
    election_method = serializers.ChoiceField(choices=ElectionMethod.choices, required=False)
    auto_renew = serializers.BooleanField(required=False)


class RoleCreateSerializer(RoleUpdateSerializer):
    circle = circle_scope(help_text="The circle the role belongs to.")


class AssignmentSerializer(serializers.ModelSerializer):
    circle = serializers.IntegerField(source="role.circle_id", read_only=True)
    member = MemberSummarySerializer(read_only=True)
    assigned_by = MemberSummarySerializer(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)
    is_upcoming = serializers.BooleanField(read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "role",
            "circle",
            "member",
            "started_at",
            "planned_end_at",
            "ended_at",
            "end_reason",
            "end_note",
            "term_number",
            "assigned_by",
            "election",
            "is_current",
            "is_upcoming",
            "days_left",
        ]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    role = role_reference()
    member = member_reference(help_text="A member on the roster of the role's circle.")
    planned_end_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: the role's term length from now.",
        validators=[sane_date],
    )


class AssignmentEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[
            RoleAssignment.EndReason.RESIGNED,
            RoleAssignment.EndReason.REMOVED,
            RoleAssignment.EndReason.TERM_ENDED,
        ]
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", validators=[single_line])


class CountSerializer(serializers.Serializer):
    candidacy = serializers.IntegerField()
    member = serializers.IntegerField()
    name = serializers.CharField()
    votes = serializers.IntegerField(
        required=False, help_text="Left out when a voting weight held by one voter alone would reveal their vote."
    )
    weight = serializers.IntegerField()


class TieSerializer(serializers.Serializer):
    weight = serializers.IntegerField()
    members = serializers.ListField(child=serializers.IntegerField())
    names = serializers.ListField(child=serializers.CharField())
    seats_left = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    """Published at the close; empty before."""

    elected = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Member ids seated.")
    counts = CountSerializer(many=True, required=False, help_text="Ballot: each candidate's votes and weight.")
    ballots = serializers.IntegerField(required=False)
    tie = TieSerializer(required=False, allow_null=True, help_text="Candidates tied for the last seats, not broken.")
    ballots_published = serializers.BooleanField(
        required=False,
        help_text="Whether the ballots (/ballots/) and each candidate's votes are published: not when a voting "
        "weight held by only one of those who voted would show how they voted.",
    )


class ElectionSerializer(serializers.ModelSerializer):
    circle = serializers.IntegerField(source="role.circle_id", read_only=True)
    candidate = MemberSummarySerializer(read_only=True, allow_null=True)
    i_may_vote = serializers.BooleanField(read_only=True)
    i_have_voted = serializers.BooleanField(read_only=True)
    voted_count = serializers.IntegerField(read_only=True, help_text="How many have voted (never who chose what).")
    results = serializers.SerializerMethodField()

    class Meta:
        model = Election
        fields = [
            "id",
            "organisation",
            "circle",
            "role",
            "method",
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
        ]
        read_only_fields = fields

    @extend_schema_field(ResultsSerializer)
    def get_results(self, election):
        return queries.published_results(election)


class ElectionCreateSerializer(serializers.Serializer):
    role = role_reference()
    method = serializers.ChoiceField(
        choices=ElectionMethod.choices, required=False, allow_null=True, default=None, help_text="Default: the role's."
    )
    nominations_close_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[sane_date]
    )
    applications_close_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[sane_date]
    )
    voting_closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None, validators=[sane_date])


class ProposeSerializer(serializers.Serializer):
    candidate = member_reference(help_text="One of the nominees.")
    round_days = serializers.IntegerField(min_value=1, max_value=30, required=False, allow_null=True, default=None)


class BallotInputSerializer(serializers.Serializer):
    choices = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Candidacy ids, at most one per seat; an empty list is a blank ballot.",
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
    nominee = member_reference(help_text="A member of the role's circle; yourself included.")
    reason = serializers.CharField(help_text="Why them.", style=MULTI_LINE)


class CandidacySerializer(serializers.ModelSerializer):
    member = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Candidacy
        fields = ["id", "election", "member", "statement", "created_at", "withdrawn_at"]
        read_only_fields = fields


class CandidacyCreateSerializer(serializers.Serializer):
    election = election_scope()
    statement = serializers.CharField(help_text="Markdown. Why you, and what you would do.", style=MULTI_LINE)


class BallotSerializer(serializers.ModelSerializer):
    """An anonymous ballot: what was chosen, with what weight; no id, no voter, no time."""

    class Meta:
        model = Ballot
        fields = ["election", "choices", "weight"]
        read_only_fields = fields


# Filters ---------------------------------------------------------------------------------------


class RoleFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="circle__organisation")
    circle = IdFilter()
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Role
        fields = ["organisation", "circle", "kind", "selection", "archived"]


class AssignmentFilter(django_filters.FilterSet):
    circle = IdFilter(field_name="role__circle")
    open = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label="true: running or upcoming; false: the history."
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "member", "circle", "open", "end_reason"]


class ElectionFilter(django_filters.FilterSet):
    circle = IdFilter(field_name="role__circle")

    class Meta:
        model = Election
        fields = ["organisation", "role", "circle", "state", "method"]


# Views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Roles of my organisations, with holders, vacancies and any election under way",
        responses={200: RoleSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: RoleSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Define a role in a circle (its steward, or admins)",
        request=RoleCreateSerializer,
        responses={201: RoleSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Change a role's definition (its circle's steward, or admins)",
        request=RoleUpdateSerializer,
        responses={200: RoleSerializer, **errors(*WRITE_STATEFUL)},
    ),
    archive=extend_schema(
        summary="Archive a role: its terms end, its history stays",
        request=None,
        responses={200: RoleSerializer, **errors(401, 403, 404, 409)},
    ),
    restore=extend_schema(
        summary="Restore an archived role", request=None, responses={200: RoleSerializer, **errors(401, 403, 404, 409)}
    ),
)
class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = RoleSerializer
    input_serializers = {"create": RoleCreateSerializer, "partial_update": RoleUpdateSerializer}
    rules = {
        "retrieve": "roles.view_role",
        "create": ("roles.add_role", "circle"),
        "partial_update": "roles.change_role",
        "archive": "roles.change_role",
        "restore": "roles.change_role",
    }
    filterset_class = RoleFilter
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Role.objects.none()
        return queries.roles_visible_to(self.request.user)

    def create(self, request):
        data = dict(self.read_input())
        circle = data.pop("circle")
        self.check_creation(Role(circle=circle))
        role = services.role_create(circle=circle, by=self.caller(circle.organisation_id), **data)
        return self.answer(role, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        role = self.get_object()
        services.role_update(role=role, by=self.caller(role.circle.organisation_id), **self.read_input(partial=True))
        return self.answer(role)

    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        role = self.get_object()
        services.role_archive(role=role, by=self.caller(role.circle.organisation_id))
        return self.answer(role)

    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        role = self.get_object()
        services.role_restore(role=role, by=self.caller(role.circle.organisation_id))
        return self.answer(role)


@extend_schema_view(
    list=extend_schema(
        summary="Terms, running, upcoming and past, of my organisations' roles",
        responses={200: AssignmentSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: AssignmentSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Assign a role to a member for a term (the circle's steward, or admins)",
        description="Refused with the reason: seats full (409), not on the circle's roster (400), the term limit "
        "reached, with when they may serve again (409).",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer, **errors(*WRITE_STATEFUL)},
    ),
    end=extend_schema(
        summary="End a term (the holder stepping down, the steward, or admins)",
        request=AssignmentEndSerializer,
        responses={200: AssignmentSerializer, **errors(*WRITE_STATEFUL)},
    ),
    renew=extend_schema(
        summary="Renew a term for one more term from its end (appointed roles; the limit applies)",
        request=None,
        responses={201: AssignmentSerializer, **errors(401, 403, 404, 409)},
    ),
)
class RoleAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = AssignmentSerializer
    input_serializers = {"create": AssignmentCreateSerializer, "end": AssignmentEndSerializer}
    rules = {
        "retrieve": "roles.view_assignment",
        "create": ("roles.assign_role", "role"),
        "end": "roles.end_assignment",
        "renew": "roles.renew_assignment",
    }
    filterset_class = AssignmentFilter
    ordering_fields = ["started_at", "planned_end_at", "ended_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return RoleAssignment.objects.none()
        return queries.assignments_visible_to(self.request.user)

    def create(self, request):
        data = self.read_input()
        role = data["role"]
        self.check_creation(RoleAssignment(role=role))
        by = self.caller(role.circle.organisation_id)
        if role.kind == Role.Kind.STEWARD:
            assignment = services.steward_assign(circle=role.circle, member=data["member"], by=by)
        else:
            assignment = services.role_assign(
                role=role, member=data["member"], by=by, planned_end_at=data["planned_end_at"]
            )
        return self.answer(assignment, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        services.assignment_end(
            assignment=assignment, by=self.caller(assignment.role.circle.organisation_id), **self.read_input()
        )
        return self.answer(assignment)

    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        assignment = self.get_object()
        renewed = services.assignment_renew(
            assignment=assignment, by=self.caller(assignment.role.circle.organisation_id)
        )
        return self.answer(renewed, status_code=status.HTTP_201_CREATED)


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
    }
    rules = {
        "retrieve": "roles.view_election",
        "create": ("roles.start_election", "role"),
        "propose": "roles.propose_candidate",
        "vote": "roles.vote",
        "cancel": "roles.cancel_election",
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
            raise Invalid("The candidate belongs to another organisation.", field="candidate")
        services.election_propose(election=election, by=self.caller(election.organisation_id), **data)
        return self.answer(election)

    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        election = self.get_object()
        services.ballot_cast(
            election=election, member=member_for(request.user, election.organisation_id), **self.read_input()
        )
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
    rules = {"create": ("roles.nominate", "election")}
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
    rules = {"create": ("roles.stand", "election")}
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
