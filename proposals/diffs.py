"""How a change's rows read on a page: before → after, as a word diff for Markdown text and as items
kept, added and removed for lists. Pure functions of a stored description: no query."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass
class Row:
    label: str
    shape: str  # "text" (a word diff), "list" (items), "value" (before → after)
    before: object = None
    after: object = None
    segments: list[tuple[str, str]] = field(default_factory=list)  # ("same" | "del" | "ins", words)
    items: list[tuple[str, str]] = field(default_factory=list)  # ("kept" | "added" | "removed", item)

    @property
    def is_new(self):
        return self.before is None


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words of `after` against `before`: runs kept, deleted and inserted."""
    old, new = (before or "").split(), (after or "").split()
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("del", " ".join(old[i1:i2])))
        if j2 > j1:
            segments.append(("ins", " ".join(new[j1:j2])))
    return segments


def list_diff(before: list | None, after: list | None) -> list[tuple[str, str]]:
    """The items after the change, each kept or added, and then the items it removes."""
    before, after = list(before or []), list(after or [])
    items = [("kept" if item in before else "added", str(item)) for item in after]
    items += [("removed", str(item)) for item in before if item not in after]
    return items


def rows_of(description: dict | None) -> list[Row]:
    rows = []
    for row in (description or {}).get("rows", []):
        before, after = row.get("before"), row.get("after")
        if isinstance(after, list) or isinstance(before, list):
            rows.append(Row(row["label"], "list", before, after, items=list_diff(before, after)))
        elif row.get("text"):
            rows.append(Row(row["label"], "text", before, after, segments=word_diff(before or "", after or "")))
        else:
            rows.append(Row(row["label"], "value", before, after))
    return rows
