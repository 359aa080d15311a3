"""Meeting pages: thin views that fetch-and-check, call a service, and render or redirect. The agenda
(reorder, add, remove), the attendance sheet and action statuses also answer htmx requests with
the panel they changed."""

from __future__ import annotations

from datetime import timedelta

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.dates import shift
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.queries import counts_by, get_organisation_for
from governance.rules import member_for

from . import ical, queries, services
from .forms import (
    ActionEditForm,
    ActionItemForm,
    ActionStatusForm,
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    CorrectionForm,
    MeetingForm,
    MeetingSettingsForm,
    MinutesForm,
    RescheduleForm,
    ResolveForm,
    SeriesEndForm,
    SeriesForm,
    TensionForm,
    ToActionForm,
)
from .models import Meeting, MeetingSeries, Tension
from .recurrence import describe

PAST_PAGE_SIZE = 20


def _me(request, organisation_id):
    return member_for(request.user, organisation_id)


def _back(meeting: Meeting, anchor: str = ""):
    url = reverse("meeting", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _error(request, error: DomainError) -> None:
    messages.error(request, error.message)


# Circle pages ----------------------------------------------------------------------------------


@login_required
def circle_meetings(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    past = Paginator(queries.circle_past(circle), PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    series = list(queries.circle_series(circle))
    for one in series:
        one.description = describe(one.rrule)
    return render(
        request,
        "meetings/circle_meetings.html",
        {
            "organisation": organisation,
            "circle": circle,
            "upcoming": queries.circle_upcoming(circle)[:30],
            "past": past,
            "series": series,
            "open_tensions": queries.circle_tensions(circle, Tension.State.OPEN).count(),
            "can_schedule": rules.test_rule("meetings.schedule_meeting", request.user, circle),
            "now": timezone.now(),
            "nav": "circles",
        },
    )


@login_required
def meeting_new(request, org, circle):
    circle = get_circle_for(request.user, org, circle, action="meetings.schedule_meeting")
    organisation = circle.organisation
    facilitator, secretary = queries.circle_leads(circle)
    initial = {"facilitator": facilitator and facilitator.pk, "secretary": secretary and secretary.pk}
    form = MeetingForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, me = form.cleaned_data, _me(request, organisation.pk)
        try:
            if data["repeat"] == "once":
                meeting = services.meeting_create(circle=circle, by=me, **form.meeting_kwargs())
            else:
                series = services.series_create(
                    circle=circle,
                    by=me,
                    frequency=data["repeat"],
                    rrule=data["rrule"],
                    until=data["until"],
                    **form.meeting_kwargs(),
                )
                meeting = series.occurrences.order_by("starts_at").first()
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The meeting is scheduled. Members can add agenda items now.")
            if meeting is None:
                return redirect("circle-meetings", org=organisation.slug, circle=circle.slug)
            return _back(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"organisation": organisation, "circle": circle, "form": form, "meeting": None, "nav": "circles"},
    )


@login_required
def circle_tensions(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    can_raise = rules.test_rule("meetings.raise_tension", request.user, circle)
    form = TensionForm(request.POST or None)
    if request.method == "POST":
        if not can_raise:
            raise PermissionDenied("Only members of this circle raise tensions in it.")
        if form.is_valid():
            try:
                tension = services.tension_raise(circle=circle, by=_me(request, organisation.pk), **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Your tension is raised. The facilitator can put it on an agenda.")
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
def circle_actions(request, org, circle):
    circle = get_circle_for(request.user, org, circle)
    organisation = circle.organisation
    can_add = rules.test_rule("meetings.add_action_item", request.user, circle)
    form = ActionItemForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("Only members of this circle add actions to it.")
        if form.is_valid():
            try:
                services.action_item_create(circle=circle, by=_me(request, organisation.pk), **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "The action is on the board.")
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


# The meeting page ------------------------------------------------------------------------------


def _meeting_context(request, meeting: Meeting, **forms) -> dict:
    user, organisation = request.user, meeting.organisation
    can = {
        name: rules.test_rule(f"meetings.{name}", user, meeting)
        for name in ("change_meeting", "manage_agenda", "add_agenda_item", "record_attendance", "write_minutes")
    }
    can["add_action"] = rules.test_rule("meetings.add_action_item", user, meeting.circle)
    settings = queries.settings_of(organisation)
    sheet = queries.attendance_sheet(meeting, settings=settings)
    minutes = queries.minutes_of(meeting)
    closed = meeting.is_cancelled or bool(minutes and minutes.is_published)
    agenda = list(queries.agenda(meeting))
    context = {
        "organisation": organisation,
        "circle": meeting.circle,
        "meeting": meeting,
        "me": _me(request, organisation.pk),
        "can": can,
        "closed": closed,
        "agenda": agenda,
        "planned_minutes": sum(item.time_box or 0 for item in agenda),
        "sheet": sheet,
        "minutes": minutes,
        "actions": list(queries.meeting_actions(meeting)),
        "decisions": list(queries.decisions_around(meeting)),
        "today": queries.local_today(organisation),
        "now": timezone.now(),
        "agenda_due": shift(meeting.starts_at, -timedelta(days=settings.agenda_due_days)),
        "nav": "circles",
    }
    if can["add_agenda_item"] and not closed:
        context["agenda_form"] = forms.get("agenda_form") or AgendaItemForm(meeting=meeting)
    if can["record_attendance"] and not closed:
        context["attendance_form"] = forms.get("attendance_form") or AttendanceForm(rows=sheet.rows)
    if can["write_minutes"] and not meeting.is_cancelled and not (minutes and minutes.is_published):
        body = minutes.body if minutes else _prefill(meeting, context)
        context["minutes_form"] = forms.get("minutes_form") or MinutesForm(initial={"body": body})
    if can["add_action"]:
        context["action_form"] = forms.get("action_form") or ActionItemForm(organisation=organisation)
    return context


def _prefill(meeting: Meeting, context: dict) -> str:
    return queries.minutes_prefill(
        meeting,
        sheet=context["sheet"],
        items=context["agenda"],
        decisions=context["decisions"],
        actions=context["actions"],
    )


@login_required
def meeting_detail(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting))


def _agenda_answer(request, meeting: Meeting, *, form=None, saved: str = ""):
    """The agenda panel for htmx, the whole page otherwise."""
    if request.htmx:
        context = _meeting_context(request, meeting, agenda_form=form)
        context["agenda_saved"] = saved
        return render(request, "meetings/_agenda.html", context)
    if form is not None and form.errors:
        return render(request, "meetings/meeting.html", _meeting_context(request, meeting, agenda_form=form))
    if saved:
        messages.success(request, saved)
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_add(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.add_agenda_item", organisation_slug=org)
    form = AgendaItemForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, by=_me(request, meeting.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _agenda_answer(request, meeting, saved="The item is on the agenda.")
    return _agenda_answer(request, meeting, form=form)


def _item_for_change(request, meeting, item_pk):
    item = queries.get_agenda_item_for(request.user, meeting, item_pk)
    if not queries.may_change_agenda_item(request.user, item):
        raise PermissionDenied("Only the facilitator changes this item now.")
    return item


@login_required
@require_POST
def agenda_move(request, org, pk, item):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.manage_agenda", organisation_slug=org)
    item = queries.get_agenda_item_for(request.user, meeting, item)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.agenda_item_move(item=item, by=_me(request, meeting.organisation_id), offset=offset)
    except DomainError as error:
        _error(request, error)
    return _agenda_answer(request, meeting, saved="Moved.")


@login_required
@require_POST
def agenda_reorder(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.manage_agenda", organisation_slug=org)
    try:
        services.agenda_reorder(
            meeting=meeting, by=_me(request, meeting.organisation_id), order=request.POST.getlist("item")
        )
    except DomainError as error:
        _error(request, error)
        return _agenda_answer(request, meeting)
    return _agenda_answer(request, meeting, saved="The agenda is reordered.")


@login_required
@require_POST
def agenda_remove(request, org, pk, item):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    item = _item_for_change(request, meeting, item)
    try:
        services.agenda_item_remove(item=item, by=_me(request, meeting.organisation_id))
    except DomainError as error:
        _error(request, error)
        return _agenda_answer(request, meeting)
    return _agenda_answer(request, meeting, saved=f"“{item.title}” is off the agenda.")


@login_required
@require_POST
def agenda_publish(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.manage_agenda", organisation_slug=org)
    try:
        services.agenda_publish(meeting=meeting, by=_me(request, meeting.organisation_id))
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, "The agenda is published and sent to the circle.")
    return _back(meeting, "agenda")


@login_required
@require_POST
def attendance_record(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.record_attendance", organisation_slug=org)
    form = AttendanceForm(request.POST, rows=queries.attendance_sheet(meeting).rows)
    saved = ""
    if form.is_valid():
        try:
            services.attendance_record_many(
                meeting=meeting, by=_me(request, meeting.organisation_id), statuses=form.statuses()
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            saved = "Attendance is recorded."
            form = None
    if request.htmx:
        context = _meeting_context(request, meeting, attendance_form=form)
        context["attendance_saved"] = saved
        return render(request, "meetings/_attendance.html", context)
    if form is not None:
        return render(request, "meetings/meeting.html", _meeting_context(request, meeting, attendance_form=form))
    messages.success(request, saved)
    return _back(meeting, "attendance")


@login_required
@require_POST
def minutes_save(request, org, pk):
    """Save the draft; with `publish`, save and publish it (locked, sent to the circle)."""
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.write_minutes", organisation_slug=org)
    form = MinutesForm(request.POST)
    if form.is_valid():
        me = _me(request, meeting.organisation_id)
        try:
            with transaction.atomic():
                minutes = services.minutes_save_draft(meeting=meeting, by=me, body=form.cleaned_data["body"])
                if "publish" in request.POST:
                    services.minutes_publish(minutes=minutes, by=me)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if "publish" in request.POST:
                messages.success(request, "The minutes are published and sent to the circle.")
            else:
                messages.success(request, "The draft minutes are saved.")
            return _back(meeting, "minutes")
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting, minutes_form=form))


@login_required
def minutes_correct(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.write_minutes", organisation_slug=org)
    minutes = queries.minutes_of(meeting)
    if minutes is None or not minutes.is_published:
        raise Http404("These minutes are not published; edit the draft on the meeting page.")
    form = CorrectionForm(request.POST or None, initial={"body": minutes.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_correct(minutes=minutes, by=_me(request, meeting.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The correction is published as a new version and sent to the circle.")
            return _back(meeting, "minutes")
    return render(
        request,
        "meetings/minutes_correct.html",
        {"organisation": meeting.organisation, "circle": meeting.circle, "meeting": meeting, "form": form},
    )


@login_required
def minutes_versions(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    minutes = queries.minutes_of(meeting)
    if minutes is None or not minutes.is_published:
        raise Http404("No published minutes.")
    return render(
        request,
        "meetings/minutes_versions.html",
        {
            "organisation": meeting.organisation,
            "circle": meeting.circle,
            "meeting": meeting,
            "minutes": minutes,
            "versions": queries.minutes_versions(minutes),
            "nav": "circles",
        },
    )


@login_required
@require_POST
def meeting_action_add(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    if not rules.test_rule("meetings.add_action_item", request.user, meeting.circle):
        raise PermissionDenied("Only members of this circle add actions to it.")
    form = ActionItemForm(request.POST, organisation=meeting.organisation)
    if form.is_valid():
        try:
            services.action_item_create(
                circle=meeting.circle, by=_me(request, meeting.organisation_id), meeting=meeting, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The action is recorded and its owner told.")
            return _back(meeting, "actions")
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting, action_form=form))


@login_required
def meeting_edit(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.change_meeting", organisation_slug=org)
    organisation = meeting.organisation
    form = MeetingForm(
        request.POST or None, organisation=organisation, with_repeat=False, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=_me(request, organisation.pk), **form.meeting_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "This occurrence is changed." if meeting.series_id else "The meeting is changed.")
            return _back(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "organisation": organisation,
            "circle": meeting.circle,
            "meeting": meeting,
            "form": form,
            "cancel_form": CancelForm(),
            "nav": "circles",
        },
    )


@login_required
@require_POST
def meeting_cancel(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.change_meeting", organisation_slug=org)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(
                meeting=meeting, by=_me(request, meeting.organisation_id), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            _error(request, error)
        else:
            messages.success(request, "The meeting is cancelled and the circle told.")
    else:
        messages.error(request, "Keep the reason to 300 characters.")
    return _back(meeting)


@login_required
def meeting_ics(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    response = HttpResponse(ical.meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# Series ----------------------------------------------------------------------------------------


@login_required
def series_edit(request, org, pk):
    """Edit the whole series (title, place, leads), reschedule it from a date on, or end it."""
    series = queries.get_series_for(request.user, pk, action="meetings.change_meeting", organisation_slug=org)
    organisation = series.organisation
    action = request.POST.get("action", "") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    form = SeriesForm(
        data if action == "update" else None, organisation=organisation, initial=SeriesForm.initial_for(series)
    )
    custom = series.frequency == MeetingSeries.Frequency.CUSTOM
    reschedule = RescheduleForm(
        data if action == "reschedule" else None,
        organisation=organisation,
        initial={"repeat": series.frequency, "rrule": series.rrule if custom else "", "until": series.until},
    )
    end = SeriesEndForm(data if action == "end" else None)
    me = _me(request, organisation.pk)
    try:
        if action == "update" and form.is_valid():
            services.series_update(series=series, by=me, **form.cleaned_data)
            messages.success(request, "The series and its upcoming meetings are changed.")
            return redirect("circle-meetings", org=organisation.slug, circle=series.circle.slug)
        if action == "reschedule" and reschedule.is_valid():
            data = reschedule.cleaned_data
            services.series_reschedule(
                series=series,
                by=me,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                frequency=data["repeat"],
                rrule=data["rrule"],
                until=data["until"],
            )
            messages.success(request, "The series is rescheduled and the circle told.")
            return redirect("circle-meetings", org=organisation.slug, circle=series.circle.slug)
        if action == "end" and end.is_valid():
            services.series_end(series=series, by=me, last_day=end.cleaned_data["last_day"])
            messages.success(request, "The series is ended.")
            return redirect("circle-meetings", org=organisation.slug, circle=series.circle.slug)
    except DomainError as error:
        add_domain_error({"update": form, "reschedule": reschedule, "end": end}[action], error)
    return render(
        request,
        "meetings/series_form.html",
        {
            "organisation": organisation,
            "circle": series.circle,
            "series": series,
            "description": describe(series.rrule),
            "form": form,
            "reschedule": reschedule,
            "end": end,
            "nav": "circles",
        },
    )


# Tensions --------------------------------------------------------------------------------------


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
        "can_propose": can_resolve and rules.test_rule("proposals.add_proposal", user, tension.circle),
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
            services.tension_update(tension=tension, by=_me(request, tension.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The tension is updated.")
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
        services.agenda_item_add(meeting=meeting, by=_me(request, tension.organisation_id), tension=tension)
    except DomainError as error:
        _error(request, error)
        return redirect("tension", org=org, pk=tension.pk)
    messages.success(request, f"“{tension.title}” is on the agenda of {meeting.title}.")
    return _back(meeting, "agenda")


@login_required
@require_POST
def tension_resolve(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.resolve_tension", organisation_slug=org)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.tension_resolve(tension=tension, by=_me(request, tension.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The tension is resolved.")
            return redirect("tension", org=org, pk=tension.pk)
    return render(request, "meetings/tension.html", _tension_context(request, tension, resolve_form=form))


@login_required
@require_POST
def tension_propose(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.resolve_tension", organisation_slug=org)
    if not rules.test_rule("proposals.add_proposal", request.user, tension.circle):
        raise PermissionDenied("Only members of this circle write its proposals.")
    try:
        proposal = services.tension_to_proposal(tension=tension, by=_me(request, tension.organisation_id))
    except DomainError as error:
        _error(request, error)
        return redirect("tension", org=org, pk=tension.pk)
    messages.success(request, "A draft proposal is ready, pre-filled from the tension. Finish it and open the round.")
    return redirect("proposal-edit", org=org, pk=proposal.pk)


@login_required
@require_POST
def tension_action(request, org, pk):
    tension = queries.get_tension_for(request.user, pk, action="meetings.resolve_tension", organisation_slug=org)
    form = ToActionForm(request.POST, organisation=tension.organisation)
    if form.is_valid():
        try:
            services.tension_to_action(tension=tension, by=_me(request, tension.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The tension became an action item.")
            return redirect("tension", org=org, pk=tension.pk)
    return render(request, "meetings/tension.html", _tension_context(request, tension, action_form=form))


# Action items ----------------------------------------------------------------------------------


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
            services.action_item_update(item=item, by=_me(request, item.organisation_id), **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The action is saved.")
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
                item=item, by=_me(request, item.organisation_id), status=form.cleaned_data["status"]
            )
        except DomainError as error:
            _error(request, error)
    else:
        messages.error(request, "Choose a status.")
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


# My meetings and calendar feeds ----------------------------------------------------------------


@login_required
def my_meetings(request, org):
    organisation, member = get_organisation_for(request.user, org)
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "organisation": organisation,
            "meetings": queries.my_upcoming(member)[:50],
            "feeds": queries.my_feeds(member),
            "now": timezone.now(),
            "nav": "meetings",
        },
    )


@never_cache
@login_required
@require_POST
def feed_create(request, org):
    """A new secret feed URL, shown once on the answer (only its hash is stored)."""
    organisation, member = get_organisation_for(request.user, org)
    circle = None
    if request.POST.get("circle"):
        circle = get_circle_for(request.user, org, request.POST["circle"])
    feed, token = services.calendar_feed_create(member=member, circle=circle)
    url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": token}))
    return render(
        request,
        "meetings/feed_created.html",
        {"organisation": organisation, "feed": feed, "url": url, "circle": circle, "nav": "meetings"},
    )


@login_required
@require_POST
def feed_revoke(request, org, pk):
    organisation, member = get_organisation_for(request.user, org)
    feed = queries.my_feeds(member).filter(pk=pk).first()
    if feed is None:
        raise Http404("No such calendar feed.")
    services.calendar_feed_revoke(feed=feed)
    messages.success(request, "The calendar link is revoked; calendars using it stop updating.")
    return redirect("my-meetings", org=organisation.slug)


def calendar_feed(request, token):
    """The iCalendar feed behind a secret URL: no login, the token is the key."""
    feed = queries.feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    services.calendar_feed_touch(feed=feed)
    series, meetings = queries.feed_content(feed)
    organisation = feed.member.organisation
    name = f"{feed.circle} · {organisation}" if feed.circle else f"My meetings · {organisation}"
    body = ical.feed_calendar(name, series, meetings, organisation.tzinfo)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# Settings --------------------------------------------------------------------------------------


@login_required
def meeting_settings(request, org):
    organisation, member = get_organisation_for(request.user, org, action="governance.change_organisation")
    current = queries.settings_of(organisation)
    form = MeetingSettingsForm(
        request.POST or None,
        initial={"agenda_due_days": current.agenda_due_days, "quorum_percent": current.quorum_percent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_settings_update(organisation=organisation, by=member, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Meeting settings saved.")
            return redirect("meeting-settings", org=organisation.slug)
    return render(request, "meetings/settings.html", {"organisation": organisation, "form": form, "nav": "settings"})
