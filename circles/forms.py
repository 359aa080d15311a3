"""Forms of the circle pages. Refusals (a circle inside itself, the steward leaving the roster…)
come from circles.services and are put on the form with governance.forms.add_domain_error."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from governance.models import Member
from governance.text import single_line

from .models import Circle
from .queries import circle_tree

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, - lists, [links](https://example.org).")


class CircleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"required": True}),
        validators=[single_line],
    )
    parent = forms.ChoiceField(
        label=_("Parent circle"),
        required=False,
        widget=forms.Select(attrs={"required": True}),
        help_text=_("Where the circle sits in the tree."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{} {}", _("Why this circle exists."), MARKDOWN_HELP),
    )
    domains = forms.CharField(
        label=_("Domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy("{} {}", _("What this circle decides on its own."), MARKDOWN_HELP),
    )
    accountabilities = forms.CharField(
        label=_("Accountabilities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy("{} {}", _("What others can expect of it."), MARKDOWN_HELP),
    )

    def __init__(self, *args, organisation, circle: Circle | None = None, **kwargs):
        """Parents are listed as the tree reads, indented, leaving out the circle itself and its
        sub-circles. The general circle has no parent, so its form has no parent field."""
        if circle is not None:
            initial = {f: getattr(circle, f) for f in ("name", "purpose", "domains", "accountabilities")}
            initial["parent"] = str(circle.parent_id or "")
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if circle is not None and circle.is_general:
            del self.fields["parent"]
            return
        self._parents = {}
        choices = []
        for node in _nodes_outside(circle_tree(organisation), circle):
            self._parents[str(node.circle.pk)] = node.circle
            choices.append((str(node.circle.pk), "\u2003" * node.depth + node.circle.name))
        self.fields["parent"].choices = [("", _("Choose a parent circle")), *choices]
        if circle is not None:
            self.fields["parent"].help_text = _("Choosing another parent moves the circle in the tree.")

    def clean_parent(self):
        value = self.cleaned_data.get("parent")
        return self._parents.get(value) if value else None


def _nodes_outside(tree, circle):
    for node in tree:
        if circle is not None and node.circle.pk == circle.pk:
            continue
        yield node
        yield from _nodes_outside(node.children, circle)


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        label=_("Why is it archived? (optional)"),
        help_text=_("Kept in the circle’s history."),
        validators=[single_line],
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.user.display_name} — {member.membership_class.name}"


class RosterAddForm(forms.Form):
    member = MemberChoiceField(
        queryset=Member.objects.none(),
        label=_("Member"),
        empty_label=_("Choose a member"),
        error_messages={
            "invalid_choice": _("That person is not a member who can join this circle, or is on it already.")
        },
    )

    def __init__(self, *args, circle: Circle, **kwargs):
        super().__init__(*args, **kwargs)
        # Integrations may join a roster too, to act in that circle (they never vote).
        self.fields["member"].queryset = (
            Member.objects.filter(organisation_id=circle.organisation_id, status=Member.Status.ACTIVE)
            .exclude(circle_memberships__circle=circle, circle_memberships__left_at__isnull=True)
            .select_related("user", "membership_class")
            .order_by("user__name", "user__email")
        )


class RosterRemoveForm(forms.Form):
    reason = forms.CharField(
        required=False,
        label=_("Reason"),
        widget=forms.TextInput(attrs={"required": True, "placeholder": _("Why they leave the circle")}),
        validators=[single_line],
    )
