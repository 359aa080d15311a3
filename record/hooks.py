"""Hooks through which apps the record does not know yet add their figures.

`money_spent`: filled at the merge with the money app. Money sits below the record, so the record
may import it: add one line to RecordConfig.ready() (record/apps.py),
`money_spent.register(<money's reader>)`, where the reader is a function
`(organisation, circle_or_None, since, until) -> list[dict]` that returns what was spent in that
period by category, each row `{"category": str, "amount": str (a decimal), "currency": str}`.
The health dashboard, its API and the term summaries show these rows
when there are any; with no receiver they show nothing about money.
"""

from __future__ import annotations

from datetime import datetime

from governance.registry import Hook

money_spent: Hook[[object, object, datetime, datetime], list[dict]] = Hook(
    "record.money_spent",
    doc="Money spent by category in a period: (organisation, circle or None, since, until) -> "
    '[{"category", "amount", "currency"}].',
)
