"""Meeting pages: a circle's meetings, scheduling one (or a series), the meeting page, changing or
cancelling a meeting, its .ics, editing a series, and the organisation's meeting settings."""

from __future__ import annotations

from datetime import timedelta

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.dates import shift
from governance.errors import DomainError
from governance.forms import add_domain_error
from governance.queries import get_organisation_for

from .. import ical, queries, services
from ..forms import (
    ActionItemForm,
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    MeetingForm,
    MeetingSettingsForm,
    MinutesForm,
    RescheduleForm,
    SeriesEndForm,
    SeriesForm,
)
from ..models import Meeting, MeetingSeries, Reply, Tension
from ..recurrence import describe
from .common import back, member_in, show_error

PAST_PAGE_SIZE = 20


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
        data, me = form.cleaned_data, member_in(request, organisation.pk)
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
            messages.success(request, gettext("The meeting is scheduled. Members can add agenda items now."))
            if meeting is None:
                return redirect("circle-meetings", org=organisation.slug, circle=circle.slug)
            return back(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"organisation": organisation, "circle": circle, "form": form, "meeting": None, "nav": "circles"},
    )


# The meeting page ------------------------------------------------------------------------------


def meeting_page_context(request, meeting: Meeting, **forms) -> dict:
    user, organisation = request.user, meeting.organisation
    can = {
        name: rules.test_rule(f"meetings.{name}", user, meeting)
        for name in ("change_meeting", "manage_agenda", "add_agenda_item", "record_attendance", "write_minutes")
    }
    can["add_action"] = rules.test_rule("meetings.add_action_item", user, meeting.circle)
    can["reply"] = rules.test_rule("meetings.reply", user, meeting)
    settings = queries.settings_of(organisation)
    sheet = queries.attendance_sheet(meeting, settings=settings)
    minutes = queries.minutes_of(meeting)
    closed = meeting.is_cancelled or bool(minutes and minutes.is_published)
    agenda = list(queries.agenda(meeting))
    context = {
        "organisation": organisation,
        "circle": meeting.circle,
        "meeting": meeting,
        "me": member_in(request, organisation.pk),
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
        "leads": queries.lead_role_holders(meeting.circle),
        "nav": "circles",
    }
    leads = context["leads"]
    context["lead_lines"] = [
        {
            "label": gettext("Facilitator:"),
            "named": meeting.facilitator,
            "holders": leads["facilitator"],
            "by_role": gettext("the circle's facilitator"),
        },
        {
            "label": gettext("Secretary:"),
            "named": meeting.secretary,
            "holders": leads["secretary"],
            "by_role": gettext("the circle's secretary"),
        },
    ]
    replies = queries.replies_of(meeting)
    context["replies"] = queries.reply_counts(replies)
    context["my_reply"] = replies.get(context["me"].pk) if context["me"] else None
    context["reply_choices"] = Reply.Answer.choices
    if can["add_agenda_item"] and not closed:
        context["agenda_form"] = forms.get("agenda_form") or AgendaItemForm(meeting=meeting)
    if can["record_attendance"] and not closed:
        # Someone who said they cannot come starts as excused on the sheet, until recorded otherwise.
        rows = [
            (member, status or ("excused" if replies.get(member.pk) == Reply.Answer.NOT_COMING else ""))
            for member, status in sheet.rows
        ]
        context["attendance_form"] = forms.get("attendance_form") or AttendanceForm(rows=rows)
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
    return render(request, "meetings/meeting.html", meeting_page_context(request, meeting))


@login_required
def meeting_edit(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.change_meeting", organisation_slug=org)
    organisation = meeting.organisation
    form = MeetingForm(
        request.POST or None, organisation=organisation, with_repeat=False, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=member_in(request, organisation.pk), **form.meeting_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                gettext("This occurrence is changed.") if meeting.series_id else gettext("The meeting is changed."),
            )
            return back(meeting)
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
                meeting=meeting, by=member_in(request, meeting.organisation_id), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            show_error(request, error)
        else:
            messages.success(request, gettext("The meeting is cancelled and the circle told."))
    else:
        messages.error(request, gettext("Keep the reason to 300 characters."))
    return back(meeting)


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
    me = member_in(request, organisation.pk)
    try:
        if action == "update" and form.is_valid():
            services.series_update(series=series, by=me, **form.cleaned_data)
            messages.success(request, gettext("The series and its upcoming meetings are changed."))
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
            messages.success(request, gettext("The series is rescheduled and the circle told."))
            return redirect("circle-meetings", org=organisation.slug, circle=series.circle.slug)
        if action == "end" and end.is_valid():
            services.series_end(series=series, by=me, last_day=end.cleaned_data["last_day"])
            messages.success(request, gettext("The series is ended."))
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
            messages.success(request, gettext("Meeting settings saved."))
            return redirect("meeting-settings", org=organisation.slug)
    return render(request, "meetings/settings.html", {"organisation": organisation, "form": form, "nav": "settings"})
