"""Money's pages: thin views that fetch-and-check, call one service, and render or redirect."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import response_cache
from governance.errors import DomainError
from governance.exports import csv_response
from governance.forms import add_domain_error
from governance.queries import get_organisation_for
from governance.rules import member_for

from . import charts, queries, services
from .forms import (
    AllocationForm,
    AttachmentForm,
    BucketForm,
    FundForm,
    IncomeForm,
    PaymentForm,
    ReturnForm,
    ReverseForm,
    RoundForm,
    SpendingForm,
)
from .models import Bucket, Commitment, Entry, Fund, Round, Spending


def _ctx(organisation, **extra) -> dict:
    return {"organisation": organisation, "nav": "money", **extra}


def _fail(request, error: DomainError, form=None):
    if form is not None:
        add_domain_error(form, error)
    else:
        messages.error(request, error.message)


# Overview, funds and the ledger ----------------------------------------------------------------


@login_required
def money_home(request, org):
    organisation, member = get_organisation_for(request.user, org)
    spendings = list(queries.organisation_spendings(organisation, request.user)[:50])
    for spending in spendings:
        spending.status = queries.spending_status(spending)
    return render(
        request,
        "money/home.html",
        _ctx(
            organisation,
            funds=Fund.objects.filter(organisation=organisation),
            budgets=queries.budgets_for_page(organisation),
            spendings=spendings,
            rounds=Round.objects.filter(organisation=organisation).select_related("circle")[:20],
            may_add_fund=rules.test_rule("money.add_fund", request.user, organisation),
            to_pay=list(queries.commitments_to_pay_for(member)),
        ),
    )


@login_required
def fund_new(request, org):
    organisation, member = get_organisation_for(request.user, org)
    if not rules.test_rule("money.add_fund", request.user, organisation):
        raise PermissionDenied(_("Only an admin or a treasurer opens a fund."))
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(organisation=organisation, by=member, **form.cleaned_data)
        except DomainError as error:
            _fail(request, error, form)
        else:
            return redirect("money:fund", org=org, pk=fund.pk)
    return render(request, "money/form.html", _ctx(organisation, form=form, title=_("Open a fund")))


@login_required
def fund_detail(request, org, pk):
    fund = queries.get_fund_for(request.user, pk, org=org)
    manage = rules.test_rule("money.manage_fund", request.user, fund)
    return render(
        request,
        "money/fund.html",
        _ctx(
            fund.organisation,
            fund=fund,
            entries=queries.fund_entries(fund),
            budgets=queries.report_budgets(fund.organisation, fund=fund),
            may_manage=manage,
            income_form=IncomeForm() if manage else None,
            reverse_form=ReverseForm() if manage else None,
        ),
    )


@login_required
@require_POST
def income_record(request, org, pk):
    fund = queries.get_fund_for(request.user, pk, org=org, action="money.manage_fund")
    form = IncomeForm(request.POST)
    if form.is_valid():
        try:
            services.income_record(fund=fund, by=member_for(request.user, fund.organisation_id), **form.cleaned_data)
            messages.success(request, _("The income is on the ledger."))
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Give an amount such as 120.50."))
    return redirect("money:fund", org=org, pk=fund.pk)


@login_required
@require_POST
def entry_reverse(request, org, pk):
    entry = Entry.objects.select_related("fund").filter(pk=pk).first()
    fund = queries.get_fund_for(request.user, entry.fund_id if entry else 0, org=org, action="money.manage_fund")
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.entry_reverse(
                entry=entry, by=member_for(request.user, fund.organisation_id), reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The entry is reversed."))
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Say why the entry is reversed."))
    return redirect("money:fund", org=org, pk=fund.pk)


# Budgets and spending --------------------------------------------------------------------------


@login_required
def budget_detail(request, org, pk):
    budget = queries.get_budget_for(request.user, pk, org=org)
    spendings = list(queries.spendings_visible_to(request.user).filter(budget=budget))
    for spending in spendings:
        spending.status = queries.spending_status(spending)
    (row,) = [r for r in queries.report_budgets(budget.organisation, fund=budget.fund) if r.extra["pk"] == budget.pk]
    return render(
        request,
        "money/budget.html",
        _ctx(
            budget.organisation,
            budget=budget,
            row=row,
            spendings=spendings,
            categories=list(budget.categories.all()),
            may_spend=rules.test_rule("money.add_spending", request.user, budget),
        ),
    )


@login_required
def spending_new(request, org, pk, kind=Spending.Kind.SPENDING):
    budget = queries.get_budget_for(request.user, pk, org=org, action="money.add_spending")
    claim = kind == Spending.Kind.CLAIM
    form = SpendingForm(request.POST or None, request.FILES or None, budget=budget, claim=claim)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        quote = data.pop("quote", None)
        member = member_for(request.user, budget.organisation_id)
        try:
            spending = services.spending_create(budget=budget, by=member, kind=kind, **data)
            if quote:
                services.attachment_add(spending=spending, by=member, file=quote)
        except DomainError as error:
            _fail(request, error, form)
        else:
            return redirect("money:spending", org=org, pk=spending.pk)
    return render(
        request,
        "money/spending_form.html",
        _ctx(budget.organisation, form=form, budget=budget, claim=claim),
    )


@login_required
def spending_detail(request, org, pk):
    spending = queries.get_spending_for(request.user, pk, org=org)
    commitment = Commitment.objects.filter(spending=spending).first()
    return render(
        request,
        "money/spending.html",
        _ctx(
            spending.organisation,
            spending=spending,
            status=queries.spending_status(spending),
            attachments=list(spending.attachments.all()),
            commitment=commitment,
            schedule=spending.schedule(),
            may_attach=rules.test_rule("money.change_spending", request.user, spending)
            or rules.test_rule("money.add_spending", request.user, spending.budget),
            may_propose=rules.test_rule("money.change_spending", request.user, spending)
            and spending.state == Spending.State.DRAFT,
            attachment_form=AttachmentForm(),
        ),
    )


@login_required
@require_POST
def spending_propose(request, org, pk):
    spending = queries.get_spending_for(request.user, pk, org=org, action="money.change_spending")
    try:
        proposal = services.spending_propose(spending=spending, by=member_for(request.user, spending.organisation_id))
    except DomainError as error:
        _fail(request, error)
        return redirect("money:spending", org=org, pk=spending.pk)
    messages.success(request, _("The proposal is open in %(circle)s.") % {"circle": proposal.circle.name})
    return redirect("proposal", org=org, pk=proposal.pk)


@login_required
@require_POST
def attachment_add(request, org, pk):
    spending = queries.get_spending_for(request.user, pk, org=org)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                spending=spending,
                by=member_for(request.user, spending.organisation_id),
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
            messages.success(request, _("The file is attached."))
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("money:spending", org=org, pk=spending.pk)


@login_required
def attachment_download(request, org, pk):
    """The file, only to those who may see its spending (404 for anyone else), as a download, so a
    browser never renders an uploaded file as a page of ours."""
    attachment = queries.get_attachment_for(request.user, pk, org=org)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Commitments and payments ----------------------------------------------------------------------


@login_required
def commitment_detail(request, org, pk):
    commitment = queries.get_commitment_for(request.user, pk, org=org)
    treasurer = rules.test_rule("money.record_payment", request.user, commitment)
    entries = Entry.objects.filter(commitment=commitment).select_related("created_by__user", "receipt")
    return render(
        request,
        "money/commitment.html",
        _ctx(
            commitment.organisation,
            commitment=commitment,
            entries=entries,
            paid=services.commitment_paid(commitment),
            may_pay=treasurer and commitment.state == Commitment.State.OPEN,
            payment_form=PaymentForm(initial={"amount": commitment.outstanding.amount}),
            return_form=ReturnForm(),
        ),
    )


@login_required
@require_POST
def payment_record(request, org, pk):
    commitment = queries.get_commitment_for(request.user, pk, org=org, action="money.record_payment")
    form = PaymentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.payment_record(
                commitment=commitment, by=member_for(request.user, commitment.organisation_id), **form.cleaned_data
            )
            messages.success(request, _("The payment is recorded."))
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("money:commitment", org=org, pk=commitment.pk)


@login_required
@require_POST
def commitment_return(request, org, pk):
    commitment = queries.get_commitment_for(request.user, pk, org=org, action="money.record_payment")
    form = ReturnForm(request.POST)
    form.is_valid()
    try:
        services.commitment_return(
            commitment=commitment,
            by=member_for(request.user, commitment.organisation_id),
            reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(request, _("What was not paid is back in the budget."))
    except DomainError as error:
        _fail(request, error)
    return redirect("money:commitment", org=org, pk=commitment.pk)


# Participatory rounds --------------------------------------------------------------------------


@login_required
def round_new(request, org):
    organisation, member = get_organisation_for(request.user, org)
    if not rules.test_rule("money.add_round", request.user, organisation):
        raise PermissionDenied(_("Only an admin or a treasurer opens a round."))
    form = RoundForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_open(by=member, **form.cleaned_data)
        except DomainError as error:
            _fail(request, error, form)
        else:
            return redirect("money:round", org=org, pk=round_.pk)
    return render(request, "money/form.html", _ctx(organisation, form=form, title=_("Open a participatory round")))


@login_required
def round_detail(request, org, pk):
    round_ = queries.get_round_for(request.user, pk, org=org)
    member = member_for(request.user, round_.organisation_id)
    buckets, share = queries.round_for_page(round_, member)
    is_open = round_.state == Round.State.OPEN and not round_.is_past_deadline()
    return render(
        request,
        "money/round.html",
        _ctx(
            round_.organisation,
            round=round_,
            buckets=buckets,
            share=share,
            is_open=is_open,
            bucket_form=BucketForm() if is_open and rules.test_rule("money.add_bucket", request.user, round_) else None,
        ),
    )


@login_required
@require_POST
def bucket_new(request, org, pk):
    round_ = queries.get_round_for(request.user, pk, org=org, action="money.add_bucket")
    form = BucketForm(request.POST)
    if form.is_valid():
        try:
            services.bucket_create(
                round=round_, by=member_for(request.user, round_.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Give the bucket a title and its goals."))
    return redirect("money:round", org=org, pk=round_.pk)


@login_required
@require_POST
def allocation_set(request, org, pk):
    bucket = Bucket.objects.select_related("round").filter(pk=pk).first()
    round_ = queries.get_round_for(request.user, bucket.round_id if bucket else 0, org=org, action="money.allocate")
    form = AllocationForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_set(
                bucket=bucket,
                member=member_for(request.user, round_.organisation_id),
                amount=form.cleaned_data["amount"],
            )
            messages.success(request, _("Your allocation is saved."))
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Give an amount such as 20.00."))
    return redirect("money:round", org=org, pk=round_.pk)


# Reports ---------------------------------------------------------------------------------------

REPORT_HEADERS = {
    "funds": ["fund", "currency", "income", "budgeted", "committed", "paid", "returned", "balance"],
    "budgets": ["budget", "period_start", "period_end", "currency", "budgeted", "committed", "paid", "remaining"],
    "categories": ["category", "period", "currency", "count", "total_committed", "total_paid"],
}


def _report_rows(organisation, which: str, period: str):
    if which == "funds":
        return [
            [r.label, r.currency, r.extra["income"], r.budgeted, r.committed, r.paid, r.returned, r.extra["balance"]]
            for r in queries.report_funds(organisation)
        ]
    if which == "budgets":
        return [
            [r.label, r.period[0], r.period[1], r.currency, r.budgeted, r.committed, r.paid, r.remaining]
            for r in queries.report_budgets(organisation)
        ]
    return [
        [r.label, r.period, r.currency, r.count, r.committed, r.paid]
        for r in queries.report_categories(organisation, period=period)
    ]


@login_required
def reports(request, org):
    organisation, _member = get_organisation_for(request.user, org, action="money.view_reports")
    period = request.GET.get("period", "quarter")
    if period not in queries.PERIODS:
        period = "quarter"
    funds = queries.report_funds(organisation)
    budgets = queries.report_budgets(organisation)
    categories = queries.report_categories(organisation, period=period)
    return render(
        request,
        "money/reports.html",
        _ctx(
            organisation,
            funds=funds,
            budgets=budgets,
            categories=categories,
            period=period,
            periods=list(queries.PERIOD_LABELS.items()),
            budget_chart=charts.bar_chart(budgets),
            category_chart=charts.bar_chart(categories, series=charts.SERIES[1:]),
        ),
    )


@login_required
def report_csv(request, org, which):
    organisation, _member = get_organisation_for(request.user, org, action="money.view_reports")
    if which not in REPORT_HEADERS:
        raise Http404(_("No such report."))
    period = request.GET.get("period", "quarter")
    filename = "spending_proposal_categories.csv" if which == "categories" else f"{which}.csv"
    # The ledger is written only by money's services, each recording an event, which gives the
    # organisation a new version: a report read from the cache is never behind the ledger.
    rows = response_cache.remember(
        f"money-report-{which}",
        organisation.pk,
        (period, get_language(), timezone.get_current_timezone_name()),
        lambda: _report_rows(organisation, which, period),
    )
    return csv_response(filename, REPORT_HEADERS[which], rows)
