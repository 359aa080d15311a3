"""Forms of the role pages. They shape and type the input; the rules (seats, rosters, term limits)
are the services', whose refusals land on the form via add_domain_error."""

from datetime import datetime, time

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from circles.forms import MemberChoiceField
from circles.models import Circle
from governance.dates import sane_date
from governance.models import Member
from governance.text import single_line

from .models import ElectionMethod, Role, RoleAssignment, Selection, TimePeriod
from .services import ROLE_FIELDS

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, - lists, [links](https://example.org).")


class OverrideReasonField(forms.CharField):
    """Why an admin edits the structure directly instead of proposing it (logged as an override)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Why edit directly instead of proposing (admin override)"))
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("validators", [single_line])
        kwargs.setdefault(
            "help_text", _("This organisation changes its structure by consent; a direct edit is logged and shown.")
        )
        super().__init__(**kwargs)


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{} {}", _("Why this role exists."), MARKDOWN_HELP),
    )
    domains = forms.CharField(
        label=_("Domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{} {}", _("What the holder decides on their own."), MARKDOWN_HELP),
    )
    accountabilities = forms.CharField(
        label=_("Accountabilities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: what the circle can expect of the holder."),
    )
    time_hours = forms.DecimalField(
        required=False, min_value=0, max_value=168, decimal_places=1, label=_("Time expected (hours)")
    )
    time_period = forms.ChoiceField(choices=TimePeriod.choices, initial=TimePeriod.WEEK, label=_("Per"))
    is_paid = forms.BooleanField(required=False, label=_("This role is paid"))
    seats = forms.IntegerField(
        label=_("Seats"), min_value=1, max_value=50, initial=1, help_text=_("How many people hold it at once.")
    )
    term_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=60,
        label=_("Term length (months)"),
        help_text=_("For example 6 or 12. Leave empty for an open-ended role."),
    )
    term_limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=20,
        label=_("Term limit"),
        help_text=_("Most consecutive terms one person may serve. Sitting out one full term resets the count."),
    )
    selection = forms.ChoiceField(
        choices=Selection.choices, initial=Selection.APPOINTED, widget=forms.RadioSelect, label=_("How it is filled")
    )
    election_method = forms.ChoiceField(
        choices=ElectionMethod.choices,
        initial=ElectionMethod.SOCIOCRATIC,
        label=_("Election method"),
        help_text=_("For elected roles: consent on a nominee, or a secret ballot among candidates."),
    )
    auto_renew = forms.BooleanField(
        required=False,
        label=_("Renew terms automatically"),
        help_text=_("Appointed roles only: on the end day, a term renews if the term limit allows."),
    )

    FIELDS = ROLE_FIELDS

    @classmethod
    def initial_for(cls, role: Role) -> dict:
        initial = {f: getattr(role, f) for f in cls.FIELDS}
        initial["accountabilities"] = "\n".join(role.accountabilities or [])
        return initial

    def changes_for(self, role: Role) -> dict:
        data = self.service_kwargs()
        return {k: v for k, v in data.items() if getattr(role, k) != v}

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("override_reason", None)  # the why of an admin's override, not a role field
        data["accountabilities"] = [line for line in data["accountabilities"].splitlines() if line.strip()]
        return data


class TemplateForm(RoleForm):
    """A core role's template: the definition without seats, domains or pay (set per circle)."""

    FIELDS = tuple(f for f in RoleForm.FIELDS if f not in ("domains", "is_paid", "seats", "auto_renew"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("domains", "is_paid", "seats", "auto_renew"):
            del self.fields[name]


def _local_midnight(day, organisation):
    return datetime.combine(day, time.min, tzinfo=organisation.tzinfo)


class AssignForm(forms.Form):
    member = MemberChoiceField(
        queryset=Member.objects.none(),
        label=_("Member"),
        empty_label=_("Choose a member of the circle"),
        error_messages={"invalid_choice": _("Choose someone on the circle's roster.")},
    )
    planned_end = forms.DateField(
        required=False,
        label=_("Term ends on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the role's term length from today."),
        validators=[sane_date],
    )

    def __init__(self, *args, role: Role, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = role.circle.organisation
        # The steward need not be on the roster yet: steward_assign adds them, since they keep it.
        circle = role.circle
        if role.kind == Role.Kind.STEWARD:
            circle = role.circle.organisation.circles.get(is_general=True)
        self.fields["member"].queryset = members_of(circle)

    def clean_planned_end(self):
        day = self.cleaned_data.get("planned_end")
        return _local_midnight(day, self.organisation) if day else None


def members_of(circle: Circle):
    members = Member.objects.people().filter(organisation_id=circle.organisation_id)
    if not circle.is_general:
        members = members.filter(circle_memberships__circle=circle, circle_memberships__left_at__isnull=True)
    return members.select_related("user", "membership_class").order_by("user__name", "user__email")


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            (RoleAssignment.EndReason.RESIGNED, _("Resigned")),
            (RoleAssignment.EndReason.REMOVED, _("Removed")),
            (RoleAssignment.EndReason.TERM_ENDED, _("Term ended")),
        ],
        label=_("Why does it end?"),
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label=_("Note"),
        help_text=_("Kept in the role's history."),
        validators=[single_line],
    )


class DirectoryFilterForm(forms.Form):
    circle = forms.ModelChoiceField(
        queryset=Circle.objects.none(), required=False, empty_label=_("All circles"), label=_("Circle")
    )
    vacancies = forms.BooleanField(required=False, label=_("Only vacancies"))
    ending_soon = forms.BooleanField(required=False, label=_("Only terms ending soon"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = Circle.objects.active().filter(organisation=organisation).order_by("name")
        self.fields["circle"].to_field_name = "slug"


class StewardForm(forms.Form):
    member = MemberChoiceField(queryset=Member.objects.none(), label=_("New steward"), empty_label=_("Choose a member"))

    def __init__(self, *args, circle: Circle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Member.objects.people()
            .filter(organisation_id=circle.organisation_id)
            .select_related("user", "membership_class")
            .order_by("user__name", "user__email")
        )
