"""Pages for the changes a proposal carries: the "Add a change" menu and each kind's form, editing and
removing a change, re-opening a round that could not be enacted, and "Propose a change" (a new draft
pre-filled with one change, where Edit buttons were under "structure changes by consent")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.changes import ChangeContext, ChangeKind, change_kinds
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.rules import member_for

from . import queries, services
from .changes import kinds_by_group
from .diffs import rows_of
from .forms import ProposalForm
from .models import Change, Proposal


def _back(proposal: Proposal):
    return redirect(f"{redirect('proposal', org=proposal.organisation.slug, pk=proposal.pk).url}#changes")


def _kind(key: str) -> ChangeKind:
    kind = change_kinds.get(key or "")
    if kind is None or kind.form_class is None:
        raise Http404("No such kind of change.")
    return kind


def changes_view(proposal: Proposal) -> list[dict]:
    """The proposal's changes as its page shows them (one query)."""
    return [{"change": change, "rows": rows_of(change.description)} for change in proposal.changes.all()]


def _form_page(request, proposal, kind, form, change=None):
    return render(
        request,
        "proposals/change_form.html",
        {
            "organisation": proposal.organisation,
            "circle": proposal.circle,
            "proposal": proposal,
            "kind": kind,
            "form": form,
            "change": change,
            "nav": "circles",
        },
    )


@login_required
def change_new(request, org, pk):
    """Without a kind: the "Add a change" menu, grouped. With one: its form; saving adds the change."""
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_changes", organisation_slug=org)
    key = request.POST.get("kind") or request.GET.get("kind")
    if not key:
        context = {
            "organisation": proposal.organisation,
            "circle": proposal.circle,
            "proposal": proposal,
            "groups": kinds_by_group(),
            "nav": "circles",
        }
        return render(request, "proposals/change_menu.html", context)
    kind = _kind(key)
    member = member_for(request.user, proposal.organisation_id)
    ctx = services.change_context(proposal, by=member)
    form = kind.form_class(request.POST or None, context=ctx)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_add(proposal=proposal, by=member, kind=kind.key, data=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The change is added."))
            return _back(proposal)
    return _form_page(request, proposal, kind, form)


@login_required
def change_edit(request, org, pk, change):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_changes", organisation_slug=org)
    change = get_object_or_404(Change, proposal=proposal, pk=change)
    kind = _kind(change.kind)
    member = member_for(request.user, proposal.organisation_id)
    ctx = services.change_context(proposal, by=member)
    form = kind.form_class(request.POST or None, initial=change.data, context=ctx)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_update(change=change, by=member, data=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The change is saved."))
            return _back(proposal)
    return _form_page(request, proposal, kind, form, change)


@login_required
@require_POST
def change_remove(request, org, pk, change):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.change_changes", organisation_slug=org)
    change = get_object_or_404(Change, proposal=proposal, pk=change)
    try:
        services.change_remove(change=change, by=member_for(request.user, proposal.organisation_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The change is removed."))
    return _back(proposal)


@login_required
@require_POST
def proposal_reopen(request, org, pk):
    proposal = queries.get_proposal_for(request.user, pk, action="proposals.reopen", organisation_slug=org)
    try:
        services.proposal_reopen(proposal=proposal, by=member_for(request.user, proposal.organisation_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The round is open again; everyone is asked again."))
    return redirect("proposal", org=org, pk=pk)


def _organisation_id_of(obj) -> int | None:
    if hasattr(obj, "organisation_id"):
        return obj.organisation_id
    circle = getattr(obj, "circle", None)
    return getattr(circle, "organisation_id", None)


@login_required
def propose(request, org, circle):
    """A new draft in this circle, pre-filled with one change: `?kind=circle.amend&object=<pk>` opens
    the kind's form with the object's values (kind.initial). Saving drafts the proposal and its change
    together; nothing is saved if either is refused."""
    circle = get_circle_for(request.user, org, circle, action="proposals.add_proposal")
    organisation = circle.organisation
    member = member_for(request.user, organisation.pk)
    kind = _kind(request.POST.get("kind") or request.GET.get("kind"))
    obj = None
    object_id = request.POST.get("object") or request.GET.get("object")
    if kind.model is not None and object_id:
        obj = kind.model.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if obj is None or _organisation_id_of(obj) != organisation.pk:
            raise Http404("No such object.")
    ctx = ChangeContext(organisation=organisation, circle=circle, actor=member)
    title = f"{kind.label}: {obj}" if obj is not None else str(kind.label)
    form = ProposalForm(
        request.POST or None, initial={"title": title[:200], "round_days": organisation.consent_round_days}
    )
    change_form = kind.form_class(
        request.POST or None, initial=kind.initial(obj) if obj is not None else {}, context=ctx, prefix="change"
    )
    if request.method == "POST" and form.is_valid() and change_form.is_valid():
        try:
            proposal = services.proposal_create_with_changes(
                circle=circle, author=member, changes=[(kind.key, change_form.cleaned_data)], **form.service_kwargs()
            )
        except services.ChangeRefused as error:
            add_domain_error(change_form, DomainError(error.message, field=error.change_field))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Draft saved with its change. Open the round when it is ready."))
            return redirect("proposal", org=organisation.slug, pk=proposal.pk)
    context = {
        "organisation": organisation,
        "circle": circle,
        "kind": kind,
        "object": obj,
        "form": form,
        "change_form": change_form,
        "nav": "circles",
    }
    return render(request, "proposals/propose.html", context)
