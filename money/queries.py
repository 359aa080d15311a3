"""Reads for money's pages, API and reports, with the joins and aggregates that keep the number of
queries flat however many entries there are, and the fetch-and-check helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Member, Organisation
from governance.prepared import prepared
from governance.queries import object_for, visible_organisation_ids
from roles.models import Role, RoleAssignment

from .models import Allocation, Attachment, Bucket, Budget, Category, Commitment, Entry, Fund, Round, Share, Spending

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
PERIODS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
PERIOD_LABELS = {"month": _("month"), "quarter": _("quarter"), "year": _("year")}


CENT = Decimal("0.01")


def _d(value) -> Decimal:
    """An aggregate as an exact amount of cents (SQLite hands back what it summed without places)."""
    return Decimal(value or 0).quantize(CENT)


def _sum(column: str, *kinds: str, negate: bool = False):
    total = Cast(Coalesce(Sum(column, filter=Q(moves__in=kinds)), ZERO), DecimalField(max_digits=14, decimal_places=2))
    return -total if negate else total


# Visible sets (API and lists) ------------------------------------------------------------------


def funds_visible_to(user):
    return Fund.objects.filter(organisation_id__in=visible_organisation_ids(user)).select_related("organisation")


def budgets_visible_to(user):
    return (
        Budget.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .select_related("fund", "circle__parent", "organisation")
        .prefetch_related("categories")
    )


def categories_visible_to(user):
    return Category.objects.filter(organisation_id__in=visible_organisation_ids(user))


def entries_visible_to(user):
    return Entry.objects.filter(organisation_id__in=visible_organisation_ids(user)).select_related(
        "fund", "budget", "commitment", "created_by__user"
    )


def spendings_visible_to(user):
    """Spending of the user's organisations: every proposed one, and the drafts they wrote."""
    member_ids = Member.objects.filter(user=user).values("pk")
    return (
        Spending.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .filter(~Q(state=Spending.State.DRAFT) | Q(created_by_id__in=member_ids))
        .select_related(
            "budget__fund",
            "budget__circle__parent",
            "category",
            "payee_member__user",
            "deciding_circle",
            "proposal",
            "created_by__user",
            "organisation",
        )
    )


def commitments_visible_to(user):
    return Commitment.objects.filter(organisation_id__in=visible_organisation_ids(user)).select_related(
        "budget__fund", "budget__circle", "spending", "bucket", "organisation"
    )


def rounds_visible_to(user):
    return Round.objects.filter(organisation_id__in=visible_organisation_ids(user)).select_related(
        "fund", "circle", "budget", "organisation"
    )


def buckets_visible_to(user):
    return Bucket.objects.filter(round__organisation_id__in=visible_organisation_ids(user)).select_related(
        "round__organisation", "round__fund", "created_by__user"
    )


def allocations_of(user):
    """The caller's own allocations (what others gave is theirs: a bucket shows only its total)."""
    return Allocation.objects.filter(
        member__user=user, bucket__round__organisation_id__in=visible_organisation_ids(user)
    ).select_related("bucket__round")


# Fetch and check -------------------------------------------------------------------------------


def get_fund_for(user, pk, *, org=None, action=None) -> Fund:
    return object_for(
        user,
        Fund.objects.select_related("organisation"),
        pk,
        view="money.view_fund",
        action=action,
        organisation_slug=org,
        what=_("fund"),
    )


def get_budget_for(user, pk, *, org=None, action=None) -> Budget:
    return object_for(
        user,
        Budget.objects.select_related("fund", "circle__parent", "organisation"),
        pk,
        view="money.view_budget",
        action=action,
        organisation_slug=org,
        what=_("budget"),
    )


def get_spending_for(user, pk, *, org=None, action=None) -> Spending:
    queryset = Spending.objects.select_related(
        "budget__fund",
        "budget__circle__parent",
        "category",
        "payee_member__user",
        "deciding_circle",
        "proposal",
        "created_by__user",
        "organisation",
    )
    return object_for(
        user,
        queryset,
        pk,
        view="money.view_spending",
        action=action,
        organisation_slug=org,
        what=_("spending proposal"),
    )


def get_commitment_for(user, pk, *, org=None, action=None) -> Commitment:
    queryset = Commitment.objects.select_related(
        "budget__fund", "budget__circle", "spending__payee_member__user", "bucket", "organisation"
    )
    return object_for(
        user, queryset, pk, view="money.view_budget", action=action, organisation_slug=org, what=_("commitment")
    )


def get_attachment_for(user, pk, *, org=None) -> Attachment:
    queryset = Attachment.objects.select_related("spending__budget__circle", "organisation")
    return object_for(user, queryset, pk, view="money.view_attachment", organisation_slug=org, what=_("attachment"))


def get_round_for(user, pk, *, org=None, action=None) -> Round:
    return object_for(
        user,
        Round.objects.select_related("fund", "circle", "budget", "organisation"),
        pk,
        view="money.view_round",
        action=action,
        organisation_slug=org,
        what=_("round"),
    )


def get_bucket_for(user, pk, *, org=None, action=None) -> Bucket:
    bucket = Bucket.objects.select_related("round__organisation", "round__fund", "round__circle").filter(pk=pk).first()
    round_ = get_round_for(user, bucket.round_id if bucket else 0, org=org)
    if action is not None:
        object_for(user, Round.objects.all(), round_.pk, view="money.view_round", action=action, what=_("round"))
    return bucket


# Pages -----------------------------------------------------------------------------------------


def spending_status(spending: Spending) -> tuple[str, str]:
    """(key, label) of where a spending is, with what its proposal's outcome says once closed."""
    proposal = spending.proposal
    if spending.state == Spending.State.PROPOSED and proposal is not None and proposal.state == "closed":
        if proposal.outcome == "passed":
            reason = proposal.enactment_error
            label = str(Spending.State.NOT_ENACTED.label)
            return Spending.State.NOT_ENACTED, f"{label}: {reason}" if reason else label
        return Spending.State.REJECTED, str(Spending.State.REJECTED.label)
    if spending.state == Spending.State.PROPOSED and proposal is not None and proposal.state == "withdrawn":
        return Spending.State.REJECTED, str(Spending.State.REJECTED.label)
    return spending.state, spending.get_state_display()


def organisation_spendings(organisation: Organisation, user, *, kind: str | None = None):
    qs = spendings_visible_to(user).filter(organisation=organisation)
    return qs.filter(kind=kind) if kind else qs


def fund_entries(fund: Fund, *, limit: int = 200):
    return (
        Entry.objects.filter(fund=fund)
        .select_related("budget__circle", "commitment", "created_by__user", "reverses")
        .order_by("-created_at", "-id")[:limit]
    )


@prepared
def _treasurer_seats(member_id: int, now: datetime):
    return (
        RoleAssignment.objects.current(now)
        .filter(member_id=member_id, role__kind=Role.Kind.TREASURER, role__archived_at__isnull=True)
        .values_list("role__circle_id", "role__circle__is_general")
    )


def commitments_to_pay_for(member: Member):
    """Open commitments the member records payments for, as treasurer: every open commitment of the
    organisation for the general circle's treasurer, else those of the circles they are treasurer of.
    The member's treasurer seats are read first, in a query of their own over their few current
    assignments; for a member who holds none (most members) no commitment is looked at and no
    second query runs. (In one statement, the planner expected thousands of commitments and started
    parallel workers even for a member who treasures nothing, which cost more than the rest of the
    inbox together.)"""
    seats = _treasurer_seats(member_id=member.pk, now=timezone.now())
    if not seats:
        return Commitment.objects.none()
    found = Commitment.objects.filter(organisation_id=member.organisation_id, state=Commitment.State.OPEN)
    if not any(is_general for _circle, is_general in seats):
        found = found.filter(budget__circle_id__in={circle for circle, _general in seats})
    return found.select_related("budget__circle", "spending", "bucket").order_by("created_at", "id")


def round_for_page(round_: Round, member: Member | None):
    buckets = list(Bucket.objects.filter(round=round_).select_related("created_by__user").order_by("created_at", "id"))
    share = Share.objects.filter(round=round_, member=member).first() if member else None
    mine = {}
    if member:
        mine = dict(Allocation.objects.filter(bucket__round=round_, member=member).values_list("bucket_id", "amount"))
    for bucket in buckets:
        bucket.mine = mine.get(bucket.pk, Decimal(0))
        bucket.percent = min(100, int(bucket.total * 100 / bucket.max_goal)) if bucket.max_goal else 0
    return buckets, share


# Reports ---------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    budgeted: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    returned: Decimal = Decimal(0)
    count: int = 0
    period: object = None
    currency: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        """What is left to commit (budgeted, less what is committed and not returned)."""
        return self.budgeted - self.committed + self.returned

    @property
    def outstanding(self) -> Decimal:
        return self.committed - self.paid - self.returned


def _totals(entries):
    return entries.annotate(
        budgeted=_sum("budget_delta", Entry.Kind.ALLOCATION, Entry.Kind.RELEASE),
        committed=_sum("commitment_delta", Entry.Kind.COMMITMENT),
        paid=_sum("commitment_delta", Entry.Kind.PAYMENT, negate=True),
        returned=_sum("commitment_delta", Entry.Kind.RETURN, negate=True),
    )


def report_funds(organisation: Organisation) -> list[ReportRow]:
    """Per fund: income, given to budgets, committed, paid, and the fund's own balance. Two queries."""
    funds = list(Fund.objects.filter(organisation=organisation).order_by("name"))
    rows = {
        r["fund_id"]: r
        for r in _totals(Entry.objects.filter(organisation=organisation).values("fund_id")).annotate(
            income=_sum("fund_delta", Entry.Kind.INCOME)
        )
    }
    out = []
    for fund in funds:
        r = rows.get(fund.pk, {})
        out.append(
            ReportRow(
                label=fund.name,
                budgeted=_d(r.get("budgeted")),
                committed=_d(r.get("committed")),
                paid=_d(r.get("paid")),
                returned=_d(r.get("returned")),
                currency=fund.currency,
                extra={"income": _d(r.get("income")), "balance": fund.balance.amount, "pk": fund.pk},
            )
        )
    return out


def report_budgets(organisation: Organisation, *, fund: Fund | None = None) -> list[ReportRow]:
    """Per circle budget: budgeted, committed, paid, remaining. Two queries."""
    budgets = Budget.objects.filter(organisation=organisation).select_related("circle", "fund")
    if fund is not None:
        budgets = budgets.filter(fund=fund)
    budgets = list(budgets.order_by("-period_start", "circle__name", "name"))
    entries = Entry.objects.filter(organisation=organisation, budget__isnull=False)
    rows = {r["budget_id"]: r for r in _totals(entries.values("budget_id"))}
    out = []
    for budget in budgets:
        r = rows.get(budget.pk, {})
        out.append(
            ReportRow(
                label=f"{budget.circle.name}: {budget.name}",
                budgeted=_d(r.get("budgeted")),
                committed=_d(r.get("committed")),
                paid=_d(r.get("paid")),
                returned=_d(r.get("returned")),
                period=(budget.period_start, budget.period_end),
                currency=budget.currency,
                extra={"pk": budget.pk, "available": budget.available.amount},
            )
        )
    return out


def report_categories(organisation: Organisation, *, period: str = "quarter") -> list[ReportRow]:
    """Per category and period (of the entry): how many spending proposals were committed, the total
    committed and the total paid (net of reversals and returns). One query, whatever the number of
    entries: what `spending_proposal_categories.csv` holds."""
    trunc = PERIODS.get(period, TruncQuarter)
    entries = Entry.objects.filter(organisation=organisation, commitment__spending__isnull=False)
    rows = (
        entries.annotate(period=trunc("created_at"), category=F("commitment__spending__category__name"))
        .values("period", "category", "amount_currency")
        .annotate(
            count=Count("pk", filter=Q(kind=Entry.Kind.COMMITMENT))
            - Count("pk", filter=Q(kind=Entry.Kind.REVERSAL, moves=Entry.Kind.COMMITMENT)),
            committed=_sum("commitment_delta", Entry.Kind.COMMITMENT),
            paid=_sum("commitment_delta", Entry.Kind.PAYMENT, negate=True),
            returned=_sum("commitment_delta", Entry.Kind.RETURN, negate=True),
        )
        .order_by("period", "category", "amount_currency")
    )
    return [
        ReportRow(
            label=r["category"] or "",
            period=r["period"].date() if hasattr(r["period"], "date") else r["period"],
            count=r["count"],
            committed=_d(r["committed"]),
            paid=_d(r["paid"]),
            returned=_d(r["returned"]),
            currency=r["amount_currency"],
        )
        for r in rows
    ]


def budgets_for_page(organisation: Organisation):
    return (
        Budget.objects.filter(organisation=organisation)
        .select_related("circle__parent", "fund")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("name")))
        .order_by("-period_start", "circle__name", "name")
    )


def spent_by_category(organisation: Organisation, circle, since, until) -> list[dict]:
    """What was paid in a period, by category (net of reversals), for the organisation or one
    circle's budgets: the record's health dashboard and term summaries show it (record.hooks
    .money_spent). One query."""
    entries = Entry.objects.filter(
        organisation=organisation, commitment__spending__isnull=False, created_at__gte=since, created_at__lt=until
    )
    if circle is not None:
        entries = entries.filter(commitment__spending__budget__circle=circle)
    rows = (
        entries.annotate(category=F("commitment__spending__category__name"))
        .values("category", "amount_currency")
        .annotate(paid=_sum("commitment_delta", Entry.Kind.PAYMENT, negate=True))
        .order_by("category", "amount_currency")
    )
    return [
        {"category": r["category"] or "", "amount": str(_d(r["paid"])), "currency": r["amount_currency"]}
        for r in rows
        if _d(r["paid"])
    ]
