"""Tensions: raised in a circle (not a meeting), and resolved with a note, as a proposal or as
an action item."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import event_record
from proposals.services import proposal_create

from ..models import ActionItem, Meeting, Tension
from .actions import action_item_create
from .shaping import clean_title


@transaction.atomic
def tension_raise(*, circle: Circle, by: Member, title: str, description: str = "") -> Tension:
    if circle.is_archived:
        raise Conflict("This circle is archived.")
    tension = Tension.objects.create(
        organisation=circle.organisation,
        circle=circle,
        raised_by=by,
        title=clean_title(title, what="the tension"),
        description=(description or "").strip(),
    )
    event_record(organisation=circle.organisation, actor=by, verb="tension.raised", obj=tension, circle=circle)
    return tension


@transaction.atomic
def tension_update(*, tension: Tension, by: Member, title: str, description: str = "") -> Tension:
    tension = Tension.objects.select_for_update().get(pk=tension.pk)
    if tension.is_resolved:
        raise Conflict("This tension is resolved; its text is part of the record.")
    tension.title, tension.description = clean_title(title, what="the tension"), (description or "").strip()
    tension.save(update_fields=["title", "description"])
    return tension


def _resolve(tension: Tension, *, by: Member, resolution: str, note: str = "", proposal=None) -> Tension:
    claimed = (
        Tension.objects.filter(pk=tension.pk)
        .exclude(state=Tension.State.RESOLVED)
        .update(
            state=Tension.State.RESOLVED,
            resolution=resolution,
            resolution_note=note,
            proposal=proposal,
            resolved_by=by,
            resolved_at=timezone.now(),
        )
    )
    if not claimed:
        raise Conflict("This tension is already resolved.")
    tension.refresh_from_db()
    event_record(
        organisation=tension.organisation,
        actor=by,
        verb="tension.resolved",
        obj=tension,
        circle=tension.circle,
        details={"resolution": resolution},
    )
    return tension


@transaction.atomic
def tension_resolve(*, tension: Tension, by: Member, note: str) -> Tension:
    note = (note or "").strip()
    if not note:
        raise Invalid("Say how the tension was resolved; it is kept in the record.", field="note")
    return _resolve(tension, by=by, resolution=Tension.Resolution.NOTE, note=note)


@transaction.atomic
def tension_to_proposal(*, tension: Tension, by: Member):
    """Turn a tension into a draft proposal, pre-filled with its text, for `by` to finish and open."""
    tension = (
        Tension.objects.select_for_update().select_related("circle__organisation", "raised_by__user").get(pk=tension.pk)
    )
    if tension.is_resolved:
        raise Conflict("This tension is already resolved.")
    raised_on = timezone.localtime(tension.created_at, tension.organisation.tzinfo)
    body = (
        tension.description or "_Describe what you propose to resolve this tension._"
    ) + f"\n\n---\n_From the tension raised by {tension.raised_by.user} on {raised_on:%d %B %Y}._"
    proposal = proposal_create(circle=tension.circle, author=by, title=tension.title, body=body)
    _resolve(tension, by=by, resolution=Tension.Resolution.PROPOSAL, proposal=proposal)
    return proposal


@transaction.atomic
def tension_to_action(
    *, tension: Tension, by: Member, owner: Member, due: date | None = None, title: str = ""
) -> ActionItem:
    tension = Tension.objects.select_for_update().select_related("circle__organisation").get(pk=tension.pk)
    if tension.is_resolved:
        raise Conflict("This tension is already resolved.")
    meeting = (
        Meeting.objects.filter(agenda_items__tension=tension, agenda_items__removed_at__isnull=True)
        .order_by("-starts_at")
        .first()
    )
    item = action_item_create(
        circle=tension.circle,
        by=by,
        title=(title or "").strip() or tension.title,
        owner=owner,
        due=due,
        meeting=meeting,
        tension=tension,
    )
    _resolve(tension, by=by, resolution=Tension.Resolution.ACTION)
    return item
