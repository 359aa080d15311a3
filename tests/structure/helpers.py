"""What the structure tests share: a decision's context, and running a change the way proposals do
(clean, then apply the cleaned data)."""

from governance.changes import ChangeContext, change_kinds


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
    return kind.apply(ctx, cleaned)
