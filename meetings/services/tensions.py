"""Tensions: raised in a circle (not a meeting), and resolved with a note, as an action item, or by
the close of the proposal it became."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import event_new, event_record, events_record
from proposals.services import proposal_create

from ..models import ActionItem, Meeting, Tension
from .actions import action_item_create
from .shaping import clean_title


@transaction.atomic
def tension_raise(*, circle: Circle, by: Member, title: str, description: str = "") -> Tension:
    if circle.is_archived:
        raise Conflict(gettext("This circle is archived."))
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
        raise Conflict(gettext("This tension is resolved; its text is part of the record."))
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
        raise Conflict(gettext("This tension is already resolved."))
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
        raise Invalid(gettext("Say how the tension was resolved; it is kept in the record."), field="note")
    return _resolve(tension, by=by, resolution=Tension.Resolution.NOTE, note=note)


@transaction.atomic
def tension_to_proposal(*, tension: Tension, by: Member):
    """Turn a tension into a draft proposal, pre-filled with its text, for `by` to finish and open."""
    tension = (
        Tension.objects.select_for_update().select_related("circle__organisation", "raised_by__user").get(pk=tension.pk)
    )
    if tension.is_resolved:
        raise Conflict(gettext("This tension is already resolved."))
    if tension.is_in_proposal:
        raise Conflict(gettext("This tension is already in a proposal."))
    raised_on = timezone.localtime(tension.created_at, tension.organisation.tzinfo)
    # Stored in the proposal: written in the language of whoever turns the tension into a proposal.
    body = (tension.description or gettext("_Describe what you propose to resolve this tension._")) + (
        "\n\n---\n"
        + gettext("_From the tension raised by %(person)s on %(date)s._")
        % {"person": tension.raised_by.user, "date": date_format(raised_on, "d F Y")}
    )
    proposal = proposal_create(circle=tension.circle, author=by, title=tension.title, body=body)
    # The tension stays open, "in a proposal", until the round closes (tensions_follow_closed_rounds).
    claimed = Tension.objects.filter(pk=tension.pk, state__in=[Tension.State.OPEN, Tension.State.ON_AGENDA]).update(
        state=Tension.State.IN_PROPOSAL, proposal=proposal
    )
    if not claimed:
        raise Conflict(gettext("This tension is already in a proposal."))
    tension.refresh_from_db()
    event_record(
        organisation=tension.organisation,
        actor=by,
        verb="tension.proposed",
        obj=tension,
        circle=tension.circle,
        details={"proposal": proposal.pk},
    )
    return proposal


def tensions_follow_closed_rounds(proposals) -> None:
    """proposals.hooks.round_closed: a tension in a proposal is resolved by its round's close,
    whatever the outcome (the outcome is the proposal's to say). In the closing transaction."""
    tensions = list(
        Tension.objects.filter(proposal__in=[p.pk for p in proposals], state=Tension.State.IN_PROPOSAL).select_related(
            "organisation", "circle"
        )
    )
    if not tensions:
        return
    now = timezone.now()
    Tension.objects.filter(pk__in=[t.pk for t in tensions]).update(
        state=Tension.State.RESOLVED, resolution=Tension.Resolution.PROPOSAL, resolved_at=now
    )
    outcomes = {p.pk: p.outcome for p in proposals}
    events_record(
        events=[
            event_new(
                organisation=tension.organisation,
                actor=None,
                verb="tension.resolved",
                obj=tension,
                circle=tension.circle,
                details={"resolution": Tension.Resolution.PROPOSAL, "outcome": outcomes.get(tension.proposal_id, "")},
            )
            for tension in tensions
        ]
    )


def tension_follow_withdrawn_round(proposal) -> None:
    """proposals.hooks.round_withdrawn: the tension behind a withdrawn proposal is open again."""
    for tension in Tension.objects.filter(proposal=proposal, state=Tension.State.IN_PROPOSAL).select_related(
        "organisation", "circle"
    ):
        Tension.objects.filter(pk=tension.pk).update(state=Tension.State.OPEN)
        event_record(
            organisation=tension.organisation,
            actor=None,
            verb="tension.reopened",
            obj=tension,
            circle=tension.circle,
            details={"proposal": proposal.pk},
        )


@transaction.atomic
def tension_to_action(
    *, tension: Tension, by: Member, owner: Member, due: date | None = None, title: str = ""
) -> ActionItem:
    tension = Tension.objects.select_for_update().select_related("circle__organisation").get(pk=tension.pk)
    if tension.is_resolved:
        raise Conflict(gettext("This tension is already resolved."))
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
