"""A meeting's agenda: items added, changed, taken off and ordered, and the agenda published."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import event_record, notifications_queue

from .. import queries
from ..models import AgendaItem, Meeting, Tension
from .shaping import circle_people, clean_title, lock_meeting, meeting_context, refuse_if_cancelled, refuse_if_closed


def _check_item(
    meeting: Meeting, *, kind: str, owner: Member | None, time_box: int | None, tension, proposal, by: Member | None
):
    if kind not in AgendaItem.Kind.values:
        raise Invalid(gettext("Choose the kind of item."), field="kind")
    if owner is not None and (owner.organisation_id != meeting.organisation_id or not owner.is_active):
        raise Invalid(gettext("The owner is an active member of this organisation."), field="owner")
    if time_box is not None and not 1 <= time_box <= 600:
        raise Invalid(gettext("A time box is between 1 and 600 minutes."), field="time_box")
    if tension is not None:
        if tension.circle_id != meeting.circle_id:
            raise Invalid(gettext("Only a tension of this circle can go on its agenda."), field="tension")
        if tension.is_resolved:
            raise Conflict(gettext("This tension is already resolved."), field="tension")
    if proposal is not None:
        if proposal.circle_id != meeting.circle_id:
            raise Invalid(gettext("Only a proposal of this circle can go on its agenda."), field="proposal")
        if proposal.state == "draft" and (by is None or proposal.author_id != by.pk):
            raise Invalid(gettext("A draft is private to its author until the round opens."), field="proposal")


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    by: Member,
    title: str = "",
    kind: str = AgendaItem.Kind.OTHER,
    owner: Member | None = None,
    time_box: int | None = None,
    notes: str = "",
    tension: Tension | None = None,
    proposal=None,
) -> AgendaItem:
    """Add an item at the end of the agenda. Linking a tension puts it on the agenda; the title
    defaults to the tension's or proposal's."""
    meeting = lock_meeting(meeting)
    refuse_if_closed(meeting)
    if tension is not None:
        kind = AgendaItem.Kind.TENSION
    elif proposal is not None and kind == AgendaItem.Kind.OTHER:
        kind = AgendaItem.Kind.PROPOSAL
    _check_item(meeting, kind=kind, owner=owner, time_box=time_box, tension=tension, proposal=proposal, by=by)
    title = (title or "").strip() or (tension.title if tension else proposal.title if proposal else "")
    title = clean_title(title, what="the item")
    if tension is not None and AgendaItem.objects.filter(meeting=meeting, tension=tension, removed_at=None).exists():
        raise Conflict(gettext("This tension is already on this meeting's agenda."), field="tension")
    last = AgendaItem.objects.filter(meeting=meeting, removed_at=None).order_by("-position").first()
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=(last.position + 1) if last else 1,
        kind=kind,
        title=title,
        notes=(notes or "").strip(),
        owner=owner or (tension.raised_by if tension else None),
        time_box=time_box,
        tension=tension,
        proposal=proposal,
        added_by=by,
    )
    if tension is not None:
        Tension.objects.filter(pk=tension.pk, state=Tension.State.OPEN).update(state=Tension.State.ON_AGENDA)
        tension.refresh_from_db(fields=["state"])
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="agenda.item_added",
        obj=meeting,
        circle=meeting.circle,
        details={"item": item.title, "kind": kind},
    )
    return item


ITEM_FIELDS = ("title", "kind", "owner", "time_box", "notes")


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by: Member, **changes) -> AgendaItem:
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(gettext("Unknown field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    meeting = lock_meeting(item.meeting)
    refuse_if_closed(meeting)
    item = AgendaItem.objects.select_related("tension", "proposal").get(pk=item.pk)
    if item.removed_at:
        raise Conflict(gettext("This item was taken off the agenda."))
    if "title" in changes:
        changes["title"] = clean_title(changes["title"], what="the item")
    _check_item(
        meeting,
        kind=changes.get("kind", item.kind),
        owner=changes.get("owner", item.owner),
        time_box=changes.get("time_box", item.time_box),
        tension=None,
        proposal=None,
        by=by,
    )
    for field, value in changes.items():
        setattr(item, field, value.strip() if isinstance(value, str) else value)
    item.save()
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: Member) -> AgendaItem:
    """Take an item off the agenda. The row stays (removed_at); a tension it carried is open again."""
    meeting = lock_meeting(item.meeting)
    refuse_if_closed(meeting)
    removed = AgendaItem.objects.filter(pk=item.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=by
    )
    if not removed:
        raise Conflict(gettext("This item is already off the agenda."))
    item.refresh_from_db()
    if item.tension_id:
        tension_maybe_reopen(item.tension, leaving=meeting)
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="agenda.item_removed",
        obj=meeting,
        circle=meeting.circle,
        details={"item": item.title},
    )
    return item


def tension_maybe_reopen(tension: Tension, *, leaving: Meeting) -> None:
    """A tension on no other live agenda goes back to open."""
    elsewhere = (
        AgendaItem.objects.filter(tension=tension, removed_at__isnull=True, meeting__state=Meeting.State.SCHEDULED)
        .exclude(meeting=leaving)
        .exists()
    )
    if not elsewhere:
        Tension.objects.filter(pk=tension.pk, state=Tension.State.ON_AGENDA).update(state=Tension.State.OPEN)


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, by: Member, order: list[int]) -> list[AgendaItem]:
    """Put the agenda in the given order: a list of every current item's id, each once."""
    meeting = lock_meeting(meeting)
    refuse_if_closed(meeting)
    items = {i.pk: i for i in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)}
    try:
        order = [int(pk) for pk in order]
    except (TypeError, ValueError) as exc:
        raise Invalid(gettext("The order lists the agenda's item ids."), field="order") from exc
    if sorted(order) != sorted(items) or len(set(order)) != len(order):
        raise Invalid(gettext("The order must list each item of this agenda once."), field="order")
    changed = []
    for position, pk in enumerate(order, start=1):
        if items[pk].position != position:
            items[pk].position = position
            changed.append(items[pk])
    AgendaItem.objects.bulk_update(changed, ["position"])
    return [items[pk] for pk in order]


def agenda_item_move(*, item: AgendaItem, by: Member, offset: int) -> list[AgendaItem]:
    """Move an item up (-1) or down (+1) the agenda."""
    current = list(
        AgendaItem.objects.filter(meeting_id=item.meeting_id, removed_at__isnull=True)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    if item.pk not in current:
        raise Conflict(gettext("This item was taken off the agenda."))
    index = current.index(item.pk)
    target = max(0, min(len(current) - 1, index + offset))
    current.insert(target, current.pop(index))
    return agenda_reorder(meeting=item.meeting, by=by, order=current)


@transaction.atomic
def agenda_publish(*, meeting: Meeting, by: Member) -> Meeting:
    """Publish the agenda: the circle is sent it once. Items can still be added and ordered after."""
    meeting = lock_meeting(meeting)
    refuse_if_cancelled(meeting)
    if meeting.agenda_published_at:
        raise Conflict(gettext("The agenda is already published."))
    items = list(queries.agenda(meeting))
    if not items:
        raise Conflict(gettext("Add at least one item before publishing the agenda."))
    meeting.agenda_published_at, meeting.agenda_published_by = timezone.now(), by
    meeting.save(update_fields=["agenda_published_at", "agenda_published_by"])
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="agenda.published",
        obj=meeting,
        circle=meeting.circle,
        details={"items": len(items)},
    )
    notifications_queue(
        recipients=circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
        kind="agenda_published",
        key=f"meeting:{meeting.pk}",
        organisation=meeting.organisation,
        context={**meeting_context(meeting), "items": items},
    )
    return meeting
