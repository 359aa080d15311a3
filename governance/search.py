"""The kinds of record that search looks through, each registered by the app that owns it.

The record app's search (record/search.py) asks every kind for the rows the searcher may see, matches
the query in its text fields (PostgreSQL full-text search, or `icontains` elsewhere), ranks them and
highlights them. An app adds its kind in its `AppConfig.ready()` (the record app registers the kinds of
the apps below it):

    search_kinds.register("policy", SearchKind(key="policy", label=_("Policies"), visible=policies_visible_to,
                          fields=("title", "body"), title=policy_title, url=policy_url, circle="circle"))

`visible(user, organisation)` must return only what that user may see at the kind's own pages (the
same queries the pages use); search never widens it. `circle` is the lookup path to the row's circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from governance.registry import Registry


@dataclass(frozen=True)
class SearchKind:
    key: str
    label: str
    visible: Callable  # (user, organisation) -> QuerySet of what that user may see
    fields: tuple[str, ...]  # text fields searched; the first is the title's
    title: Callable  # (obj) -> str
    url: Callable  # (obj, organisation) -> the page's path
    circle: str = "circle"  # lookup path to the circle ("proposal__circle"); "" when none


search_kinds: Registry[SearchKind] = Registry("governance.search_kinds")
