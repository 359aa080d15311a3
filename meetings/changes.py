"""The change a circle's proposal can make to its meetings (governance.changes): how early its agendas
are due and how often it meets. Registered in MeetingsConfig.ready()."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from circles.models import Circle
from governance.changes import ChangeDescription, ChangeInvalid, ChangeKind, ChangeRow
from governance.errors import DomainError

from .models import CircleMeetingSettings, MeetingSettings
from .services import circle_meeting_settings_update

CADENCES = CircleMeetingSettings.Cadence


class MeetingSettingsForm(forms.Form):
    circle = forms.IntegerField(label=_("Circle"))
    agenda_due_days = forms.IntegerField(
        label=_("Agenda due (days before)"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_("Empty: the organisation's."),
    )
    cadence = forms.ChoiceField(
        label=_("Meets"), choices=[("", _("No set cadence")), *CADENCES.choices], required=False
    )

    def __init__(self, *args, context=None, organisation=None, **kwargs):
        # Proposals build the form with the drafting proposal's ChangeContext (`context`).
        self.context = context
        organisation = organisation or (context.organisation if context is not None else None)
        super().__init__(*args, **kwargs)
        if organisation is not None:
            circles = [(c.pk, c.name) for c in Circle.objects.active().filter(organisation=organisation)]
            self.fields["circle"].widget = forms.Select(choices=[("", "—"), *circles])


class MeetingSettingsSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text="The circle.")
    agenda_due_days = serializers.IntegerField(
        min_value=0,
        max_value=60,
        allow_null=True,
        help_text="Days before a meeting its agenda is due; null: the organisation's.",
    )
    cadence = serializers.ChoiceField(choices=[("", "No set cadence"), *CADENCES.choices], allow_blank=True)


def _settings(circle) -> CircleMeetingSettings | None:
    return CircleMeetingSettings.objects.filter(circle=circle).first()


class CircleMeetingSettingsChange(ChangeKind):
    key = "meetings.circle_settings"
    model = Circle
    label = _("Change a circle's meeting settings")
    group = _("Settings")
    form_class = MeetingSettingsForm
    serializer_class = MeetingSettingsSerializer

    def _circle(self, ctx, data) -> Circle:
        try:
            pk = int(data.get("circle"))
        except (TypeError, ValueError):
            raise ChangeInvalid(gettext("Choose a circle."), field="circle") from None
        circle = Circle.objects.filter(pk=pk, organisation=ctx.organisation).first()
        if circle is None:
            raise ChangeInvalid(gettext("That circle does not exist in this organisation."), field="circle")
        if circle.is_archived:
            raise ChangeInvalid(gettext("The circle “%(circle)s” is archived.") % {"circle": circle}, field="circle")
        return circle

    def clean(self, ctx, data):
        circle = self._circle(ctx, data)
        days = data.get("agenda_due_days")
        if days in (None, ""):
            days = None
        else:
            try:
                days = int(days)
            except (TypeError, ValueError):
                days = -1
            if not 0 <= days <= 60:
                raise ChangeInvalid(gettext("An agenda is due between 0 and 60 days ahead."), field="agenda_due_days")
        cadence = data.get("cadence") or ""
        if cadence and cadence not in CADENCES.values:
            raise ChangeInvalid(gettext("Choose how often the circle meets."), field="cadence")
        return {"circle": circle.pk, "agenda_due_days": days, "cadence": cadence}

    def circles(self, ctx, data):
        return [self._circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).first()
        current = _settings(circle) if circle else None
        habit = MeetingSettings.objects.filter(organisation=ctx.organisation).first()
        default_days = habit.agenda_due_days if habit else 2
        labels = dict(CADENCES.choices)
        rows = [
            ChangeRow(
                label=gettext("Agenda due (days before)"),
                before=current.agenda_due_days if current and current.agenda_due_days is not None else default_days,
                after=data.get("agenda_due_days") if data.get("agenda_due_days") is not None else default_days,
            ),
            ChangeRow(
                label=gettext("Meets"),
                before=str(labels.get(current.cadence, "—")) if current and current.cadence else "—",
                after=str(labels.get(data.get("cadence"), "—")) if data.get("cadence") else "—",
            ),
        ]
        return ChangeDescription(
            summary=gettext("Change the meeting settings of “%(circle)s”") % {"circle": circle or "?"},
            rows=[row for row in rows if row.before != row.after],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.select_related("organisation").get(pk=data["circle"])
        try:
            settings = circle_meeting_settings_update(
                circle=circle,
                by=ctx.actor,
                agenda_due_days=data["agenda_due_days"],
                cadence=data["cadence"],
                decision=ctx,
            )
        except DomainError as refusal:
            raise ChangeInvalid(refusal.message, field=refusal.field) from None
        return [settings]

    def initial(self, obj):
        current = _settings(obj)
        return {
            "circle": obj.pk,
            "agenda_due_days": current.agenda_due_days if current else None,
            "cadence": current.cadence if current else "",
        }


KINDS = [CircleMeetingSettingsChange()]
