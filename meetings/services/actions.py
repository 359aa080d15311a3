"""Action items: a circle's (a meeting or a tension may be where one came from), created and changed."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import changes_apply, event_record, notifications_queue

from ..models import ActionItem, Meeting, Tension
from .shaping import actions_url, clean_title


def _check_owner(owner: Member | None, circle: Circle) -> None:
    if owner is None:
        raise Invalid(gettext("Every action has an owner."), field="owner")
    if owner.organisation_id != circle.organisation_id or not owner.is_active:
        raise Invalid(gettext("The owner is an active member of this organisation."), field="owner")


@transaction.atomic
def action_item_create(
    *,
    circle: Circle,
    by: Member | None,
    title: str,
    owner: Member,
    due: date | None = None,
    notes: str = "",
    meeting: Meeting | None = None,
    tension: Tension | None = None,
) -> ActionItem:
    if circle.is_archived:
        raise Conflict(gettext("This circle is archived."))
    _check_owner(owner, circle)
    if meeting is not None and meeting.circle_id != circle.pk:
        raise Invalid(gettext("The meeting belongs to another circle."), field="meeting")
    item = ActionItem.objects.create(
        organisation=circle.organisation,
        circle=circle,
        meeting=meeting,
        tension=tension,
        title=clean_title(title, what="the action"),
        notes=(notes or "").strip(),
        owner=owner,
        due=due,
        created_by=by,
    )
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="action_item.created",
        obj=item,
        circle=circle,
        details={"member": str(owner.user), "due": str(due or "")},
    )
    if by is None or owner.pk != by.pk:
        notifications_queue(
            recipients=[owner.user],
            kind="action_assigned",
            key=f"action:{item.pk}",
            organisation=circle.organisation,
            context={"circle": circle, "item": item, "by": by, "url": actions_url(circle.organisation)},
        )
    return item


ACTION_FIELDS = ("title", "notes", "owner", "due", "status")


@transaction.atomic
def action_item_update(*, item: ActionItem, by: Member | None, **changes) -> ActionItem:
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise Invalid(gettext("Unknown field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    item = ActionItem.objects.select_for_update().select_related("circle__organisation", "owner__user").get(pk=item.pk)
    if "title" in changes:
        changes["title"] = clean_title(changes["title"], what="the action")
    if "owner" in changes:
        _check_owner(changes["owner"], item.circle)
    if "status" in changes and changes["status"] not in ActionItem.Status.values:
        raise Invalid(gettext("Choose a status."), field="status")
    changed = changes_apply(item, {f: v.strip() if isinstance(v, str) else v for f, v in changes.items()})
    if not changed:
        return item
    if "status" in changed:
        item.completed_at = timezone.now() if item.status == ActionItem.Status.DONE else None
    item.save()
    event_record(
        organisation=item.organisation,
        actor=by,
        verb="action_item.updated",
        obj=item,
        circle=item.circle,
        details={"changes": changed},
    )
    return item
