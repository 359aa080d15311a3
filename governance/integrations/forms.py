"""Forms of the token and webhook pages. They type the input; the services decide (names, dates in
the future, URLs that may be reached), and their refusals land on the form via add_domain_error."""

import datetime as dt
import zoneinfo

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from governance.dates import sane_date
from governance.text import single_line

from .events import event_type_choices

ACCESS_CHOICES = [
    ("read_only", _("Read only — it may look but never change anything")),
    ("read_write", _("Read and write — it may do what its rights allow")),
]
RIGHTS_CHOICES = [
    ("member", _("A member's rights — sees what members see; acts in circles you add it to")),
    ("admin", _("An admin's rights — may also change settings, members and circles")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, to recognise it later: “Laptop script”, “Accounting sync”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        validators=[single_line],
    )
    access = forms.ChoiceField(label=_("Access"), choices=ACCESS_CHOICES, initial="read_only", widget=forms.RadioSelect)
    expires_on = forms.DateField(
        required=False,
        label=_("Expires on"),
        help_text=_("It stops working at the end of that day. Leave empty for a token that does not expire."),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[sane_date],
    )

    def __init__(self, *args, time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = zoneinfo.ZoneInfo(time_zone)
        if time_zone == "UTC":
            self.fields["expires_on"].help_text = format_lazy(
                "{} {}", self.fields["expires_on"].help_text, _("(The day ends at midnight UTC.)")
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        day = data["expires_on"]
        expires_at = None
        if day is not None:
            expires_at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
        return {"name": data["name"], "read_only": data["access"] == "read_only", "expires_at": expires_at}


class IntegrationTokenForm(TokenForm):
    rights = forms.ChoiceField(label=_("Rights"), choices=RIGHTS_CHOICES, initial="member", widget=forms.RadioSelect)

    field_order = ["name", "rights", "access", "expires_on"]

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "is_admin": self.cleaned_data["rights"] == "admin"}


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where to POST the JSON. Private, loopback and link-local addresses are refused."),
        widget=forms.URLInput(attrs={"placeholder": "https://chat.example.org/hooks/governance"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=100,
        required=False,
        help_text=_("What receives it, to recognise it: “Team chat”, “Wiki”."),
        validators=[single_line],
    )
    event_types = forms.MultipleChoiceField(
        choices=event_type_choices,
        label=_("Events to send"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event type.")},
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        min_length=16,
        max_length=200,
        help_text=_("Signs each delivery. Leave empty to have one generated, shown once."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        validators=[single_line],
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["secret"].label = _("New secret")
            self.fields["secret"].help_text = _("Leave empty to keep the current secret.")
