"""Forms of the meeting pages. They type and shape the input (dates and times in the organisation's
zone become aware datetimes); the rules live in meetings.services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.dates import sane_date
from governance.models import Member
from governance.text import single_line
from proposals.models import Proposal

from .models import ActionItem, AgendaItem, Attendance, Kind, Meeting, MeetingSeries, Tension

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REPEAT_CHOICES = [("once", _("Does not repeat")), *MeetingSeries.Frequency.choices]


def active_members(organisation):
    return Member.objects.people().filter(organisation=organisation).select_related("user")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return member.user.display_name


def _member_field(label, *, required=False, help_text=""):
    return MemberChoiceField(
        queryset=Member.objects.none(), required=required, label=label, help_text=help_text, empty_label="—"
    )


class _TimesMixin:
    """date + start time + end time, read in the organisation's zone. An end before the start is
    the next day (an evening meeting that runs past midnight)."""

    def _times(self, cleaned):
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day is None or start is None or end is None:
            return None, None
        zone = self.organisation.tzinfo
        starts_at = timezone.make_aware(datetime.combine(day, start), zone)
        ends_at = timezone.make_aware(datetime.combine(day, end), zone)
        if ends_at <= starts_at:
            ends_at += timedelta(days=1)
        return starts_at, ends_at

    @staticmethod
    def initial_times(organisation, starts_at, ends_at) -> dict:
        start = timezone.localtime(starts_at, organisation.tzinfo)
        end = timezone.localtime(ends_at, organisation.tzinfo)
        return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}


class MeetingForm(_TimesMixin, forms.Form):
    title = forms.CharField(max_length=200, validators=[single_line], label=_("Title"))
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.GOVERNANCE, label=_("Kind"))
    date = forms.DateField(widget=DATE, validators=[sane_date], label=_("Date"))
    start_time = forms.TimeField(widget=TIME, label=_("Starts"))
    end_time = forms.TimeField(widget=TIME, label=_("Ends"))
    place = forms.CharField(
        max_length=200, required=False, help_text=_("A room or an address."), validators=[single_line], label=_("Place")
    )
    video_url = forms.URLField(max_length=500, required=False, label=_("Video link"), assume_scheme="https")
    facilitator = _member_field(_("Facilitator"))
    secretary = _member_field(_("Secretary"), help_text=_("Takes the minutes."))
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, initial="once", label=_("Repeats"))
    rrule = forms.CharField(
        max_length=300,
        required=False,
        label=_("Recurrence rule"),
        help_text=_("For a custom rule, RFC 5545: e.g. FREQ=MONTHLY;BYDAY=1MO,3MO for the first and third Monday."),
        validators=[single_line],
    )
    until = forms.DateField(
        widget=DATE,
        required=False,
        label=_("Ends on"),
        help_text=_("The last day it may occur."),
        validators=[sane_date],
    )

    def __init__(self, *args, organisation, with_repeat=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for name in ("facilitator", "secretary"):
            self.fields[name].queryset = active_members(organisation)
        if not with_repeat:
            for name in ("repeat", "rrule", "until"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        cleaned["starts_at"], cleaned["ends_at"] = self._times(cleaned)
        if "repeat" in self.fields and cleaned.get("repeat") == "custom" and not cleaned.get("rrule"):
            self.add_error("rrule", gettext("Write the rule, or choose another frequency."))
        return cleaned

    def meeting_kwargs(self) -> dict:
        data = self.cleaned_data
        keys = ("title", "kind", "starts_at", "ends_at", "place", "video_url", "facilitator", "secretary")
        return {key: data[key] for key in keys}

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        return {
            "title": meeting.title,
            "kind": meeting.kind,
            "place": meeting.place,
            "video_url": meeting.video_url,
            "facilitator": meeting.facilitator_id,
            "secretary": meeting.secretary_id,
            **cls.initial_times(meeting.organisation, meeting.starts_at, meeting.ends_at),
        }


class SeriesForm(forms.Form):
    """What a whole series changes without moving in time."""

    title = forms.CharField(max_length=200, validators=[single_line], label=_("Title"))
    kind = forms.ChoiceField(choices=Kind.choices, label=_("Kind"))
    place = forms.CharField(max_length=200, required=False, validators=[single_line], label=_("Place"))
    video_url = forms.URLField(max_length=500, required=False, label=_("Video link"), assume_scheme="https")
    facilitator = _member_field(_("Facilitator"))
    secretary = _member_field(_("Secretary"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("facilitator", "secretary"):
            self.fields[name].queryset = active_members(organisation)

    @classmethod
    def initial_for(cls, series: MeetingSeries) -> dict:
        return {
            "title": series.title,
            "kind": series.kind,
            "place": series.place,
            "video_url": series.video_url,
            "facilitator": series.facilitator_id,
            "secretary": series.secretary_id,
        }


class RescheduleForm(_TimesMixin, forms.Form):
    date = forms.DateField(
        widget=DATE, label=_("From"), help_text=_("The first meeting at the new times."), validators=[sane_date]
    )
    start_time = forms.TimeField(widget=TIME, label=_("Starts"))
    end_time = forms.TimeField(widget=TIME, label=_("Ends"))
    repeat = forms.ChoiceField(choices=MeetingSeries.Frequency.choices, label=_("Repeats"))
    rrule = forms.CharField(
        max_length=300,
        required=False,
        label=_("Recurrence rule"),
        help_text=_("For a custom rule."),
        validators=[single_line],
    )
    until = forms.DateField(widget=DATE, required=False, label=_("Ends on"), validators=[sane_date])

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean(self):
        cleaned = super().clean()
        cleaned["starts_at"], cleaned["ends_at"] = self._times(cleaned)
        if cleaned.get("repeat") == "custom" and not cleaned.get("rrule"):
            self.add_error("rrule", gettext("Write the rule, or choose another frequency."))
        return cleaned


class SeriesEndForm(forms.Form):
    last_day = forms.DateField(
        widget=DATE, label=_("Last day"), help_text=_("Meetings after this day are taken off."), validators=[sane_date]
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        help_text=_("Sent to the circle with the cancellation."),
        validators=[single_line],
        label=_("Reason"),
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the tension's title."),
        validators=[single_line],
        label=_("Title"),
    )
    kind = forms.ChoiceField(choices=AgendaItem.Kind.choices, initial=AgendaItem.Kind.OTHER, label=_("Kind"))
    owner = _member_field(_("Owner"), help_text=_("Who brings it."))
    time_box = forms.IntegerField(min_value=1, max_value=600, required=False, label=_("Time box (minutes)"))
    tension = forms.ModelChoiceField(
        queryset=Tension.objects.none(), required=False, empty_label="—", label=_("Tension")
    )
    proposal = forms.ModelChoiceField(queryset=None, required=False, empty_label="—", label=_("Proposal"))
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("Markdown."), label=_("Notes")
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        kwargs.setdefault("auto_id", "item_%s")  # the meeting page holds several forms
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_members(meeting.organisation)
        self.fields["tension"].queryset = Tension.objects.filter(
            circle_id=meeting.circle_id, state__in=[Tension.State.OPEN, Tension.State.ON_AGENDA]
        ).order_by("-created_at")
        self.fields["proposal"].queryset = (
            Proposal.objects.filter(circle_id=meeting.circle_id)
            .exclude(state__in=[Proposal.State.DRAFT, Proposal.State.WITHDRAWN])
            .order_by("-created_at")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title") and not cleaned.get("tension") and not cleaned.get("proposal"):
            self.add_error("title", gettext("Give the item a title, or link a tension or proposal."))
        return cleaned


class AttendanceForm(forms.Form):
    """One radio group per person on the sheet."""

    CHOICES = [("", _("Not recorded")), *Attendance.Status.choices]

    def __init__(self, *args, rows, **kwargs):
        kwargs.setdefault("auto_id", "attendance_%s")
        super().__init__(*args, **kwargs)
        self.people = {}
        for member, status in rows:
            name = f"status_{member.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=self.CHOICES,
                required=False,
                initial=status,
                label=member.user.display_name,
                widget=forms.RadioSelect,
            )
            self.people[name] = member

    def statuses(self) -> dict:
        return {member: self.cleaned_data.get(name) for name, member in self.people.items()}

    def rows(self):
        return [(self[name], member) for name, member in self.people.items()]


class MinutesForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 22}), label=_("Minutes"), help_text=_("Markdown."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "minutes_%s")
        super().__init__(*args, **kwargs)


class CorrectionForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 22}), label=_("Corrected minutes"), help_text=_("Markdown.")
    )
    note = forms.CharField(
        max_length=300,
        label=_("What the correction changes"),
        help_text=_("Kept with the version."),
        validators=[single_line],
    )


class TensionForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("What tension do you sense?"), validators=[single_line])
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Markdown. What is, and what could be? A tension is a gap you notice, not yet a solution."),
        label=_("Description"),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("How was it resolved?"), help_text=_("Kept in the record.")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "resolve_%s")
        super().__init__(*args, **kwargs)


class ToActionForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the tension's title."),
        validators=[single_line],
        label=_("Title"),
    )
    owner = _member_field(_("Owner"), required=True)
    due = forms.DateField(widget=DATE, required=False, label=_("Due"), validators=[sane_date])

    def __init__(self, *args, organisation, **kwargs):
        kwargs.setdefault("auto_id", "to_action_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_members(organisation)


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Action"), validators=[single_line])
    owner = _member_field(_("Owner"), required=True)
    due = forms.DateField(widget=DATE, required=False, label=_("Due"), validators=[sane_date])
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("Markdown."), label=_("Notes")
    )

    def __init__(self, *args, organisation, **kwargs):
        kwargs.setdefault("auto_id", "action_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_members(organisation)


class ActionEditForm(ActionItemForm):
    status = forms.ChoiceField(choices=ActionItem.Status.choices, label=_("Status"))

    @classmethod
    def initial_for(cls, item: ActionItem) -> dict:
        fields = ("title", "owner", "due", "notes", "status")
        return {field: getattr(item, "owner_id" if field == "owner" else field) for field in fields}


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices, label=_("Status"))


class MeetingSettingsForm(forms.Form):
    agenda_due_days = forms.IntegerField(
        min_value=0,
        max_value=60,
        label=_("Agenda due (days ahead)"),
        help_text=_("The facilitator is reminded if the agenda is not published this many days before a meeting."),
    )
    quorum_percent = forms.IntegerField(
        min_value=1,
        max_value=100,
        label=_("Quorum (%)"),
        help_text=_("Share of the circle's roster that must be present."),
    )
