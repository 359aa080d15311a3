"""Writes to circles and their rosters."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.changes import ChangeContext, direct_edit_context
from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation
from governance.services import changes_apply, clean_reason, event_record, provenance_record, unique_slug

from . import hooks
from .models import Circle, CircleMembership


def _decided(details: dict | None, ctx: ChangeContext | None) -> dict | None:
    """An event's details, with the decision (or the admin override) that made the edit."""
    if ctx is None:
        return details
    return {**(details or {}), **ctx.event_details()}


def _override_record(ctx: ChangeContext | None, circle: Circle, *, kind: str, summary: str) -> None:
    """A direct edit an admin made under "structure changes by consent" is shown as an override.
    (An edit a decision made gets its provenance from the proposal that carried it.)"""
    if ctx is not None and ctx.proposal_id is None:
        provenance_record(ctx=ctx, obj=circle, change_kind=kind, summary=summary, circle=circle)


def _check_parent(*, organisation: Organisation, parent: Circle | None, circle: Circle | None = None) -> None:
    if parent is None:
        raise Invalid(_("Choose the parent circle; every circle sits under the general circle."), field="parent")
    if parent.organisation_id != organisation.pk:
        raise Invalid(_("The parent circle belongs to another organisation."), field="parent")
    if parent.is_archived:
        raise Invalid(
            _("“%(parent)s” is archived; choose an active parent circle.") % {"parent": parent}, field="parent"
        )
    if circle is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == circle.pk:
                raise Invalid(_("A circle cannot sit inside itself or one of its sub-circles."), field="parent")
            ancestor = ancestor.parent


@transaction.atomic
def circle_create(
    *,
    organisation: Organisation,
    by: Member | None,
    name: str,
    parent: Circle | None,
    purpose: str = "",
    domains: str = "",
    accountabilities: str = "",
    decision: ChangeContext | None = None,
    override_reason: str = "",
) -> Circle:
    """Create a circle with its core roles (hooks.circle_founded). The first circle of an organisation
    is its general circle. Under "structure changes by consent", a sub-circle is created by a decision
    (`decision`, from the circle.create change) or by an admin's override with a reason."""
    name = (name or "").strip()
    if not name:
        raise Invalid(_("A circle needs a name."), field="name")
    is_general = not Circle.objects.filter(organisation=organisation, is_general=True).exists()
    ctx = None
    if not is_general:
        ctx = direct_edit_context(organisation=organisation, by=by, decision=decision, override_reason=override_reason)
        _check_parent(organisation=organisation, parent=parent)
    circle = Circle.objects.create(
        organisation=organisation,
        parent=None if is_general else parent,
        name=name,
        slug=unique_slug(Circle, name, fallback="circle", organisation=organisation),
        purpose=purpose,
        domains=domains,
        accountabilities=accountabilities,
        is_general=is_general,
    )
    hooks.circle_founded(circle=circle)
    event_record(
        organisation=organisation,
        actor=by,
        verb="circle.created",
        obj=circle,
        circle=circle,
        details=_decided({"parent": str(parent) if parent else None}, ctx),
    )
    _override_record(ctx, circle, kind="circle.create", summary=f"Created the circle “{circle}”")
    return circle


CIRCLE_FIELDS = ("name", "purpose", "domains", "accountabilities", "parent")


@transaction.atomic
def circle_update(
    *,
    circle: Circle,
    by: Member | None,
    decision: ChangeContext | None = None,
    override_reason: str = "",
    **changes,
) -> Circle:
    """Edit a circle's description or move it under another parent. Under "structure changes by
    consent", by a decision (`decision`) or by an admin's override with a reason."""
    unknown = set(changes) - set(CIRCLE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown circle field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    circle = Circle.objects.select_for_update().select_related("organisation").get(pk=circle.pk)
    ctx = direct_edit_context(
        organisation=circle.organisation, by=by, decision=decision, override_reason=override_reason
    )
    if circle.is_archived:
        raise Conflict(_("This circle is archived; restore it before editing."))
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise Invalid(_("A circle needs a name."), field="name")
    if "parent" in changes:
        new_parent = changes["parent"]
        if circle.is_general:
            if new_parent is not None:
                raise Invalid(_("The general circle is the root of the tree; it has no parent."), field="parent")
        elif new_parent is None or new_parent.pk != circle.parent_id:
            _check_parent(organisation=circle.organisation, parent=new_parent, circle=circle)
    old_parent = circle.parent
    changed = changes_apply(circle, changes)
    if not changed:
        return circle
    circle.save(update_fields=list(changes))
    if "parent" in changed:
        hooks.circle_moved(circle=circle, old_parent=old_parent, by=by)
    verb = "circle.moved" if set(changed) == {"parent"} else "circle.updated"
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb=verb,
        obj=circle,
        circle=circle,
        details=_decided({"changes": changed}, ctx),
    )
    _override_record(
        ctx,
        circle,
        kind="circle.move" if verb == "circle.moved" else "circle.amend",
        summary=(
            f"Moved “{circle}” under “{circle.parent}”" if verb == "circle.moved" else f"Amended the circle “{circle}”"
        ),
    )
    return circle


@transaction.atomic
def circle_archive(
    *,
    circle: Circle,
    by: Member | None,
    reason: str = "",
    decision: ChangeContext | None = None,
    override_reason: str = "",
) -> Circle:
    """Archive a circle. Nothing is deleted: its roster, roles and records stay readable. Under
    "structure changes by consent", by a decision (`decision`) or by an admin's override."""
    ctx = direct_edit_context(
        organisation=circle.organisation, by=by, decision=decision, override_reason=override_reason or reason
    )
    if circle.is_general:
        raise Conflict(_("The general circle cannot be archived."))
    if Circle.objects.filter(parent=circle, archived_at__isnull=True).exists():
        raise Conflict(_("Archive or move this circle's sub-circles first."))
    archived = Circle.objects.filter(pk=circle.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    if not archived:
        raise Conflict(_("This circle is already archived."))
    circle.refresh_from_db()
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="circle.archived",
        obj=circle,
        circle=circle,
        details=_decided({"reason": reason} if reason else None, ctx),
    )
    _override_record(ctx, circle, kind="circle.archive", summary=f"Archived the circle “{circle}”")
    return circle


@transaction.atomic
def circle_restore(*, circle: Circle, by: Member | None) -> Circle:
    if circle.parent and circle.parent.is_archived:
        raise Conflict(_("Its parent “%(parent)s” is archived; restore that first.") % {"parent": circle.parent})
    restored = Circle.objects.filter(pk=circle.pk, archived_at__isnull=False).update(archived_at=None)
    if not restored:
        raise Conflict(_("This circle is not archived."))
    circle.refresh_from_db()
    event_record(organisation=circle.organisation, actor=by, verb="circle.restored", obj=circle, circle=circle)
    return circle


PROPOSAL_SETTINGS = ("consent_round_days", "quorum_percent")


@transaction.atomic
def circle_proposal_settings_update(
    *,
    circle: Circle,
    by: Member | None,
    consent_round_days: int | None,
    quorum_percent: int | None,
    decision: ChangeContext | None = None,
) -> Circle:
    """The defaults of a circle's proposals: its consent rounds' length and quorum (None: the
    organisation's round length, no quorum)."""
    if consent_round_days is not None and not 1 <= consent_round_days <= 60:
        raise Invalid(_("A consent round lasts between 1 and 60 days."), field="consent_round_days")
    if quorum_percent is not None and not 1 <= quorum_percent <= 100:
        raise Invalid(_("Quorum is a percentage between 1 and 100."), field="quorum_percent")
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.is_archived:
        raise Conflict(_("This circle is archived; restore it before editing."))
    changed = changes_apply(circle, {"consent_round_days": consent_round_days, "quorum_percent": quorum_percent})
    if changed:
        circle.save(update_fields=list(PROPOSAL_SETTINGS))
        event_record(
            organisation=circle.organisation,
            actor=by,
            verb="circle.settings_updated",
            obj=circle,
            circle=circle,
            details={"changes": changed, **(decision.event_details() if decision is not None else {})},
        )
    return circle


@transaction.atomic
def roster_add(*, circle: Circle, member: Member, by: Member | None) -> CircleMembership:
    """Add an organisation member to a circle's roster."""
    if circle.is_general:
        raise Conflict(_("Everyone in the organisation belongs to the general circle already."))
    if circle.is_archived:
        raise Conflict(_("This circle is archived; its roster cannot change."))
    if member.organisation_id != circle.organisation_id or not member.is_active:
        raise Invalid(_("Only active members of this organisation can join its circles."), field="member")
    try:
        with transaction.atomic():
            membership = CircleMembership.objects.create(circle=circle, member=member, added_by=by)
    except IntegrityError as exc:
        raise Conflict(
            _("%(member)s is already on the roster of %(circle)s.") % {"member": member.user, "circle": circle},
            field="member",
        ) from exc
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="roster.added",
        obj=membership,
        circle=circle,
        details={"member": str(member.user)},
    )
    return membership


@transaction.atomic
def roster_remove(*, membership: CircleMembership, by: Member | None, reason: str) -> CircleMembership:
    """Take someone off a roster, with a reason. The membership ends; its row and history stay.
    What holds a seat on it (the steward's role, a term that brought it) may refuse (hooks.roster_removing)."""
    reason = clean_reason(reason, what=_("this member leaves the circle"))
    if membership.circle.is_archived:
        raise Conflict(_("This circle is archived; its roster cannot change."))
    hooks.roster_removing(membership=membership)
    membership = _roster_end(membership, by=by, reason=reason)
    hooks.roster_removed(membership=membership, by=by)
    return membership


@transaction.atomic
def roster_leave(*, membership: CircleMembership, by: Member | None, reason: str) -> CircleMembership:
    """The member left the organisation: this stay on a roster ends with their reason, whatever the
    circle (an archived one too) and whichever role seated them, since their roles end with it
    (project.workflows.member_holdings_end). The row and its history stay."""
    return _roster_end(membership, by=by, reason=reason)


def _roster_end(membership: CircleMembership, *, by: Member | None, reason: str) -> CircleMembership:
    """End a stay on a roster once (a conditional update: two removals at once end it once) and record it."""
    ended = CircleMembership.objects.filter(pk=membership.pk, left_at__isnull=True).update(
        left_at=timezone.now(), removed_by=by, removal_reason=reason
    )
    if not ended:
        raise Conflict(_("%(member)s is no longer on this roster.") % {"member": membership.member.user})
    membership.refresh_from_db()
    hooks.roster_ended(membership=membership)
    event_record(
        organisation=membership.circle.organisation,
        actor=by,
        verb="roster.removed",
        obj=membership,
        circle=membership.circle,
        details={"member": str(membership.member.user), "reason": reason},
    )
    return membership


def invitation_roster_join(invitation, member: Member) -> None:
    """An invitation into a circle was accepted: the newcomer joins its roster, unless the circle was
    archived since or they are on it already (the core's `invitation_accepted` hook)."""
    if invitation.circle_id is None or invitation.circle.is_archived:
        return
    try:
        with transaction.atomic():
            roster_add(circle=invitation.circle, member=member, by=invitation.invited_by)
    except Conflict:
        pass  # already on the roster
