from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import SaneDateField, sane_date
from governance.text import single_line
from roles.models import Election, ElectionMethod

from .models import PUBLIC_VERBS, RecordSettings, TermSummary

WHOLE = _("The whole organisation")


def _circle_choices(circles, *, everyone=WHOLE):
    return [("", everyone)] + [(c.slug, c.name) for c in circles]


class ScopeForm(forms.Form):
    circle = forms.ChoiceField(label=_("Circle"), required=False)

    def __init__(self, *args, circles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = _circle_choices(circles)


class PeriodForm(ScopeForm):
    since = SaneDateField().formfield(
        label=_("From"), required=False, validators=[sane_date], widget=forms.DateInput(attrs={"type": "date"})
    )
    until = SaneDateField().formfield(
        label=_("Until"), required=False, validators=[sane_date], widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise forms.ValidationError(_("The end comes after the start."))
        return data


def day_start(day, tz) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), tz)


class HistoryFilterForm(ScopeForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state")), *Election.State.choices])
    method = forms.ChoiceField(
        label=_("Method"), required=False, choices=[("", _("Any method")), *ElectionMethod.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, circles=(), **kwargs):
        super().__init__(*args, circles=circles, **kwargs)
        self.fields["circle"].choices = _circle_choices(circles, everyone=_("Every circle"))


class SearchForm(ScopeForm):
    q = forms.CharField(label=_("Search for"), max_length=200, required=False, validators=[single_line])
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, circles=(), kinds=(), **kwargs):
        super().__init__(*args, circles=circles, **kwargs)
        self.fields["circle"].choices = _circle_choices(circles, everyone=_("Every circle"))
        self.fields["kind"].choices = [("", _("Everything")), *kinds]


class RecordSettingsForm(forms.ModelForm):
    public_log_verbs = forms.MultipleChoiceField(
        label=_("Events in the public log"),
        required=False,
        choices=list(PUBLIC_VERBS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RecordSettings
        fields = [
            "public_decisions",
            "public_log",
            "public_log_verbs",
            "public_roles",
            "public_minutes",
            "split_size",
            "hours_flag",
        ]


class PreferenceForm(forms.Form):
    hide_from_leaderboard = forms.BooleanField(label=_("Hide me from leaderboards others see"), required=False)


class SummaryDraftForm(forms.Form):
    since = SaneDateField().formfield(
        label=_("Term started"), validators=[sane_date], widget=forms.DateInput(attrs={"type": "date"})
    )
    until = SaneDateField().formfield(
        label=_("Term ended"), validators=[sane_date], widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise forms.ValidationError(_("The end comes after the start."))
        return data


class SummaryForm(forms.ModelForm):
    class Meta:
        model = TermSummary
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type ERASE to confirm"), max_length=10, help_text=_("This cannot be undone."), validators=[single_line]
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip() != "ERASE":
            raise forms.ValidationError(_("Type ERASE to confirm."))
        return "ERASE"
