"""Money over the REST API: the same queries, rules and services as the pages. Amounts are strings
of exact decimals ("120.50") with their ISO 4217 currency beside them; never floats."""

from __future__ import annotations

import rules
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance.api.base import GovernanceViewSet, ScopeField, VisibleRelatedField
from governance.api.schema import READ_ONE, WRITE_STATEFUL, errors
from governance.api.serializers import MemberSummarySerializer, circle_scope, member_reference, organisation_scope
from governance.dates import sane_date
from governance.queries import visible_organisation_ids
from governance.rules import member_for
from governance.text import MULTI_LINE, single_line

from . import queries, services
from .models import Allocation, Attachment, Bucket, Budget, Category, Commitment, Entry, Fund, Round, Spending


def money_out(source: str | None = None, **kwargs):
    if source:
        kwargs["source"] = source
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs)


def amount_input(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


# Serializers -----------------------------------------------------------------------------------


class FundSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(read_only=True, help_text=_("ISO 4217."))
    balance = money_out("balance.amount", help_text=_("What no budget has been given yet."))

    class Meta:
        model = Fund
        fields = ["id", "organisation", "name", "description", "currency", "balance", "created_at"]
        read_only_fields = fields


class FundCreateSerializer(serializers.Serializer):
    organisation = organisation_scope()
    name = serializers.CharField(max_length=120, validators=[single_line])
    currency = serializers.CharField(max_length=3, min_length=3, validators=[single_line], help_text=_("ISO 4217."))
    description = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)


class IncomeSerializer(serializers.Serializer):
    amount = amount_input()
    reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[single_line]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)


class EntrySerializer(serializers.ModelSerializer):
    amount = money_out("amount.amount")
    currency = serializers.CharField(source="amount.currency.code", read_only=True)
    created_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "organisation",
            "fund",
            "budget",
            "commitment",
            "kind",
            "moves",
            "amount",
            "currency",
            "fund_delta",
            "budget_delta",
            "commitment_delta",
            "reverses",
            "reason",
            "reference",
            "receipt",
            "proposal_id",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(style=MULTI_LINE)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "organisation", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"organisation": {"read_only": True}}


class CategoryCreateSerializer(serializers.Serializer):
    organisation = organisation_scope()
    name = serializers.CharField(max_length=80, validators=[single_line])


class BudgetSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(read_only=True)
    available = money_out("available.amount")
    approval_limit = serializers.SerializerMethodField()
    decided_above_limit_by = serializers.SerializerMethodField(
        help_text=_("The circle that decides spending above the approval limit (the parent circle).")
    )
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Budget
        fields = [
            "id",
            "organisation",
            "fund",
            "circle",
            "name",
            "period_start",
            "period_end",
            "currency",
            "available",
            "approval_limit",
            "decided_above_limit_by",
            "is_pot",
            "categories",
            "created_at",
        ]
        read_only_fields = fields

    def get_approval_limit(self, budget) -> str | None:
        return str(budget.approval_limit.amount) if budget.approval_limit is not None else None

    def get_decided_above_limit_by(self, budget) -> int | None:
        return budget.circle.parent_id if budget.approval_limit is not None else None


class SpendingSerializer(serializers.ModelSerializer):
    amount = money_out("amount.amount")
    currency = serializers.CharField(source="amount.currency.code", read_only=True)
    payee = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField(help_text=_("The state, with 'not_enacted' or 'rejected' once decided."))
    created_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Spending
        fields = [
            "id",
            "organisation",
            "budget",
            "kind",
            "title",
            "amount",
            "currency",
            "category",
            "payee_member",
            "payee_name",
            "payee",
            "purpose",
            "installments",
            "interval_months",
            "first_due",
            "deciding_circle",
            "escalated",
            "proposal",
            "state",
            "status",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_status(self, spending) -> str:
        return queries.spending_status(spending)[0]


def _budgets(user):
    return queries.budgets_visible_to(user)


def _categories(user):
    return queries.categories_visible_to(user)


class SpendingCreateSerializer(serializers.Serializer):
    budget = ScopeField(model=Budget, visible=_budgets)
    title = serializers.CharField(max_length=200, validators=[single_line])
    amount = amount_input()
    purpose = serializers.CharField(style=MULTI_LINE)
    category = VisibleRelatedField(model=Category, visible=_categories, required=False, allow_null=True, default=None)
    payee_member = member_reference(required=False, allow_null=True, default=None)
    payee_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[single_line]
    )
    installments = serializers.IntegerField(min_value=1, max_value=36, default=1)
    interval_months = serializers.IntegerField(min_value=1, max_value=12, default=1)
    first_due = serializers.DateField(required=False, allow_null=True, default=None, validators=[sane_date])


class ClaimCreateSerializer(serializers.Serializer):
    budget = ScopeField(model=Budget, visible=_budgets, help_text=_("A liquid pot."))
    title = serializers.CharField(max_length=200, validators=[single_line])
    amount = amount_input()
    purpose = serializers.CharField(style=MULTI_LINE, help_text=_("The task done."))
    category = VisibleRelatedField(model=Category, visible=_categories, required=False, allow_null=True, default=None)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "spending", "kind", "name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return f"/o/{attachment.organisation.slug}/money/attachments/{attachment.pk}/"


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.QUOTE)


class CommitmentSerializer(serializers.ModelSerializer):
    amount = money_out("amount.amount")
    outstanding = money_out("outstanding.amount")
    currency = serializers.CharField(source="amount.currency.code", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "organisation",
            "budget",
            "spending",
            "bucket",
            "amount",
            "outstanding",
            "currency",
            "state",
            "created_at",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.Serializer):
    amount = amount_input()
    reference = serializers.CharField(max_length=200, validators=[single_line])
    receipt = serializers.FileField(required=False, allow_null=True, default=None)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)


class RoundSerializer(serializers.ModelSerializer):
    pool = money_out("pool.amount")
    currency = serializers.CharField(source="pool.currency.code", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "organisation",
            "fund",
            "circle",
            "budget",
            "title",
            "description",
            "pool",
            "currency",
            "share_by",
            "closes_at",
            "state",
            "created_at",
            "finalised_at",
        ]
        read_only_fields = fields


def _funds(user):
    return queries.funds_visible_to(user)


class RoundCreateSerializer(serializers.Serializer):
    fund = ScopeField(model=Fund, visible=_funds)
    circle = circle_scope(help_text=_("Whose members take part (the general circle: everyone)."))
    title = serializers.CharField(max_length=200, validators=[single_line])
    description = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)
    pool = amount_input()
    share_by = serializers.ChoiceField(choices=Round.ShareBy.choices, default=Round.ShareBy.EQUAL)
    closes_at = serializers.DateTimeField(validators=[sane_date])


class BucketSerializer(serializers.ModelSerializer):
    min_goal = money_out()
    max_goal = money_out()
    total = money_out()

    class Meta:
        model = Bucket
        fields = ["id", "round", "title", "description", "min_goal", "max_goal", "total", "state", "created_at"]
        read_only_fields = fields


def _rounds(user):
    return queries.rounds_visible_to(user)


class BucketCreateSerializer(serializers.Serializer):
    round = ScopeField(model=Round, visible=_rounds)
    title = serializers.CharField(max_length=200, validators=[single_line])
    description = serializers.CharField(required=False, allow_blank=True, default="", style=MULTI_LINE)
    min_goal = amount_input()
    max_goal = amount_input()


class AllocationInputSerializer(serializers.Serializer):
    amount = amount_input(help_text=_("What of my share goes to this bucket (replaces what I gave it before)."))


class AllocationSerializer(serializers.ModelSerializer):
    amount = money_out()

    class Meta:
        model = Allocation
        fields = ["id", "bucket", "amount", "updated_at"]
        read_only_fields = fields


class ReportRowSerializer(serializers.Serializer):
    label = serializers.CharField(validators=[single_line])
    currency = serializers.CharField(validators=[single_line])
    budgeted = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    returned = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    count = serializers.IntegerField()
    period = serializers.CharField(allow_null=True, validators=[single_line])


# Views -----------------------------------------------------------------------------------------


class MoneyViewSet(GovernanceViewSet):
    def by(self, obj) -> object:
        organisation_id = obj.organisation_id if not isinstance(obj, Bucket) else obj.round.organisation_id
        return member_for(self.request.user, organisation_id)

    def require(self, rule: str, obj) -> None:
        if not rules.test_rule(rule, self.request.user, obj):
            raise PermissionDenied(gettext("You are not allowed to do that."))


@extend_schema_view(
    list=extend_schema(
        summary="Funds of my organisations", responses={200: FundSerializer(many=True), **errors(400, 401)}
    ),
    retrieve=extend_schema(responses={200: FundSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Open a fund (an admin or a treasurer)",
        request=FundCreateSerializer,
        responses={201: FundSerializer, **errors(*WRITE_STATEFUL)},
    ),
    income=extend_schema(
        summary="Record income into the fund",
        request=IncomeSerializer,
        responses={201: EntrySerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class FundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    serializer_class = FundSerializer
    input_serializers = {"create": FundCreateSerializer, "income": IncomeSerializer}
    rules = {"retrieve": "money.view_fund", "income": "money.manage_fund"}
    filterset_fields = ["organisation"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Fund.objects.none()
        return queries.funds_visible_to(self.request.user).order_by("organisation_id", "name")

    def create(self, request):
        data = self.read_input()
        organisation = data.pop("organisation")
        self.require("money.add_fund", organisation)
        fund = services.fund_create(organisation=organisation, by=member_for(request.user, organisation.pk), **data)
        return self.answer(fund, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def income(self, request, pk=None):
        fund = self.get_object()
        entry = services.income_record(fund=fund, by=self.by(fund), **self.read_input())
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Ledger entries of my organisations, oldest first",
        responses={200: EntrySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: EntrySerializer, **errors(*READ_ONE)}),
    reverse=extend_schema(
        summary="Reverse an entry with a new one, with a reason (an admin or a treasurer)",
        request=ReverseSerializer,
        responses={201: EntrySerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    serializer_class = EntrySerializer
    input_serializers = {"reverse": ReverseSerializer}
    rules = {"reverse": ("money.manage_fund", "fund")}
    filterset_fields = ["organisation", "fund", "budget", "commitment", "kind"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Entry.objects.none()
        return queries.entries_visible_to(self.request.user).order_by("created_at", "id")

    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        entry = self.get_object()
        reversal = services.entry_reverse(entry=entry, by=self.by(entry), **self.read_input())
        return Response(EntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Circle budgets of my organisations", responses={200: BudgetSerializer(many=True), **errors(400, 401)}
    ),
    retrieve=extend_schema(responses={200: BudgetSerializer, **errors(*READ_ONE)}),
)
class BudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    """Budgets are made by decisions: a proposal carrying the change `budget.allocate`."""

    serializer_class = BudgetSerializer
    rules = {"retrieve": "money.view_budget"}
    filterset_fields = ["organisation", "fund", "circle", "is_pot"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Budget.objects.none()
        return queries.budgets_visible_to(self.request.user).order_by("-period_start", "name", "id")


@extend_schema_view(
    list=extend_schema(
        summary="Spending categories", responses={200: CategorySerializer(many=True), **errors(400, 401)}
    ),
    retrieve=extend_schema(responses={200: CategorySerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Add a category (an admin or a treasurer)",
        request=CategoryCreateSerializer,
        responses={201: CategorySerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class CategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    serializer_class = CategorySerializer
    input_serializers = {"create": CategoryCreateSerializer}
    filterset_fields = ["organisation"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Category.objects.none()
        return queries.categories_visible_to(self.request.user).order_by("organisation_id", "name")

    def create(self, request):
        data = self.read_input()
        self.require("money.add_fund", data["organisation"])
        category = services.category_create(
            organisation=data["organisation"], name=data["name"], by=member_for(request.user, data["organisation"].pk)
        )
        return self.answer(category, status_code=status.HTTP_201_CREATED)


class _SpendingBase(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    kind = Spending.Kind.SPENDING
    serializer_class = SpendingSerializer
    rules = {
        "retrieve": "money.view_spending",
        "propose": "money.change_spending",
        "attachments": "money.view_spending",
    }
    filterset_fields = ["organisation", "budget", "category", "state", "deciding_circle"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Spending.objects.none()
        return queries.spendings_visible_to(self.request.user).filter(kind=self.kind).order_by("-created_at", "-id")

    def create(self, request):
        data = self.read_input()
        budget = data.pop("budget")
        self.require("money.add_spending", budget)
        spending = services.spending_create(
            budget=budget, by=member_for(request.user, budget.organisation_id), kind=self.kind, **data
        )
        return self.answer(spending, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        spending = self.get_object()
        services.spending_propose(spending=spending, by=self.by(spending))
        return self.answer(spending)

    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attachments(self, request, pk=None):
        spending = self.get_object()
        if request.method == "POST":
            data = AttachmentUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            attachment = services.attachment_add(spending=spending, by=self.by(spending), **data.validated_data)
            return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        rows = spending.attachments.select_related("organisation")
        return Response(AttachmentSerializer(rows, many=True).data)


_SPENDING_ACTIONS = {
    "retrieve": extend_schema(responses={200: SpendingSerializer, **errors(*READ_ONE)}),
    "propose": extend_schema(
        summary="Put the draft to its deciding circle (the author): a consent proposal carrying spending.commit",
        request=None,
        responses={200: SpendingSerializer, **errors(401, 403, 404, 409)},
    ),
    "attachments": extend_schema(
        methods=["GET", "POST"],
        summary="Quotes and receipts (POST multipart: file, kind)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={200: AttachmentSerializer(many=True), 201: AttachmentSerializer, **errors(*WRITE_STATEFUL)},
    ),
}


@extend_schema_view(
    list=extend_schema(
        summary="Spending proposals of my organisations",
        responses={200: SpendingSerializer(many=True), **errors(400, 401)},
    ),
    create=extend_schema(
        summary="Draft a spending proposal from a budget of a circle I am on",
        description="Above the budget's approval limit it is decided by the parent circle (deciding_circle says so).",
        request=SpendingCreateSerializer,
        responses={201: SpendingSerializer, **errors(*WRITE_STATEFUL)},
    ),
    **_SPENDING_ACTIONS,
)
class SpendingViewSet(_SpendingBase):
    kind = Spending.Kind.SPENDING
    input_serializers = {"create": SpendingCreateSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="Claims from liquid pots", responses={200: SpendingSerializer(many=True), **errors(400, 401)}
    ),
    create=extend_schema(
        summary="Claim an agreed amount from a pot for a task I did",
        request=ClaimCreateSerializer,
        responses={201: SpendingSerializer, **errors(*WRITE_STATEFUL)},
    ),
    **_SPENDING_ACTIONS,
)
class ClaimViewSet(_SpendingBase):
    kind = Spending.Kind.CLAIM
    input_serializers = {"create": ClaimCreateSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="Commitments (what decisions set aside, until paid or returned)",
        responses={200: CommitmentSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(responses={200: CommitmentSerializer, **errors(*READ_ONE)}),
    pay=extend_schema(
        summary="Record a payment with its reference (the treasurer; multipart for a receipt)",
        request={"application/json": PaymentSerializer, "multipart/form-data": PaymentSerializer},
        responses={201: EntrySerializer, **errors(*WRITE_STATEFUL)},
    ),
    give_back=extend_schema(
        summary="Return what is not paid to the budget (the treasurer)",
        request=ReturnSerializer,
        responses={201: EntrySerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class CommitmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    serializer_class = CommitmentSerializer
    input_serializers = {"pay": PaymentSerializer, "give_back": ReturnSerializer}
    rules = {"retrieve": "money.view_budget", "pay": "money.record_payment", "give_back": "money.record_payment"}
    filterset_fields = ["organisation", "budget", "state"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Commitment.objects.none()
        return queries.commitments_visible_to(self.request.user).order_by("-created_at", "-id")

    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        commitment = self.get_object()
        entry = services.payment_record(commitment=commitment, by=self.by(commitment), **self.read_input())
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="return")
    def give_back(self, request, pk=None):
        commitment = self.get_object()
        entry = services.commitment_return(commitment=commitment, by=self.by(commitment), **self.read_input())
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Participatory rounds", responses={200: RoundSerializer(many=True), **errors(400, 401)}),
    retrieve=extend_schema(responses={200: RoundSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Open a round: the pool moves from the fund, each member gets a share (an admin or a treasurer)",
        request=RoundCreateSerializer,
        responses={201: RoundSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    serializer_class = RoundSerializer
    input_serializers = {"create": RoundCreateSerializer}
    rules = {"retrieve": "money.view_round"}
    filterset_fields = ["organisation", "fund", "circle", "state"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Round.objects.none()
        return queries.rounds_visible_to(self.request.user).order_by("-created_at", "-id")

    def create(self, request):
        data = self.read_input()
        fund = data["fund"]
        self.require("money.add_round", fund.organisation)
        round_ = services.round_open(by=member_for(request.user, fund.organisation_id), **data)
        return self.answer(round_, status_code=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Buckets of participatory rounds", responses={200: BucketSerializer(many=True), **errors(400, 401)}
    ),
    retrieve=extend_schema(responses={200: BucketSerializer, **errors(*READ_ONE)}),
    create=extend_schema(
        summary="Propose a bucket in an open round of a circle I am on",
        request=BucketCreateSerializer,
        responses={201: BucketSerializer, **errors(*WRITE_STATEFUL)},
    ),
    allocate=extend_schema(
        summary="Put part of my share in this bucket until the round closes (409 after its deadline)",
        request=AllocationInputSerializer,
        responses={200: AllocationSerializer, **errors(*WRITE_STATEFUL)},
    ),
)
class BucketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MoneyViewSet):
    serializer_class = BucketSerializer
    input_serializers = {"create": BucketCreateSerializer, "allocate": AllocationInputSerializer}
    rules = {"allocate": ("money.allocate", "round")}
    filterset_fields = ["round", "state"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Bucket.objects.none()
        return queries.buckets_visible_to(self.request.user).order_by("round_id", "created_at", "id")

    def create(self, request):
        data = self.read_input()
        round_ = data["round"]
        self.require("money.add_bucket", round_)
        bucket = services.bucket_create(by=member_for(request.user, round_.organisation_id), **data)
        return self.answer(bucket, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        bucket = self.get_object()
        allocation = services.allocation_set(bucket=bucket, member=self.by(bucket), **self.read_input())
        return Response(AllocationSerializer(allocation).data)


@extend_schema_view(
    list=extend_schema(summary="My allocations", responses={200: AllocationSerializer(many=True), **errors(400, 401)})
)
class AllocationViewSet(mixins.ListModelMixin, MoneyViewSet):
    serializer_class = AllocationSerializer
    filterset_fields = ["bucket"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Allocation.objects.none()
        return queries.allocations_of(self.request.user).order_by("bucket_id")


ORG = OpenApiParameter("organisation", int, required=True, description="The organisation's id.")
PERIOD = OpenApiParameter("period", str, enum=list(queries.PERIODS), description="Categories: the period (quarter).")


def _row(row) -> dict:
    period = row.period
    if isinstance(period, tuple):
        period = f"{period[0].isoformat()}/{period[1].isoformat()}"
    elif period is not None:
        period = period.isoformat()
    return {
        "label": row.label,
        "currency": row.currency,
        "budgeted": row.budgeted,
        "committed": row.committed,
        "paid": row.paid,
        "returned": row.returned,
        "remaining": row.remaining,
        "count": row.count,
        "period": period,
    }


class ReportViewSet(MoneyViewSet):
    """Reports of one organisation: per fund, per circle budget, per category and period."""

    serializer_class = ReportRowSerializer
    pagination_class = None
    queryset = Entry.objects.none()  # each report reads its own aggregates (queries.report_*)

    def _organisation(self):
        try:
            organisation_id = int(self.request.query_params.get("organisation", ""))
        except ValueError:
            raise serializers.ValidationError({"organisation": [gettext("Give the organisation's id.")]}) from None
        if organisation_id not in visible_organisation_ids(self.request.user):
            raise Http404(gettext("No such organisation."))
        return member_for(self.request.user, organisation_id).organisation

    def _answer(self, rows):
        return Response(ReportRowSerializer([_row(r) for r in rows], many=True).data)

    @extend_schema(
        summary="Per fund", parameters=[ORG], responses={200: ReportRowSerializer(many=True), **errors(400, 401, 404)}
    )
    @action(detail=False, methods=["get"])
    def funds(self, request):
        return self._answer(queries.report_funds(self._organisation()))

    @extend_schema(
        summary="Per circle budget",
        parameters=[ORG],
        responses={200: ReportRowSerializer(many=True), **errors(400, 401, 404)},
    )
    @action(detail=False, methods=["get"])
    def budgets(self, request):
        return self._answer(queries.report_budgets(self._organisation()))

    @extend_schema(
        summary="Per category and period: count, total committed, total paid",
        parameters=[ORG, PERIOD],
        responses={200: ReportRowSerializer(many=True), **errors(400, 401, 404)},
    )
    @action(detail=False, methods=["get"])
    def categories(self, request):
        period = request.query_params.get("period", "quarter")
        return self._answer(queries.report_categories(self._organisation(), period=period))
