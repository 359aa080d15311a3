"""Where the apps above proposals take part in what proposals do, without proposals naming them
(governance.registry). Each hook is called inside the caller's transaction; elections fills it in
ElectionsConfig.ready()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from governance.registry import Hook

if TYPE_CHECKING:
    from .models import Proposal

round_closed: Hook[[list[Proposal]], None] = Hook(
    "proposals.round_closed",
    doc="Consent rounds were just closed with their outcome (the rows locked, in the closing "
    "transaction): what they decide takes effect (a selection round seats its candidate).",
)

round_withdrawn: Hook[[Proposal], None] = Hook(
    "proposals.round_withdrawn",
    doc="A draft or an open round was just withdrawn (in the withdrawing transaction): what waited on "
    "it takes its course again (a tension turned into this proposal is open again).",
)
