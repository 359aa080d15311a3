"""Change kinds circles owns beside the circle kinds (circles/changes.py): a circle's policy sections,
its working groups (created with a goal and an end date, extended; a working group is closed as any
circle is, by circle.archive) and the settings of its proposals. Registered in CirclesConfig.ready()."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.changes import ChangeContext, ChangeDescription, ChangeInvalid, ChangeKind, ChangeRow
from governance.dates import sane_date
from governance.errors import DomainError
from governance.text import MULTI_LINE, single_line

from .models import Circle, PolicySection
from .policies import (
    policy_section_add,
    policy_section_amend,
    policy_section_repeal,
    policy_title,
    section_base_check,
    section_text,
)
from .services import circle_proposal_settings_update
from .working_groups import end_date_check, working_group_create, working_group_extend


def _id(data: dict, key: str, what: str) -> int:
    try:
        value = int(data.get(key))
    except (TypeError, ValueError):
        raise ChangeInvalid(gettext("Choose %(what)s.") % {"what": what}, field=key) from None
    return value


def _circle(ctx: ChangeContext, data: dict, key: str = "circle") -> Circle:
    circle = (
        Circle.objects.filter(pk=_id(data, key, gettext("a circle")), organisation=ctx.organisation)
        .select_related("parent", "organisation")
        .first()
    )
    if circle is None:
        raise ChangeInvalid(gettext("That circle does not exist in this organisation."), field=key)
    if circle.is_archived:
        raise ChangeInvalid(gettext("The circle “%(circle)s” is archived.") % {"circle": circle}, field=key)
    return circle


def _section(ctx: ChangeContext, data: dict) -> PolicySection:
    section = (
        PolicySection.objects.filter(
            pk=_id(data, "section", gettext("a section")), policy__circle__organisation=ctx.organisation
        )
        .select_related("policy__circle")
        .first()
    )
    if section is None:
        raise ChangeInvalid(gettext("That section does not exist in this organisation."), field="section")
    return section


def _checked(call, **kwargs):
    try:
        return call(**kwargs)
    except DomainError as refusal:
        raise ChangeInvalid(refusal.message, field=refusal.field) from None


def _base(data: dict) -> int | None:
    value = data.get("base_version")
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ChangeInvalid(gettext("Give the version the change was drafted against."), field="base_version") from None


class KindForm(forms.Form):
    def __init__(self, *args, context=None, organisation=None, **kwargs):
        # Proposals build the form with the drafting proposal's ChangeContext (`context`).
        self.context = context
        organisation = organisation or (context.organisation if context is not None else None)
        super().__init__(*args, **kwargs)
        if organisation is None:
            return
        if "circle" in self.fields or "parent" in self.fields:
            circles = [(c.pk, c.name) for c in Circle.objects.active().filter(organisation=organisation)]
            for name in ("circle", "parent"):
                if name in self.fields:
                    self.fields[name].widget = forms.Select(choices=[("", "—"), *circles])
        if "section" in self.fields:
            sections = PolicySection.objects.in_force().filter(policy__circle__organisation=organisation)
            choices = [(s.pk, f"{s.title} ({s.policy.circle.name})") for s in sections.select_related("policy__circle")]
            self.fields["section"].widget = forms.Select(choices=[("", "—"), *choices])


# Policies ---------------------------------------------------------------------------------------


class SectionAddForm(KindForm):
    circle = forms.IntegerField(label=_("Circle"))
    title = forms.CharField(label=_("Section title"), max_length=200, validators=[single_line])
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown."))


class SectionAmendForm(KindForm):
    section = forms.IntegerField(label=_("Section"))
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Section title"), max_length=200, validators=[single_line])
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown."))


class SectionRepealForm(KindForm):
    section = forms.IntegerField(label=_("Section"))
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SectionAddSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text=_("The circle whose policy gets the section."))
    title = serializers.CharField(max_length=200, validators=[single_line])
    body = serializers.CharField(help_text=_("Markdown."), style=MULTI_LINE)


class SectionAmendSerializer(serializers.Serializer):
    section = serializers.IntegerField(help_text=_("The section to amend."))
    base_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The version amended; the change refuses to apply over a later one."),
    )
    title = serializers.CharField(max_length=200, validators=[single_line])
    body = serializers.CharField(help_text=_("Markdown."), style=MULTI_LINE)


class SectionRepealSerializer(serializers.Serializer):
    section = serializers.IntegerField(help_text=_("The section to repeal."))
    base_version = serializers.IntegerField(required=False, allow_null=True)


class PolicyAddSection(ChangeKind):
    key = "policy.add_section"
    model = Circle
    label = _("Add a policy section")
    group = _("Policies")
    form_class = SectionAddForm
    serializer_class = SectionAddSerializer

    def clean(self, ctx, data):
        circle = _circle(ctx, data)
        title, body = _checked(section_text, title=data.get("title"), body=data.get("body"))
        if PolicySection.objects.in_force().filter(policy__circle=circle, title__iexact=title).exists():
            raise ChangeInvalid(
                gettext("The policy already has a section called “%(title)s”.") % {"title": title}, field="title"
            )
        return {"circle": circle.pk, "title": title, "body": body}

    def circles(self, ctx, data):
        return [_circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).first()
        return ChangeDescription(
            summary=gettext("Add the section “%(title)s” to %(policy)s")
            % {"title": data.get("title"), "policy": policy_title(circle) if circle else "?"},
            rows=[ChangeRow(label=gettext("Text"), before=None, after=data.get("body"), text=True)],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.get(pk=data["circle"])
        return [_checked(policy_section_add, ctx=ctx, circle=circle, title=data["title"], body=data["body"])]

    def initial(self, obj):
        return {"circle": obj.pk}


class PolicyAmendSection(ChangeKind):
    key = "policy.amend_section"
    model = PolicySection
    label = _("Amend a policy section")
    group = _("Policies")
    form_class = SectionAmendForm
    serializer_class = SectionAmendSerializer

    def clean(self, ctx, data):
        section = _section(ctx, data)
        base = _base(data)
        _checked(section_base_check, section=section, base_version=base)
        title, body = _checked(section_text, title=data.get("title"), body=data.get("body"))
        if (title, body) == (section.title, section.body):
            raise ChangeInvalid(gettext("This leaves the section as it is."), field="body")
        return {"section": section.pk, "base_version": base or section.version, "title": title, "body": body}

    def circles(self, ctx, data):
        return [_section(ctx, data).policy.circle]

    def describe(self, ctx, data):
        section = PolicySection.objects.filter(pk=data.get("section")).first()
        rows = []
        if section and section.title != data.get("title"):
            rows.append(ChangeRow(label=gettext("Title"), before=section.title, after=data.get("title")))
        rows.append(
            ChangeRow(
                label=gettext("Text"), before=section.body if section else None, after=data.get("body"), text=True
            )
        )
        return ChangeDescription(
            summary=gettext("Amend the section “%(title)s”") % {"title": section.title if section else "?"}, rows=rows
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        section = _section(ctx, data)
        return [
            _checked(
                policy_section_amend,
                ctx=ctx,
                section=section,
                title=data["title"],
                body=data["body"],
                base_version=data["base_version"],
            )
        ]

    def initial(self, obj):
        return {"section": obj.pk, "base_version": obj.version, "title": obj.title, "body": obj.body}


class PolicyRepealSection(ChangeKind):
    key = "policy.repeal_section"
    model = PolicySection
    label = _("Repeal a policy section")
    group = _("Policies")
    form_class = SectionRepealForm
    serializer_class = SectionRepealSerializer

    def clean(self, ctx, data):
        section = _section(ctx, data)
        base = _base(data)
        _checked(section_base_check, section=section, base_version=base)
        return {"section": section.pk, "base_version": base or section.version}

    def circles(self, ctx, data):
        return [_section(ctx, data).policy.circle]

    def describe(self, ctx, data):
        section = PolicySection.objects.filter(pk=data.get("section")).first()
        return ChangeDescription(
            summary=gettext("Repeal the section “%(title)s”") % {"title": section.title if section else "?"},
            rows=[ChangeRow(label=gettext("Text"), before=section.body if section else None, after="", text=True)],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        section = _section(ctx, data)
        return [_checked(policy_section_repeal, ctx=ctx, section=section, base_version=data["base_version"])]

    def initial(self, obj):
        return {"section": obj.pk, "base_version": obj.version}


# Working groups ---------------------------------------------------------------------------------


class WorkingGroupCreateForm(KindForm):
    parent = forms.IntegerField(label=_("Under the circle"))
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Markdown."))
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    ends_on = forms.DateField(
        label=_("Ends on"), validators=[sane_date], widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_ends_on(self):
        return self.cleaned_data["ends_on"].isoformat()


class WorkingGroupExtendForm(KindForm):
    circle = forms.IntegerField(label=_("Working group"))
    ends_on = forms.DateField(
        label=_("New end date"), validators=[sane_date], widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_ends_on(self):
        return self.cleaned_data["ends_on"].isoformat()


class IsoDateField(serializers.DateField):
    def to_internal_value(self, value):
        return super().to_internal_value(value).isoformat()


class WorkingGroupCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField(help_text=_("The circle the working group sits under."))
    name = serializers.CharField(max_length=120, validators=[single_line])
    goal = serializers.CharField(help_text=_("Markdown: what it is for."), style=MULTI_LINE)
    purpose = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)
    ends_on = IsoDateField(help_text=_("The day its mandate ends."), validators=[sane_date])


class WorkingGroupExtendSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text=_("The working group."))
    ends_on = IsoDateField(help_text=_("Its new end date, after the current one."), validators=[sane_date])


def _working_group(ctx, data) -> Circle:
    circle = _circle(ctx, data)
    if not circle.is_working_group:
        raise ChangeInvalid(gettext("“%(circle)s” is not a working group.") % {"circle": circle}, field="circle")
    return circle


class WorkingGroupCreate(ChangeKind):
    key = "working_group.create"
    label = _("Create a working group")
    group = _("Circles")
    form_class = WorkingGroupCreateForm
    serializer_class = WorkingGroupCreateSerializer

    def clean(self, ctx, data):
        parent = _circle(ctx, data, key="parent")
        name = (data.get("name") or "").strip()
        if not name:
            raise ChangeInvalid(gettext("A working group needs a name."), field="name")
        if len(name) > 120 or "\n" in name:
            raise ChangeInvalid(gettext("A name is one line of at most 120 characters."), field="name")
        goal = (data.get("goal") or "").strip()
        if not goal:
            raise ChangeInvalid(gettext("Say what the working group is for: its goal."), field="goal")
        ends_on = _checked(end_date_check, value=data.get("ends_on"), organisation=ctx.organisation)
        return {
            "parent": parent.pk,
            "name": name,
            "goal": goal,
            "purpose": (data.get("purpose") or "").strip(),
            "ends_on": ends_on.isoformat(),
        }

    def circles(self, ctx, data):
        return [_circle(ctx, data, key="parent")]

    def describe(self, ctx, data):
        parent = Circle.objects.filter(pk=data.get("parent")).first()
        return ChangeDescription(
            summary=gettext("Create the working group “%(name)s” under “%(parent)s”, until %(date)s")
            % {"name": data.get("name"), "parent": parent or "?", "date": data.get("ends_on")},
            rows=[
                ChangeRow(label=gettext("Goal"), before=None, after=data.get("goal"), text=True),
                ChangeRow(label=gettext("Ends on"), before=None, after=data.get("ends_on")),
            ],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        parent = Circle.objects.get(pk=data["parent"])
        circle = _checked(
            working_group_create,
            organisation=ctx.organisation,
            by=ctx.actor,
            parent=parent,
            name=data["name"],
            goal=data["goal"],
            purpose=data["purpose"],
            ends_on=date.fromisoformat(data["ends_on"]),
            decision=ctx,
        )
        return [circle]


class WorkingGroupExtend(ChangeKind):
    key = "working_group.extend"
    model = Circle
    label = _("Extend a working group")
    group = _("Circles")
    form_class = WorkingGroupExtendForm
    serializer_class = WorkingGroupExtendSerializer

    def clean(self, ctx, data):
        circle = _working_group(ctx, data)
        ends_on = _checked(
            end_date_check, value=data.get("ends_on"), organisation=ctx.organisation, after=circle.ends_on
        )
        return {"circle": circle.pk, "ends_on": ends_on.isoformat()}

    def circles(self, ctx, data):
        return [_circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).first()
        return ChangeDescription(
            summary=gettext("Extend the working group “%(circle)s” until %(date)s")
            % {"circle": circle or "?", "date": data.get("ends_on")},
            rows=[
                ChangeRow(
                    label=gettext("Ends on"),
                    before=circle.ends_on.isoformat() if circle and circle.ends_on else None,
                    after=data.get("ends_on"),
                )
            ],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.get(pk=data["circle"])
        circle = _checked(
            working_group_extend,
            circle=circle,
            by=ctx.actor,
            ends_on=date.fromisoformat(data["ends_on"]),
            decision=ctx,
        )
        return [circle]

    def initial(self, obj):
        return {"circle": obj.pk, "ends_on": obj.ends_on.isoformat() if obj.ends_on else None}


# Settings a circle owns -------------------------------------------------------------------------


def _optional_int(data: dict, key: str, low: int, high: int, message: str) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ChangeInvalid(message, field=key) from None
    if not low <= value <= high:
        raise ChangeInvalid(message, field=key)
    return value


class ProposalSettingsForm(KindForm):
    circle = forms.IntegerField(label=_("Circle"))
    consent_round_days = forms.IntegerField(
        label=_("Consent round (days)"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Empty: the organisation's."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum (%)"), required=False, min_value=1, max_value=100, help_text=_("Empty: no quorum.")
    )


class ProposalSettingsSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text=_("The circle."))
    consent_round_days = serializers.IntegerField(
        min_value=1, max_value=60, allow_null=True, help_text=_("Its rounds' default length; null: the organisation's.")
    )
    quorum_percent = serializers.IntegerField(
        min_value=1, max_value=100, allow_null=True, help_text=_("Its proposals' default quorum; null: none.")
    )


class CircleProposalSettings(ChangeKind):
    key = "circle.proposal_settings"
    model = Circle
    label = _("Change a circle's proposal settings")
    group = _("Settings")
    form_class = ProposalSettingsForm
    serializer_class = ProposalSettingsSerializer

    def clean(self, ctx, data):
        circle = _circle(ctx, data)
        return {
            "circle": circle.pk,
            "consent_round_days": _optional_int(
                data, "consent_round_days", 1, 60, gettext("A consent round lasts between 1 and 60 days.")
            ),
            "quorum_percent": _optional_int(
                data, "quorum_percent", 1, 100, gettext("Quorum is a percentage between 1 and 100.")
            ),
        }

    def circles(self, ctx, data):
        return [_circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).select_related("organisation").first()
        default_days = circle.organisation.consent_round_days if circle else None
        rows = [
            ChangeRow(
                label=gettext("Consent round (days)"),
                before=(circle.consent_round_days or default_days) if circle else None,
                after=data.get("consent_round_days") or default_days,
            ),
            ChangeRow(
                label=gettext("Quorum (%)"),
                before=(circle.quorum_percent if circle else None) or "—",
                after=data.get("quorum_percent") or "—",
            ),
        ]
        return ChangeDescription(
            summary=gettext("Change the proposal settings of “%(circle)s”") % {"circle": circle or "?"},
            rows=[row for row in rows if row.before != row.after],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.get(pk=data["circle"])
        circle = _checked(
            circle_proposal_settings_update,
            circle=circle,
            by=ctx.actor,
            consent_round_days=data["consent_round_days"],
            quorum_percent=data["quorum_percent"],
            decision=ctx,
        )
        return [circle]

    def initial(self, obj):
        return {"circle": obj.pk, "consent_round_days": obj.consent_round_days, "quorum_percent": obj.quorum_percent}


KINDS = [
    CircleProposalSettings(),
    PolicyAddSection(),
    PolicyAmendSection(),
    PolicyRepealSection(),
    WorkingGroupCreate(),
    WorkingGroupExtend(),
]
