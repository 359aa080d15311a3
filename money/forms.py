"""Forms of money's pages: they shape input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from governance.dates import sane_date
from governance.models import Member
from governance.text import single_line

from .models import Attachment, Category, Fund, Round

AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        validators=[single_line],
        help_text=_("ISO 4217: EUR, GBP, USD…"),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class IncomeForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False, validators=[single_line])
    reason = forms.CharField(label=_("Where it comes from"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why it is reversed"), widget=forms.Textarea(attrs={"rows": 2}))


class SpendingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)
    payee_member = forms.ModelChoiceField(label=_("Payee: a member"), queryset=Member.objects.none(), required=False)
    payee_name = forms.CharField(
        label=_("…or an outside party"), max_length=200, required=False, validators=[single_line]
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Markdown."))
    installments = forms.IntegerField(
        label=_("Payments"), min_value=1, max_value=36, initial=1, help_text=_("More than one for a stipend.")
    )
    interval_months = forms.IntegerField(label=_("Months between payments"), min_value=1, max_value=12, initial=1)
    first_due = forms.DateField(
        label=_("First payment due"),
        required=False,
        validators=[sane_date],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    quote = forms.FileField(label=_("Quote or other attachment"), required=False)

    def __init__(self, *args, budget, claim: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.fields["payee_member"].queryset = Member.objects.filter(
            organisation_id=budget.organisation_id, status=Member.Status.ACTIVE, is_bot=False
        ).select_related("user")
        allowed = budget.categories.all()
        self.fields["category"].queryset = (
            allowed if allowed.exists() else Category.objects.filter(organisation_id=budget.organisation_id)
        )
        if claim:
            for name in ("payee_member", "payee_name", "installments", "interval_months", "first_due"):
                del self.fields[name]
            self.fields["purpose"].label = _("The task you did")


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount paid"), **AMOUNT)
    reference = forms.CharField(label=_("Payment reference"), max_length=200, validators=[single_line])
    receipt = forms.FileField(label=_("Receipt"), required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why it is returned"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.none())
    circle = forms.ModelChoiceField(label=_("Whose members take part"), queryset=Circle.objects.none())
    pool = forms.DecimalField(label=_("Pool"), **AMOUNT)
    share_by = forms.ChoiceField(label=_("Shares"), choices=Round.ShareBy.choices)
    closes_at = forms.DateTimeField(
        label=_("Closes at"), validators=[sane_date], widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Fund.objects.filter(organisation=organisation)
        self.fields["circle"].queryset = Circle.objects.filter(organisation=organisation, archived_at__isnull=True)


class BucketForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    min_goal = forms.DecimalField(label=_("Minimum goal"), **AMOUNT)
    max_goal = forms.DecimalField(label=_("Maximum goal"), **AMOUNT)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AllocationForm(forms.Form):
    amount = forms.DecimalField(label=_("My allocation"), **AMOUNT)
