"""Where the apps above roles take part in what roles do, without roles naming them
(governance.registry). Each hook is called inside the caller's transaction; elections fills them in
ElectionsConfig.ready()."""

from __future__ import annotations

from governance.registry import Hook

role_archived: Hook[..., None] = Hook(
    "roles.role_archived",
    doc="A role was just archived and its terms ended (role=, by=): what was under way for it stops "
    "(an election is cancelled), before role.archived is recorded.",
)

rotation_steps: Hook[..., dict[str, int]] = Hook(
    "roles.rotation_steps",
    doc="Steps the rotation sweep runs after its own (now=): each returns how much it did, by name "
    '({"elections_opened": 1}), and commits item by item (governance.sweeps.sweep_each).',
)
