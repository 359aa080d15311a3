"""The kinds of change a proposal can carry, each owned by the app whose data it changes.

A proposal is not only text: it carries typed **changes** (create a sub-circle, amend a role, move a
domain, assign a steward, amend a policy section, allocate a budget, spend…). Proposals own the
changes a proposal carries and when they apply; they do not know what any kind does. Each app that
owns data registers its kinds here, in its `AppConfig.ready()`:

    change_kinds.register("role.amend", RoleAmend())

so that circles and roles (below proposals in the order of layers) and money (above) take part in the
same way, without proposals naming them.

A kind answers four questions, always against the structure as it is at that moment:

- `clean(ctx, data)`: the data, normalised (ids as ints, text stripped), or `ChangeInvalid` with a
  sentence a member can act on. Proposals call it when the change is drafted, when the round opens and
  when it closes; the form and the API serializer of the kind only shape input, this is the rule.
- `circles(ctx, data)`: the circles the change reaches. Proposals refuse a change that reaches outside
  the deciding circle's own domain and its sub-circles (the general circle may change anything).
- `describe(ctx, data)`: what the proposal page shows, before → after.
- `apply(ctx, data)`: does it, through the owning app's own services, inside the transaction that
  records the outcome; records its events (with `ctx.event_details()` merged into their details) and
  returns the objects it made or changed, for provenance. It raises `ChangeInvalid` when the change can
  no longer apply; proposals then roll back every change of the proposal and record "passed, not
  enacted" with the reason.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from governance.errors import Invalid, NotAllowed
from governance.registry import Registry

if TYPE_CHECKING:
    from django import forms
    from rest_framework import serializers

    from governance.models import Member, Organisation


class ChangeInvalid(Exception):
    """The change cannot be drafted, opened or applied as it stands; the message says why, in a
    sentence for the member (translated by the kind). `field` names the data key at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ChangeContext:
    """Who decides, where, and by which decision. `proposal_id` is None while a change is checked
    outside a proposal (an admin override). `circle` is the deciding circle (a circles.Circle)."""

    organisation: Organisation
    circle: Any
    actor: Member | None
    proposal_id: int | None = None
    proposal_title: str = ""
    override_reason: str = ""  # set for an admin override: a direct edit outside a decision

    def event_details(self) -> dict:
        """What every event an applied change records carries under `details["decision"]`, so the
        log, webhooks and provenance all say which decision (or override) changed the object."""
        if self.proposal_id is not None:
            return {"decision": {"proposal": self.proposal_id, "title": self.proposal_title}}
        return {"decision": {"override": True, "reason": self.override_reason}}


@dataclass(frozen=True)
class ChangeRow:
    """One line of a change's description: a field, what it was and what it becomes. `before` is None
    for something new. `text=True` asks the page to show a diff of the two (long Markdown)."""

    label: str
    before: Any
    after: Any
    text: bool = False


@dataclass(frozen=True)
class ChangeDescription:
    summary: str  # one sentence: "Create the sub-circle “Events” under “Operations”"
    rows: list[ChangeRow] = field(default_factory=list)


class ChangeKind(ABC):
    """Base for a kind of change. Subclasses set the class attributes and implement the four methods
    (a kind that forgets one cannot be made, so its app fails at start-up, not at a proposal's close)."""

    key: str = ""  # "circle.create"; "<app>.<verb>", stable: stored with each change and used by the API
    label: str = ""  # "Create a sub-circle" (translatable, gettext_lazy)
    group: str = ""  # what the "add a change" menu groups it under: "Circles", "Roles", "People", "Money"…
    form_class: type[forms.Form] | None = None  # the drafting form; cleaned_data is the data
    serializer_class: type[serializers.Serializer] | None = None  # the API's typed shape of the data
    # The model of the object `initial(obj)` takes, if any: "Propose a change" links pass its pk
    # (`?kind=role.amend&object=<pk>`) and the page fetches it from this model.
    model: type | None = None

    @abstractmethod
    def clean(self, ctx: ChangeContext, data: dict) -> dict: ...

    @abstractmethod
    def circles(self, ctx: ChangeContext, data: dict) -> list: ...

    @abstractmethod
    def describe(self, ctx: ChangeContext, data: dict) -> ChangeDescription: ...

    @abstractmethod
    def apply(self, ctx: ChangeContext, data: dict) -> list: ...

    def initial(self, obj) -> dict:
        """The data of a change pre-filled from an object ("Propose a change" on a role's page opens
        the role's amend form with its values). Kinds that amend an object override it."""
        return {}

    def __repr__(self):
        return f"<ChangeKind {self.key}>"


change_kinds: Registry[ChangeKind] = Registry("governance.change_kinds")


class ChangeForm:
    """Mixin for a kind's `form_class` (put it before `forms.Form`): the form is built as
    `form_class(data, initial=…, context=ctx)`, with `ctx` the ChangeContext of the proposal being
    drafted, so that choices (the organisation's circles, members) can be read from it. Its
    `cleaned_data` must be JSON (ids, not model instances): it is the data given to `kind.clean`."""

    def __init__(self, *args, context: ChangeContext, **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)


def description_as_json(description: ChangeDescription) -> dict:
    """A description as the proposal stores it (so the record reads after the structure moves on)."""
    return {
        "summary": str(description.summary),
        "rows": [
            {"label": str(row.label), "before": _plain(row.before), "after": _plain(row.after), "text": row.text}
            for row in description.rows
        ],
    }


def description_from_json(value: dict | None) -> ChangeDescription:
    value = value or {}
    return ChangeDescription(
        summary=value.get("summary", ""),
        rows=[
            ChangeRow(r["label"], r.get("before"), r.get("after"), bool(r.get("text"))) for r in value.get("rows", [])
        ],
    )


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def direct_edit_context(
    *, organisation: Organisation, by: Member | None, decision: ChangeContext | None = None, override_reason: str = ""
) -> ChangeContext | None:
    """What allows a direct edit of structure (a service's write outside a proposal's change), under
    the organisation's setting "structure changes by consent" (Organisation.structure_by_consent).

    - a write made by an applied change passes its `decision` through: it is returned as it is;
    - with the setting off, or for the system itself (`by` None: the seed, the sweeps, a site admin who
      is not a member) without a reason, None: an ordinary edit, as before (with a reason, `by` None is
      an override too);
    - with the setting on, an organisation admin may edit directly with a reason: the answer is an
      override context (proposal_id None, override_reason set), which the service passes to
      `ctx.event_details()` for its event and to `provenance_record`, so the edit is shown as an
      admin override;
    - anyone else is refused (governance.errors.NotAllowed): they propose a change instead.
    """
    if decision is not None:
        return decision
    if not organisation.structure_by_consent:
        return None
    reason = " ".join((override_reason or "").split())
    if by is None:
        # The system itself (the seed, a sweep), or a site admin who is not a member: an override when
        # they give a reason (the Django admin asks for one), else an ordinary edit.
        return (
            ChangeContext(organisation=organisation, circle=None, actor=None, override_reason=reason[:300])
            if reason
            else None
        )
    if not by.is_admin:
        raise NotAllowed(
            str(_("In this organisation the structure changes by consent: propose a change instead of editing it."))
        )
    if not reason:
        raise Invalid(
            str(_("Say why you edit the structure directly instead of proposing a change.")), field="override_reason"
        )
    return ChangeContext(organisation=organisation, circle=None, actor=by, override_reason=reason[:300])
