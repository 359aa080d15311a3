"""Proposal pages: thin views that fetch-and-check, call a service, and render or redirect."""

from __future__ import annotations

import difflib
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError
from governance.exports import csv_response
from governance.forms import add_domain_error
from governance.models import Member
from governance.queries import counts_by, get_organisation_for
from governance.rules import member_for

from . import proxies as proxy_services
from . import queries, services
from .change_views import changes_view
from .forms import (
    AmendForm,
    CommentForm,
    DecisionFilterForm,
    OpenForm,
    OutcomeForm,
    PositionForm,
    ProposalForm,
    ProxyForm,
)
from .models import Proposal

LIST_PAGE_SIZE = 25
POSITIONS_SHOWN = 30
COMMENTS_SHOWN = 30  # the latest; "?comments=all" shows the whole discussion
HISTORY_SHOWN = 10  # my latest position changes


def _back(proposal: Proposal):
    return redirect("proposal", org=proposal.organisation.slug, pk=proposal.pk)


@login_required
def circle_proposals(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    proposals = queries.circle_proposals(circle, request.user)
    state = request.GET.get("state", "open")
    if state not in Proposal.State.values:
        state = "open"
    counts = counts_by(proposals, values=Proposal.State.values)
    order = "closes_at" if state == "open" else "-created_at"
    page = Paginator(proposals.filter(state=state).order_by(order, "-id"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "proposals/circle_proposals.html",
        {
            "organisation": circle.organisation,
            "circle": circle,
            "page": page,
            "state": state,
            "counts": counts,
            "now": timezone.now(),
            "nav": "circles",
        },
    )


@login_required
def proposal_new(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="proposals.add_proposal")
    member = member_for(request.user, circle.organisation_id)
    form = ProposalForm(request.POST or None, initial={"round_days": circle.organisation.consent_round_days})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(circle=circle, author=member, **form.service_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Draft saved. Only you can see it until you open the round."))
            return _back(proposal)
    return render(
        request,
        "proposals/proposal_form.html",
        {"organisation": circle.organisation, "circle": circle, "form": form, "proposal": None},
    )


@login_required
def proposal_edit(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_proposal", organisation_slug=org)
    member = member_for(request.user, proposal.organisation_id)
    form = ProposalForm(request.POST or None, initial=ProposalForm.initial_for(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update_draft(proposal=proposal, by=member, **form.service_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Draft updated."))
            return _back(proposal)
    return render(
        request,
        "proposals/proposal_form.html",
        {"organisation": proposal.organisation, "circle": proposal.circle, "form": form, "proposal": proposal},
    )


@login_required
def proposal_detail(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, organisation_slug=org)
    return render(request, "proposals/proposal_detail.html", _detail_context(request, proposal))


def _proxy_entries(proposal: Proposal, member, proxy_form=None) -> list[dict]:
    """The members this one holds a proxy of in the round, each with a position form of its own."""
    if not proposal.is_open or proposal.deadline_passed():
        return []
    entries = queries.proxies_for_round(proposal, member)
    for entry in entries:
        grantor, position = entry["grantor"], entry["position"]
        if proxy_form is not None and proxy_form.prefix == f"for-{grantor.pk}":
            entry["form"] = proxy_form
        else:
            initial = {"kind": position.kind, "reason": position.reason} if position else {}
            entry["form"] = PositionForm(proposal=proposal, prefix=f"for-{grantor.pk}", initial=initial)
    return entries


def _position_fields_key(proposal: Proposal, mine) -> tuple:
    """What the position form's fields are kept under in the response cache: they show the member's
    own kind and reason. In a round whose positions everyone sees (not anonymous, results not
    hidden), fields that show the same kind and reason are the same for everyone, so they are kept
    by what they show; otherwise under the member's own position, which nobody else holds, so that
    no member's answer could ever be told from another's page (not even by how fast it came)."""
    if mine is None:
        return ("none",)
    if proposal.anonymous or proposal.hidden_results:
        return ("own", mine.pk)
    return ("shows", mine.kind, hashlib.blake2b(mine.reason.encode(), digest_size=16).hexdigest())


def _detail_context(request, proposal: Proposal, *, position_form=None, comment_form=None, proxy_form=None) -> dict:
    member = member_for(request.user, proposal.organisation_id)
    voter = queries.eligible_voter(proposal, member)
    history, mine = queries.my_history_and_position(proposal, member, voter, limit=HISTORY_SHOWN)
    if position_form is None and voter is not None and proposal.is_open:
        initial = {"kind": mine.kind, "reason": mine.reason} if mine else {}
        position_form = PositionForm(proposal=proposal, initial=initial)
    # Read only if the page renders them: the discussion usually comes from the response cache.
    discussion = SimpleLazyObject(
        lambda: (
            (list(queries.comments(proposal)), False)
            if request.GET.get("comments") == "all"
            else queries.latest_comments(proposal, COMMENTS_SHOWN)
        )
    )
    shown = queries.shown_positions(proposal, limit=POSITIONS_SHOWN)
    return {
        "position_fields_key": _position_fields_key(proposal, mine),
        "organisation": proposal.organisation,
        "circle": proposal.circle,
        "proposal": proposal,
        "member": member,
        "voter": voter,
        "my_position": mine,
        "my_history": history,
        "position_form": position_form,
        "tally": queries.tally_view(proposal),
        "positions": shown["positions"],
        "responders": shown["responders"],
        "not_responded": (
            queries.not_responded(proposal, limit=POSITIONS_SHOWN)
            if proposal.is_open and not proposal.anonymous
            else None
        ),
        "proxies_held": _proxy_entries(proposal, member, proxy_form),
        "versions": queries.versions(proposal),
        "comments": SimpleLazyObject(lambda: discussion[0]),
        "earlier_comments": SimpleLazyObject(lambda: discussion[1]),
        "comment_form": comment_form or CommentForm(),
        "open_form": OpenForm(organisation=proposal.organisation),
        # Read only if the template shows them (not for the htmx position panel).
        "changes": SimpleLazyObject(lambda: changes_view(proposal)),
        "now": timezone.now(),
        "nav": "circles",
    }


@login_required
@require_POST
def proposal_open(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_proposal", organisation_slug=org)
    form = OpenForm(request.POST, organisation=proposal.organisation)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(proposal)
    try:
        services.proposal_open(
            proposal=proposal,
            by=member_for(request.user, proposal.organisation_id),
            closes_at=form.cleaned_data["closes_at"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The round is open. Eligible members have been asked for their position."))
    return _back(proposal)


@login_required
@require_POST
def position_record(request, org, pk):
    """Record my position. With htmx, answer the position panel and tally in place, and who responded
    beside them (out of band), so that the list never disagrees with the counts."""
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.add_position", organisation_slug=org)
    member = member_for(request.user, proposal.organisation_id)
    form = PositionForm(request.POST, proposal=proposal)
    saved = False
    if form.is_valid():
        try:
            services.position_record(proposal=proposal, member=member, **form.service_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if not request.htmx:
                messages.success(
                    request, gettext("Your position is recorded. You can change it until the round closes.")
                )
                return _back(proposal)
            saved = True
        # The service may have changed the tally or closed the round (early close, deadline passed).
        proposal.refresh_from_db(fields=["state", "tally", "closes_at", "closed_at", "outcome"])
    context = _detail_context(request, proposal, position_form=None if saved else form)
    context["position_saved"] = saved
    template = "proposals/_position_answer.html" if request.htmx else "proposals/proposal_detail.html"
    # htmx swaps only 2xx answers by default, so a refusal comes back as the re-rendered panel
    # with its error, as a 200, just like the form re-rendered without JavaScript.
    return render(request, template, context)


@login_required
@require_POST
def proxy_position_record(request, org, pk):
    """Record a position for a member who gave me their proxy."""
    proposal = queries.get_proposal_for(request.user, pk, organisation_slug=org)
    holder = member_for(request.user, proposal.organisation_id)
    grantor = get_object_or_404(
        Member.objects.select_related("user"),
        pk=request.POST.get("for_member") or 0,
        organisation=proposal.organisation,
    )
    form = PositionForm(request.POST, proposal=proposal, prefix=f"for-{grantor.pk}")
    if form.is_valid():
        try:
            services.position_record(
                proposal=proposal,
                member=grantor,
                by=holder,
                **form.service_kwargs(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Recorded for %(name)s, by proxy.") % {"name": grantor.user.display_name})
            return redirect(f"{_back(proposal).url}#proxies")
    proposal.refresh_from_db(fields=["state", "tally", "closes_at", "closed_at", "outcome"])
    return render(request, "proposals/proposal_detail.html", _detail_context(request, proposal, proxy_form=form))


@login_required
def proxies(request, org):
    """My proxies: those I gave and those I hold, with their history; give one, revoke one."""
    organisation, member = get_organisation_for(request.user, org)
    proposal = None
    if request.GET.get("proposal", "").isdigit():
        proposal = queries.get_proposal_for(request.user, int(request.GET["proposal"]), organisation_slug=org)
    holder = request.GET.get("holder", "")
    form = ProxyForm(
        request.POST or None, member=member, proposal=proposal, initial={"holder": holder} if holder.isdigit() else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            proxy_services.proxy_give(grantor=member, **form.service_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Proxy given. You can revoke it at any moment."))
            return redirect("proxies", org=organisation.slug)
    return render(
        request,
        "proposals/proxies.html",
        {
            "organisation": organisation,
            "member": member,
            "form": form,
            "proposal": proposal,
            **queries.proxies_of(member),
            "nav": "proxies",
        },
    )


@login_required
@require_POST
def proxy_revoke(request, org, pk):
    organisation, member = get_organisation_for(request.user, org)
    proxy = queries.proxy_for(request.user, pk, organisation)
    try:
        proxy_services.proxy_revoke(proxy=proxy, by=member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The proxy has ended."))
    return redirect("proxies", org=organisation.slug)


@login_required
@require_POST
def objection_withdraw(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.add_position", organisation_slug=org)
    try:
        services.objection_withdraw(proposal=proposal, member=member_for(request.user, proposal.organisation_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Your objection is withdrawn. Please record your position again."))
    return _back(proposal)


@login_required
def proposal_amend(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_proposal", organisation_slug=org)
    form = AmendForm(request.POST or None, initial={"title": proposal.title, "body": proposal.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_amend(
                proposal=proposal, by=member_for(request.user, proposal.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Amended. The round restarts and everyone is asked again."))
            return _back(proposal)
    return render(
        request,
        "proposals/proposal_amend.html",
        {"organisation": proposal.organisation, "circle": proposal.circle, "proposal": proposal, "form": form},
    )


@login_required
@require_POST
def proposal_withdraw(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_proposal", organisation_slug=org)
    try:
        services.proposal_withdraw(proposal=proposal, by=member_for(request.user, proposal.organisation_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The proposal is withdrawn."))
    return _back(proposal)


@login_required
def outcome_write(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.write_outcome", organisation_slug=org)
    form = OutcomeForm(
        request.POST or None,
        initial={"statement": proposal.outcome_statement, "review_date": proposal.review_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_write(
                proposal=proposal, by=member_for(request.user, proposal.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The outcome statement is published in the decision log."))
            return _back(proposal)
    return render(
        request,
        "proposals/outcome_form.html",
        {"organisation": proposal.organisation, "circle": proposal.circle, "proposal": proposal, "form": form},
    )


@login_required
@require_POST
def comment_add(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.comment", organisation_slug=org)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                proposal=proposal, author=member_for(request.user, proposal.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Comment added."))
            return redirect(f"{_back(proposal).url}#comments")
    return render(request, "proposals/proposal_detail.html", _detail_context(request, proposal, comment_form=form))


@login_required
def proposal_versions(request, org, pk):
    """Every version of the text, each with a readable diff against the one before."""
    proposal = queries.get_proposal_for(request.user, pk, organisation_slug=org)
    versions = list(queries.versions(proposal))
    rows = []
    for previous, version in zip([None, *versions[:-1]], versions, strict=True):
        diff = []
        if previous is not None:
            before = [f"# {previous.title}", *previous.body.splitlines()]
            after = [f"# {version.title}", *version.body.splitlines()]
            diff = list(
                difflib.unified_diff(
                    before, after, f"version {previous.number}", f"version {version.number}", lineterm="", n=2
                )
            )
        rows.append({"version": version, "diff": diff})
    return render(
        request,
        "proposals/proposal_versions.html",
        {
            "organisation": proposal.organisation,
            "circle": proposal.circle,
            "proposal": proposal,
            "rows": list(reversed(rows)),
        },
    )


@login_required
def waiting(request, org):
    """Organisation-wide inbox: open rounds waiting for my position, soonest deadline first."""
    organisation, member = get_organisation_for(request.user, org)
    return render(
        request,
        "proposals/waiting.html",
        {
            "organisation": organisation,
            "proposals": queries.waiting_for(member),
            "now": timezone.now(),
            "nav": "waiting",
        },
    )


@login_required
def decision_log(request, org):
    organisation, _ = get_organisation_for(request.user, org)
    form = DecisionFilterForm(request.GET or None, organisation=organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    decisions = queries.decision_log(organisation, **{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv":
        return _decisions_csv(organisation, decisions)
    page = Paginator(decisions, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/decision_log.html",
        {"organisation": organisation, "form": form, "page": page, "query": query.urlencode(), "nav": "decisions"},
    )


def _decisions_csv(organisation, decisions) -> HttpResponse:
    header = [
        "id",
        "closed_at",
        "circle",
        "title",
        "method",
        "outcome",
        "responded",
        "eligible",
        "responded_weight",
        "eligible_weight",
        "objections",
        "outcome_statement",
        "review_date",
        "proposer",
    ]
    rows = (
        [
            p.pk,
            p.closed_at,
            p.circle.name,
            p.title,
            p.method,
            p.outcome,
            p.responded_count,
            p.eligible_count,
            p.responded_weight,
            p.eligible_weight,
            p.heads("objection"),
            p.outcome_statement,
            p.review_date,
            p.author.user,
        ]
        for p in decisions.iterator(chunk_size=500)
    )
    return csv_response(f"{organisation.slug}-decisions-{timezone.localdate().isoformat()}.csv", header, rows)
