"""Action pages: a circle's action board, an action added on the meeting page, my actions, and an
action changed (htmx gets its row back)."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.queries import get_organisation_for

from .. import queries, services
from ..forms import ActionEditForm, ActionItemForm, ActionStatusForm
from .common import back, member_in, show_error
from .meetings import meeting_page_context


@login_required
def circle_actions(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    can_add = rules.test_rule("meetings.add_action_item", request.user, circle)
    form = ActionItemForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied(gettext("Only members of this circle add actions to it."))
        if form.is_valid():
            try:
                services.action_item_create(circle=circle, by=member_in(request, organisation.pk), **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, gettext("The action is on the board."))
                return redirect("circle-actions", org=organisation.slug, circle=circle.slug)
    return render(
        request,
        "meetings/circle_actions.html",
        {
            "organisation": organisation,
            "circle": circle,
            "board": queries.circle_board(circle),
            "form": form,
            "can_add": can_add,
            "today": queries.local_today(organisation),
            "nav": "circles",
        },
    )


@login_required
@require_POST
def meeting_action_add(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    if not rules.test_rule("meetings.add_action_item", request.user, meeting.circle):
        raise PermissionDenied(gettext("Only members of this circle add actions to it."))
    form = ActionItemForm(request.POST, organisation=meeting.organisation)
    if form.is_valid():
        try:
            services.action_item_create(
                circle=meeting.circle,
                by=member_in(request, meeting.organisation_id),
                meeting=meeting,
                **form.cleaned_data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The action is recorded and its owner told."))
            return back(meeting, "actions")
    return render(request, "meetings/meeting.html", meeting_page_context(request, meeting, action_form=form))


@login_required
def my_actions(request, org):
    organisation, member = get_organisation_for(request.user, org)
    show_all = request.GET.get("show") == "all"
    return render(
        request,
        "meetings/my_actions.html",
        {
            "organisation": organisation,
            "actions": queries.my_actions(member, include_finished=show_all),
            "show_all": show_all,
            "today": queries.local_today(organisation),
            "nav": "actions",
        },
    )


@login_required
def action_edit(request, org, pk):
    item = queries.get_action_item_for(request.user, pk, action="meetings.change_action_item", organisation_slug=org)
    form = ActionEditForm(
        request.POST or None, organisation=item.organisation, initial=ActionEditForm.initial_for(item)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(item=item, by=member_in(request, item.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The action is saved."))
            return redirect("circle-actions", org=org, circle=item.circle.slug)
    return render(
        request,
        "meetings/action_form.html",
        {"organisation": item.organisation, "circle": item.circle, "item": item, "form": form, "nav": "circles"},
    )


@login_required
@require_POST
def action_status(request, org, pk):
    """Change an action's status; htmx gets the row back."""
    item = queries.get_action_item_for(request.user, pk, action="meetings.change_action_item", organisation_slug=org)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            item = services.action_item_update(
                item=item, by=member_in(request, item.organisation_id), status=form.cleaned_data["status"]
            )
        except DomainError as error:
            show_error(request, error)
    else:
        messages.error(request, gettext("Choose a status."))
    if request.htmx:
        item = queries.get_action_item_for(request.user, item.pk, organisation_slug=org)
        return render(
            request,
            "meetings/_action_row.html",
            {
                "organisation": item.organisation,
                "action": item,
                "today": queries.local_today(item.organisation),
                "saved": form.is_valid(),
            },
        )
    return redirect(request.POST.get("next") or reverse("my-actions", kwargs={"org": org}))
