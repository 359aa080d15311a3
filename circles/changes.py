"""The kinds of change to circles a proposal may carry (governance.changes): create a sub-circle (with
its steward-to-be), amend one, move one, archive one. Registered in CirclesConfig.ready().

Each kind checks its data against the circles as they are now (locking the rows it will change, so
that two decisions closing at once apply one after the other), and applies through circles.services
with the decision passed on, so the events say which decision made the edit."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from governance.changes import (
    ChangeContext,
    ChangeDescription,
    ChangeForm,
    ChangeInvalid,
    ChangeKind,
    ChangeRow,
    change_kinds,
)
from governance.errors import DomainError
from governance.models import Member
from governance.text import MULTI_LINE, single_line

from . import hooks, services
from .models import Circle
from .queries import circle_tree

NAME_MAX = 120
TEXT_MAX = 20000
REASON_MAX = 300
MARKDOWN_HELP = gettext_lazy("Markdown: **bold**, *italic*, - lists, [links](https://example.org).")
GROUP = gettext_lazy("Circles")
TEXT_FIELDS = ("purpose", "domains", "accountabilities")


def markdown_items(text: str) -> list[str]:
    """The lines of a Markdown list (or of any text), without their bullets: how domains and
    accountabilities are shown, item by item."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip()
        for bullet in ("- ", "* ", "+ "):
            if line.startswith(bullet):
                line = line[len(bullet) :].strip()
                break
        if line:
            items.append(line)
    return items


# Shaping the data ------------------------------------------------------------------------------


def _id(data: dict, key: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise ChangeInvalid(_("Choose a circle."), field=key)
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ChangeInvalid(_("This is not a valid choice."), field=key) from None


def _circle(ctx: ChangeContext, data: dict, key: str, *, lock: bool = False) -> Circle:
    pk = _id(data, key)
    circles = Circle.objects.filter(organisation=ctx.organisation, pk=pk)
    if lock:
        circles = circles.select_for_update()
    circle = circles.first()
    if circle is None:
        raise ChangeInvalid(_("There is no such circle in this organisation."), field=key)
    return circle


def _active(circle: Circle, key: str) -> Circle:
    if circle.is_archived:
        raise ChangeInvalid(_("“%(circle)s” is archived.") % {"circle": circle}, field=key)
    return circle


def _name(data: dict) -> str:
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ChangeInvalid(_("A circle needs a name."), field="name")
    if len(name) > NAME_MAX:
        raise ChangeInvalid(_("A circle's name has at most %(n)s characters.") % {"n": NAME_MAX}, field="name")
    return name


def _text(data: dict, key: str) -> str:
    text = str(data.get(key) or "").strip()
    if len(text) > TEXT_MAX:
        raise ChangeInvalid(_("This text has at most %(n)s characters.") % {"n": TEXT_MAX}, field=key)
    return text


def _member(ctx: ChangeContext, data: dict, key: str) -> Member | None:
    pk = _id(data, key, required=False)
    if pk is None:
        return None
    member = (
        Member.objects.people()
        .filter(organisation=ctx.organisation, pk=pk, status=Member.Status.ACTIVE)
        .select_related("user")
        .first()
    )
    if member is None:
        raise ChangeInvalid(_("Choose an active member of the organisation."), field=key)
    return member


def _refused(error: DomainError) -> ChangeInvalid:
    return ChangeInvalid(error.message, field=error.field)


def _parent_check(ctx: ChangeContext, parent: Circle, circle: Circle | None, key: str = "parent") -> None:
    try:
        services._check_parent(organisation=ctx.organisation, parent=parent, circle=circle)
    except DomainError as error:
        raise ChangeInvalid(error.message, field=key) from error


def _text_rows(before: dict, after: dict) -> list[ChangeRow]:
    labels = {"purpose": _("Purpose"), "domains": _("Domains"), "accountabilities": _("Accountabilities")}
    rows = []
    for key in TEXT_FIELDS:
        if (before.get(key) or "") == (after.get(key) or ""):
            continue
        if key == "purpose":
            rows.append(ChangeRow(labels[key], before.get(key) or None, after.get(key) or "", text=True))
        else:
            old = markdown_items(before.get(key) or "")
            rows.append(ChangeRow(labels[key], old if key in before else None, markdown_items(after.get(key) or "")))
    return rows


# Forms: what the proposal page's "Add a change" shows, one per kind ----------------------------


def _circle_choices(ctx: ChangeContext, *, blank: str) -> list[tuple[str, str]]:
    choices = [("", blank)]

    def walk(nodes):
        for node in nodes:
            choices.append((str(node.circle.pk), "\u2003" * node.depth + node.circle.name))
            walk(node.children)

    walk(circle_tree(ctx.organisation))
    return choices


def _member_choices(ctx: ChangeContext) -> list[tuple[str, str]]:
    members = (
        Member.objects.people()
        .filter(organisation=ctx.organisation, status=Member.Status.ACTIVE)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return [("", _("Nobody yet")), *((str(m.pk), str(m.user)) for m in members)]


def _markdown_field(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy("{} {}", help_text, MARKDOWN_HELP),
    )


class _CircleTextFields(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=NAME_MAX, validators=[single_line], widget=forms.TextInput()
    )
    purpose = _markdown_field(gettext_lazy("Purpose"), gettext_lazy("Why this circle exists."))
    domains = _markdown_field(gettext_lazy("Domains"), gettext_lazy("What it decides on its own, one per line."))
    accountabilities = _markdown_field(
        gettext_lazy("Accountabilities"), gettext_lazy("What others can expect of it, one per line.")
    )


class CircleCreateForm(ChangeForm, _CircleTextFields):
    parent = forms.ChoiceField(label=gettext_lazy("Under the circle"))
    steward = forms.ChoiceField(label=gettext_lazy("Steward-to-be"), required=False)
    field_order = ["parent", "name", "purpose", "domains", "accountabilities", "steward"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = _circle_choices(self.context, blank=_("Choose the parent circle"))
        self.fields["steward"].choices = _member_choices(self.context)


class CircleAmendForm(ChangeForm, _CircleTextFields):
    circle = forms.ChoiceField(label=gettext_lazy("Circle"))
    field_order = ["circle", "name", "purpose", "domains", "accountabilities"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = _circle_choices(self.context, blank=_("Choose a circle"))


class CircleMoveForm(ChangeForm, forms.Form):
    circle = forms.ChoiceField(label=gettext_lazy("Circle"))
    parent = forms.ChoiceField(label=gettext_lazy("Move it under"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = _circle_choices(self.context, blank=_("Choose a circle"))
        self.fields["parent"].choices = _circle_choices(self.context, blank=_("Choose the new parent"))


class CircleArchiveForm(ChangeForm, forms.Form):
    circle = forms.ChoiceField(label=gettext_lazy("Circle"))
    reason = forms.CharField(label=gettext_lazy("Why"), required=False, max_length=REASON_MAX, validators=[single_line])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = _circle_choices(self.context, blank=_("Choose a circle"))


# Serializers: the API's typed shape of each kind's data ----------------------------------------


class _CircleTextSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX, validators=[single_line])
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="", style=MULTI_LINE)
    domains = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="", style=MULTI_LINE)
    accountabilities = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, default="", style=MULTI_LINE
    )


class CircleCreateDataSerializer(_CircleTextSerializer):
    parent = serializers.IntegerField(help_text=gettext_lazy("The id of the circle the new one sits under."))
    steward = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("A member's id.")
    )


class CircleAmendDataSerializer(_CircleTextSerializer):
    circle = serializers.IntegerField(help_text=gettext_lazy("The id of the circle to amend."))


class CircleMoveDataSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text=gettext_lazy("The id of the circle to move."))
    parent = serializers.IntegerField(help_text=gettext_lazy("The id of its new parent circle."))


class CircleArchiveDataSerializer(serializers.Serializer):
    circle = serializers.IntegerField(help_text=gettext_lazy("The id of the circle to archive."))
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX, default="", validators=[single_line]
    )


# The kinds -------------------------------------------------------------------------------------


class CircleCreate(ChangeKind):
    key = "circle.create"
    label = gettext_lazy("Create a sub-circle")
    group = GROUP
    form_class = CircleCreateForm
    serializer_class = CircleCreateDataSerializer
    model = Circle

    def clean(self, ctx, data):
        parent = _active(_circle(ctx, data, "parent"), "parent")
        _parent_check(ctx, parent, None)
        steward = _member(ctx, data, "steward")
        return {
            "parent": parent.pk,
            "name": _name(data),
            **{key: _text(data, key) for key in TEXT_FIELDS},
            "steward": steward.pk if steward else None,
        }

    def circles(self, ctx, data):
        return [data["parent"]]

    def describe(self, ctx, data):
        parent = Circle.objects.filter(pk=data["parent"]).first()
        steward = Member.objects.filter(pk=data.get("steward")).select_related("user").first()
        rows = [ChangeRow(_("Name"), None, data["name"]), *_text_rows({}, data)]
        rows.append(ChangeRow(_("Steward"), None, str(steward.user) if steward else _("Nobody yet")))
        return ChangeDescription(
            summary=_("Create the sub-circle “%(name)s” under “%(parent)s”") % {"name": data["name"], "parent": parent},
            rows=rows,
        )

    def apply(self, ctx, data):
        parent = Circle.objects.select_for_update().get(pk=data["parent"])
        try:
            circle = services.circle_create(
                organisation=ctx.organisation,
                by=ctx.actor,
                name=data["name"],
                parent=parent,
                **{key: data[key] for key in TEXT_FIELDS},
                decision=ctx,
            )
            steward = _member(ctx, data, "steward")
            if steward is not None:
                hooks.steward_appoint(circle=circle, member=steward, by=ctx.actor, decision=ctx)
        except DomainError as error:
            raise _refused(error) from error
        return [circle]

    def initial(self, obj):
        return {"parent": obj.pk} if isinstance(obj, Circle) else {}


class CircleAmend(ChangeKind):
    key = "circle.amend"
    label = gettext_lazy("Amend a circle")
    group = GROUP
    form_class = CircleAmendForm
    serializer_class = CircleAmendDataSerializer
    model = Circle

    def clean(self, ctx, data):
        circle = _active(_circle(ctx, data, "circle", lock=True), "circle")
        cleaned = {"circle": circle.pk, "name": _name(data), **{key: _text(data, key) for key in TEXT_FIELDS}}
        if all(getattr(circle, key) == cleaned[key] for key in ("name", *TEXT_FIELDS)):
            raise ChangeInvalid(_("This changes nothing: “%(circle)s” already reads so.") % {"circle": circle})
        return cleaned

    def circles(self, ctx, data):
        return [data["circle"]]

    def describe(self, ctx, data):
        circle = Circle.objects.get(pk=data["circle"])
        before = {key: getattr(circle, key) for key in TEXT_FIELDS}
        rows = [] if circle.name == data["name"] else [ChangeRow(_("Name"), circle.name, data["name"])]
        rows += _text_rows(before, data)
        return ChangeDescription(summary=_("Amend the circle “%(circle)s”") % {"circle": circle}, rows=rows)

    def apply(self, ctx, data):
        circle = Circle.objects.select_for_update().get(pk=data["circle"])
        fields = {key: data[key] for key in ("name", *TEXT_FIELDS)}
        try:
            circle = services.circle_update(circle=circle, by=ctx.actor, decision=ctx, **fields)
        except DomainError as error:
            raise _refused(error) from error
        return [circle]

    def initial(self, obj):
        if not isinstance(obj, Circle):
            return {}
        return {"circle": obj.pk, "name": obj.name, **{key: getattr(obj, key) for key in TEXT_FIELDS}}


class CircleMove(ChangeKind):
    key = "circle.move"
    label = gettext_lazy("Move a circle")
    group = GROUP
    form_class = CircleMoveForm
    serializer_class = CircleMoveDataSerializer
    model = Circle

    def clean(self, ctx, data):
        # The general circle's row is the lock of the organisation's tree: two moves at once could
        # otherwise each pass its check and together put a circle inside its own sub-circle.
        Circle.objects.select_for_update().filter(organisation=ctx.organisation, is_general=True).first()
        circle = _active(_circle(ctx, data, "circle", lock=True), "circle")
        if circle.is_general:
            raise ChangeInvalid(_("The general circle is the root of the tree; it does not move."), field="circle")
        parent = _active(_circle(ctx, data, "parent"), "parent")
        if parent.pk == circle.parent_id:
            raise ChangeInvalid(
                _("“%(circle)s” is already under “%(parent)s”.") % {"circle": circle, "parent": parent}, field="parent"
            )
        _parent_check(ctx, parent, circle)
        return {"circle": circle.pk, "parent": parent.pk}

    def circles(self, ctx, data):
        return [data["circle"], data["parent"]]

    def describe(self, ctx, data):
        circles = Circle.objects.in_bulk([data["circle"], data["parent"]])
        circle, parent = circles[data["circle"]], circles[data["parent"]]
        old = Circle.objects.filter(pk=circle.parent_id).values_list("name", flat=True).first()
        return ChangeDescription(
            summary=_("Move “%(circle)s” under “%(parent)s”") % {"circle": circle, "parent": parent},
            rows=[ChangeRow(_("Parent circle"), old, parent.name)],
        )

    def apply(self, ctx, data):
        circle = Circle.objects.select_for_update().get(pk=data["circle"])
        try:
            circle = services.circle_update(
                circle=circle, by=ctx.actor, decision=ctx, parent=Circle.objects.get(pk=data["parent"])
            )
        except DomainError as error:
            raise _refused(error) from error
        return [circle]

    def initial(self, obj):
        return {"circle": obj.pk, "parent": obj.parent_id} if isinstance(obj, Circle) else {}


class CircleArchive(ChangeKind):
    key = "circle.archive"
    label = gettext_lazy("Archive a circle")
    group = GROUP
    form_class = CircleArchiveForm
    serializer_class = CircleArchiveDataSerializer
    model = Circle

    def clean(self, ctx, data):
        circle = _active(_circle(ctx, data, "circle", lock=True), "circle")
        if circle.is_general:
            raise ChangeInvalid(_("The general circle cannot be archived."), field="circle")
        if Circle.objects.active().filter(parent=circle).exists():
            raise ChangeInvalid(
                _("“%(circle)s” has active sub-circles; archive or move them first.") % {"circle": circle},
                field="circle",
            )
        reason = " ".join(str(data.get("reason") or "").split())
        if len(reason) > REASON_MAX:
            raise ChangeInvalid(_("A reason has at most %(n)s characters.") % {"n": REASON_MAX}, field="reason")
        return {"circle": circle.pk, "reason": reason}

    def circles(self, ctx, data):
        return [data["circle"]]

    def describe(self, ctx, data):
        circle = Circle.objects.get(pk=data["circle"])
        rows = [ChangeRow(_("State"), _("Active"), _("Archived"))]
        if data.get("reason"):
            rows.append(ChangeRow(_("Why"), None, data["reason"]))
        return ChangeDescription(summary=_("Archive the circle “%(circle)s”") % {"circle": circle}, rows=rows)

    def apply(self, ctx, data):
        circle = Circle.objects.select_for_update().select_related("organisation").get(pk=data["circle"])
        try:
            circle = services.circle_archive(circle=circle, by=ctx.actor, reason=data.get("reason", ""), decision=ctx)
        except DomainError as error:
            raise _refused(error) from error
        return [circle]

    def initial(self, obj):
        return {"circle": obj.pk} if isinstance(obj, Circle) else {}


KINDS = (CircleCreate(), CircleAmend(), CircleMove(), CircleArchive())


def register() -> None:
    for kind in KINDS:
        change_kinds.register(kind.key, kind)
