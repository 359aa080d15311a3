"""Forms of the organisation-level pages. They shape and type the input; the rules themselves
(size ranges, unique names, the last admin) live in governance.services, whose DomainError
messages land on the form through `add_domain_error`."""

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from governance.text import single_line

from .errors import DomainError
from .models import Member, MembershipClass, NotificationPreference, Organisation
from .services import ORGANISATION_SETTINGS


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def override_field_add(form: forms.Form, organisation: Organisation) -> None:
    """Under "structure changes by consent", a direct edit of structure is an admin's override and
    needs a reason: add the `override_reason` field to the form (render it with
    templates/governance/_override_field.html; pass `override_reason_of(form)` to the service, which
    refuses without one through governance.changes.direct_edit_context)."""
    if organisation.structure_by_consent:
        form.fields["override_reason"] = forms.CharField(
            label=_("Why edit directly instead of proposing a change?"),
            max_length=300,
            required=False,
            widget=forms.TextInput(attrs={"required": True}),
            validators=[single_line],
        )


def override_reason_of(form: forms.Form) -> str:
    return form.cleaned_data.get("override_reason", "") if hasattr(form, "cleaned_data") else ""


def structure_edit_mode(organisation: Organisation, member: Member | None) -> str:
    """How a page offers an edit of structure: "direct" (the setting is off: Edit buttons as before),
    "override" (on, for an admin: "Propose a change", and a direct edit with a reason), "propose" (on,
    for anyone else: "Propose a change" only)."""
    if not organisation.structure_by_consent:
        return "direct"
    return "override" if member is not None and member.is_admin else "propose"


class LanguageForm(forms.Form):
    """The language menu: one of the site's languages, or (for someone signed in) none of their own,
    so that their organisation's is used."""

    language = forms.ChoiceField(label=_("Language"), widget=forms.RadioSelect)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(settings.LANGUAGES)
        if signed_in:
            choices.insert(0, ("", _("The organisation's language")))
        self.fields["language"].choices = choices
        self.fields["language"].required = not signed_in


class SignupExtraForm(forms.Form):
    """allauth's signup form, extended with the person's name."""

    name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        validators=[single_line],
    )

    def signup(self, request, user):
        user.name = self.cleaned_data.get("name", "")
        user.save(update_fields=["name"])


class OrganisationSettingsForm(forms.Form):
    """The fields organisation_update accepts, typed and labelled from the model. A plain form, not
    a ModelForm, so that the service sees the organisation as it was and records what changed."""

    def __init__(self, *args, organisation: Organisation, **kwargs):
        kwargs.setdefault("initial", model_to_dict(organisation, fields=ORGANISATION_SETTINGS))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Organisation, fields=ORGANISATION_SETTINGS))
        self.fields["description"].widget.attrs["rows"] = 6
        # The model's field names give the English labels; spelt out here so that they translate.
        self.fields["name"].label = _("Name")
        self.fields["description"].label = _("Description")
        self.fields["time_zone"].label = _("Time zone")
        self.fields["language"].label = _("Language")
        self.fields["currency"].label = _("Currency")
        self.fields["circle_size_min"].label = _("Smallest circle size")
        self.fields["circle_size_max"].label = _("Largest circle size")
        self.fields["load_max_circles"].label = _("Circles per member (guidance)")
        self.fields["consent_round_days"].label = _("Consent round length (days)")
        self.fields["structure_by_consent"].label = _("Structure changes by consent")
        # Added after the other settings: a form (or a script) that leaves them out keeps them as they are.
        self.organisation = organisation
        for name in ("language", "currency", "proxies_max_held"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in ("language", "currency"):
            if not data.get(name):
                data[name] = getattr(self.organisation, name)
        if data.get("proxies_max_held") is None:
            data["proxies_max_held"] = self.organisation.proxies_max_held
        return data


class MembershipClassForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"required": True}),
        validators=[single_line],
    )
    voting_weight = forms.IntegerField(
        label=_("Voting weight"), initial=1, help_text=_("How much one vote of this class counts.")
    )
    may_vote = forms.BooleanField(required=False, initial=True, label=_("Members of this class may vote"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False, validators=[single_line])

    @classmethod
    def for_class(cls, membership_class: MembershipClass, **kwargs):
        initial = model_to_dict(membership_class, fields=["name", "voting_weight", "may_vote", "description"])
        return cls(initial=initial, **kwargs)


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or email")}),
        validators=[single_line],
    )
    circle = forms.ChoiceField(label=_("Circle"), required=False)
    membership_class = forms.ChoiceField(label=_("Membership class"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active members")), ("left", _("Former members")), ("all", _("Everyone"))],
    )

    def __init__(self, *args, circles, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = [("", _("Any circle"))] + [(c.slug, c.name) for c in circles]
        self.fields["membership_class"].choices = [("", _("Any class"))] + [(str(c.pk), c.name) for c in classes]


class MemberUpdateForm(forms.Form):
    membership_class = forms.ModelChoiceField(
        label=_("Membership class"), queryset=MembershipClass.objects.none(), empty_label=None
    )
    is_admin = forms.BooleanField(
        required=False, label=_("Organisation admin"), help_text=_("Admins edit settings, circles and members.")
    )

    def __init__(self, *args, member: Member, **kwargs):
        kwargs.setdefault("initial", {"membership_class": member.membership_class_id, "is_admin": member.is_admin})
        super().__init__(*args, **kwargs)
        self.fields["membership_class"].queryset = MembershipClass.objects.filter(organisation=member.organisation_id)


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(
        required=False,
        label=_("Why does this person leave?"),
        help_text=_("Kept in the organisation’s history."),
        widget=forms.TextInput(attrs={"required": True, "maxlength": 300}),
        validators=[single_line],
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    membership_class = forms.ModelChoiceField(
        label=_("Membership class"), queryset=MembershipClass.objects.none(), empty_label=None
    )
    circle = forms.ModelChoiceField(
        label=_("Circle"),
        queryset=None,
        required=False,
        empty_label=_("No circle"),
        help_text=_("They join this circle’s roster when they accept."),
        error_messages={"invalid_choice": _("You can only invite people into a circle whose roster you keep.")},
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A personal note, added to the email."),
    )
    # Left out (an older form, a script), the link stays bound to the address: the safe choice.
    bound_to_email = forms.TypedChoiceField(
        label=_("Who can use the link"),
        choices=[
            ("yes", _("Only the invited email address: they accept with an account for it")),
            ("no", _("Anyone with the link, with any account (say, a shared or forwarded address)")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=True,
        required=False,
        initial="yes",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organisation: Organisation, circles, admin: bool, **kwargs):
        """`circles`: the circles the inviter may add people to (all of them for an admin, the ones
        they steward for a steward). A circle outside it is refused, whatever the browser sends."""
        super().__init__(*args, **kwargs)
        self.fields["membership_class"].queryset = MembershipClass.objects.filter(organisation=organisation)
        self.fields["circle"].queryset = circles
        if not admin:
            self.fields["circle"].empty_label = _("Choose one of your circles")
            self.fields["circle"].widget.attrs["required"] = True
            self.fields["circle"].help_text = _("Stewards invite people into a circle they steward.")


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of email that can be turned off: at once, in a daily digest, or off."""

    def __init__(self, *args, kinds, chosen: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            if kind.can_turn_off:
                self.fields[kind.key] = forms.ChoiceField(
                    label=kind.label,
                    choices=NotificationPreference.Delivery.choices,
                    initial=chosen.get(kind.key, NotificationPreference.Delivery.NOW),
                    widget=forms.RadioSelect,
                )

    def groups(self):
        """(group, [(kind, bound field or None for a kind that is always sent)]), in the kinds' order."""
        grouped: dict[str, list] = {}
        for kind in self.kinds:
            grouped.setdefault(kind.group, []).append((kind, self[kind.key] if kind.can_turn_off else None))
        return list(grouped.items())
