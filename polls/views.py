"""Poll pages: thin views that fetch-and-check, call one service, and render or redirect."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.rules import active_members, member_for

from . import queries, services
from .forms import AnswerForm, PollForm
from .models import Poll, PollOption


def _poll_page(poll: Poll):
    return redirect("poll", org=poll.organisation.slug, pk=poll.pk)


@login_required
def poll_list(request, org):
    member = next((m for m in active_members(request.user).values() if m.organisation.slug == org), None)
    if member is None:
        raise Http404
    polls = queries.polls_visible_to(request.user).filter(organisation_id=member.organisation_id)
    circles = [
        c for c in queries.open_circles(member.organisation) if rules.test_rule("polls.open_poll", request.user, c)
    ]
    return render(
        request,
        "polls/poll_list.html",
        {"organisation": member.organisation, "polls": polls, "circles": circles, "nav": "polls"},
    )


@login_required
def poll_new(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="polls.open_poll")
    organisation = circle.organisation
    form = PollForm(request.POST or None, organisation=organisation, initial={"kind": Poll.Kind.TIME})
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.poll_create(
                circle=circle, by=member_for(request.user, organisation.pk), **form.service_kwargs()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The poll is open and the circle has been told."))
            return _poll_page(poll)
    return render(
        request, "polls/poll_form.html", {"organisation": organisation, "circle": circle, "form": form, "nav": "polls"}
    )


def _poll_context(request, poll: Poll, form=None) -> dict:
    member = member_for(request.user, poll.organisation_id)
    options = list(poll.options.all())
    may_answer = poll.is_open and rules.test_rule("polls.answer_poll", request.user, poll)
    return {
        "organisation": poll.organisation,
        "circle": poll.circle,
        "poll": poll,
        "results": queries.poll_results(poll),
        "answered": queries.answered_count(poll),
        "picked": queries.option_label(poll.picked, poll.organisation) if poll.picked else "",
        "form": form
        or (AnswerForm(poll=poll, options=options, mine=queries.my_answers(poll, member)) if may_answer else None),
        "may_manage": rules.test_rule("polls.manage_poll", request.user, poll),
        "nav": "polls",
    }


@login_required
def poll_detail(request, org, pk):
    poll = queries.get_poll_for(request.user, pk, organisation_slug=org)
    return render(request, "polls/poll.html", _poll_context(request, poll))


@login_required
@require_POST
def poll_answer(request, org, pk):
    poll = queries.get_poll_for(request.user, pk, action="polls.answer_poll", organisation_slug=org)
    member = member_for(request.user, poll.organisation_id)
    form = AnswerForm(request.POST, poll=poll, options=list(poll.options.all()), mine={})
    if form.is_valid():
        try:
            services.poll_answer(poll=poll, member=member, values=form.values())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Your answer is recorded; you can change it while the poll is open."))
            return _poll_page(poll)
    return render(request, "polls/poll.html", _poll_context(request, poll, form=form))


@login_required
@require_POST
def poll_close(request, org, pk):
    poll = queries.get_poll_for(request.user, pk, action="polls.manage_poll", organisation_slug=org)
    try:
        services.poll_close(poll=poll, by=member_for(request.user, poll.organisation_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The poll is closed."))
    return _poll_page(poll)


@login_required
@require_POST
def time_poll_pick(request, org, pk):
    poll = queries.get_poll_for(request.user, pk, action="polls.manage_poll", organisation_slug=org)
    option = PollOption.objects.filter(poll=poll, pk=request.POST.get("option") or 0).first()
    if option is None:
        messages.error(request, gettext("Pick one of this poll's slots."))
        return _poll_page(poll)
    try:
        poll = services.time_poll_pick(poll=poll, option=option, by=member_for(request.user, poll.organisation_id))
    except DomainError as error:
        messages.error(request, error.message)
        return _poll_page(poll)
    messages.success(request, gettext("The meeting is scheduled for the slot you picked."))
    return redirect("meeting", org=poll.organisation.slug, pk=poll.meeting_id)
