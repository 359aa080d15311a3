"""Money governed by consent: funds and their append-only ledger, circle budgets, categories,
spending (and claims from a liquid pot), commitments, attachments, and participatory rounds.

Amounts are django-money `MoneyField`s (an exact decimal and its ISO 4217 currency). Three rows keep a
running balance, each updated under its own row lock in the transaction that writes the ledger entry
that moves it, and each backed by a database CHECK that it is never below zero:

- `Fund.balance`: what the fund holds that no budget has been given yet;
- `Budget.available`: what a circle's budget can still commit;
- `Commitment.outstanding`: what a commitment still owes (neither paid nor returned).

Every `Entry` stores the signed amount it moved on each of them (`fund_delta`, `budget_delta`,
`commitment_delta`), so each kept balance is the sum of its entries' deltas (a property test holds
it), and a report adds them up without replaying anything.
"""

from __future__ import annotations

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from governance.dates import SaneDateField, SaneDateTimeField
from governance.text import SingleLineCharField

DIGITS = 14
PLACES = 2


def money_field(**kwargs) -> MoneyField:
    return MoneyField(max_digits=DIGITS, decimal_places=PLACES, default_currency=None, **kwargs)


def delta_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=DIGITS, decimal_places=PLACES, default=Decimal(0), **kwargs)


class Fund(models.Model):
    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="funds"
    )
    name = SingleLineCharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # What the fund holds that no budget has been given: the sum of its entries' fund_delta.
    balance = money_field(verbose_name=_("balance"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="fund_name_unique_in_organisation"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="fund_balance_never_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def currency(self) -> str:
        return self.balance.currency.code


class Category(models.Model):
    """What spending is for ("Hosting", "Events"): one list per organisation, reported on together."""

    organisation = models.ForeignKey(
        "governance.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="spending_categories",
    )
    name = SingleLineCharField(_("name"), max_length=80)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("category")
        ordering = ["organisation_id", "name"]
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="category_name_unique_in_organisation")
        ]

    def __str__(self):
        return self.name


class Budget(models.Model):
    """What a circle may commit from a fund in a period, given by its parent circle's decision."""

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="budgets"
    )
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="budgets")
    circle = models.ForeignKey(
        "circles.Circle", verbose_name=_("circle"), on_delete=models.PROTECT, related_name="budgets"
    )
    name = SingleLineCharField(_("name"), max_length=120)
    period_start = SaneDateField(_("period start"))
    period_end = SaneDateField(_("period end"))
    approval_limit = money_field(
        verbose_name=_("approval limit"),
        null=True,
        blank=True,
        help_text=_("Spending above this is decided by the parent circle instead."),
    )
    is_pot = models.BooleanField(
        _("liquid pot"), default=False, help_text=_("Members claim agreed amounts from it for work they did.")
    )
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True, related_name="budgets")
    # What it can still commit: the sum of its entries' budget_delta.
    available = money_field(verbose_name=_("available"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-period_start", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "circle", "name", "period_start"], name="budget_unique_per_circle_and_period"
            ),
            models.CheckConstraint(condition=Q(available__gte=0), name="budget_available_never_negative"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="budget_period_in_order"),
            models.CheckConstraint(
                condition=Q(approval_limit__isnull=True) | Q(approval_limit__gt=0), name="budget_limit_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d})"

    @property
    def currency(self) -> str:
        return self.available.currency.code


class Spending(models.Model):
    """A spending proposal or a claim from a pot: what is asked for, from which budget, for whom.
    A proposal of the deciding circle carries it as a `spending.commit` change; passing commits it."""

    class Kind(models.TextChoices):
        SPENDING = "spending", _("Spending proposal")
        CLAIM = "claim", _("Claim from a pot")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Being decided")
        COMMITTED = "committed", _("Committed")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned")
        NOT_ENACTED = "not_enacted", _("Passed, not enacted")
        REJECTED = "rejected", _("Not agreed")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="spendings"
    )
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="spendings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SPENDING)
    title = SingleLineCharField(_("title"), max_length=200)
    amount = money_field(verbose_name=_("amount"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="spendings", verbose_name=_("category")
    )
    payee_member = models.ForeignKey(
        "governance.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spendings_received",
        verbose_name=_("payee (a member)"),
    )
    payee_name = SingleLineCharField(_("payee (an outside party)"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose"), help_text=_("Markdown."))
    installments = models.PositiveSmallIntegerField(
        _("payments"), default=1, help_text=_("More than one for a recurring stipend, paid on a schedule.")
    )
    interval_months = models.PositiveSmallIntegerField(_("months between payments"), default=1)
    first_due = SaneDateField(_("first payment due"), null=True, blank=True)
    deciding_circle = models.ForeignKey(
        "circles.Circle", verbose_name=_("deciding circle"), on_delete=models.PROTECT, related_name="+"
    )
    escalated = models.BooleanField(_("escalated"), default=False, help_text=_("Above the budget's approval limit."))
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spendings",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    not_enacted_reason = SingleLineCharField(_("not enacted reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "governance.Member", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="spendings_made"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spendings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_amount_positive"),
            models.CheckConstraint(
                condition=Q(payee_member__isnull=False) | ~Q(payee_name=""), name="spending_has_a_payee"
            ),
            models.CheckConstraint(
                condition=Q(installments__gte=1, installments__lte=36), name="spending_installments_in_range"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def payee(self) -> str:
        return str(self.payee_member) if self.payee_member_id else self.payee_name

    def schedule(self) -> list[tuple]:
        """The payments of a stipend: (due date, amount), the last taking what division leaves."""
        if not self.first_due:
            return []
        share = (self.amount.amount / self.installments).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        rows = []
        for i in range(self.installments):
            amount = share if i < self.installments - 1 else self.amount.amount - share * (self.installments - 1)
            rows.append((self.first_due + relativedelta(months=i * self.interval_months), amount))
        return rows


class Round(models.Model):
    """A participatory round (Cobudget): a pool from a fund, shared among the circle's members, who
    allocate it to buckets until the round closes."""

    class ShareBy(models.TextChoices):
        EQUAL = "equal", _("An equal share each")
        CLASS = "class", _("Weighted by membership class")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        FINALISED = "finalised", _("Finalised")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="money_rounds"
    )
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="rounds")
    circle = models.ForeignKey(
        "circles.Circle", verbose_name=_("circle"), on_delete=models.PROTECT, related_name="money_rounds"
    )
    budget = models.OneToOneField(Budget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="round")
    title = SingleLineCharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    pool = money_field(verbose_name=_("pool"))
    share_by = models.CharField(_("share by"), max_length=10, choices=ShareBy.choices, default=ShareBy.EQUAL)
    closes_at = SaneDateTimeField(_("closes at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    created_by = models.ForeignKey(
        "governance.Member", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(pool__gt=0), name="round_pool_positive")]

    def __str__(self):
        return self.title

    def is_past_deadline(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Share(models.Model):
    """A member's share of a round's pool, fixed when the round opens."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(
        "governance.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="round_shares"
    )
    amount = delta_field(verbose_name=_("amount"))
    allocated = delta_field(verbose_name=_("allocated"))

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="share_one_per_member"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, allocated__lte=F("amount")), name="share_never_over_allocated"
            ),
        ]

    def __str__(self):
        return f"{self.member} in {self.round}"

    @property
    def left(self) -> Decimal:
        return self.amount - self.allocated


class Bucket(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        FUNDED = "funded", _("Funded")
        UNFUNDED = "unfunded", _("Not funded")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="buckets")
    title = SingleLineCharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    min_goal = delta_field(verbose_name=_("minimum goal"))
    max_goal = delta_field(verbose_name=_("maximum goal"))
    total = delta_field(verbose_name=_("total"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        "governance.Member", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bucket")
        verbose_name_plural = _("buckets")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_goal__gt=0, max_goal__gte=F("min_goal")), name="bucket_goals_in_order"
            ),
            models.CheckConstraint(condition=Q(total__gte=0, total__lte=F("max_goal")), name="bucket_never_over_max"),
        ]

    def __str__(self):
        return self.title

    @property
    def organisation_id(self):
        return self.round.organisation_id

    @property
    def reached_minimum(self) -> bool:
        return self.total >= self.min_goal


class Allocation(models.Model):
    """What one member puts in one bucket (changeable until the round closes)."""

    bucket = models.ForeignKey(Bucket, verbose_name=_("bucket"), on_delete=models.CASCADE, related_name="allocations")
    member = models.ForeignKey(
        "governance.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = delta_field(verbose_name=_("amount"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["bucket", "member"], name="allocation_one_per_member_and_bucket"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.member} → {self.bucket}: {self.amount}"


class Commitment(models.Model):
    """Money a decision has set aside from a budget for a payee, until it is paid or returned."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SETTLED = "settled", _("Settled")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="commitments"
    )
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="commitments")
    spending = models.OneToOneField(
        Spending, verbose_name=_("spending"), null=True, blank=True, on_delete=models.PROTECT, related_name="commitment"
    )
    bucket = models.OneToOneField(
        Bucket, verbose_name=_("bucket"), null=True, blank=True, on_delete=models.PROTECT, related_name="commitment"
    )
    amount = money_field(verbose_name=_("amount"))
    # What it still owes: the sum of its entries' commitment_delta.
    outstanding = money_field(verbose_name=_("outstanding"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outstanding__gte=0), name="commitment_outstanding_never_negative"),
            models.CheckConstraint(
                condition=Q(spending__isnull=False) | Q(bucket__isnull=False), name="commitment_has_a_reason"
            ),
        ]

    def __str__(self):
        what = self.spending or self.bucket
        return f"{what} ({self.amount})"

    @property
    def title(self) -> str:
        return str(self.spending or self.bucket)


def attachment_path(instance, filename):
    return f"money/{instance.organisation_id}/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    """A quote or a receipt, stored through Django's storage API (object storage in production) and
    served only through a view that checks who asks."""

    class Kind(models.TextChoices):
        QUOTE = "quote", _("Quote")
        RECEIPT = "receipt", _("Receipt")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    spending = models.ForeignKey(
        Spending, verbose_name=_("spending"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.QUOTE)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = SingleLineCharField(_("name"), max_length=200)
    content_type = SingleLineCharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        "governance.Member", verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(gettext("Ledger entries are never changed: reverse one with a new entry."))

    def delete(self):
        raise ValidationError(gettext("Ledger entries are never deleted: reverse one with a new entry."))


class Entry(models.Model):
    """One line of a fund's ledger, never edited nor deleted. A mistake is reversed by a new entry
    (`reverses`), with a reason, that moves every balance back."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        ALLOCATION = "allocation", _("Allocation to a budget")
        RELEASE = "release", _("Unspent budget back to the fund")
        COMMITMENT = "commitment", _("Commitment")
        PAYMENT = "payment", _("Payment")
        RETURN = "return", _("Return of an unspent commitment")
        REVERSAL = "reversal", _("Reversal")

    organisation = models.ForeignKey(
        "governance.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    # What the entry moves, as reports count it: its kind, or for a reversal the kind it reverses.
    moves = models.CharField(_("moves"), max_length=12, choices=Kind.choices, db_index=True)
    amount = money_field(verbose_name=_("amount"))
    fund_delta = delta_field(verbose_name=_("fund delta"))
    budget_delta = delta_field(verbose_name=_("budget delta"))
    commitment_delta = delta_field(verbose_name=_("commitment delta"))
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.TextField(_("reason"), blank=True)
    reference = SingleLineCharField(
        _("reference"), max_length=200, blank=True, help_text=_("The bank or invoice reference.")
    )
    receipt = models.ForeignKey(
        Attachment, verbose_name=_("receipt"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal_id = models.IntegerField(
        _("proposal id"), null=True, blank=True, help_text=_("The decision that made this entry.")
    )
    created_by = models.ForeignKey(
        "governance.Member",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        ordering = ["created_at", "id"]
        verbose_name_plural = _("entries")
        indexes = [
            models.Index(fields=["fund", "created_at"]),
            models.Index(fields=["budget", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | (Q(reverses__isnull=False) & ~Q(reason="")),
                name="entry_reversal_has_entry_and_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(gettext("Ledger entries are never changed: reverse one with a new entry."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(gettext("Ledger entries are never deleted: reverse one with a new entry."))
