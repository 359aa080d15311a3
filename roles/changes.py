"""The kinds of change a proposal can make to roles, to the people who hold them, and to domains
(governance.changes). Registered in RolesConfig.ready().

Each kind checks its data against the structure as it is when it is called (drafted, opened, closed),
and applies through roles' own services, so that a decision and a direct edit obey the same rules.
The data is plain JSON (ids, text, numbers as text), since the proposal stores it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from circles.models import Circle
from circles.services import circle_update
from governance.changes import ChangeContext, ChangeDescription, ChangeInvalid, ChangeKind, ChangeRow
from governance.errors import DomainError
from governance.models import Member, MembershipClass
from governance.services import member_update
from governance.text import MULTI_LINE, single_line

from .models import ElectionMethod, Role, RoleAssignment, Selection, TimePeriod
from .services import (
    add_months,
    assignment_end,
    eligibility_problem,
    free_seat,
    role_archive,
    role_assign,
    role_create,
    role_update,
    running_at,
    steward_assign,
    term_end,
)
from .services.definitions import _check_definition, _clean_accountabilities

# What a role amendment may change, with the label its before → after shows.
AMENDABLE = {
    "name": _("Name"),
    "purpose": _("Purpose"),
    "domains": _("Domains"),
    "accountabilities": _("Accountabilities"),
    "time_hours": _("Hours expected"),
    "time_period": _("Per"),
    "seats": _("Seats"),
    "term_months": _("Term length (months)"),
    "term_limit": _("Term limit"),
    "selection": _("How it is filled"),
    "election_method": _("Election method"),
    "auto_renew": _("Renews automatically"),
}
TEXT_FIELDS = ("purpose", "domains")
INT_FIELDS = ("seats", "term_months", "term_limit")


# Reading the data -------------------------------------------------------------------------------


def _id(data: dict, key: str, what: str) -> int:
    try:
        value = int(data.get(key))
    except (TypeError, ValueError):
        raise ChangeInvalid(gettext("Choose %(what)s.") % {"what": what}, field=key) from None
    if value < 1:
        raise ChangeInvalid(gettext("Choose %(what)s.") % {"what": what}, field=key)
    return value


def _role(ctx: ChangeContext, data: dict, *, lock: bool = False) -> Role:
    pk = _id(data, "role", gettext("a role"))
    rows = Role.objects.select_related("circle__organisation", "circle__parent")
    if lock:
        rows = rows.select_for_update(of=("self",))
    role = rows.filter(pk=pk, circle__organisation=ctx.organisation).first()
    if role is None:
        raise ChangeInvalid(gettext("That role does not exist in this organisation."), field="role")
    if role.is_archived:
        raise ChangeInvalid(gettext("The role “%(role)s” has been retired.") % {"role": role.name}, field="role")
    if role.circle.is_archived:
        raise ChangeInvalid(
            gettext("The circle “%(circle)s” is archived; its roles cannot change.") % {"circle": role.circle},
            field="role",
        )
    return role


def _circle(ctx: ChangeContext, data: dict, key: str = "circle") -> Circle:
    pk = _id(data, key, gettext("a circle"))
    circle = Circle.objects.filter(pk=pk, organisation=ctx.organisation).select_related("parent").first()
    if circle is None:
        raise ChangeInvalid(gettext("That circle does not exist in this organisation."), field=key)
    if circle.is_archived:
        raise ChangeInvalid(gettext("The circle “%(circle)s” is archived.") % {"circle": circle}, field=key)
    return circle


def _member(ctx: ChangeContext, data: dict, key: str = "member") -> Member:
    pk = _id(data, key, gettext("a member"))
    member = Member.objects.select_related("user", "membership_class").filter(pk=pk).first()
    if member is None or member.organisation_id != ctx.organisation.pk or not member.is_active or member.is_bot:
        raise ChangeInvalid(gettext("Choose an active member of this organisation."), field=key)
    return member


def _hours(value) -> str | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ChangeInvalid(gettext("Give the hours expected as a number."), field="time_hours") from None
    return str(hours)


def _int_or_none(value, key: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ChangeInvalid(gettext("Give a whole number."), field=key) from None


def _definition(data: dict, keys, *, whole: bool = True) -> dict:
    """The role fields of `data` among `keys`, normalised to JSON, checked by roles' own rule (for
    an amendment, `whole=False`: the rule is then checked on the role as it would become)."""
    spec = {}
    for key in keys:
        if key not in data:
            continue
        value = data[key]
        if key == "name":
            value = (value or "").strip()
            try:
                single_line(value)
            except forms.ValidationError:
                raise ChangeInvalid(gettext("A name is one line of text."), field="name") from None
            if len(value) > 120:
                raise ChangeInvalid(gettext("Keep the name to 120 characters."), field="name")
        elif key in TEXT_FIELDS:
            value = (value or "").strip()
        elif key == "accountabilities":
            value = _clean_accountabilities(value)
            if any(len(line) > 300 for line in value):
                raise ChangeInvalid(gettext("Keep each accountability to 300 characters."), field=key)
        elif key == "time_hours":
            value = _hours(value)
        elif key in INT_FIELDS:
            value = _int_or_none(value, key)
        spec[key] = value
    if not whole:
        return spec
    try:
        _check_definition(_as_model_values(spec))
    except DomainError as refusal:
        raise ChangeInvalid(refusal.message, field=refusal.field) from None
    return spec


def _as_model_values(spec: dict) -> dict:
    values = dict(spec)
    if values.get("time_hours") is not None:
        values["time_hours"] = Decimal(values["time_hours"])
    return values


def _applying(call, **kwargs):
    """Call a service; its refusal (the structure changed meanwhile) is the change's."""
    try:
        return call(**kwargs)
    except DomainError as refusal:
        raise ChangeInvalid(refusal.message, field=refusal.field) from None


def _shown(key: str, value):
    if key in ("selection", "election_method", "time_period") and value:
        choices = {"selection": Selection, "election_method": ElectionMethod, "time_period": TimePeriod}[key]
        return str(dict(choices.choices).get(value, value))
    if value is None or value == "":
        return "—"
    return value


# Forms and serializers: they shape input; clean() is the rule -----------------------------------


class KindForm(forms.Form):
    """A drafting form whose circle, role and member fields list the organisation's, when given."""

    def __init__(self, *args, context=None, organisation=None, **kwargs):
        # Proposals build the form with the drafting proposal's ChangeContext (`context`).
        self.context = context
        organisation = organisation or (context.organisation if context is not None else None)
        super().__init__(*args, **kwargs)
        if organisation is None:
            return
        lists = {
            "circle": lambda: [(c.pk, c.name) for c in Circle.objects.active().filter(organisation=organisation)],
            "role": lambda: [
                (r.pk, f"{r.name} ({r.circle.name})")
                for r in Role.objects.active().filter(circle__organisation=organisation).select_related("circle")
            ],
            "member": lambda: [
                (m.pk, str(m.user))
                for m in Member.objects.people().filter(organisation=organisation).select_related("user")
            ],
            "membership_class": lambda: [
                (c.pk, c.name) for c in MembershipClass.objects.filter(organisation=organisation)
            ],
        }
        for name, choices in lists.items():
            if name in self.fields:
                self.fields[name].widget = forms.Select(choices=[("", "—"), *choices()])


class RoleDefinitionForm(KindForm):
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    domains = forms.CharField(label=_("Domains"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accountabilities = forms.CharField(
        label=_("Accountabilities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )
    time_hours = forms.DecimalField(label=_("Hours expected"), required=False, min_value=0, max_value=168)
    time_period = forms.ChoiceField(label=_("Per"), choices=TimePeriod.choices, initial=TimePeriod.WEEK)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, initial=1)
    term_months = forms.IntegerField(label=_("Term length (months)"), required=False, min_value=1, max_value=60)
    term_limit = forms.IntegerField(label=_("Term limit"), required=False, min_value=1, max_value=20)
    selection = forms.ChoiceField(label=_("How it is filled"), choices=Selection.choices, initial=Selection.APPOINTED)
    election_method = forms.ChoiceField(
        label=_("Election method"), choices=ElectionMethod.choices, initial=ElectionMethod.SOCIOCRATIC
    )
    auto_renew = forms.BooleanField(label=_("Renews automatically"), required=False)

    def clean_time_hours(self):
        value = self.cleaned_data.get("time_hours")
        return None if value is None else str(value)

    def clean_accountabilities(self):
        return _clean_accountabilities(self.cleaned_data.get("accountabilities") or "")


class RoleCreateForm(RoleDefinitionForm):
    circle = forms.IntegerField(label=_("Circle"))
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    field_order = ["circle", "name"]


class RoleAmendForm(RoleDefinitionForm):
    role = forms.IntegerField(label=_("Role"))
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    field_order = ["role", "name"]


class RoleRetireForm(KindForm):
    role = forms.IntegerField(label=_("Role"))


class RoleDefinitionSerializer(serializers.Serializer):
    purpose = serializers.CharField(allow_blank=True, required=False, help_text=_("Markdown."), style=MULTI_LINE)
    domains = serializers.CharField(allow_blank=True, required=False, help_text=_("Markdown."), style=MULTI_LINE)
    accountabilities = serializers.ListField(
        child=serializers.CharField(max_length=300, validators=[single_line]), required=False
    )
    time_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, required=False, coerce_to_string=True
    )
    time_period = serializers.ChoiceField(choices=TimePeriod.choices, required=False)
    seats = serializers.IntegerField(min_value=1, max_value=50, required=False)
    term_months = serializers.IntegerField(min_value=1, max_value=60, allow_null=True, required=False)
    term_limit = serializers.IntegerField(min_value=1, max_value=20, allow_null=True, required=False)
    selection = serializers.ChoiceField(choices=Selection.choices, required=False)
    election_method = serializers.ChoiceField(choices=ElectionMethod.choices, required=False)
    auto_renew = serializers.BooleanField(required=False)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value.get("time_hours") is not None:
            value["time_hours"] = str(value["time_hours"])
        return value


@extend_schema_serializer(component_name="RoleDefinitionCreate")
class RoleCreateSerializer(RoleDefinitionSerializer):
    circle = serializers.IntegerField(help_text=_("The circle the new role belongs to."))
    name = serializers.CharField(max_length=120, validators=[single_line])


class RoleAmendSerializer(RoleDefinitionSerializer):
    role = serializers.IntegerField(help_text=_("The role to amend; only the fields given change."))
    name = serializers.CharField(max_length=120, required=False, validators=[single_line])


class RoleRetireSerializer(serializers.Serializer):
    role = serializers.IntegerField(help_text=_("The role to retire; its terms end."))


# Roles ------------------------------------------------------------------------------------------


class RoleCreate(ChangeKind):
    key = "role.create"
    model = Circle
    label = _("Create a role")
    group = _("Roles")
    form_class = RoleCreateForm
    serializer_class = RoleCreateSerializer

    def clean(self, ctx, data):
        circle = _circle(ctx, data)
        spec = _definition(data, ["name", *AMENDABLE])
        if not spec.get("name"):
            raise ChangeInvalid(gettext("A role needs a name."), field="name")
        if Role.objects.active().filter(circle=circle, name__iexact=spec["name"]).exists():
            raise ChangeInvalid(
                gettext("%(circle)s already has a role called “%(name)s”.") % {"circle": circle, "name": spec["name"]},
                field="name",
            )
        return {"circle": circle.pk, **spec}

    def circles(self, ctx, data):
        return [_circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).first()
        rows = [
            ChangeRow(label=str(AMENDABLE[k]), before=None, after=_shown(k, data[k]), text=k in TEXT_FIELDS)
            for k in AMENDABLE
            if k in data and k != "name"
        ]
        return ChangeDescription(
            summary=gettext("Create the role “%(name)s” in “%(circle)s”")
            % {"name": data.get("name", ""), "circle": circle or "?"},
            rows=rows,
        )

    def initial(self, obj):
        return {"circle": obj.pk}

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.get(pk=data["circle"])
        fields = _as_model_values({k: v for k, v in data.items() if k not in ("circle", "name")})
        role = _applying(role_create, circle=circle, by=ctx.actor, name=data["name"], decision=ctx, **fields)
        return [role]


class RoleAmend(ChangeKind):
    key = "role.amend"
    model = Role
    label = _("Amend a role")
    group = _("Roles")
    form_class = RoleAmendForm
    serializer_class = RoleAmendSerializer

    def clean(self, ctx, data):
        role = _role(ctx, data)
        spec = _definition(data, AMENDABLE, whole=False)
        if not spec:
            raise ChangeInvalid(gettext("Say what changes in the role."))
        if "name" in spec:
            if not spec["name"]:
                raise ChangeInvalid(gettext("A role needs a name."), field="name")
            clash = Role.objects.active().filter(circle=role.circle, name__iexact=spec["name"]).exclude(pk=role.pk)
            if clash.exists():
                raise ChangeInvalid(
                    gettext("%(circle)s already has a role called “%(name)s”.")
                    % {"circle": role.circle, "name": spec["name"]},
                    field="name",
                )
        merged = {k: getattr(role, k) for k in AMENDABLE} | _as_model_values(spec)
        try:
            _check_definition(merged)
        except DomainError as refusal:
            raise ChangeInvalid(refusal.message, field=refusal.field) from None
        holders = role.assignments.current().count()
        if spec.get("seats") is not None and spec["seats"] < holders:
            raise ChangeInvalid(
                gettext("%(count)s people hold “%(role)s” now, more than %(seats)s seat(s); end a term first.")
                % {"count": holders, "role": role.name, "seats": spec["seats"]},
                field="seats",
            )
        return {"role": role.pk, **spec}

    def circles(self, ctx, data):
        return [_role(ctx, data).circle]

    def describe(self, ctx, data):
        role = Role.objects.filter(pk=data.get("role")).select_related("circle").first()
        rows = []
        for key, label in AMENDABLE.items():
            if key not in data:
                continue
            before = getattr(role, key, None) if role else None
            if key == "time_hours" and before is not None:
                before = str(before)
            if before == data[key]:
                continue
            rows.append(
                ChangeRow(
                    label=str(label), before=_shown(key, before), after=_shown(key, data[key]), text=key in TEXT_FIELDS
                )
            )
        name = role.name if role else "?"
        return ChangeDescription(summary=gettext("Amend the role “%(name)s”") % {"name": name}, rows=rows)

    def apply(self, ctx, data):
        # The role's row is locked before the check: a decision closing at the same moment waits,
        # then is checked against what the first one made of the role.
        role = _role(ctx, data, lock=True)
        data = self.clean(ctx, data)
        fields = _as_model_values({k: v for k, v in data.items() if k != "role"})
        role = _applying(role_update, role=role, by=ctx.actor, decision=ctx, **fields)
        return [role]

    def initial(self, obj):
        values = {key: getattr(obj, key) for key in AMENDABLE}
        values["time_hours"] = None if obj.time_hours is None else str(obj.time_hours)
        return {"role": obj.pk, **values}


class RoleRetire(ChangeKind):
    key = "role.retire"
    model = Role
    label = _("Retire a role")
    group = _("Roles")
    form_class = RoleRetireForm
    serializer_class = RoleRetireSerializer

    def clean(self, ctx, data):
        role = _role(ctx, data)
        if role.is_core:
            raise ChangeInvalid(
                gettext("%(role)s is a core role of every circle; it cannot be retired.") % {"role": role.name},
                field="role",
            )
        return {"role": role.pk}

    def circles(self, ctx, data):
        return [_role(ctx, data).circle]

    def describe(self, ctx, data):
        role = Role.objects.filter(pk=data.get("role")).select_related("circle").prefetch_related("assignments").first()
        if role is None:
            return ChangeDescription(summary=gettext("Retire a role that no longer exists"))
        holders = [str(a.member.user) for a in role.assignments.open().select_related("member__user")]
        rows = [ChangeRow(label=gettext("Holders whose terms end"), before=holders, after=[])] if holders else []
        return ChangeDescription(
            summary=gettext("Retire the role “%(role)s” of “%(circle)s”") % {"role": role.name, "circle": role.circle},
            rows=rows,
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        role = _role(ctx, data)
        role = _applying(role_archive, role=role, by=ctx.actor, decision=ctx)
        return [role]

    def initial(self, obj):
        return {"role": obj.pk}


# People -----------------------------------------------------------------------------------------


class StewardForm(KindForm):
    circle = forms.IntegerField(label=_("Circle"))
    member = forms.IntegerField(label=_("Member"))


class StewardSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text=_("The circle."))
    member = serializers.IntegerField(help_text=_("The member (steward-to-be, or the steward whose term ends)."))


def _current_steward(circle) -> RoleAssignment | None:
    return (
        RoleAssignment.objects.current()
        .filter(role__circle=circle, role__kind=Role.Kind.STEWARD, role__archived_at__isnull=True)
        .select_related("member__user")
        .first()
    )


class StewardAssign(ChangeKind):
    key = "steward.assign"
    model = Circle
    label = _("Assign a steward")
    group = _("People")
    form_class = StewardForm
    serializer_class = StewardSerializer

    def clean(self, ctx, data):
        circle = _circle(ctx, data)
        member = _member(ctx, data)
        current = _current_steward(circle)
        if current is not None and current.member_id == member.pk:
            raise ChangeInvalid(
                gettext("%(member)s is already the steward of %(circle)s.") % {"member": member.user, "circle": circle},
                field="member",
            )
        return {"circle": circle.pk, "member": member.pk}

    def circles(self, ctx, data):
        return [_circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).first()
        member = Member.objects.filter(pk=data.get("member")).select_related("user").first()
        current = _current_steward(circle) if circle else None
        return ChangeDescription(
            summary=gettext("Make %(member)s the steward of “%(circle)s”")
            % {"member": member.user if member else "?", "circle": circle or "?"},
            rows=[
                ChangeRow(
                    label=gettext("Steward"),
                    before=str(current.member.user) if current else None,
                    after=str(member.user) if member else "?",
                )
            ],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.get(pk=data["circle"])
        member = Member.objects.select_related("user").get(pk=data["member"])
        assignment = _applying(steward_assign, circle=circle, member=member, by=ctx.actor, decision=ctx)
        return [assignment]

    def initial(self, obj):
        return {"circle": obj.pk}


class StewardEnd(ChangeKind):
    key = "steward.end"
    label = _("End a steward's term")
    group = _("People")
    form_class = StewardForm
    serializer_class = StewardSerializer

    def clean(self, ctx, data):
        circle = _circle(ctx, data)
        member = _member(ctx, data)
        current = _current_steward(circle)
        if current is None or current.member_id != member.pk:
            raise ChangeInvalid(
                gettext("%(member)s is not the steward of %(circle)s.") % {"member": member.user, "circle": circle},
                field="member",
            )
        return {"circle": circle.pk, "member": member.pk}

    def circles(self, ctx, data):
        return [_circle(ctx, data)]

    def describe(self, ctx, data):
        circle = Circle.objects.filter(pk=data.get("circle")).first()
        member = Member.objects.filter(pk=data.get("member")).select_related("user").first()
        return ChangeDescription(
            summary=gettext("End the term of %(member)s as steward of “%(circle)s”")
            % {"member": member.user if member else "?", "circle": circle or "?"},
            rows=[ChangeRow(label=gettext("Steward"), before=str(member.user) if member else "?", after=None)],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        circle = Circle.objects.get(pk=data["circle"])
        current = _current_steward(circle)
        _applying(
            assignment_end,
            assignment=current,
            by=ctx.actor,
            reason=RoleAssignment.EndReason.REMOVED,
            note=gettext("Ended by decision"),
            decision=ctx,
        )
        return [current]


class RoleAssignForm(KindForm):
    role = forms.IntegerField(label=_("Role"))
    member = forms.IntegerField(label=_("Member"))
    term_months = forms.IntegerField(
        label=_("Term (months)"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Empty: the role's term length."),
    )


class RoleAssignSerializer(serializers.Serializer):
    role = serializers.IntegerField(help_text=_("The role."))
    member = serializers.IntegerField(help_text=_("A member on the roster of the role's circle."))
    term_months = serializers.IntegerField(
        min_value=1, max_value=60, allow_null=True, required=False, help_text=_("Empty: the role's term length.")
    )


class RoleUnassignForm(KindForm):
    role = forms.IntegerField(label=_("Role"))
    member = forms.IntegerField(label=_("Member"))
    reason = forms.CharField(label=_("Why"), max_length=300, required=False, validators=[single_line])


class RoleUnassignSerializer(serializers.Serializer):
    role = serializers.IntegerField(help_text=_("The role."))
    member = serializers.IntegerField(help_text=_("The holder whose term ends."))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, validators=[single_line])


class RoleAssign(ChangeKind):
    key = "role.assign"
    model = Role
    label = _("Assign a role for a term")
    group = _("People")
    form_class = RoleAssignForm
    serializer_class = RoleAssignSerializer

    def clean(self, ctx, data):
        role = _role(ctx, data)
        if role.kind == Role.Kind.STEWARD:
            raise ChangeInvalid(gettext("Use “Assign a steward” for the steward's role."), field="role")
        member = _member(ctx, data)
        months = _int_or_none(data.get("term_months"), "term_months")
        if months is not None and not 1 <= months <= 60:
            raise ChangeInvalid(gettext("A term lasts between 1 and 60 months."), field="term_months")
        now = timezone.now()
        running = list(running_at(role, now))
        if any(a.member_id == member.pk for a in running):
            raise ChangeInvalid(
                gettext("%(member)s already holds this role.") % {"member": member.user}, field="member"
            )
        problem = eligibility_problem(role=role, member=member, start=now)
        if problem is not None:
            raise ChangeInvalid(problem.message, field="member")
        end = add_months(now, months, ctx.organisation.tzinfo) if months else term_end(role, now)
        if len(running) >= role.seats or free_seat(role, now, end) is None:
            raise ChangeInvalid(
                gettext("All %(seats)s seat(s) of %(role)s are taken; end a term first.")
                % {"seats": role.seats, "role": role.name},
                field="member",
            )
        return {"role": role.pk, "member": member.pk, "term_months": months}

    def circles(self, ctx, data):
        return [_role(ctx, data).circle]

    def describe(self, ctx, data):
        role = Role.objects.filter(pk=data.get("role")).select_related("circle").first()
        member = Member.objects.filter(pk=data.get("member")).select_related("user").first()
        months = data.get("term_months") or (role.term_months if role else None)
        return ChangeDescription(
            summary=gettext("Give %(member)s a term as %(role)s of “%(circle)s”")
            % {
                "member": member.user if member else "?",
                "role": role.name if role else "?",
                "circle": role.circle if role else "?",
            },
            rows=[
                ChangeRow(label=gettext("Holder"), before=None, after=str(member.user) if member else "?"),
                ChangeRow(label=gettext("Term (months)"), before=None, after=months or gettext("open-ended")),
            ],
        )

    def apply(self, ctx, data):
        _role(ctx, data, lock=True)
        data = self.clean(ctx, data)
        role = _role(ctx, data)
        member = Member.objects.select_related("user").get(pk=data["member"])
        months = data.get("term_months")
        end = add_months(timezone.now(), months, ctx.organisation.tzinfo) if months else None
        assignment = _applying(role_assign, role=role, member=member, by=ctx.actor, planned_end_at=end, decision=ctx)
        return [assignment]

    def initial(self, obj):
        return {"role": obj.pk}


class RoleUnassign(ChangeKind):
    key = "role.unassign"
    label = _("End a role holder's term")
    group = _("People")
    form_class = RoleUnassignForm
    serializer_class = RoleUnassignSerializer

    def _term(self, role, member) -> RoleAssignment | None:
        return role.assignments.open().filter(member=member).order_by("started_at").first()

    def clean(self, ctx, data):
        role = _role(ctx, data)
        member = _member(ctx, data)
        if role.kind == Role.Kind.STEWARD:
            raise ChangeInvalid(gettext("Use “End a steward's term” for the steward's role."), field="role")
        if self._term(role, member) is None:
            raise ChangeInvalid(
                gettext("%(member)s does not hold %(role)s.") % {"member": member.user, "role": role.name},
                field="member",
            )
        reason = (data.get("reason") or "").strip()
        if len(reason) > 300:
            raise ChangeInvalid(gettext("Keep the reason to 300 characters."), field="reason")
        return {"role": role.pk, "member": member.pk, "reason": reason}

    def circles(self, ctx, data):
        return [_role(ctx, data).circle]

    def describe(self, ctx, data):
        role = Role.objects.filter(pk=data.get("role")).select_related("circle").first()
        member = Member.objects.filter(pk=data.get("member")).select_related("user").first()
        return ChangeDescription(
            summary=gettext("End the term of %(member)s as %(role)s")
            % {"member": member.user if member else "?", "role": role.name if role else "?"},
            rows=[ChangeRow(label=gettext("Holder"), before=str(member.user) if member else "?", after=None)],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        role = _role(ctx, data)
        member = Member.objects.get(pk=data["member"])
        ended = []
        for term in role.assignments.open().filter(member=member):
            ended.append(
                _applying(
                    assignment_end,
                    assignment=term,
                    by=ctx.actor,
                    reason=RoleAssignment.EndReason.REMOVED,
                    note=data.get("reason") or gettext("Ended by decision"),
                    decision=ctx,
                )
            )
        return ended


class MemberClassForm(KindForm):
    member = forms.IntegerField(label=_("Member"))
    membership_class = forms.IntegerField(label=_("Membership class"))


class MemberClassSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("The member."))
    membership_class = serializers.IntegerField(help_text=_("Their new membership class."))


class MemberClass(ChangeKind):
    """A member's class is the organisation's matter: only the general circle decides it."""

    key = "member.class"
    model = Member
    label = _("Change a member's class")
    group = _("People")
    form_class = MemberClassForm
    serializer_class = MemberClassSerializer

    def clean(self, ctx, data):
        member = _member(ctx, data)
        pk = _id(data, "membership_class", gettext("a membership class"))
        klass = MembershipClass.objects.filter(pk=pk, organisation=ctx.organisation).first()
        if klass is None:
            raise ChangeInvalid(gettext("That membership class does not exist here."), field="membership_class")
        if klass.pk == member.membership_class_id:
            raise ChangeInvalid(
                gettext("%(member)s is a %(klass)s already.") % {"member": member.user, "klass": klass.name},
                field="membership_class",
            )
        return {"member": member.pk, "membership_class": klass.pk}

    def circles(self, ctx, data):
        return list(Circle.objects.filter(organisation=ctx.organisation, is_general=True))

    def describe(self, ctx, data):
        member = Member.objects.filter(pk=data.get("member")).select_related("user", "membership_class").first()
        klass = MembershipClass.objects.filter(pk=data.get("membership_class")).first()
        return ChangeDescription(
            summary=gettext("Make %(member)s a member of the class “%(klass)s”")
            % {"member": member.user if member else "?", "klass": klass.name if klass else "?"},
            rows=[
                ChangeRow(
                    label=gettext("Membership class"),
                    before=member.membership_class.name if member else None,
                    after=klass.name if klass else "?",
                )
            ],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        member = Member.objects.select_related("user", "organisation").get(pk=data["member"])
        klass = MembershipClass.objects.get(pk=data["membership_class"])
        member = _applying(member_update, member=member, by=ctx.actor, membership_class=klass)
        return [member]

    def initial(self, obj):
        return {"member": obj.pk, "membership_class": obj.membership_class_id}


# Domains ----------------------------------------------------------------------------------------


class DomainMoveForm(KindForm):
    domain = forms.CharField(label=_("Domain"), max_length=300, validators=[single_line])
    source = forms.CharField(
        label=_("From"), max_length=30, help_text=_("circle:<id> or role:<id>"), validators=[single_line]
    )
    target = forms.CharField(
        label=_("To"), max_length=30, help_text=_("circle:<id> or role:<id>"), validators=[single_line]
    )

    def __init__(self, *args, context=None, organisation=None, **kwargs):
        organisation = organisation or (context.organisation if context is not None else None)
        super().__init__(*args, context=context, organisation=organisation, **kwargs)
        if organisation is None:
            return
        holders = [(f"circle:{c.pk}", c.name) for c in Circle.objects.active().filter(organisation=organisation)]
        holders += [
            (f"role:{r.pk}", f"{r.name} ({r.circle.name})")
            for r in Role.objects.active().filter(circle__organisation=organisation).select_related("circle")
        ]
        for name in ("source", "target"):
            self.fields[name].widget = forms.Select(choices=[("", "—"), *holders])


class DomainMoveSerializer(serializers.Serializer):
    domain = serializers.CharField(
        max_length=300, help_text=_("The domain line, as written in the source's domains."), validators=[single_line]
    )
    source = serializers.RegexField(
        r"^(circle|role):\d+$", help_text=_("Where it is now: circle:<id> or role:<id>."), validators=[single_line]
    )
    target = serializers.RegexField(
        r"^(circle|role):\d+$", help_text=_("Where it goes: circle:<id> or role:<id>."), validators=[single_line]
    )


def _line(text: str) -> str:
    return text.strip().lstrip("-*• ").strip()


def domain_lines(text: str) -> list[str]:
    """The domain lines of a Markdown domains text: one domain per line or list item."""
    return [_line(line) for line in (text or "").splitlines() if _line(line)]


class DomainMove(ChangeKind):
    key = "domain.move"
    label = _("Move a domain")
    group = _("Domains")
    form_class = DomainMoveForm
    serializer_class = DomainMoveSerializer

    def _holder(self, ctx, ref, field):
        kind, _sep, pk = str(ref or "").partition(":")
        if kind == "circle":
            return _circle(ctx, {field: pk}, key=field)
        if kind == "role":
            role = _role(ctx, {"role": pk})
            return role
        raise ChangeInvalid(gettext("Choose a circle or a role."), field=field)

    def clean(self, ctx, data):
        domain = _line(data.get("domain") or "")
        if not domain:
            raise ChangeInvalid(gettext("Name the domain to move."), field="domain")
        source = self._holder(ctx, data.get("source"), "source")
        target = self._holder(ctx, data.get("target"), "target")
        if type(source) is type(target) and source.pk == target.pk:
            raise ChangeInvalid(gettext("Choose another circle or role to move the domain to."), field="target")
        if domain.casefold() not in {line.casefold() for line in domain_lines(source.domains)}:
            raise ChangeInvalid(
                gettext("“%(domain)s” is not among the domains of %(holder)s.") % {"domain": domain, "holder": source},
                field="domain",
            )
        if domain.casefold() in {line.casefold() for line in domain_lines(target.domains)}:
            raise ChangeInvalid(
                gettext("%(holder)s holds “%(domain)s” already.") % {"domain": domain, "holder": target}, field="target"
            )
        return {"domain": domain, "source": _ref(source), "target": _ref(target)}

    def circles(self, ctx, data):
        holders = [self._holder(ctx, data.get(k), k) for k in ("source", "target")]
        return [h if isinstance(h, Circle) else h.circle for h in holders]

    def describe(self, ctx, data):
        return ChangeDescription(
            summary=gettext("Move the domain “%(domain)s” from %(source)s to %(target)s")
            % {
                "domain": data.get("domain"),
                "source": _named(data.get("source")),
                "target": _named(data.get("target")),
            },
            rows=[
                ChangeRow(label=gettext("Domain"), before=_named(data.get("source")), after=_named(data.get("target")))
            ],
        )

    def apply(self, ctx, data):
        data = self.clean(ctx, data)
        source = self._holder(ctx, data["source"], "source")
        target = self._holder(ctx, data["target"], "target")
        kept = [
            line for line in (source.domains or "").splitlines() if _line(line).casefold() != data["domain"].casefold()
        ]
        source = self._write(ctx, source, "\n".join(kept).strip())
        added = (
            (target.domains or "").rstrip() + "\n" if (target.domains or "").strip() else ""
        ) + f"- {data['domain']}"
        target = self._write(ctx, target, added)
        return [source, target]

    def _write(self, ctx, holder, domains: str):
        if isinstance(holder, Circle):
            return _applying(circle_update, circle=holder, by=ctx.actor, domains=domains, decision=ctx)
        return _applying(role_update, role=holder, by=ctx.actor, domains=domains, decision=ctx)


def _ref(holder) -> str:
    return f"{'circle' if isinstance(holder, Circle) else 'role'}:{holder.pk}"


def _named(ref) -> str:
    kind, _sep, pk = str(ref or "").partition(":")
    model = Circle if kind == "circle" else Role
    holder = model.objects.filter(pk=pk).first() if pk.isdigit() else None
    return str(holder) if holder else "?"


KINDS = [
    RoleCreate(),
    RoleAmend(),
    RoleRetire(),
    StewardAssign(),
    StewardEnd(),
    RoleAssign(),
    RoleUnassign(),
    MemberClass(),
    DomainMove(),
]
