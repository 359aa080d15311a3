"""Forms of starting an organisation and of bulk onboarding. They shape and type the input; the rules
(a free address, a known currency, who may invite whom) are the services'."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from governance.models import LANGUAGE_CHOICES, TIME_ZONE_CHOICES, MembershipClass
from governance.text import single_line

from .shapes import shape_choices

CSV_MAX_BYTES = 512 * 1024


class OrganisationStartForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, validators=[single_line])
    slug = forms.CharField(
        label=_("Address"),
        max_length=60,
        required=False,
        validators=[single_line],
        help_text=_(
            "Its pages are at /o/<address>/: lower-case letters, digits and hyphens. Left empty, "
            "it is made from the name."
        ),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="en")
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        initial="EUR",
        validators=[single_line],
        help_text=_("Its three-letter ISO 4217 code, such as EUR, GBP, USD or CHF."),
    )
    shape = forms.ChoiceField(label=_("Starting shape"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shape"].choices = [(key, shape.label) for key, shape in shape_choices()]
        self.fields["shape"].initial = "coop"


class BulkOnboardingForm(forms.Form):
    people = forms.CharField(
        label=_("People, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "email, name, membership class, circles (several circles separated by “;”). Only the "
            "address is required; a first line starting with “email” names the columns."
        ),
    )
    csv_file = forms.FileField(label=_("…or a CSV file"), required=False)
    membership_class = forms.ModelChoiceField(
        label=_("Membership class when a line names none"), queryset=MembershipClass.objects.none()
    )
    message = forms.CharField(
        label=_("Message in the invitation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    add_existing = forms.BooleanField(
        label=_("Add people who already have an account directly, without an invitation"), required=False
    )

    def __init__(self, *args, organisation, admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        classes = MembershipClass.objects.filter(organisation=organisation, may_vote=True)
        self.fields["membership_class"].queryset = MembershipClass.objects.filter(organisation=organisation)
        self.fields["membership_class"].initial = classes.order_by("voting_weight", "name").first()
        if not admin:
            del self.fields["add_existing"]

    def clean(self):
        data = super().clean()
        upload = data.get("csv_file")
        if upload:
            if upload.size > CSV_MAX_BYTES:
                raise forms.ValidationError(_("The file is larger than 512 KB."))
            try:
                data["people"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("Save the CSV file as UTF-8 text and try again.")) from exc
        if not (data.get("people") or "").strip():
            raise forms.ValidationError(
                _("Paste the people to invite, or choose a CSV file (at most %(max)d lines).")
                % {"max": settings.ONBOARDING_MAX_LINES}
            )
        return data
