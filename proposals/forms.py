from datetime import timedelta

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circles.models import Circle, CircleMembership
from governance.dates import sane_date
from governance.models import Member
from governance.text import single_line

from .models import KINDS_FOR_METHOD, Method, Proposal, Threshold

# A date input takes and gives ISO dates whatever the language; the localised default
# (dd/mm/yyyy in en-gb) would leave it empty.
ISO_DATE = "%Y-%m-%d"


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200, validators=[single_line], label=_("Title"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}), label=_("Body"), help_text=_("Markdown: what you propose, and why.")
    )
    method = forms.ChoiceField(
        choices=Method.choices,
        initial=Method.CONSENT,
        widget=forms.RadioSelect,
        label=_("Method"),
        help_text=_("Consent passes when nobody holds a standing objection; a majority vote counts weighted votes."),
    )
    threshold = forms.ChoiceField(
        choices=Threshold.choices,
        initial=Threshold.SIMPLE,
        required=False,
        label=_("Threshold"),
        help_text=_("For majority votes only."),
    )
    quorum_percent = forms.IntegerField(
        min_value=1,
        max_value=100,
        required=False,
        label=_("Quorum (%)"),
        help_text=_("Optional: the share of the eligible voting weight that must respond."),
    )
    round_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        label=_("Round length (days)"),
        help_text=_("How long the round stays open once you open it."),
    )
    anonymous = forms.BooleanField(
        required=False, label=_("Anonymous"), help_text=_("Show counts only; never who took which position.")
    )
    hidden_results = forms.BooleanField(
        required=False,
        label=_("Hide the results until the close"),
        help_text=_(
            "Counts by kind are shown only once the round closes; who responded stays visible. "
            "Anonymous rounds always hide them."
        ),
    )
    early_close = forms.BooleanField(
        required=False,
        label=_("Close early"),
        help_text=_("Close as soon as everyone eligible has responded and nobody objects."),
    )

    def clean_threshold(self):
        return self.cleaned_data.get("threshold") or Threshold.SIMPLE

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["round_length"] = timedelta(days=data.pop("round_days"))
        return data

    @classmethod
    def initial_for(cls, proposal: Proposal):
        return {
            "title": proposal.title,
            "body": proposal.body,
            "method": proposal.method,
            "threshold": proposal.threshold,
            "quorum_percent": proposal.quorum_percent,
            "round_days": max(proposal.round_length.days, 1),
            "anonymous": proposal.anonymous,
            "hidden_results": proposal.hidden_results,
            "early_close": proposal.early_close,
        }


class OpenForm(forms.Form):
    closes_at = forms.DateTimeField(
        required=False,
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to use the round length."),
        validators=[sane_date],
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_closes_at(self):
        value = self.cleaned_data.get("closes_at")
        if value is not None and self.organisation is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, self.organisation.tzinfo)
        return value


class PositionForm(forms.Form):
    kind = forms.ChoiceField(widget=forms.RadioSelect, label=_("Your position"))
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason"),
        help_text=_("Needed for a concern or an objection: what harm do you see, and what would resolve it?"),
    )
    keep_reason_as_note = forms.BooleanField(
        required=False,
        label=_("Keep my reason as a note"),
        help_text=_(
            "When you change a concern or an objection to consent or an abstention, its reason is cleared "
            "unless you keep it."
        ),
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in KINDS_FOR_METHOD[Method(proposal.method)]]
        if proposal.method == Method.MAJORITY:
            self.fields["reason"].help_text = _("Optional: why you vote this way, for the circle to read.")

    def service_kwargs(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("kind", "reason", "keep_reason_as_note")}


class AmendForm(forms.Form):
    title = forms.CharField(max_length=200, validators=[single_line], label=_("Title"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label=_("Body"), help_text=_("Markdown."))
    change_note = forms.CharField(
        max_length=300,
        required=False,
        label=_("What changed"),
        help_text=_("A line for the circle, e.g. “Addresses Ben's objection about the budget.”"),
        validators=[single_line],
    )


class OutcomeForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Statement"),
        help_text=_("Markdown. What was decided, in plain words."),
    )
    review_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        label=_("Review date"),
        help_text=_("Optional: when the circle should review this agreement. A reminder goes out then."),
        validators=[sane_date],
    )


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment"), help_text=_("Markdown."))
    is_question = forms.BooleanField(required=False, label=_("This is a clarifying question"))


class DecisionFilterForm(forms.Form):
    circle = forms.ModelChoiceField(queryset=None, required=False, label=_("Circle"), empty_label=_("All circles"))
    since = forms.DateField(
        required=False,
        label=_("Since"),
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        validators=[sane_date],
    )
    until = forms.DateField(
        required=False,
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        validators=[sane_date],
    )
    outcome = forms.ChoiceField(
        choices=[("", _("Any outcome")), *Proposal.Outcome.choices], required=False, label=_("Outcome")
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = organisation.circles.order_by("name")


class ProxyForm(forms.Form):
    """Give a proxy: to whom, and for one round (when the page was opened from a round) or a circle."""

    holder = forms.ModelChoiceField(queryset=None, label=_("Who responds for you"))
    circle = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("For every round of the circle"),
        empty_label=_("Only this round"),
        help_text=_("Until you revoke it."),
    )

    def __init__(self, *args, member: Member, proposal: Proposal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["holder"].queryset = (
            Member.objects.people()
            .filter(organisation_id=member.organisation_id)
            .exclude(pk=member.pk)
            .select_related("user")
            .order_by("user__name")
        )
        self.fields["holder"].label_from_instance = lambda m: m.user.display_name
        on_roster = CircleMembership.objects.current().filter(member=member).values("circle_id")
        circles = Circle.objects.filter(organisation_id=member.organisation_id, archived_at__isnull=True).filter(
            models.Q(pk__in=on_roster) | models.Q(is_general=True)
        )
        self.fields["circle"].queryset = circles.order_by("name")
        if proposal is None:
            self.fields["circle"].required = True
            self.fields["circle"].empty_label = None

    def service_kwargs(self) -> dict:
        circle = self.cleaned_data.get("circle")
        if circle is None:
            return {"holder": self.cleaned_data["holder"], "proposal": self.proposal}
        return {"holder": self.cleaned_data["holder"], "circle": circle}
