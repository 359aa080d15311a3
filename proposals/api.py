"""Proposals over the REST API: the same queries, rules and services as the pages.

Anonymity (queries.shown_positions is the rule): an anonymous round lists only the caller's own
position, before and after the close; a round with hidden results lists who responded but not how
until the close; the tally holds no count by kind while the results are hidden."""

import hashlib
from datetime import timedelta

import django_filters
import rules
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from governance import response_cache
from governance.api.base import GovernanceViewSet
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_reference, circle_scope, member_reference
from governance.dates import sane_date
from governance.models import Member
from governance.rules import active_members, member_for
from governance.text import MULTI_LINE, single_line

from . import proxies as proxy_services
from . import queries, services
from .change_api import (
    ChangeDataSerializer,
    ChangeInputSerializer,
    ChangeSerializer,
    ChangesField,
    change_input_schema,
    kind_data,
)
from .models import (
    Change,
    Comment,
    EligibleVoter,
    Kind,
    Method,
    Position,
    Proposal,
    ProposalVersion,
    Proxy,
    Threshold,
)
from .why import why_decided

# Serializers -----------------------------------------------------------------------------------


class TallyKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField()
    heads = serializers.IntegerField()
    weight = serializers.IntegerField()
    heads_percent = serializers.FloatField(help_text=_("Of the eligible members."))
    weight_percent = serializers.FloatField(help_text=_("Of the eligible voting weight."))


class TallySerializer(serializers.Serializer):
    kinds = TallyKindSerializer(many=True)
    eligible_count = serializers.IntegerField()
    eligible_weight = serializers.IntegerField()
    responded_count = serializers.IntegerField()
    responded_weight = serializers.IntegerField()
    waiting_count = serializers.IntegerField(help_text=_("Eligible members who have not responded yet."))
    quorum_percent = serializers.IntegerField(allow_null=True)
    quorum_progress = serializers.FloatField(help_text=_("Share of the eligible weight that has responded, in %."))
    quorum_met = serializers.BooleanField()
    objections = serializers.IntegerField(
        allow_null=True, help_text=_("Standing objections (consent rounds); null while the results are hidden.")
    )
    results_hidden = serializers.BooleanField(help_text=_("Counts by kind are withheld until the close."))


class WhyRowSerializer(serializers.Serializer):
    rule = serializers.CharField(read_only=True, validators=[single_line])
    needed = serializers.CharField(read_only=True, validators=[single_line])
    at_close = serializers.CharField(read_only=True, validators=[single_line])
    met = serializers.BooleanField()


class WhySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Proposal.Outcome.choices)
    sentence = serializers.CharField(
        read_only=True, validators=[single_line], help_text=_("The rule that decided the round, in one sentence.")
    )
    rows = WhyRowSerializer(many=True)


class ProposalSerializer(serializers.ModelSerializer):
    author = MemberSummarySerializer(read_only=True)
    round_days = serializers.SerializerMethodField()
    responded_count = serializers.IntegerField(read_only=True)
    i_am_eligible = serializers.BooleanField(read_only=True, help_text=_("Whether the caller may take a position."))
    i_responded = serializers.BooleanField(read_only=True, help_text=_("Whether the caller has a current position."))
    results_hidden = serializers.BooleanField(read_only=True, help_text=_("Counts by kind withheld until the close."))
    why = serializers.SerializerMethodField(help_text=_("Why a closed round ended as it did; null before the close."))

    class Meta:
        model = Proposal
        fields = [
            "id",
            "organisation",
            "circle",
            "author",
            "title",
            "body",
            "method",
            "threshold",
            "quorum_percent",
            "anonymous",
            "hidden_results",
            "results_hidden",
            "early_close",
            "state",
            "version",
            "round_days",
            "created_at",
            "opened_at",
            "closes_at",
            "closed_at",
            "withdrawn_at",
            "eligible_count",
            "eligible_weight",
            "responded_count",
            "outcome",
            "outcome_statement",
            "review_date",
            "enacted",
            "enactment_error",
            "enacted_at",
            "i_am_eligible",
            "i_responded",
            "why",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "enacted": {"help_text": "null until a passed round with changes closes; false: passed, not enacted."}
        }

    @extend_schema_field(WhySerializer(allow_null=True))
    def get_why(self, proposal):
        why = why_decided(proposal)
        return None if why is None else WhySerializer(why).data

    def get_round_days(self, proposal) -> float:
        return round(proposal.round_length.total_seconds() / 86400, 2)


class ProposalWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    body = serializers.CharField(help_text=_("Markdown."), style=MULTI_LINE)
    method = serializers.ChoiceField(choices=Method.choices, default=Method.CONSENT)
    threshold = serializers.ChoiceField(choices=Threshold.choices, default=Threshold.SIMPLE)
    quorum_percent = serializers.IntegerField(min_value=1, max_value=100, allow_null=True, default=None)
    anonymous = serializers.BooleanField(default=False, help_text=_("Also hides the results until the close."))
    hidden_results = serializers.BooleanField(default=False, help_text=_("Counts by kind only after the close."))
    early_close = serializers.BooleanField(default=False)
    round_days = serializers.IntegerField(
        min_value=1, max_value=90, required=False, help_text=_("Default: the organisation's consent-round length.")
    )

    def service_kwargs(self, data: dict) -> dict:
        data = dict(data)
        if "round_days" in data:
            data["round_length"] = timedelta(days=data.pop("round_days"))
        return data


class ProposalCreateSerializer(ProposalWriteSerializer):
    circle = circle_scope(help_text=_("The circle that decides."))
    changes = ChangesField(
        required=False,
        default=list,
        help_text=_("The changes it carries, each `{kind, data}` with the kind's own shape; applied when it passes."),
    )


class ProposalOpenSerializer(serializers.Serializer):
    closes_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Default: now plus the round length."),
        validators=[sane_date],
    )


class ProposalAmendSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line])
    body = serializers.CharField(help_text=_("Markdown."), style=MULTI_LINE)
    change_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", validators=[single_line]
    )


class OutcomeSerializer(serializers.Serializer):
    statement = serializers.CharField(help_text=_("Markdown. What was decided."), style=MULTI_LINE)
    review_date = serializers.DateField(required=False, allow_null=True, default=None, validators=[sane_date])


class PositionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    for_member = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Respond by proxy: the id of the member who gave me their proxy (omit for my own position)."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed for a concern or an objection."),
        style=MULTI_LINE,
    )
    keep_reason_as_note = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "When changing a concern or an objection to consent or abstain: keep its reason as a note "
            "(sent again unchanged, it is cleared otherwise)."
        ),
    )


class PositionSerializer(serializers.ModelSerializer):
    """A current position. While the results are hidden, `kind`, `reason` and `created_at` are null,
    except on the caller's own position (an anonymous round lists no one else's at all)."""

    member = MemberSummarySerializer(read_only=True)
    by_proxy = MemberSummarySerializer(
        read_only=True, allow_null=True, help_text=_("The proxy holder who recorded it.")
    )
    kind = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", "member", "by_proxy", "version", "weight", "kind", "reason", "created_at", "is_current"]
        read_only_fields = fields

    def _hidden(self, position) -> bool:
        proposal = position.proposal
        return (proposal.anonymous or proposal.results_hidden) and position.member.user_id != self.context[
            "request"
        ].user.pk

    @extend_schema_field(serializers.ChoiceField(choices=Kind.choices, allow_null=True))
    def get_kind(self, position):
        return None if self._hidden(position) else position.kind

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, position):
        return None if self._hidden(position) else position.reason

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_created_at(self, position):
        return None if self._hidden(position) else position.created_at


class MyPositionSerializer(serializers.ModelSerializer):
    """One of the caller's own positions, current or retired (their history); `by_proxy` names the
    holder who recorded it for them, if one did."""

    by_proxy = MemberSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "by_proxy",
            "version",
            "kind",
            "reason",
            "weight",
            "created_at",
            "is_current",
            "retired_at",
            "retired_because",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_question", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"is_question": {"default": False}}


class VersionSerializer(serializers.ModelSerializer):
    author = MemberSummarySerializer(read_only=True)

    class Meta:
        model = ProposalVersion
        fields = ["number", "title", "body", "change_note", "author", "created_at"]
        read_only_fields = fields


class ProposalFilter(django_filters.FilterSet):
    waiting = django_filters.BooleanFilter(method="filter_waiting", label=_("Only open rounds waiting for my position"))

    class Meta:
        model = Proposal
        fields = ["organisation", "circle", "state", "method", "outcome"]

    def filter_waiting(self, queryset, name, value):
        if value is None:
            return queryset
        waiting = queryset.filter(state=Proposal.State.OPEN, i_am_eligible=True, i_responded=False)
        return waiting if value else queryset.exclude(pk__in=waiting.values("pk"))


# Views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Proposals of my organisations (others' drafts excluded)",
        description="The answer carries an `ETag`; with `If-None-Match` set to it, 304 while nothing changed.",
        responses={
            200: ProposalSerializer(many=True),
            304: OpenApiResponse(description="Not modified: the list and my own fields are as the ETag says."),
            **errors(400, 401),
        },
    ),
    retrieve=extend_schema(responses={200: ProposalSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Draft a proposal in a circle I am on",
        request=ProposalCreateSerializer,
        responses={201: ProposalSerializer, **errors(*WRITE_STATEFUL)},
    ),
    partial_update=extend_schema(
        summary="Edit my draft",
        request=ProposalWriteSerializer,
        responses={200: ProposalSerializer, **errors(*WRITE_STATEFUL)},
    ),
    open=extend_schema(
        summary="Open the round (the author); fixes who may vote, with their weight",
        request=ProposalOpenSerializer,
        responses={200: ProposalSerializer, **errors(*WRITE_STATEFUL)},
    ),
    amend=extend_schema(
        summary="Amend an open proposal (the author): a new version restarts the round",
        request=ProposalAmendSerializer,
        responses={200: ProposalSerializer, **errors(*WRITE_STATEFUL)},
    ),
    withdraw=extend_schema(
        summary="Withdraw a draft or open proposal (the author)",
        request=None,
        responses={200: ProposalSerializer, **errors(401, 403, 404, 409)},
    ),
    outcome=extend_schema(
        summary="Write the outcome statement after the close (the author or the circle's steward)",
        request=OutcomeSerializer,
        responses={200: ProposalSerializer, **errors(*WRITE_STATEFUL)},
    ),
    tally=extend_schema(
        summary="The tally by weight and by head, and quorum progress",
        responses={200: TallySerializer, **errors(*READ_ONE)},
    ),
    versions=extend_schema(
        summary="Every version of the text", responses={200: VersionSerializer(many=True), **errors(*READ_ONE)}
    ),
    my_positions=extend_schema(
        summary="My position history on this proposal",
        responses={200: MyPositionSerializer(many=True), **errors(*READ_ONE)},
    ),
    withdraw_objection=extend_schema(
        summary="Withdraw my standing objection; I am asked for my position again",
        request=None,
        responses={200: MyPositionSerializer, **errors(401, 403, 404, 409)},
    ),
    reopen=extend_schema(
        summary="Re-open a round that passed but could not be enacted (the author), after amending its changes",
        request=None,
        responses={200: ProposalSerializer, **errors(401, 403, 404, 409)},
    ),
)
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = ProposalSerializer
    input_serializers = {
        "create": ProposalCreateSerializer,
        "partial_update": ProposalWriteSerializer,
        "open": ProposalOpenSerializer,
        "amend": ProposalAmendSerializer,
        "outcome": OutcomeSerializer,
    }
    rules = {
        "retrieve": "proposals.view_proposal",
        "create": ("proposals.add_proposal", "circle"),
        "partial_update": "proposals.change_proposal",
        "open": "proposals.change_proposal",
        "amend": "proposals.change_proposal",
        "withdraw": "proposals.change_proposal",
        "outcome": "proposals.write_outcome",
        "positions": "proposals.view_proposal",
        "withdraw_objection": "proposals.add_position",
        "comments": "proposals.view_proposal",
        "changes": "proposals.view_proposal",
        "change": "proposals.change_proposal",
        "reopen": "proposals.change_proposal",
    }
    filterset_class = ProposalFilter
    ordering_fields = ["created_at", "closes_at", "closed_at", "title"]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator asks with an anonymous user
            return Proposal.objects.none()
        return (
            queries.proposal_list(queries.visible_proposals(user))
            .annotate(
                i_am_eligible=Exists(EligibleVoter.objects.filter(proposal=OuterRef("pk"), member__user=user)),
                i_responded=Exists(
                    Position.objects.filter(proposal=OuterRef("pk"), member__user=user, is_current=True)
                ),
            )
            .order_by("-created_at", "-id")
        )

    def _by(self, proposal):
        return member_for(self.request.user, proposal.organisation_id)

    def list(self, request, *args, **kwargs):
        """The shared part of a page of the list (the same for every member of the same organisations
        who has no draft of their own) comes from the response cache, under the organisations'
        versions; the caller's own fields are read from the database on every request, in one query.
        The answer carries an ETag; `If-None-Match` with it answers 304 while nothing changed."""
        members = active_members(request.user)
        organisation_versions = response_cache.versions(members) if members else None
        if organisation_versions is None or "waiting" in request.query_params:
            return super().list(request, *args, **kwargs)
        key = response_cache.key(
            "proposal-list",
            organisation_versions,
            request.build_absolute_uri(),
            sorted(request.query_params.lists()),
            get_language(),
        )
        shared = response_cache.get(key)
        if shared is None:
            response = super().list(request, *args, **kwargs)
            eligible = {row["id"] for row in response.data["results"] if row["i_am_eligible"]}
            responded = {row["id"] for row in response.data["results"] if row["i_responded"]}
            if not queries.own_flags(members.values(), [])[2]:
                response_cache.put(key, response.data)
            return self._conditional(response, key, eligible, responded)
        eligible, responded, has_drafts = queries.own_flags(members.values(), [row["id"] for row in shared["results"]])
        if has_drafts:
            return super().list(request, *args, **kwargs)
        results = [
            {**row, "i_am_eligible": row["id"] in eligible, "i_responded": row["id"] in responded}
            for row in shared["results"]
        ]
        return self._conditional(Response({**shared, "results": results}), key, eligible, responded)

    def _conditional(self, response, key: str, eligible: set[int], responded: set[int]):
        """The ETag of a list answer: its shared part's key (which names the versions it was made
        under) and the caller's own fields. A 304 while it matches the client's."""
        raw = f"{key}|{sorted(eligible)}|{sorted(responded)}".encode()
        etag = f'"{hashlib.blake2b(raw, digest_size=12).hexdigest()}"'
        if etag in [tag.strip() for tag in self.request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response["ETag"] = etag
        return response

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.service_kwargs(serializer.validated_data)
        circle = data.pop("circle")
        self.check_creation(Proposal(circle=circle, organisation_id=circle.organisation_id))
        changes = [(change["kind"], change["data"]) for change in data.pop("changes", [])]
        try:
            proposal = services.proposal_create_with_changes(
                circle=circle, author=member_for(request.user, circle.organisation_id), changes=changes, **data
            )
        except services.ChangeRefused as error:
            detail = gettext("Change %(number)s: %(reason)s") % {"number": error.index + 1, "reason": error.message}
            return Response({"detail": detail, "changes": _refusal_at(error, len(changes))}, status=400)
        return self.answer(proposal, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        proposal = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.proposal_update_draft(
            proposal=proposal, by=self._by(proposal), **serializer.service_kwargs(serializer.validated_data)
        )
        return self.answer(proposal)

    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        proposal = self.get_object()
        services.proposal_open(proposal=proposal, by=self._by(proposal), closes_at=self.read_input()["closes_at"])
        return self.answer(proposal)

    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        proposal = self.get_object()
        services.proposal_amend(proposal=proposal, by=self._by(proposal), **self.read_input())
        return self.answer(proposal)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        services.proposal_withdraw(proposal=proposal, by=self._by(proposal))
        return self.answer(proposal)

    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        proposal = self.get_object()
        services.outcome_write(proposal=proposal, by=self._by(proposal), **self.read_input())
        return self.answer(proposal)

    @action(detail=True, methods=["get"])
    def tally(self, request, pk=None):
        return Response(TallySerializer(queries.tally_view(self.get_object())).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        versions = queries.versions(self.get_object())
        return Response(VersionSerializer(versions, many=True, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["get"], url_path="my-positions", pagination_class=None)
    def my_positions(self, request, pk=None):
        proposal = self.get_object()
        history = queries.position_history(proposal, self._by(proposal))
        return Response(MyPositionSerializer(history, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="Current positions (anonymous: only mine; hidden results: who responded, not how, until the close)",
        responses={200: PositionSerializer(many=True), **errors(*READ_ONE)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record or change my position",
        description="409 once the round is closed or its deadline has passed; 403 if I am not eligible.",
        request=PositionInputSerializer,
        responses={201: MyPositionSerializer, **errors(*WRITE_STATEFUL)},
    )
    @action(detail=True, methods=["get", "post"])
    def positions(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "POST":
            data = PositionInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            grantor_id = values.pop("for_member")
            me = self._by(proposal)
            if grantor_id is None or grantor_id == me.pk:
                self._require("proposals.add_position", proposal)
                position = services.position_record(proposal=proposal, member=me, **values)
            else:
                grantor = Member.objects.filter(pk=grantor_id, organisation_id=proposal.organisation_id).first()
                if grantor is None:
                    raise ValidationError({"for_member": [gettext("No such member in this organisation.")]})
                position = services.position_record(proposal=proposal, member=grantor, by=me, **values)
            return Response(MyPositionSerializer(position).data, status=status.HTTP_201_CREATED)
        positions = queries.current_positions(proposal).select_related("proposal")
        if proposal.anonymous:
            positions = positions.filter(member__user=request.user)  # my own, and nobody else's
        page = self.paginate_queryset(positions)
        return self.get_paginated_response(
            PositionSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @action(detail=True, methods=["post"], url_path="withdraw-objection")
    def withdraw_objection(self, request, pk=None):
        proposal = self.get_object()
        position = services.objection_withdraw(proposal=proposal, member=self._by(proposal))
        return Response(MyPositionSerializer(position).data)

    @extend_schema(
        methods=["GET"], summary="The discussion", responses={200: CommentSerializer(many=True), **errors(*READ_ONE)}
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment, or ask a clarifying question",
        request=CommentSerializer,
        responses={201: CommentSerializer, **errors(*WRITE_STATEFUL)},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "POST":
            self._require("proposals.comment", proposal)
            data = CommentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = services.comment_add(proposal=proposal, author=self._by(proposal), **data.validated_data)
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(queries.comments(proposal))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="The changes it carries, in order, before → after",
        responses={200: ChangeSerializer(many=True), **errors(*READ_ONE)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a change (the author): to a draft, or to an open round as an amendment that restarts it",
        request=change_input_schema(many=False),
        responses={201: ChangeSerializer, **errors(*WRITE_STATEFUL)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def changes(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "POST":
            self._require("proposals.change_proposal", proposal)
            data = ChangeInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            change = services.change_add(proposal=proposal, by=self._by(proposal), **data.validated_data)
            return Response(ChangeSerializer(change).data, status=status.HTTP_201_CREATED)
        return Response(ChangeSerializer(proposal.changes.all(), many=True).data)

    @extend_schema(
        methods=["PUT"],
        summary="Replace a change's data (the author); its kind stays",
        request=ChangeDataSerializer,
        responses={200: ChangeSerializer, **errors(*WRITE_STATEFUL)},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a change (the author)",
        request=None,
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["put", "delete"], url_path=r"changes/(?P<change_id>\d+)")
    def change(self, request, pk=None, change_id=None):
        proposal = self.get_object()
        change = Change.objects.filter(proposal=proposal, pk=change_id).first()
        if change is None:
            raise NotFound(gettext("No such change on this proposal."))
        if request.method == "DELETE":
            services.change_remove(change=change, by=self._by(proposal))
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = ChangeDataSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = kind_data(change.kind, body.validated_data["data"])
        change = services.change_update(change=change, by=self._by(proposal), data=data)
        return Response(ChangeSerializer(change).data)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        proposal = self.get_object()
        services.proposal_reopen(proposal=proposal, by=self._by(proposal))
        return self.answer(proposal)

    def _require(self, rule: str, proposal) -> None:
        if not rules.test_rule(rule, self.request.user, proposal):
            raise PermissionDenied(gettext("You are not allowed to do that with this proposal."))


def _refusal_at(error, count: int) -> list[dict]:
    """A refused change's message where it belongs in `changes`: [{}, {"data": {"name": ["…"]}}, …]."""
    answer: list[dict] = [{} for _ in range(count)]
    if error.change_field in ("kind", None):
        answer[error.index] = {error.change_field or "non_field_errors": [error.message]}
    else:
        answer[error.index] = {"data": {error.change_field: [error.message]}}
    return answer


# Proxies -----------------------------------------------------------------------------------------


class ProxySerializer(serializers.ModelSerializer):
    grantor = MemberSummarySerializer(read_only=True)
    holder = MemberSummarySerializer(read_only=True)
    revoked_by = MemberSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Proxy
        fields = [
            "id",
            "organisation",
            "grantor",
            "holder",
            "proposal",
            "circle",
            "created_at",
            "revoked_at",
            "revoked_by",
            "end_reason",
        ]
        read_only_fields = fields


class ProxyCreateSerializer(serializers.Serializer):
    holder = member_reference(help_text=_("The member who will respond for me."))
    proposal = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("One open round (give this or `circle`).")
    )
    circle = circle_reference(
        required=False, allow_null=True, default=None, help_text=_("Every round of this circle, until revoked.")
    )


class ProxyFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label=_("Only active proxies"))

    class Meta:
        model = Proxy
        fields = ["organisation", "circle", "proposal"]


@extend_schema_view(
    list=extend_schema(
        summary="Proxies I gave or hold, active and ended",
        responses={200: ProxySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: ProxySerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Give a proxy, for one round or for a circle",
        request=ProxyCreateSerializer,
        responses={201: ProxySerializer, **errors(*WRITE_STATEFUL)},
    ),
    revoke=extend_schema(
        summary="End a proxy now (the grantor, or the holder handing it back)",
        request=None,
        responses={200: ProxySerializer, **errors(401, 403, 404, 409)},
    ),
)
class ProxyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GovernanceViewSet):
    serializer_class = ProxySerializer
    input_serializers = {"create": ProxyCreateSerializer}
    filterset_class = ProxyFilter
    ordering_fields = ["created_at", "revoked_at"]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Proxy.objects.none()
        return (
            Proxy.objects.filter(Q(grantor__user=user) | Q(holder__user=user))
            .select_related("grantor__user", "holder__user", "revoked_by__user")
            .order_by("-created_at", "-id")
        )

    def create(self, request):
        data = self.read_input()
        holder, circle, proposal_id = data["holder"], data["circle"], data["proposal"]
        grantor = member_for(request.user, holder.organisation_id)
        if grantor is None:
            raise ValidationError({"holder": [gettext("No such member in your organisations.")]})
        proposal = None
        if proposal_id is not None:
            proposal = queries.visible_proposals(request.user).filter(pk=proposal_id).first()
            if proposal is None:
                raise ValidationError({"proposal": [gettext("No such round.")]})
        proxy = proxy_services.proxy_give(grantor=grantor, holder=holder, proposal=proposal, circle=circle)
        return self.answer(proxy, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        proxy = self.get_object()
        proxy_services.proxy_revoke(proxy=proxy, by=member_for(request.user, proxy.organisation_id))
        return self.answer(proxy)
