"""Provenance: the decision (or the admin override) behind each piece of structure
(governance.models.Provenance). Written by the apps' change kinds when a change applies, read by pages
in one query for any number of objects."""

from __future__ import annotations

from django.db.models import Model

from governance.changes import ChangeContext
from governance.emails import fit_text
from governance.models import Provenance


def provenance_record(
    *, ctx: ChangeContext, obj: Model, change_kind: str, summary: str, circle=None, change_id: int | None = None
) -> Provenance:
    """Say that `obj` was made or changed by the decision (or override) of `ctx`."""
    return Provenance.objects.create(
        organisation=ctx.organisation,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_repr=fit_text(str(obj), 200),
        circle=circle,
        change_kind=change_kind,
        summary=fit_text(summary, 300),
        proposal_id=ctx.proposal_id,
        proposal_title=fit_text(ctx.proposal_title, 200),
        change_id=change_id,
        actor=ctx.actor,
        override_reason=fit_text(ctx.override_reason, 300),
    )


def provenance_latest(objects) -> dict[tuple[str, int], Provenance]:
    """The newest provenance of each object, keyed by (model name, pk), in one query."""
    objects = [obj for obj in objects if obj is not None and obj.pk is not None]
    if not objects:
        return {}
    by_type: dict[str, set[int]] = {}
    for obj in objects:
        by_type.setdefault(obj._meta.model_name, set()).add(obj.pk)
    rows = Provenance.objects.none()
    for object_type, ids in by_type.items():
        rows = rows | Provenance.objects.filter(object_type=object_type, object_id__in=ids)
    latest: dict[tuple[str, int], Provenance] = {}
    for row in rows.select_related("actor__user").order_by("-created_at", "-id"):
        latest.setdefault((row.object_type, row.object_id), row)
    return latest
