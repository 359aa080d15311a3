"""What the structure tests share: a decision's context, and running a change the way proposals
enact one (clean, apply the cleaned data, then record the provenance of what it returned)."""

from circles.models import Circle
from governance.changes import ChangeContext, change_kinds
from governance.services.provenance import provenance_record


def decision(world, *, circle=None, by=None, proposal_id=101, title="Adopt the new structure") -> ChangeContext:
    return ChangeContext(
        organisation=world.organisation,
        circle=circle or world.general,
        actor=world.member(by or world.alice),
        proposal_id=proposal_id,
        proposal_title=title,
    )


def enact(ctx: ChangeContext, key: str, data: dict):
    kind = change_kinds[key]
    cleaned = kind.clean(ctx, data)
    reached = kind.circles(ctx, cleaned)
    summary = kind.describe(ctx, cleaned).summary
    touched = kind.apply(ctx, cleaned)
    for obj in touched:
        circle = obj if isinstance(obj, Circle) else getattr(obj, "circle", None)
        provenance_record(
            ctx=ctx,
            obj=obj,
            change_kind=key,
            summary=summary,
            circle=circle if isinstance(circle, Circle) else reached[0],
        )
    return touched
