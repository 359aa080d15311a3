"""Forms of the election pages. They shape and type the input; the rules (phases, rosters, seats)
are the services', whose refusals land on the form via add_domain_error."""

from django import forms
from django.utils import timezone

from circles.forms import MemberChoiceField
from circles.models import Circle
from governance.dates import sane_date
from governance.models import Member
from governance.text import single_line
from roles.forms import MARKDOWN_HELP, members_of
from roles.models import ElectionMethod


class ElectionForm(forms.Form):
    method = forms.ChoiceField(choices=ElectionMethod.choices, widget=forms.RadioSelect, label="Method")
    nominations_close = forms.DateTimeField(
        required=False,
        label="Nominations close",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Sociocratic selection. Leave empty for a week from now.",
        validators=[sane_date],
    )
    applications_close = forms.DateTimeField(
        required=False,
        label="Applications close (voting opens)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Ballot. Leave empty for a week from now.",
        validators=[sane_date],
    )
    voting_closes = forms.DateTimeField(
        required=False,
        label="Voting closes",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Ballot. Leave empty for a week after applications close.",
        validators=[sane_date],
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def _aware(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, self.organisation.tzinfo)
        return value

    def clean_nominations_close(self):
        return self._aware("nominations_close")

    def clean_applications_close(self):
        return self._aware("applications_close")

    def clean_voting_closes(self):
        return self._aware("voting_closes")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "nominations_close_at": data["nominations_close"],
            "applications_close_at": data["applications_close"],
            "voting_closes_at": data["voting_closes"],
        }


class NominationForm(forms.Form):
    nominee = MemberChoiceField(
        queryset=Member.objects.none(),
        label="Whom do you nominate?",
        empty_label="Choose a member of the circle (yourself included)",
        error_messages={"invalid_choice": "Choose someone on the circle's roster."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why them?",
        help_text="What makes them a good fit; the facilitator reads every reason.",
    )

    def __init__(self, *args, circle: Circle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = members_of(circle)


class ProposeForm(forms.Form):
    candidate = forms.ModelChoiceField(
        queryset=Member.objects.none(), label="Candidate", empty_label="Choose a nominee", widget=forms.RadioSelect
    )
    round_days = forms.IntegerField(min_value=1, max_value=30, label="Consent round length (days)")

    def __init__(self, *args, nominee_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = Member.objects.filter(pk__in=nominee_ids).select_related("user")
        self.fields["candidate"].label_from_instance = lambda m: m.user.display_name


class CandidacyForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Your statement",
        help_text="Why you, and what you would do in the role. " + MARKDOWN_HELP,
    )


class BallotForm(forms.Form):
    choices = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Your choice", help_text=""
    )

    def __init__(self, *args, candidacies, seats: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(str(c.pk), c.member.user.display_name) for c in candidacies]
        self.fields["choices"].help_text = (
            f"Choose up to {seats} candidate{'s' if seats != 1 else ''}. Leaving all unticked casts a blank ballot. "
            "Your ballot is secret and cannot be changed once cast."
        )

    def clean_choices(self):
        return [int(c) for c in self.cleaned_data.get("choices", [])]


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why is it cancelled?", validators=[single_line])
