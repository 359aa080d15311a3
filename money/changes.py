"""The changes a proposal carries that move money (governance/changes.py is the contract):

- `budget.allocate`: the parent circle gives a circle's budget for a period an amount from a fund;
- `spending.commit`: the deciding circle commits a spending proposal's (or a claim's) amount from
  its budget. When the round closes and the budget cannot fund it, it is "passed, not enacted: the
  budget has X left"; 50 proposals closing at once against a budget that funds 10 give 10
  commitments (the budget's row lock orders them).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from circles.models import Circle
from governance.changes import ChangeContext, ChangeDescription, ChangeForm, ChangeInvalid, ChangeKind, ChangeRow
from governance.dates import sane_date
from governance.errors import DomainError
from governance.text import single_line

from . import services
from .models import Budget, Fund, Spending


def _get(model, ctx: ChangeContext, pk, *, field: str, what: str):
    try:
        return model.objects.get(pk=int(pk), organisation=ctx.organisation)
    except (model.DoesNotExist, TypeError, ValueError):
        raise ChangeInvalid(gettext("No such %(what)s.") % {"what": what}, field=field) from None


def _date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ChangeInvalid(gettext("Give a date such as 2027-01-01."), field=field) from None


def _invalid(error: DomainError) -> ChangeInvalid:
    return ChangeInvalid(error.message, field=error.field)


# budget.allocate -------------------------------------------------------------------------------


class KindForm(ChangeForm, forms.Form):
    """A kind's drafting form, built with the ChangeContext of the proposal being drafted."""


class BudgetAllocateForm(KindForm):
    fund = forms.TypedChoiceField(label=_("Fund"), coerce=int)
    circle = forms.TypedChoiceField(label=_("Circle"), coerce=int)
    name = forms.CharField(label=_("Budget name"), max_length=120, validators=[single_line])
    period_start = forms.DateField(label=_("Period start"), validators=[sane_date])
    period_end = forms.DateField(label=_("Period end"), validators=[sane_date])
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0)
    approval_limit = forms.DecimalField(
        label=_("Approval limit"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    is_pot = forms.BooleanField(label=_("A liquid pot members claim from"), required=False)
    categories = forms.CharField(label=_("Categories (comma-separated)"), required=False, validators=[single_line])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.context is not None:
            organisation = self.context.organisation
            self.fields["fund"].choices = [(f.pk, f"{f.name} ({f.currency})") for f in organisation.funds.all()]
            circles = Circle.objects.filter(organisation=organisation, archived_at__isnull=True).order_by("name")
            if self.context.circle is not None and not self.context.circle.is_general:
                circles = circles.filter(parent=self.context.circle)
            self.fields["circle"].choices = [(c.pk, c.name) for c in circles]

    def clean(self):
        data = super().clean()
        for key in ("period_start", "period_end"):
            if data.get(key):
                data[key] = data[key].isoformat()
        for key in ("amount", "approval_limit"):
            if data.get(key) is not None:
                data[key] = str(data[key])
        return data


class BudgetAllocateSerializer(serializers.Serializer):
    fund = serializers.IntegerField()
    circle = serializers.IntegerField()
    name = serializers.CharField(max_length=120, validators=[single_line])
    period_start = serializers.DateField(validators=[sane_date])
    period_end = serializers.DateField(validators=[sane_date])
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    approval_limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    is_pot = serializers.BooleanField(default=False)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=80, validators=[single_line]), required=False
    )


class BudgetAllocate(ChangeKind):
    key = "budget.allocate"
    label = _("Allocate a budget")
    group = _("Money")
    form_class = BudgetAllocateForm
    serializer_class = BudgetAllocateSerializer

    def clean(self, ctx: ChangeContext, data: dict) -> dict:
        fund = _get(Fund, ctx, data.get("fund"), field="fund", what=gettext("fund"))
        circle = _get(Circle, ctx, data.get("circle"), field="circle", what=gettext("circle"))
        if circle.is_archived:
            raise ChangeInvalid(gettext("That circle is archived."), field="circle")
        # A budget is the parent circle's to give (the general circle gives its own).
        deciding = ctx.circle
        if not (circle.parent_id == deciding.pk or (circle.pk == deciding.pk and deciding.is_general)):
            raise ChangeInvalid(
                gettext("A circle's budget is given by its parent circle (%(parent)s).")
                % {"parent": circle.parent or circle},
                field="circle",
            )
        try:
            amount = services.amount_clean(data.get("amount"))
            limit = data.get("approval_limit")
            limit = services.amount_clean(limit, field="approval_limit") if limit not in (None, "") else None
            name = services.single_line_clean(data.get("name"), field="name", max_length=120)
        except DomainError as error:
            raise _invalid(error) from None
        start, end = _date(data.get("period_start"), "period_start"), _date(data.get("period_end"), "period_end")
        if end < start:
            raise ChangeInvalid(gettext("The period ends before it starts."), field="period_end")
        categories = data.get("categories") or []
        if isinstance(categories, str):
            categories = [c for c in (part.strip() for part in categories.split(",")) if c]
        return {
            "fund": fund.pk,
            "circle": circle.pk,
            "name": name,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "amount": str(amount),
            "approval_limit": str(limit) if limit is not None else None,
            "is_pot": bool(data.get("is_pot")),
            "categories": [str(c).strip()[:80] for c in categories],
        }

    def circles(self, ctx: ChangeContext, data: dict) -> list:
        return [Circle.objects.get(pk=data["circle"])]

    def describe(self, ctx: ChangeContext, data: dict) -> ChangeDescription:
        fund = Fund.objects.get(pk=data["fund"])
        circle = Circle.objects.get(pk=data["circle"])
        budget = services.budget_lookup(
            fund=fund, circle=circle, name=data["name"], period_start=_date(data["period_start"], "period_start")
        )
        before = budget.available if budget else None
        amount = services.Money(data["amount"], fund.currency)
        return ChangeDescription(
            summary=gettext("Give %(circle)s’s budget “%(name)s” %(amount)s from %(fund)s")
            % {"circle": circle, "name": data["name"], "amount": amount, "fund": fund},
            rows=[
                ChangeRow(gettext("Period"), None, f"{data['period_start']} – {data['period_end']}"),
                ChangeRow(gettext("Available"), before, (before + amount) if before is not None else amount),
                ChangeRow(gettext("Approval limit"), budget.approval_limit if budget else None, data["approval_limit"]),
                ChangeRow(gettext("Fund balance"), fund.balance, fund.balance - amount),
            ],
        )

    def apply(self, ctx: ChangeContext, data: dict) -> list:
        fund = Fund.objects.get(pk=data["fund"])
        circle = Circle.objects.get(pk=data["circle"])
        try:
            categories = [
                services.category_create(organisation=ctx.organisation, name=name, by=ctx.actor)
                for name in data.get("categories") or []
            ]
            budget = services.budget_allocate(
                fund=fund,
                circle=circle,
                name=data["name"],
                period_start=_date(data["period_start"], "period_start"),
                period_end=_date(data["period_end"], "period_end"),
                amount=data["amount"],
                approval_limit=data.get("approval_limit"),
                is_pot=data.get("is_pot", False),
                categories=categories,
                by=ctx.actor,
                details=ctx.event_details(),
                proposal_id=ctx.proposal_id,
            )
        except DomainError as error:
            raise _invalid(error) from None
        return [budget]  # proposals record its provenance

    def initial(self, obj) -> dict:
        if isinstance(obj, Budget):
            return {
                "fund": obj.fund_id,
                "circle": obj.circle_id,
                "name": obj.name,
                "period_start": obj.period_start,
                "period_end": obj.period_end,
                "approval_limit": obj.approval_limit.amount if obj.approval_limit else None,
                "is_pot": obj.is_pot,
            }
        if isinstance(obj, Circle):
            return {"circle": obj.pk}
        return {}


# spending.commit -------------------------------------------------------------------------------


class SpendingCommitForm(KindForm):
    spending = forms.IntegerField(label=_("Spending proposal"))


class SpendingCommitSerializer(serializers.Serializer):
    spending = serializers.IntegerField(help_text=_("The spending proposal (or claim) to commit."))


class SpendingCommit(ChangeKind):
    key = "spending.commit"
    label = _("Commit spending from a budget")
    group = _("Money")
    form_class = SpendingCommitForm
    serializer_class = SpendingCommitSerializer

    def _spending(self, ctx: ChangeContext, data: dict) -> Spending:
        spending = _get(Spending, ctx, data.get("spending"), field="spending", what=gettext("spending proposal"))
        return Spending.objects.select_related("budget__fund", "budget__circle", "deciding_circle").get(pk=spending.pk)

    def clean(self, ctx: ChangeContext, data: dict) -> dict:
        spending = self._spending(ctx, data)
        if spending.state not in (Spending.State.DRAFT, Spending.State.PROPOSED):
            raise ChangeInvalid(
                gettext("This spending is %(state)s already.") % {"state": spending.get_state_display().lower()},
                field="spending",
            )
        if spending.deciding_circle_id != ctx.circle.pk:
            reason = (
                gettext("it is above the budget's approval limit of %(limit)s")
                % {"limit": spending.budget.approval_limit}
                if spending.escalated
                else gettext("it is within the budget's approval limit")
            )
            raise ChangeInvalid(
                gettext("This spending is decided by %(circle)s: %(reason)s.")
                % {"circle": spending.deciding_circle, "reason": reason},
                field="spending",
            )
        budget = Budget.objects.get(pk=spending.budget_id)
        if budget.available.amount < spending.amount.amount:
            raise ChangeInvalid(gettext("the budget has %(left)s left") % {"left": budget.available}, field="spending")
        return {"spending": spending.pk}

    def circles(self, ctx: ChangeContext, data: dict) -> list:
        return [self._spending(ctx, data).budget.circle]

    def describe(self, ctx: ChangeContext, data: dict) -> ChangeDescription:
        spending = self._spending(ctx, data)
        budget = spending.budget
        rows = [
            ChangeRow(gettext("Payee"), None, spending.payee),
            ChangeRow(gettext("Category"), None, str(spending.category or "—")),
            ChangeRow(gettext("Budget available"), budget.available, budget.available - spending.amount),
        ]
        if spending.escalated:
            rows.append(
                ChangeRow(
                    gettext("Decided by"),
                    None,
                    gettext("%(circle)s: above the approval limit of %(limit)s")
                    % {"circle": spending.deciding_circle, "limit": budget.approval_limit},
                )
            )
        return ChangeDescription(
            summary=gettext("Commit %(amount)s from “%(budget)s” for “%(title)s”")
            % {"amount": spending.amount, "budget": budget.name, "title": spending.title},
            rows=rows,
        )

    def apply(self, ctx: ChangeContext, data: dict) -> list:
        spending = self._spending(ctx, data)
        try:
            commitment = services.spending_commit(
                spending=spending, by=ctx.actor, proposal_id=ctx.proposal_id, details=ctx.event_details()
            )
        except DomainError as error:
            raise ChangeInvalid(error.message) from None
        return [commitment]  # proposals record its provenance

    def initial(self, obj) -> dict:
        return {"spending": obj.pk} if isinstance(obj, Spending) else {}


budget_allocate_kind = BudgetAllocate()
spending_commit_kind = SpendingCommit()
