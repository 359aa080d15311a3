"""Role definitions: the core roles every circle has (from the organisation's template), and the
roles a circle defines for itself.

Archiving a role ends its terms, so role_archive sits with the terms (terms.py)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from governance.changes import ChangeContext, direct_edit_context
from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation
from governance.services import changes_apply, event_record, provenance_record

from ..models import ElectionMethod, Role, RoleTemplate, Selection, TimePeriod


def _decided(decision: ChangeContext | None) -> dict:
    """What an event's details say of the decision (or the admin override) that made the write."""
    return decision.event_details() if decision is not None else {}


def definition_edit_context(
    *, organisation: Organisation, by: Member | None, decision: ChangeContext | None, override_reason: str
) -> ChangeContext | None:
    """Who may change a role's definition, under "structure changes by consent": a decision, or an
    admin's override with a reason (governance.changes.direct_edit_context); otherwise anyone the rules
    let, as before."""
    return direct_edit_context(organisation=organisation, by=by, decision=decision, override_reason=override_reason)


def override_record(ctx: ChangeContext | None, role: Role, *, kind: str, summary: str) -> None:
    """An admin's direct edit is shown on the role as an override (a decision's provenance is the
    enacting proposal's to record)."""
    if ctx is not None and ctx.proposal_id is None:
        provenance_record(ctx=ctx, obj=role, change_kind=kind, summary=summary, circle=role.circle)


# The core roles ---------------------------------------------------------------------------------

DEFAULT_CORE_ROLES = {
    Role.Kind.STEWARD: {
        "name": "Steward",
        "purpose": "Leads the circle, keeps its roster, and holds it to its purpose and domains.",
        "accountabilities": [
            "Keeping the circle's roster and roles up to date",
            "Sitting in the parent circle, with the delegate",
            "Making sure the circle's work gets done",
        ],
        "time_hours": Decimal(3),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.FACILITATOR: {
        "name": "Facilitator",
        "purpose": "Hosts the circle's meetings and its decisions, so that every voice is heard.",
        "accountabilities": [
            "Preparing and hosting meetings",
            "Running consent rounds and selections fairly",
        ],
        "time_hours": Decimal(2),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.SECRETARY: {
        "name": "Secretary",
        "purpose": "Keeps the circle's memory: agendas, minutes and its records.",
        "accountabilities": [
            "Publishing agendas ahead of meetings",
            "Writing and sharing the minutes",
            "Keeping the circle's decisions findable",
        ],
        "time_hours": Decimal(2),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.DELEGATE: {
        "name": "Delegate",
        "purpose": "Represents the circle in its parent circle and carries tensions both ways.",
        "accountabilities": [
            "Taking part in the parent circle's decisions",
            "Reporting back to the circle",
        ],
        "time_hours": Decimal(2),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.TREASURER: {
        "name": "Treasurer",
        "purpose": (
            "Keeps the circle's money: records the payments its decisions commit, and returns what is not spent."
        ),
        "accountabilities": [
            "Recording each payment with its reference and receipt",
            "Returning commitments that will not be spent",
        ],
        "time_hours": Decimal(1),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
}
CORE_KINDS = list(DEFAULT_CORE_ROLES)
# Roles whose holders also sit on the parent circle's roster (double-linking).
LINKING_KINDS = (Role.Kind.STEWARD, Role.Kind.DELEGATE)
# What a role definition is made of: the services, the forms and the admin read and write these.
TEMPLATE_FIELDS = (
    "name",
    "purpose",
    "accountabilities",
    "time_hours",
    "time_period",
    "term_months",
    "term_limit",
    "selection",
    "election_method",
)
ROLE_FIELDS = (
    "name",
    "purpose",
    "domains",
    "accountabilities",
    "time_hours",
    "time_period",
    "is_paid",
    "seats",
    "term_months",
    "term_limit",
    "selection",
    "election_method",
    "auto_renew",
)


def core_template(organisation: Organisation, kind: str) -> dict:
    """What a new circle's core role of this kind starts with: the organisation's template, or the default."""
    row = RoleTemplate.objects.filter(organisation=organisation, kind=kind).first()
    if row is None:
        return dict(DEFAULT_CORE_ROLES[kind])
    return {field: getattr(row, field) for field in TEMPLATE_FIELDS}


def core_roles_ensure(*, circle) -> list[Role]:
    """Give a circle its core roles (steward, facilitator, secretary and, below the general circle,
    delegate) from the organisation's template, if it lacks them. The general circle has no delegate:
    there is no parent circle to represent it in."""
    roles = []
    templates = {t.kind: t for t in RoleTemplate.objects.filter(organisation_id=circle.organisation_id)}
    existing = {r.kind: r for r in Role.objects.filter(circle=circle, kind__in=CORE_KINDS, archived_at__isnull=True)}
    for kind in CORE_KINDS:
        if kind == Role.Kind.DELEGATE and circle.is_general:
            continue
        role = existing.get(kind)
        if role is None:
            spec = (
                {f: getattr(templates[kind], f) for f in TEMPLATE_FIELDS}
                if kind in templates
                else dict(DEFAULT_CORE_ROLES[kind])
            )
            role = Role.objects.create(circle=circle, kind=kind, seats=1, **spec)
        roles.append(role)
    return roles


def steward_role(circle) -> Role:
    return next(r for r in core_roles_ensure(circle=circle) if r.kind == Role.Kind.STEWARD)


@transaction.atomic
def role_template_save(*, organisation: Organisation, by: Member | None, kind: str, **fields) -> RoleTemplate:
    """Change the organisation's template for a core role. It applies to circles created afterwards."""
    if kind not in CORE_KINDS:
        raise Invalid(_("Only the core roles have a template."), field="kind")
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown template field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    spec = {**core_template(organisation, kind), **fields}
    _check_definition(spec)
    row = RoleTemplate.objects.select_for_update().filter(organisation=organisation, kind=kind).first()
    if row is None:
        row = RoleTemplate(organisation=organisation, kind=kind, **DEFAULT_CORE_ROLES[kind])
    changes = changes_apply(row, spec)
    row.save()
    event_record(
        organisation=organisation,
        actor=by,
        verb="role_template.updated",
        obj=row,
        details={"changes": changes, "kind": kind},
    )
    return row


# Role definitions -------------------------------------------------------------------------------


def _clean_accountabilities(value) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [line.strip().lstrip("-*• ").strip() for line in value or [] if line and line.strip().lstrip("-*• ")]


def _check_definition(spec: dict) -> None:
    if "name" in spec and not (spec["name"] or "").strip():
        raise Invalid(_("A role needs a name."), field="name")
    if spec.get("seats") is not None and spec["seats"] < 1:
        raise Invalid(_("A role has at least one seat."), field="seats")
    if spec.get("term_months") is not None and not 1 <= spec["term_months"] <= 60:
        raise Invalid(_("A term lasts between 1 and 60 months."), field="term_months")
    if spec.get("term_limit") is not None and spec["term_limit"] < 1:
        raise Invalid(_("A term limit is at least one term."), field="term_limit")
    if spec.get("time_hours") is not None and not 0 <= spec["time_hours"] <= 168:
        raise Invalid(_("Expected time is between 0 and 168 hours."), field="time_hours")
    if spec.get("time_period", TimePeriod.WEEK) not in TimePeriod.values:
        raise Invalid(_("Choose hours per week or per month."), field="time_period")
    if spec.get("selection", Selection.APPOINTED) not in Selection.values:
        raise Invalid(_("Choose whether the steward appoints or the circle elects."), field="selection")
    if spec.get("election_method", ElectionMethod.SOCIOCRATIC) not in ElectionMethod.values:
        raise Invalid(_("Choose sociocratic selection or a ballot."), field="election_method")
    if spec.get("selection") == Selection.ELECTED and spec.get("auto_renew"):
        raise Invalid(_("Elected roles are not renewed automatically: the election decides."), field="auto_renew")
    if spec.get("auto_renew") and not spec.get("term_months"):
        raise Invalid(_("Only a role with a term length can renew."), field="auto_renew")


@transaction.atomic
def role_create(
    *,
    circle,
    by: Member | None,
    name: str,
    decision: ChangeContext | None = None,
    override_reason: str = "",
    **fields,
) -> Role:
    """Define a role in a circle. `decision`: the decision behind it, named in the event; under
    "structure changes by consent" an admin may instead give an `override_reason`."""
    unknown = set(fields) - set(ROLE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown role field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if circle.is_archived:
        raise Conflict(_("This circle is archived; its roles cannot change."))
    decision = definition_edit_context(
        organisation=circle.organisation, by=by, decision=decision, override_reason=override_reason
    )
    spec = {"name": (name or "").strip(), **fields}
    if "accountabilities" in spec:
        spec["accountabilities"] = _clean_accountabilities(spec["accountabilities"])
    _check_definition(spec)
    if Role.objects.active().filter(circle=circle, name__iexact=spec["name"]).exists():
        raise Invalid(
            _("%(circle)s already has a role called “%(name)s”.") % {"circle": circle, "name": spec["name"]},
            field="name",
        )
    role = Role.objects.create(circle=circle, kind=Role.Kind.CUSTOM, **spec)
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="role.created",
        obj=role,
        circle=circle,
        details={"role": role.name, **_decided(decision)},
    )
    override_record(decision, role, kind="role.create", summary=f"Created the role “{role.name}”")
    return role


@transaction.atomic
def role_update(
    *, role: Role, by: Member | None, decision: ChangeContext | None = None, override_reason: str = "", **changes
) -> Role:
    """Change a role's definition. Running terms keep their dates; the new term length applies to
    the next term. Under "structure changes by consent", by a decision or an admin's override."""
    unknown = set(changes) - set(ROLE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown role field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    role = Role.objects.select_for_update(of=("self",)).select_related("circle__organisation").get(pk=role.pk)
    decision = definition_edit_context(
        organisation=role.circle.organisation, by=by, decision=decision, override_reason=override_reason
    )
    if role.is_archived:
        raise Conflict(_("This role is archived; restore it before editing."))
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        clash = Role.objects.active().filter(circle=role.circle, name__iexact=changes["name"]).exclude(pk=role.pk)
        if changes["name"] and clash.exists():
            raise Invalid(
                _("%(circle)s already has a role called “%(name)s”.")
                % {"circle": role.circle, "name": changes["name"]},
                field="name",
            )
    if "accountabilities" in changes:
        changes["accountabilities"] = _clean_accountabilities(changes["accountabilities"])
    merged = {field: getattr(role, field) for field in ROLE_FIELDS} | changes
    _check_definition(merged)
    if "seats" in changes and changes["seats"] < role.assignments.current().count():
        raise Conflict(_("More people hold this role than the new number of seats; end an assignment first."))
    changed = changes_apply(role, changes)
    if changed:
        role.save(update_fields=list(changes))
        event_record(
            organisation=role.circle.organisation,
            actor=by,
            verb="role.updated",
            obj=role,
            circle=role.circle,
            details={"changes": changed, "role": role.name, **_decided(decision)},
        )
        override_record(decision, role, kind="role.amend", summary=f"Amended the role “{role.name}”")
    return role


@transaction.atomic
def role_restore(*, role: Role, by: Member | None, override_reason: str = "") -> Role:
    decision = definition_edit_context(
        organisation=role.circle.organisation, by=by, decision=None, override_reason=override_reason
    )
    if role.circle.is_archived:
        raise Conflict(_("Its circle is archived; restore the circle first."))
    if Role.objects.active().filter(circle=role.circle, name__iexact=role.name).exclude(pk=role.pk).exists():
        raise Conflict(
            _("%(circle)s has another role called “%(name)s” now; rename that one first.")
            % {"circle": role.circle, "name": role.name}
        )
    restored = Role.objects.filter(pk=role.pk, archived_at__isnull=False).update(archived_at=None)
    if not restored:
        raise Conflict(_("This role is not archived."))
    role.refresh_from_db()
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.restored",
        obj=role,
        circle=role.circle,
        details={"role": role.name, **_decided(decision)},
    )
    override_record(decision, role, kind="role.restore", summary=f"Restored the role “{role.name}”")
    return role
