"""The panels of the meeting page: the agenda (add, move, reorder, take off, publish), the
attendance sheet and the minutes (draft, publish, correct, versions). The agenda and attendance
also answer htmx requests with the panel they changed."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.errors import Conflict, DomainError
from governance.forms import add_domain_error

from .. import queries, services
from ..forms import AgendaItemForm, AttendanceForm, CorrectionForm, MinutesForm
from ..models import Meeting
from .common import back, member_in, show_error
from .meetings import meeting_page_context

# Agenda ----------------------------------------------------------------------------------------


def _agenda_answer(request, meeting: Meeting, *, form=None, saved: str = ""):
    """The agenda panel for htmx, the whole page otherwise."""
    if request.htmx:
        context = meeting_page_context(request, meeting, agenda_form=form)
        context["agenda_saved"] = saved
        response = render(request, "meetings/_agenda.html", context)
        if saved:
            # The minutes panel refreshes its prefilled draft (static/js/minutes.js).
            response["HX-Trigger"] = "agenda-changed"
        return response
    if form is not None and form.errors:
        return render(request, "meetings/meeting.html", meeting_page_context(request, meeting, agenda_form=form))
    if saved:
        messages.success(request, saved)
    return back(meeting, "agenda")


@login_required
@require_POST
def agenda_add(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.add_agenda_item", organisation_slug=org)
    form = AgendaItemForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.agenda_item_add(
                meeting=meeting, by=member_in(request, meeting.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _agenda_answer(request, meeting, saved=gettext("The item is on the agenda."))
    return _agenda_answer(request, meeting, form=form)


def _item_for_change(request, meeting, item_pk):
    item = queries.get_agenda_item_for(request.user, meeting, item_pk)
    if not queries.may_change_agenda_item(request.user, item):
        raise PermissionDenied(gettext("Only the facilitator changes this item now."))
    return item


@login_required
@require_POST
def agenda_move(request, org, pk, item):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.manage_agenda", organisation_slug=org)
    item = queries.get_agenda_item_for(request.user, meeting, item)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.agenda_item_move(item=item, by=member_in(request, meeting.organisation_id), offset=offset)
    except DomainError as error:
        show_error(request, error)
    return _agenda_answer(request, meeting, saved=gettext("Moved."))


@login_required
@require_POST
def agenda_reorder(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.manage_agenda", organisation_slug=org)
    try:
        services.agenda_reorder(
            meeting=meeting, by=member_in(request, meeting.organisation_id), order=request.POST.getlist("item")
        )
    except DomainError as error:
        show_error(request, error)
        return _agenda_answer(request, meeting)
    return _agenda_answer(request, meeting, saved=gettext("The agenda is reordered."))


@login_required
@require_POST
def agenda_remove(request, org, pk, item):
    meeting = queries.get_meeting_for(request.user, pk, organisation_slug=org)
    item = _item_for_change(request, meeting, item)
    try:
        services.agenda_item_remove(item=item, by=member_in(request, meeting.organisation_id))
    except DomainError as error:
        show_error(request, error)
        return _agenda_answer(request, meeting)
    return _agenda_answer(request, meeting, saved=gettext("“%(title)s” is off the agenda.") % {"title": item.title})


@login_required
@require_POST
def agenda_publish(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.manage_agenda", organisation_slug=org)
    try:
        services.agenda_publish(meeting=meeting, by=member_in(request, meeting.organisation_id))
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, gettext("The agenda is published and sent to the circle."))
    return back(meeting, "agenda")


# Attendance and minutes ------------------------------------------------------------------------


@login_required
@require_POST
def attendance_record(request, org, pk):
    """Save the sheet; with `everyone_present`, mark everyone not yet recorded as present."""
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.record_attendance", organisation_slug=org)
    form = AttendanceForm(request.POST, rows=queries.attendance_sheet(meeting).rows)
    saved = ""
    if form.is_valid():
        by = member_in(request, meeting.organisation_id)
        try:
            with transaction.atomic():
                services.attendance_record_many(meeting=meeting, by=by, statuses=form.statuses())
                if "everyone_present" in request.POST:
                    services.attendance_everyone_present(meeting=meeting, by=by)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            saved = gettext("Attendance is recorded.")
            form = None
    if request.htmx:
        context = meeting_page_context(request, meeting, attendance_form=form)
        context["attendance_saved"] = saved
        response = render(request, "meetings/_attendance.html", context)
        if saved:
            # The minutes panel refreshes its prefilled draft (static/js/minutes.js).
            response["HX-Trigger"] = "attendance-recorded"
        return response
    if form is not None:
        return render(request, "meetings/meeting.html", meeting_page_context(request, meeting, attendance_form=form))
    messages.success(request, saved)
    return back(meeting, "attendance")


@login_required
@require_POST
def minutes_save(request, org, pk):
    """Save the draft; with `publish`, save and publish it (locked, sent to the circle)."""
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.write_minutes", organisation_slug=org)
    form = MinutesForm(request.POST)
    if form.is_valid():
        me = member_in(request, meeting.organisation_id)
        try:
            with transaction.atomic():
                minutes = services.minutes_save_draft(meeting=meeting, by=me, body=form.cleaned_data["body"])
                if "publish" in request.POST:
                    services.minutes_publish(minutes=minutes, by=me)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if "publish" in request.POST:
                messages.success(request, gettext("The minutes are published and sent to the circle."))
            else:
                messages.success(request, gettext("The draft minutes are saved."))
            return back(meeting, "minutes")
    return render(request, "meetings/meeting.html", meeting_page_context(request, meeting, minutes_form=form))


@login_required
@require_POST
def minutes_autosave(request, org, pk):
    """The draft saved as the secretary types (static/js/minutes.js), answered in JSON: when it was
    saved, or why it was not (400 for empty text, 409 when someone else saved it meanwhile: the
    page keeps its text and says so)."""
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.write_minutes", organisation_slug=org)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors.get("body", [])) or gettext("Check the text.")}, status=400)
    seen = parse_datetime(request.POST.get("saved_at", "")) if request.POST.get("saved_at") else None
    try:
        minutes = services.minutes_save_draft(
            meeting=meeting,
            by=member_in(request, meeting.organisation_id),
            body=form.cleaned_data["body"],
            check_seen=True,
            seen_saved_at=seen,
        )
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=409 if isinstance(error, Conflict) else 400)
    saved_at = timezone.localtime(minutes.updated_at, zoneinfo.ZoneInfo(meeting.organisation.time_zone))
    return JsonResponse(
        {
            "saved_at": minutes.updated_at.isoformat(),
            "message": gettext("Draft saved at %(time)s.") % {"time": date_format(saved_at, "H:i")},
        }
    )


@login_required
def minutes_prefill(request, org, pk):
    """The prefilled draft as the agenda and attendance stand now, in JSON, while nobody has saved
    a draft (once one exists, the secretary's text is the draft: 409)."""
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.write_minutes", organisation_slug=org)
    if queries.minutes_of(meeting) is not None:
        return JsonResponse({"error": gettext("A draft is saved; it is no longer prefilled.")}, status=409)
    return JsonResponse({"body": queries.minutes_prefill(meeting)})


@login_required
@require_POST
def meeting_reply(request, org, pk):
    """A member says whether they will come."""
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.reply", organisation_slug=org)
    try:
        services.meeting_reply(
            meeting=meeting, member=member_in(request, meeting.organisation_id), answer=request.POST.get("answer", "")
        )
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, gettext("Thank you: your reply is saved."))
    return back(meeting, "attendance")


@login_required
def minutes_correct(request, org, pk):
    meeting = queries.get_meeting_for(request.user, pk, action="meetings.write_minutes", organisation_slug=org)
    minutes = queries.minutes_of(meeting)
    if minutes is None or not minutes.is_published:
        raise Http404(gettext("These minutes are not published; edit the draft on the meeting page."))
    form = CorrectionForm(request.POST or None, initial={"body": minutes.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_correct(
                minutes=minutes, by=member_in(request, meeting.organisation_id), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The correction is published as a new version and sent to the circle."))
            return back(meeting, "minutes")
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
        raise Http404(gettext("No published minutes."))
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
