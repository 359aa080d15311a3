"""Tension pages: a circle's tensions (and raising one), a tension, and what its raiser or the
circle's leads do with it: edit it, put it on an agenda, resolve it with a note, as a proposal or
as an action."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.queries import counts_by

from .. import queries, services
from ..forms import ResolveForm, TensionForm, ToActionForm
from ..models import Tension
from .common import back, member_in, show_error


@login_required
def circle_tensions(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    can_raise = rules.test_rule("meetings.raise_tension", request.user, circle)
    form = TensionForm(request.POST or None)
    if request.method == "POST":
        if not can_raise:
            raise PermissionDenied(gettext("Only members of this circle raise tensions in it."))
        if form.is_valid():
            try:
                tension = services.tension_raise(
                    circle=circle, by=member_in(request, organisation.pk), **form.cleaned_data
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, gettext("Your tension is raised. The facilitator can put it on an agenda."))
                return redirect("tension", org=organisation.slug, pk=tension.pk)
    state = request.GET.get("state", "open")
    if state not in Tension.State.values:
        state = "open"
    tensions = queries.circle_tensions(circle)
    counts = counts_by(tensions, values=Tension.State.values)
    page = Paginator(tensions.filter(state=state).order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/circle_tensions.html",
        {
            "organisation": organisation,
            "circle": circle,
            "page": page,
            "state": state,
            "counts": counts,
            "form": form,
            "can_raise": can_raise,
            "nav": "circles",
        },
    )


@login_required
def tension_detail(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, organisation_slug=org)
    return render(request, "meetings/tension.html", _tension_context(request, tension))


def _tension_context(request, tension: Tension, **forms) -> dict:
    user = request.user
    can_resolve = rules.test_rule("meetings.resolve_tension", user, tension)
    meetings = [
        m
        for m in queries.next_meetings_for_agenda(tension.circle)
        if rules.test_rule("meetings.add_agenda_item", user, m)
    ]
    return {
        "organisation": tension.organisation,
        "circle": tension.circle,
        "tension": tension,
        "agenda_items": queries.tension_agenda_items(tension),
        "actions": tension.action_items.select_related("owner__user"),
        "can_resolve": can_resolve,
        "can_change": rules.test_rule("meetings.change_tension", user, tension),
        "can_propose": can_resolve
        and not tension.is_in_proposal
        and rules.test_rule("proposals.add_proposal", user, tension.circle),
        # A draft is its author's until the round opens: others see that it exists, not a dead link.
        "proposal_visible": tension.proposal_id is not None
        and rules.test_rule("proposals.view_proposal", user, tension.proposal),
        "meetings": meetings if not tension.is_resolved else [],
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "action_form": forms.get("action_form") or ToActionForm(organisation=tension.organisation),
        "edit_form": forms.get("edit_form")
        or TensionForm(initial={"title": tension.title, "description": tension.description}),
        "nav": "circles",
    }


@login_required
@require_POST
def tension_edit(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.change_tension", organisation_slug=org)
    form = TensionForm(request.POST)
    if form.is_valid():
        try:
            services.tension_update(
                tension=tension, by=member_in(request, tension.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The tension is updated."))
            return redirect("tension", org=org, pk=tension.pk)
    return render(request, "meetings/tension.html", _tension_context(request, tension, edit_form=form))


@login_required
@require_POST
def tension_to_agenda(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, organisation_slug=org)
    meeting = queries.get_meeting_for(
        request.user, request.POST.get("meeting"), action="meetings.add_agenda_item", organisation_slug=org
    )
    try:
        services.agenda_item_add(meeting=meeting, by=member_in(request, tension.organisation_id), tension=tension)
    except DomainError as error:
        show_error(request, error)
        return redirect("tension", org=org, pk=tension.pk)
    messages.success(
        request,
        gettext("“%(tension)s” is on the agenda of %(meeting)s.")
        % {"tension": tension.title, "meeting": meeting.title},
    )
    return back(meeting, "agenda")


@login_required
@require_POST
def tension_resolve(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.resolve_tension", organisation_slug=org)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.tension_resolve(
                tension=tension, by=member_in(request, tension.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The tension is resolved."))
            return redirect("tension", org=org, pk=tension.pk)
    return render(request, "meetings/tension.html", _tension_context(request, tension, resolve_form=form))


@login_required
@require_POST
def tension_propose(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.resolve_tension", organisation_slug=org)
    if not rules.test_rule("proposals.add_proposal", request.user, tension.circle):
        raise PermissionDenied(gettext("Only members of this circle write its proposals."))
    try:
        proposal = services.tension_to_proposal(tension=tension, by=member_in(request, tension.organisation_id))
    except DomainError as error:
        show_error(request, error)
        return redirect("tension", org=org, pk=tension.pk)
    messages.success(
        request, gettext("A draft proposal is ready, pre-filled from the tension. Finish it and open the round.")
    )
    return redirect("proposal-edit", org=org, pk=proposal.pk)


@login_required
@require_POST
def tension_action(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.resolve_tension", organisation_slug=org)
    form = ToActionForm(request.POST, organisation=tension.organisation)
    if form.is_valid():
        try:
            services.tension_to_action(
                tension=tension, by=member_in(request, tension.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The tension became an action item."))
            return redirect("tension", org=org, pk=tension.pk)
    return render(request, "meetings/tension.html", _tension_context(request, tension, action_form=form))
