"""Search across the record: proposals, comments, outcomes, minutes, tensions, roles, circles, and any
kind another app registers (governance.search). Each kind's rows come from the same visibility the
pages use, so a hit the searcher may not open is never found, counted or quoted.

On PostgreSQL: full-text search (SearchVector, websearch SearchQuery, SearchRank, in English), read
through the GIN indexes of record/migrations/0002. Elsewhere (SQLite): every word must occur in one
of the fields (`icontains`), ranked by how often, title first.

Two queries per kind (its count and its best hits), whatever the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from governance.markdown import render_markdown
from governance.models import Organisation
from governance.rules import member_for
from governance.search import SearchKind, search_kinds
from meetings.models import Minutes, Tension
from proposals.models import Comment, Proposal
from proposals.queries import visible_proposals
from roles.models import Role

CONFIG = "english"
PER_KIND = 20
SNIPPET = 220
MAX_TERMS = 8


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# The kinds of the apps below the record ------------------------------------------------------


def _proposals(user, organisation):
    return visible_proposals(user, organisation).select_related("circle")


def _comments(user, organisation):
    return Comment.objects.filter(proposal__in=visible_proposals(user, organisation)).select_related("proposal__circle")


def _outcomes(user, organisation):
    return (
        visible_proposals(user, organisation)
        .filter(state=Proposal.State.CLOSED)
        .exclude(outcome_statement="")
        .select_related("circle")
    )


def _minutes(user, organisation):
    # Drafts are the secretary's workspace, not the record: only published minutes are found.
    if not _member_organisation(user, organisation):
        return Minutes.objects.none()
    return Minutes.objects.filter(meeting__organisation=organisation, state=Minutes.State.PUBLISHED).select_related(
        "meeting__circle"
    )


def _member_organisation(user, organisation):
    """Whether the user is an active member of the organisation (what its pages ask first)."""
    return member_for(user, organisation.pk) is not None


def _tensions(user, organisation):
    if not _member_organisation(user, organisation):
        return Tension.objects.none()
    return Tension.objects.filter(organisation=organisation).select_related("circle")


def _roles(user, organisation):
    if not _member_organisation(user, organisation):
        return Role.objects.none()
    return Role.objects.filter(circle__organisation=organisation, archived_at__isnull=True).select_related("circle")


def _circles(user, organisation):
    if not _member_organisation(user, organisation):
        return Circle.objects.none()
    return Circle.objects.filter(organisation=organisation, archived_at__isnull=True)


def _proposal_url(p, organisation):
    return reverse("proposal", kwargs={"org": organisation.slug, "pk": p.pk})


def _comment_url(c, organisation):
    return reverse("proposal", kwargs={"org": organisation.slug, "pk": c.proposal_id}) + f"#comment-{c.pk}"


def _minutes_url(m, organisation):
    return reverse("meeting", kwargs={"org": organisation.slug, "pk": m.meeting_id}) + "#minutes"


def _tension_url(t, organisation):
    return reverse("tension", kwargs={"org": organisation.slug, "pk": t.pk})


def _role_url(r, organisation):
    return reverse("role", kwargs={"org": organisation.slug, "pk": r.pk})


def _circle_url(c, organisation):
    return reverse("circle", kwargs={"org": organisation.slug, "circle": c.slug})


def _title(obj):
    return str(obj)


def _comment_title(c):
    return c.proposal.title


def _minutes_title(m):
    return m.meeting.title


BUILT_IN = [
    SearchKind("proposal", _("Proposals"), _proposals, ("title", "body"), _title, _proposal_url, "circle"),
    SearchKind("comment", _("Comments"), _comments, ("body",), _comment_title, _comment_url, "proposal__circle"),
    SearchKind("outcome", _("Outcomes"), _outcomes, ("outcome_statement",), _title, _proposal_url, "circle"),
    SearchKind("minutes", _("Minutes"), _minutes, ("body",), _minutes_title, _minutes_url, "meeting__circle"),
    SearchKind("tension", _("Tensions"), _tensions, ("title", "description"), _title, _tension_url, "circle"),
    SearchKind("role", _("Roles"), _roles, ("name", "purpose", "domains"), _title, _role_url, "circle"),
    SearchKind(
        "circle", _("Circles"), _circles, ("name", "purpose", "domains", "accountabilities"), _title, _circle_url, "pk"
    ),
]


def register_built_in_kinds():
    for kind in BUILT_IN:
        search_kinds.register(kind.key, kind)


# The search --------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    kind_label: str
    title: SafeString
    snippet: SafeString
    url: str
    circle: str
    rank: float
    object_id: int


def terms_of(query: str) -> list[str]:
    words = re.findall(r"\w+", query.lower())
    return list(dict.fromkeys(w for w in words if len(w) > 1))[:MAX_TERMS]


def _pattern(terms: list[str]):
    # A word's start marks its forms too ("budget" marks "budgets", "budgeting"): full-text search
    # found them by their stem.
    stems = sorted({t[: max(4, len(t) - 2)] if len(t) > 4 else t for t in terms}, key=len, reverse=True)
    if not stems:
        return None
    # At a word's start only, and never inside an entity the escaping made (&lt; &amp;…).
    return re.compile(r"(?<![&\w])((?:" + "|".join(re.escape(escape(s)) for s in stems) + r")\w*)", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """The text escaped, then each match wrapped in <mark> (in that order, so a query or a text with
    markup in it can never inject any)."""
    escaped = escape(text)
    pattern = _pattern(terms)
    if pattern is None:
        return mark_safe(escaped)  # noqa: S308 -- escaped above
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))  # noqa: S308 -- escaped, then marked


def plain(text: str) -> str:
    return " ".join(strip_tags(render_markdown(text or "")).split())


def snippet(text: str, terms: list[str], size: int = SNIPPET) -> SafeString:
    """The part of the (plain) text around its first match, highlighted."""
    text = plain(text)
    lower = text.lower()
    starts = [i for i in (lower.find(t[: max(4, len(t) - 2)] if len(t) > 4 else t) for t in terms) if i >= 0]
    start = max(min(starts) - size // 3, 0) if starts else 0
    piece = text[start : start + size]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + size < len(text) else ""
    return highlight(prefix + piece + suffix, terms)


def _matching(queryset, kind: SearchKind, query: str, terms: list[str]):
    if is_postgres():
        vector = SearchVector(*kind.fields, config=CONFIG)
        search = SearchQuery(query, search_type="websearch", config=CONFIG)
        return (
            queryset.alias(search_document=vector)
            .filter(search_document=search)
            .annotate(search_rank=SearchRank(vector, search))
        )
    condition = Q()
    for term in terms:
        any_field = Q()
        for name in kind.fields:
            any_field |= Q(**{f"{name}__icontains": term})
        condition &= any_field
    return queryset.filter(condition)


def _python_rank(obj, kind: SearchKind, terms: list[str]) -> float:
    score = 0.0
    for i, name in enumerate(kind.fields):
        value = str(getattr(obj, name) or "").lower()
        score += sum(value.count(t) for t in terms) * (2.0 if i == 0 else 1.0)
    return score


def search(
    user, organisation: Organisation, query: str, *, kinds: list[str] | None = None, circle=None, limit: int = PER_KIND
) -> dict:
    """The best hits of each kind the user may see, ranked together, and how many there are of each kind.
    Counts and hits come from the same visible rows, so nothing hidden is counted."""
    terms = terms_of(query)
    counts: dict[str, int] = {}
    hits: list[Hit] = []
    if not terms:
        return {"query": query, "terms": [], "counts": counts, "hits": hits, "total": 0}
    for key, kind in search_kinds.items():
        if kinds and key not in kinds:
            continue
        rows = kind.visible(user, organisation)
        if circle is not None and kind.circle:
            rows = rows.filter(**{kind.circle: circle.pk})
        rows = _matching(rows, kind, query, terms)
        counts[key] = rows.count()
        if not counts[key]:
            continue
        found = list(
            rows.order_by("-search_rank", "-pk")[:limit] if is_postgres() else rows.order_by("-pk")[: limit * 5]
        )
        for obj in found:
            rank = float(obj.search_rank) if is_postgres() else _python_rank(obj, kind, terms)
            circle_obj = _circle_of(obj)
            body = " ".join(str(getattr(obj, name) or "") for name in kind.fields[1:]) or str(
                getattr(obj, kind.fields[0])
            )
            hits.append(
                Hit(
                    kind=key,
                    kind_label=str(kind.label),
                    title=highlight(kind.title(obj), terms),
                    snippet=snippet(body, terms),
                    url=kind.url(obj, organisation),
                    circle=circle_obj.name if circle_obj is not None else "",
                    rank=rank,
                    object_id=obj.pk,
                )
            )
    hits.sort(key=lambda h: (-h.rank, h.kind, -h.object_id))
    return {"query": query, "terms": terms, "counts": counts, "hits": hits[: limit * 3], "total": sum(counts.values())}


def _circle_of(obj):
    if isinstance(obj, Circle):
        return obj
    for path in ("circle", "proposal.circle", "meeting.circle"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
            if target is None:
                break
        if isinstance(target, Circle):
            return target
    return None
