"""Forms of the election pages. They shape and type the input; the rules (phases, rosters, seats)
are the services', whose refusals land on the form via add_domain_error."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from circles.forms import MemberChoiceField
from circles.models import Circle
from governance.dates import sane_date
from governance.models import Member
from governance.text import single_line
from roles.forms import MARKDOWN_HELP, members_of
from roles.models import Counting, ElectionMethod


class ElectionForm(forms.Form):
    method = forms.ChoiceField(choices=ElectionMethod.choices, widget=forms.RadioSelect, label=_("Method"))
    counting = forms.ChoiceField(
        choices=Counting.choices,
        widget=forms.RadioSelect,
        label=_("Counting (ballot)"),
        initial=Counting.PLURALITY,
        required=False,
        help_text=_("Ranked ballots are counted by instant-runoff for one seat, by single transferable vote for more."),
    )
    nominations_close = forms.DateTimeField(
        required=False,
        label=_("Nominations close"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Sociocratic selection. Leave empty for a week from now."),
        validators=[sane_date],
    )
    applications_close = forms.DateTimeField(
        required=False,
        label=_("Applications close (voting opens)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Ballot. Leave empty for a week from now."),
        validators=[sane_date],
    )
    voting_closes = forms.DateTimeField(
        required=False,
        label=_("Voting closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Ballot. Leave empty for a week after applications close."),
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
            "counting": data.get("counting") or Counting.PLURALITY,
            "nominations_close_at": data["nominations_close"],
            "applications_close_at": data["applications_close"],
            "voting_closes_at": data["voting_closes"],
        }


class NominationForm(forms.Form):
    nominee = MemberChoiceField(
        queryset=Member.objects.none(),
        label=_("Whom do you nominate?"),
        empty_label=_("Choose a member of the circle (yourself included)"),
        error_messages={"invalid_choice": _("Choose someone on the circle's roster.")},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Why them?"),
        help_text=_("What makes them a good fit; the facilitator reads every reason."),
    )

    def __init__(self, *args, circle: Circle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = members_of(circle)


class ProposeForm(forms.Form):
    candidate = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label=_("Candidate"),
        empty_label=_("Choose a nominee"),
        widget=forms.RadioSelect,
    )
    round_days = forms.IntegerField(min_value=1, max_value=30, label=_("Consent round length (days)"))

    def __init__(self, *args, nominee_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = Member.objects.filter(pk__in=nominee_ids).select_related("user")
        self.fields["candidate"].label_from_instance = lambda m: m.user.display_name


class CandidacyForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Your statement"),
        help_text=format_lazy("{} {}", _("Why you, and what you would do in the role."), MARKDOWN_HELP),
    )


class BallotForm(forms.Form):
    choices = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Your choice"), help_text=""
    )

    def __init__(self, *args, candidacies, seats: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(str(c.pk), c.member.user.display_name) for c in candidacies]
        self.fields["choices"].help_text = ngettext(
            "Choose up to %(seats)d candidate. Leaving all unticked casts a blank ballot. "
            "Your ballot is secret and cannot be changed once cast.",
            "Choose up to %(seats)d candidates. Leaving all unticked casts a blank ballot. "
            "Your ballot is secret and cannot be changed once cast.",
            seats,
        ) % {"seats": seats}

    def clean_choices(self):
        return [int(c) for c in self.cleaned_data.get("choices", [])]


class RankedBallotForm(forms.Form):
    """A ranked ballot: one menu per candidate, "not ranked" or a rank from 1. Plain selects, so it is
    filled by keyboard (Tab, then arrows or the rank's digit) and read by screen readers; no dragging."""

    def __init__(self, *args, candidacies, seats: int, **kwargs):
        super().__init__(*args, **kwargs)
        ranks = [("", _("Not ranked"))] + [(str(n), str(n)) for n in range(1, len(candidacies) + 1)]
        self.candidacies = list(candidacies)
        for c in self.candidacies:
            self.fields[f"rank_{c.pk}"] = forms.TypedChoiceField(
                choices=ranks,
                coerce=int,
                empty_value=None,
                required=False,
                label=gettext("Rank for %(name)s") % {"name": c.member.user.display_name},
            )
        self.seats = seats

    def rank_fields(self):
        return [(c, self[f"rank_{c.pk}"]) for c in self.candidacies]

    def clean(self):
        data = super().clean()
        ranks = {c.pk: data.get(f"rank_{c.pk}") for c in self.candidacies}
        given = sorted((r, pk) for pk, r in ranks.items() if r is not None)
        numbers = [r for r, _pk in given]
        if len(set(numbers)) != len(numbers):
            raise forms.ValidationError(gettext("Give each rank to one candidate only."))
        if numbers != list(range(1, len(numbers) + 1)):
            raise forms.ValidationError(gettext("Number your choices 1, 2, 3… without leaving a rank out."))
        data["choices"] = [pk for _r, pk in given]
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label=_("Why is it cancelled?"), validators=[single_line])


class CouncilForm(forms.Form):
    council = forms.ModelChoiceField(
        queryset=Circle.objects.none(),
        required=False,
        label=_("Council seated by this role"),
        empty_label=_("None: the role seats no council"),
        help_text=_("The winners sit on that circle's roster from the day their term starts until it ends."),
    )

    def __init__(self, *args, role, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = Circle.objects.filter(
            organisation_id=role.circle.organisation_id, is_general=False, archived_at__isnull=True
        ).exclude(pk=role.circle_id)
        self.fields["council"].initial = role.council_id
