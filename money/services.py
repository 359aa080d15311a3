"""Every write of money: funds, the ledger, budgets, spending, payments, rounds.

The ledger is the one place a balance moves. `_post` locks the rows whose kept balance an entry
moves (always in the order fund → budget → commitment, so two writers never wait on each other in
a circle), refuses an entry that would take any of them below zero, saves the new balances and
writes the entry, all in the caller's transaction. The database's CHECK constraints back it: a
writer that skipped the lock would fail there rather than overdraw.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money
from moneyed import get_currency
from moneyed.classes import CurrencyDoesNotExist

from circles.models import Circle
from circles.queries import on_roster
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Member, Organisation
from governance.services import event_record, notifications_queue
from governance.sweeps import sweep_each
from governance.text import has_control_characters
from proposals.services import change_add, proposal_create, proposal_open
from roles.models import Role, RoleAssignment

from .models import (
    Allocation,
    Attachment,
    Bucket,
    Budget,
    Category,
    Commitment,
    Entry,
    Fund,
    Round,
    Share,
    Spending,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")

# What each kind of entry moves: the sign of its amount on (fund, budget, commitment).
EFFECTS: dict[str, tuple[int, int, int]] = {
    Entry.Kind.INCOME: (1, 0, 0),
    Entry.Kind.ALLOCATION: (-1, 1, 0),
    Entry.Kind.RELEASE: (1, -1, 0),
    Entry.Kind.COMMITMENT: (0, -1, 1),
    Entry.Kind.PAYMENT: (0, 0, -1),
    Entry.Kind.RETURN: (0, 1, -1),
}

ATTACHMENT_TYPES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
}
# The first bytes each type starts with, so that a renamed executable is not taken for a PDF.
MAGIC = {"application/pdf": b"%PDF", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff"}


def attachment_max_bytes() -> int:
    return getattr(settings, "MONEY_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


# Amounts ---------------------------------------------------------------------------------------


def amount_clean(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An exact amount of at most two decimal places, positive (or zero when allowed). Floats are
    refused: 0.1 is not a tenth in binary."""
    if isinstance(value, Money):
        value = value.amount
    if isinstance(value, float):
        raise Invalid(_("Give the amount as text or a decimal, not a float."), field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(_("Give an amount such as 120.50."), field=field) from None
    if not amount.is_finite():
        raise Invalid(_("Give an amount such as 120.50."), field=field)
    if amount != amount.quantize(CENT):
        raise Invalid(_("An amount has at most two decimal places."), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise Invalid(_("The amount must be more than zero."), field=field)
    if amount > MAX_AMOUNT:
        raise Invalid(_("That amount is too large."), field=field)
    return amount.quantize(CENT)


def currency_clean(code: str) -> str:
    code = (code or "").strip().upper()
    try:
        get_currency(code)
    except CurrencyDoesNotExist:
        raise Invalid(_("“%(code)s” is not an ISO 4217 currency code.") % {"code": code}, field="currency") from None
    if len(code) != 3:
        raise Invalid(_("A currency code has three letters, such as EUR."), field="currency")
    return code


def single_line_clean(value, *, field: str, max_length: int, blank: bool = False) -> str:
    """One line of text from a service's caller, trimmed; refused when empty (unless `blank`), when
    too long or when it holds a line break or a control character."""
    text = (value or "").strip()
    if not text and not blank:
        raise Invalid(_("This field is required."), field=field)
    if len(text) > max_length:
        raise Invalid(_("At most %(n)s characters.") % {"n": max_length}, field=field)
    if has_control_characters(text):
        raise Invalid(_("Use a single line."), field=field)
    return text


# The ledger ------------------------------------------------------------------------------------


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _post(
    *,
    kind: str,
    fund: Fund,
    amount: Decimal,
    by: Member | None,
    budget: Budget | None = None,
    commitment: Commitment | None = None,
    signs: tuple[int, int, int] | None = None,
    **fields,
) -> Entry:
    """Write one entry and move the balances it touches, refusing to take any below zero."""
    signs = signs or EFFECTS[kind]
    currency = fund.currency
    if (signs[1] and budget is None) or (signs[2] and commitment is None):
        raise Invalid(_("This entry needs its budget and commitment."))
    deltas = [Decimal(sign) * amount for sign in signs]
    rows = []
    if signs[0]:
        fund = _lock(Fund, fund.pk)
        rows.append((fund, "balance", deltas[0], _("the fund has %(left)s left")))
    if signs[1]:
        budget = _lock(Budget, budget.pk)
        rows.append((budget, "available", deltas[1], _("the budget has %(left)s left")))
    if signs[2]:
        commitment = _lock(Commitment, commitment.pk)
        rows.append((commitment, "outstanding", deltas[2], _("the commitment has %(left)s outstanding")))
    for row, field, delta, message in rows:
        current = getattr(row, field)
        if current.currency.code != currency:
            raise Invalid(_("Entries of a fund are all in its currency (%(currency)s).") % {"currency": currency})
        if current.amount + delta < 0:
            raise Conflict(message % {"left": current})
    for row, field, delta, _message in rows:
        setattr(row, field, Money(getattr(row, field).amount + delta, currency))
        row.save(update_fields=[field])
    return Entry.objects.create(
        organisation_id=fund.organisation_id,
        fund=fund,
        budget=budget,
        commitment=commitment,
        kind=kind,
        moves=fields["reverses"].kind if "reverses" in fields else kind,
        amount=Money(amount, currency),
        fund_delta=deltas[0],
        budget_delta=deltas[1],
        commitment_delta=deltas[2],
        created_by=by,
        **fields,
    )


def _decision(details: dict | None) -> dict:
    return dict(details or {})


@transaction.atomic
def fund_create(
    *, organisation: Organisation, name: str, currency: str, by: Member | None, description: str = ""
) -> Fund:
    name = single_line_clean(name, field="name", max_length=120)
    currency = currency_clean(currency)
    if Fund.objects.filter(organisation=organisation, name=name).exists():
        raise Invalid(_("There is already a fund with that name."), field="name")
    fund = Fund.objects.create(
        organisation=organisation, name=name, description=description, balance=Money(0, currency)
    )
    event_record(organisation=organisation, actor=by, verb="fund.created", obj=fund, details={"currency": currency})
    return fund


@transaction.atomic
def income_record(*, fund: Fund, amount, by: Member | None, reference: str = "", reason: str = "") -> Entry:
    amount = amount_clean(amount)
    entry = _post(
        kind=Entry.Kind.INCOME,
        fund=fund,
        amount=amount,
        by=by,
        reference=single_line_clean(reference, field="reference", max_length=200, blank=True),
        reason=reason,
    )
    event_record(
        organisation=fund.organisation,
        actor=by,
        verb="income.recorded",
        obj=entry,
        details={"fund": fund.pk, "amount": str(amount), "currency": fund.currency},
    )
    return entry


@transaction.atomic
def entry_reverse(*, entry: Entry, by: Member | None, reason: str) -> Entry:
    """Undo an entry with a new one that moves every balance back. Refused when what it moved has
    moved on (reversing an income the fund has already given to a budget) or when it was reversed."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the entry is reversed."), field="reason")
    entry = Entry.objects.select_related("fund", "budget", "commitment").get(pk=entry.pk)
    if entry.kind == Entry.Kind.REVERSAL:
        raise Conflict(_("A reversal is not reversed; record the entry again instead."))
    if Entry.objects.filter(reverses=entry).exists():
        raise Conflict(_("This entry has been reversed already."))
    signs = tuple(-s for s in EFFECTS[entry.kind])
    try:
        reversal = _post(
            kind=Entry.Kind.REVERSAL,
            fund=entry.fund,
            budget=entry.budget,
            commitment=entry.commitment,
            amount=entry.amount.amount,
            by=by,
            signs=signs,
            reverses=entry,
            reason=reason,
        )
    except Conflict as error:
        raise Conflict(_("It cannot be reversed: %(why)s.") % {"why": error.message}) from None
    if entry.commitment_id:
        _commitment_settle(reversal.commitment)
    event_record(
        organisation=entry.fund.organisation,
        actor=by,
        verb="entry.reversed",
        obj=reversal,
        details={"reverses": entry.pk, "kind": entry.kind, "amount": str(entry.amount.amount), "reason": reason},
    )
    return reversal


# Categories and budgets ------------------------------------------------------------------------


@transaction.atomic
def category_create(*, organisation: Organisation, name: str, by: Member | None) -> Category:
    name = single_line_clean(name, field="name", max_length=80)
    category, created = Category.objects.get_or_create(organisation=organisation, name=name)
    if created:
        event_record(organisation=organisation, actor=by, verb="category.created", obj=category)
    return category


def budget_lookup(*, fund: Fund, circle: Circle, name: str, period_start: date) -> Budget | None:
    return Budget.objects.filter(fund=fund, circle=circle, name=name, period_start=period_start).first()


@transaction.atomic
def budget_allocate(
    *,
    fund: Fund,
    circle: Circle,
    name: str,
    period_start: date,
    period_end: date,
    amount,
    by: Member | None,
    approval_limit=None,
    is_pot: bool = False,
    categories=(),
    details: dict | None = None,
    proposal_id: int | None = None,
) -> Budget:
    """Give a circle's budget for a period `amount` from the fund (making the budget the first
    time). Called by the `budget.allocate` change when the parent circle's decision passes."""
    amount = amount_clean(amount)
    name = single_line_clean(name, field="name", max_length=120)
    if period_end < period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    if circle.organisation_id != fund.organisation_id:
        raise Invalid(_("The circle and the fund belong to different organisations."), field="circle")
    limit = amount_clean(approval_limit, field="approval_limit") if approval_limit not in (None, "") else None
    budget = budget_lookup(fund=fund, circle=circle, name=name, period_start=period_start)
    created = budget is None
    if created:
        budget = Budget.objects.create(
            organisation_id=fund.organisation_id,
            fund=fund,
            circle=circle,
            name=name,
            period_start=period_start,
            period_end=period_end,
            approval_limit=Money(limit, fund.currency) if limit is not None else None,
            is_pot=is_pot,
            available=Money(0, fund.currency),
        )
    else:
        budget.period_end, budget.is_pot = period_end, is_pot
        budget.approval_limit = Money(limit, fund.currency) if limit is not None else None
        budget.save(update_fields=["period_end", "is_pot", "approval_limit", "approval_limit_currency"])
    if categories:
        budget.categories.add(*categories)
    entry = _post(kind=Entry.Kind.ALLOCATION, fund=fund, budget=budget, amount=amount, by=by, proposal_id=proposal_id)
    event_record(
        organisation=fund.organisation,
        actor=by,
        verb="budget.allocated",
        obj=budget,
        circle=circle,
        details={
            **_decision(details),
            "entry": entry.pk,
            "amount": str(amount),
            "currency": fund.currency,
            "created": created,
        },
    )
    return entry.budget  # the row as the entry left it (locked and saved with its new balance)


@transaction.atomic
def budget_release(*, budget: Budget, amount, by: Member | None, reason: str = "") -> Entry:
    """Give what a budget has not committed back to its fund (a period ended; a round closed)."""
    amount = amount_clean(amount)
    entry = _post(kind=Entry.Kind.RELEASE, fund=budget.fund, budget=budget, amount=amount, by=by, reason=reason)
    event_record(
        organisation=budget.fund.organisation,
        actor=by,
        verb="budget.released",
        obj=budget,
        circle=budget.circle,
        details={"entry": entry.pk, "amount": str(amount)},
    )
    return entry


# Spending --------------------------------------------------------------------------------------


def deciding_circle_for(budget: Budget, amount: Decimal) -> tuple[Circle, bool]:
    """Who decides spending `amount` from the budget: its circle, or, above the approval limit, the
    parent circle (the general circle has no parent: it decides its own)."""
    limit = budget.approval_limit
    if limit is not None and amount > limit.amount and budget.circle.parent_id is not None:
        return budget.circle.parent, True
    return budget.circle, False


@transaction.atomic
def spending_create(
    *,
    budget: Budget,
    by: Member,
    title: str,
    amount,
    purpose: str,
    kind: str = Spending.Kind.SPENDING,
    payee_member: Member | None = None,
    payee_name: str = "",
    category: Category | None = None,
    installments: int = 1,
    interval_months: int = 1,
    first_due: date | None = None,
) -> Spending:
    """Draft a spending proposal (or a claim from a pot) from a budget of a circle the member is on.
    The deciding circle is worked out here, and said on the page: above the approval limit it is the
    parent circle."""
    amount = amount_clean(amount)
    title = single_line_clean(title, field="title", max_length=200)
    payee_name = single_line_clean(payee_name, field="payee_name", max_length=200, blank=True)
    if not (purpose or "").strip():
        raise Invalid(_("Say what the money is for."), field="purpose")
    if budget.circle.is_archived:
        raise Conflict(_("This budget's circle is archived."))
    if kind == Spending.Kind.CLAIM:
        if not budget.is_pot:
            raise Invalid(_("Claims are made from a liquid pot."), field="budget")
        payee_member, payee_name = by, ""
    if payee_member is None and not payee_name:
        raise Invalid(_("Say who is paid: a member or an outside party."), field="payee_name")
    if payee_member is not None and payee_member.organisation_id != budget.organisation_id:
        raise Invalid(_("The payee is not a member of this organisation."), field="payee_member")
    if category is not None:
        if category.organisation_id != budget.organisation_id:
            raise Invalid(_("No such category."), field="category")
        allowed = list(budget.categories.all())
        if allowed and category not in allowed:
            raise Invalid(_("This budget does not fund that category."), field="category")
    if not on_roster(by, budget.circle):
        raise NotAllowed(_("Only members of the budget's circle propose spending from it."))
    if not 1 <= installments <= 36:
        raise Invalid(_("Between 1 and 36 payments."), field="installments")
    if installments > 1 and first_due is None:
        raise Invalid(_("Say when the first payment is due."), field="first_due")
    circle, escalated = deciding_circle_for(budget, amount)
    spending = Spending.objects.create(
        organisation_id=budget.organisation_id,
        budget=budget,
        kind=kind,
        title=title,
        amount=Money(amount, budget.currency),
        category=category,
        payee_member=payee_member,
        payee_name=payee_name,
        purpose=purpose,
        installments=installments,
        interval_months=interval_months,
        first_due=first_due,
        deciding_circle=circle,
        escalated=escalated,
        created_by=by,
    )
    event_record(
        organisation=budget.organisation,
        actor=by,
        verb="spending.created",
        obj=spending,
        circle=budget.circle,
        details={"amount": str(amount), "escalated": escalated, "deciding_circle": circle.pk},
    )
    return spending


@transaction.atomic
def spending_proposal_link(*, spending: Spending, proposal, by: Member) -> Spending:
    """Say which proposal decides this spending (the proposal carries the spending.commit change)."""
    spending = _lock(Spending, spending.pk)
    if spending.state != Spending.State.DRAFT:
        raise Conflict(_("This spending is already being decided."))
    if proposal.circle_id != spending.deciding_circle_id:
        raise Invalid(_("This spending is decided by %(circle)s.") % {"circle": spending.deciding_circle})
    spending.proposal = proposal
    spending.state = Spending.State.PROPOSED
    spending.save(update_fields=["proposal", "state"])
    return spending


@transaction.atomic
def spending_propose(*, spending: Spending, by: Member, open_round: bool = True):
    """Put a drafted spending to its deciding circle: a consent proposal there that carries the
    change `spending.commit` (its close commits the amount, or says why it could not)."""
    spending = Spending.objects.select_related("budget", "deciding_circle", "category").get(pk=spending.pk)
    if spending.created_by_id != by.pk:
        raise NotAllowed(_("Only the author puts a spending proposal to the circle."))
    if spending.state != Spending.State.DRAFT:
        raise Conflict(_("This spending is already being decided."))
    body = _("%(purpose)s\n\n**Amount:** %(amount)s · **Payee:** %(payee)s · **Budget:** %(budget)s") % {
        "purpose": spending.purpose,
        "amount": spending.amount,
        "payee": spending.payee,
        "budget": spending.budget.name,
    }
    title = (_("Spend %(amount)s: %(title)s") % {"amount": spending.amount, "title": spending.title})[:200]
    proposal = proposal_create(circle=spending.deciding_circle, author=by, title=title, body=body)
    change_add(proposal=proposal, by=by, kind="spending.commit", data={"spending": spending.pk})
    spending = spending_proposal_link(spending=spending, proposal=proposal, by=by)
    if open_round:
        proposal = proposal_open(proposal=proposal, by=by)
    return proposal


def spending_fundable(spending: Spending) -> Decimal:
    """What the budget has left now (read, not locked: the commit checks again under the lock)."""
    return Budget.objects.values_list("available", flat=True).get(pk=spending.budget_id)


@transaction.atomic
def spending_commit(
    *, spending: Spending, by: Member | None, proposal_id: int | None = None, details: dict | None = None
) -> Commitment:
    """Set the spending's amount aside from its budget: a commitment entry. Refused (Conflict, with
    "the budget has X left") when the budget cannot fund it."""
    spending = Spending.objects.select_for_update().select_related("budget__fund").get(pk=spending.pk)
    if spending.state not in (Spending.State.DRAFT, Spending.State.PROPOSED):
        raise Conflict(_("This spending is %(state)s already.") % {"state": spending.get_state_display().lower()})
    budget = spending.budget
    today = timezone.localdate()
    if not budget.period_start <= today <= budget.period_end:
        raise Conflict(_("The budget's period (%(budget)s) is not current.") % {"budget": budget})
    commitment = Commitment.objects.create(
        organisation_id=spending.organisation_id,
        budget=budget,
        spending=spending,
        amount=spending.amount,
        outstanding=Money(0, budget.currency),
    )
    entry = _post(
        kind=Entry.Kind.COMMITMENT,
        fund=budget.fund,
        budget=budget,
        commitment=commitment,
        amount=spending.amount.amount,
        by=by,
        proposal_id=proposal_id,
    )
    spending.state = Spending.State.COMMITTED
    spending.save(update_fields=["state"])
    event_record(
        organisation=budget.organisation,
        actor=by,
        verb="spending.committed",
        obj=spending,
        circle=budget.circle,
        details={
            **_decision(details),
            "entry": entry.pk,
            "commitment": commitment.pk,
            "amount": str(spending.amount.amount),
            "currency": budget.currency,
        },
    )
    _tell_treasurers(commitment, kind="payment_due", key=f"commitment:{commitment.pk}")
    return commitment


def _commitment_settle(commitment: Commitment) -> None:
    """The commitment's state and its spending's, from what is outstanding and what was paid."""
    commitment = Commitment.objects.get(pk=commitment.pk)
    state = Commitment.State.OPEN if commitment.outstanding.amount > 0 else Commitment.State.SETTLED
    if commitment.state != state:
        commitment.state = state
        commitment.save(update_fields=["state"])
    if commitment.spending_id:
        paid = commitment_paid(commitment)
        if state == Commitment.State.OPEN:
            spending_state = Spending.State.COMMITTED
        else:
            spending_state = Spending.State.PAID if paid > 0 else Spending.State.RETURNED
        Spending.objects.filter(pk=commitment.spending_id).update(state=spending_state)


def commitment_paid(commitment: Commitment) -> Decimal:
    """What has been paid on a commitment, net of reversed payments."""
    total = Entry.objects.filter(commitment=commitment, moves=Entry.Kind.PAYMENT).aggregate(t=Sum("commitment_delta"))
    return -(total["t"] or Decimal(0))


@transaction.atomic
def payment_record(
    *,
    commitment: Commitment,
    amount,
    by: Member | None,
    reference: str,
    receipt=None,
    paid_on: datetime | None = None,
) -> Entry:
    """The treasurer records a payment made (a part, for a stipend paid on a schedule), with the bank
    reference and, if there is one, a receipt."""
    amount = amount_clean(amount)
    reference = single_line_clean(reference, field="reference", max_length=200)
    commitment = Commitment.objects.select_related("budget__fund", "spending").get(pk=commitment.pk)
    if commitment.state != Commitment.State.OPEN:
        raise Conflict(_("This commitment is settled."))
    attachment = None
    if receipt is not None:
        if commitment.spending is None:
            raise Invalid(_("A receipt belongs to a spending proposal."), field="receipt")
        attachment = attachment_add(
            spending=commitment.spending, by=by, file=receipt, kind=Attachment.Kind.RECEIPT, check_rights=False
        )
    entry = _post(
        kind=Entry.Kind.PAYMENT,
        fund=commitment.budget.fund,
        budget=commitment.budget,
        commitment=commitment,
        amount=amount,
        by=by,
        reference=reference,
        receipt=attachment,
        **({"created_at": paid_on} if paid_on else {}),
    )
    _commitment_settle(commitment)
    event_record(
        organisation=commitment.budget.organisation,
        actor=by,
        verb="payment.recorded",
        obj=entry,
        circle=commitment.budget.circle,
        details={
            "commitment": commitment.pk,
            "spending": commitment.spending_id,
            "amount": str(amount),
            "currency": commitment.budget.currency,
            "reference": reference,
        },
    )
    payee = commitment.spending.payee_member if commitment.spending else None
    if payee is not None:
        notifications_queue(
            recipients=[payee.user],
            kind="payment_recorded",
            key=f"payment:{entry.pk}",
            context={
                "entry": entry,
                "commitment": commitment,
                "spending": commitment.spending,
                "url": _url(commitment),
            },
            organisation=commitment.budget.organisation,
        )
    return entry


@transaction.atomic
def commitment_return(*, commitment: Commitment, by: Member | None, reason: str = "") -> Entry:
    """Give back to the budget what a commitment has not paid (the work was cheaper, or not done)."""
    commitment = Commitment.objects.select_for_update().select_related("budget__fund").get(pk=commitment.pk)
    left = commitment.outstanding.amount
    if commitment.state != Commitment.State.OPEN or left <= 0:
        raise Conflict(_("Nothing is outstanding on this commitment."))
    entry = _post(
        kind=Entry.Kind.RETURN,
        fund=commitment.budget.fund,
        budget=commitment.budget,
        commitment=commitment,
        amount=left,
        by=by,
        reason=reason,
    )
    _commitment_settle(commitment)
    event_record(
        organisation=commitment.budget.organisation,
        actor=by,
        verb="commitment.returned",
        obj=entry,
        circle=commitment.budget.circle,
        details={"commitment": commitment.pk, "amount": str(left), "reason": reason},
    )
    return entry


def _url(commitment: Commitment) -> str:
    organisation = Organisation.objects.only("slug").get(pk=commitment.organisation_id)
    return settings.SITE_URL + reverse("money:commitment", kwargs={"org": organisation.slug, "pk": commitment.pk})


def _tell_treasurers(commitment: Commitment, *, kind: str, key: str) -> None:
    treasurers = treasurers_for(commitment.budget.circle)
    if treasurers:
        notifications_queue(
            recipients=[m.user for m in treasurers],
            kind=kind,
            key=key,
            context={
                "commitment": commitment,
                "spending": commitment.spending,
                "bucket": commitment.bucket,
                "url": _url(commitment),
            },
            organisation=commitment.budget.organisation,
        )


def treasurers_for(circle: Circle) -> list[Member]:
    """Who records a circle's payments: the holders of its treasurer role and of the general
    circle's."""
    circles = Circle.objects.filter(organisation_id=circle.organisation_id, is_general=True).values("pk")
    assignments = RoleAssignment.objects.current().filter(
        role__kind=Role.Kind.TREASURER, role__archived_at__isnull=True
    )
    assignments = assignments.filter(role__circle_id=circle.pk) | assignments.filter(role__circle_id__in=circles)
    return list(
        Member.objects.filter(pk__in=assignments.values("member_id"), status=Member.Status.ACTIVE).select_related(
            "user"
        )
    )


# Attachments -----------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, spending: Spending, by: Member | None, file, kind: str = Attachment.Kind.QUOTE, check_rights=True
) -> Attachment:
    """Store a quote or a receipt through the storage API, after checking its type and size: the
    name's extension, the declared type and the first bytes must agree."""
    if check_rights and (by is None or not on_roster(by, spending.budget.circle)) and by != spending.created_by:
        raise NotAllowed(_("Only the circle's members add attachments."))
    size = file.size
    if size > attachment_max_bytes():
        raise Invalid(
            _("The file is too large (at most %(mb)s MB).") % {"mb": attachment_max_bytes() // (1024 * 1024)},
            field="file",
        )
    if size == 0:
        raise Invalid(_("The file is empty."), field="file")
    name = single_line_clean(file.name.rsplit("/", 1)[-1], field="file", max_length=200)
    content_type = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    extensions = ATTACHMENT_TYPES.get(content_type)
    if extensions is None or not name.lower().endswith(extensions):
        raise Invalid(_("Attach a PDF, PNG, JPEG, text or CSV file."), field="file")
    magic = MAGIC.get(content_type)
    if magic is not None:
        head = file.read(len(magic))
        file.seek(0)
        if head != magic:
            raise Invalid(_("The file is not what its name says it is."), field="file")
    attachment = Attachment(
        organisation_id=spending.organisation_id,
        spending=spending,
        kind=kind,
        name=name,
        content_type=content_type,
        size=size,
        uploaded_by=by or spending.created_by,
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    event_record(
        organisation=spending.organisation,
        actor=by,
        verb="attachment.added",
        obj=attachment,
        details={"spending": spending.pk, "kind": kind, "size": size},
    )
    return attachment


# Participatory rounds --------------------------------------------------------------------------


def _eligible(circle: Circle):
    members = Member.objects.filter(organisation_id=circle.organisation_id, status=Member.Status.ACTIVE, is_bot=False)
    if not circle.is_general:
        members = members.filter(circle_memberships__circle=circle, circle_memberships__left_at__isnull=True)
    return members.select_related("membership_class").distinct()


@transaction.atomic
def round_open(
    *,
    fund: Fund,
    circle: Circle,
    title: str,
    pool,
    closes_at: datetime,
    by: Member,
    description: str = "",
    share_by: str = Round.ShareBy.EQUAL,
    now: datetime | None = None,
) -> Round:
    """Open a participatory round: the pool moves from the fund to the round's own budget, and each
    member of the circle gets a share, fixed now (equal, or weighted by membership class), so that
    later roster changes do not change what anyone has to give."""
    now = now or timezone.now()
    pool = amount_clean(pool, field="pool")
    title = single_line_clean(title, field="title", max_length=200)
    if closes_at <= now:
        raise Invalid(_("The round closes in the future."), field="closes_at")
    members = list(_eligible(circle))
    if not members:
        raise Invalid(_("Nobody is on this circle to allocate."), field="circle")
    weights = [(m.membership_class.voting_weight or 1) if share_by == Round.ShareBy.CLASS else 1 for m in members]
    total = sum(weights)
    budget = budget_allocate(
        fund=fund,
        circle=circle,
        name=(_("Round: %(title)s") % {"title": title})[:120],
        period_start=timezone.localdate(now),
        period_end=closes_at.date(),
        amount=pool,
        by=by,
    )
    round_ = Round.objects.create(
        organisation_id=fund.organisation_id,
        fund=fund,
        circle=circle,
        budget=budget,
        title=title,
        description=description,
        pool=Money(pool, fund.currency),
        share_by=share_by,
        closes_at=closes_at,
        created_by=by,
    )
    shares = [(pool * w / total).quantize(CENT, rounding=ROUND_DOWN) for w in weights]
    Share.objects.bulk_create(
        Share(round=round_, member=m, amount=amount) for m, amount in zip(members, shares, strict=True)
    )
    event_record(
        organisation=fund.organisation,
        actor=by,
        verb="round.opened",
        obj=round_,
        circle=circle,
        details={"pool": str(pool), "members": len(members)},
    )
    return round_


def _refuse_late(round_: Round, now: datetime | None = None) -> None:
    if round_.state != Round.State.OPEN or round_.is_past_deadline(now):
        raise Conflict(_("This round has closed."))


@transaction.atomic
def bucket_create(
    *, round: Round, by: Member, title: str, min_goal, max_goal, description: str = "", now=None
) -> Bucket:
    _refuse_late(round, now)
    if not on_roster(by, round.circle):
        raise NotAllowed(_("Only the circle's members propose buckets."))
    low, high = amount_clean(min_goal, field="min_goal"), amount_clean(max_goal, field="max_goal")
    if high < low:
        raise Invalid(_("The maximum is at least the minimum."), field="max_goal")
    bucket = Bucket.objects.create(
        round=round,
        title=single_line_clean(title, field="title", max_length=200),
        description=description,
        min_goal=low,
        max_goal=high,
        created_by=by,
    )
    event_record(organisation=round.organisation, actor=by, verb="bucket.created", obj=bucket, circle=round.circle)
    return bucket


@transaction.atomic
def allocation_set(*, bucket: Bucket, member: Member, amount, now: datetime | None = None) -> Allocation:
    """Put `amount` of the member's share in a bucket (replacing what they put there before). The
    share row is locked first, then the bucket's, so neither the share nor the bucket's maximum is
    ever exceeded however many allocate at once. Refused after the deadline, scheduler or not."""
    amount = amount_clean(amount, allow_zero=True)
    bucket = Bucket.objects.select_related("round").get(pk=bucket.pk)
    round_ = bucket.round
    _refuse_late(round_, now)
    share = Share.objects.select_for_update().filter(round=round_, member=member).first()
    if share is None:
        raise NotAllowed(_("You have no share in this round."))
    bucket = _lock(Bucket, bucket.pk)
    allocation = Allocation.objects.filter(bucket=bucket, member=member).first()
    before = allocation.amount if allocation else Decimal(0)
    delta = amount - before
    if share.allocated + delta > share.amount:
        raise Conflict(
            _("You have %(left)s of your share left.")
            % {"left": Money(share.amount - share.allocated, round_.fund.currency)}
        )
    if bucket.total + delta > bucket.max_goal:
        raise Conflict(
            _("This bucket needs only %(left)s more.")
            % {"left": Money(bucket.max_goal - bucket.total, round_.fund.currency)}
        )
    share.allocated += delta
    share.save(update_fields=["allocated"])
    bucket.total += delta
    bucket.save(update_fields=["total"])
    if allocation is None:
        allocation = Allocation.objects.create(bucket=bucket, member=member, amount=amount)
    else:
        allocation.amount, allocation.updated_at = amount, timezone.now()
        allocation.save(update_fields=["amount", "updated_at"])
    return allocation


def round_finalise(*, round: Round, now: datetime | None = None) -> int:
    """After the deadline: buckets that reached their minimum are committed from the round's budget;
    what is left goes back to the fund. Once: the state moves by compare-and-set, so a second sweep
    (or a second worker) finds nothing to do. Returns how many buckets were funded."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Round.objects.filter(pk=round.pk, state=Round.State.OPEN, closes_at__lte=now).update(
            state=Round.State.FINALISED, finalised_at=now
        )
        if not claimed:
            return 0
        round_ = Round.objects.select_related("budget__fund", "fund", "organisation", "circle").get(pk=round.pk)
        budget = round_.budget
        funded = 0
        for bucket in Bucket.objects.filter(round=round_).order_by("created_at", "id"):
            if bucket.total > 0 and bucket.total >= bucket.min_goal:
                commitment = Commitment.objects.create(
                    organisation_id=round_.organisation_id,
                    budget=budget,
                    bucket=bucket,
                    amount=Money(bucket.total, budget.currency),
                    outstanding=Money(0, budget.currency),
                )
                _post(
                    kind=Entry.Kind.COMMITMENT,
                    fund=budget.fund,
                    budget=budget,
                    commitment=commitment,
                    amount=bucket.total,
                    by=None,
                )
                bucket.state = Bucket.State.FUNDED
                funded += 1
                _tell_treasurers(commitment, kind="payment_due", key=f"commitment:{commitment.pk}")
            else:
                bucket.state = Bucket.State.UNFUNDED
            bucket.save(update_fields=["state"])
        left = Budget.objects.get(pk=budget.pk).available.amount
        if left > 0:
            budget_release(budget=budget, amount=left, by=None, reason=_("What the round did not fund."))
        event_record(
            organisation=round_.organisation,
            actor=None,
            verb="round.finalised",
            obj=round_,
            circle=round_.circle,
            details={"funded": funded, "returned": str(left)},
        )
    return funded


def rounds_finalise_due(*, now: datetime | None = None) -> int:
    """The beat sweep: finalise every round past its deadline, each isolated from the others."""
    now = now or timezone.now()
    due = Round.objects.filter(state=Round.State.OPEN, closes_at__lte=now).order_by("closes_at", "id")
    run = sweep_each(list(due), lambda r: round_finalise(round=r, now=now), sweep="money_rounds_finalise", now=now)
    return run.total


# Stored names, found again by name: they stay as written whatever the language of who starts the pot.
POT_FUND_NAME = "Collective fund"
POT_NAME = "Activities pot"


@transaction.atomic
def liquid_pot_found(*, organisation: Organisation, by: Member | None) -> Budget:
    """A new network's liquid pot: a collective fund in the organisation's currency and the general
    circle's empty pot for this year, from which members claim agreed amounts for the work they do.
    Income and allocations come later, recorded and decided like any other."""
    general = Circle.objects.get(organisation=organisation, is_general=True)
    currency = currency_clean(organisation.currency or "EUR")
    fund = Fund.objects.filter(organisation=organisation, name=str(POT_FUND_NAME)).first() or fund_create(
        organisation=organisation, name=str(POT_FUND_NAME), currency=currency, by=by
    )
    year = timezone.localdate().year
    budget = Budget.objects.create(
        organisation=organisation,
        fund=fund,
        circle=general,
        name=str(POT_NAME),
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        is_pot=True,
        available=Money(0, fund.currency),
    )
    event_record(
        organisation=organisation,
        actor=by,
        verb="budget.created",
        obj=budget,
        circle=general,
        details={"fund": fund.name, "liquid_pot": True},
    )
    return budget
