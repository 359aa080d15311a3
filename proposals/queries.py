"""Reads for proposal pages and the API, with a constant number of queries however many positions."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Sum, Value
from django.http import Http404
from django.utils import timezone

from governance.models import Member, Organisation
from governance.prepared import Prepared, prepared
from governance.queries import checked_object
from governance.rules import active_members, member_for

from .models import Comment, EligibleVoter, Position, Proposal, ProposalVersion, Proxy


def get_proposal_for(user, pk, *, action: str = "proposals.view_proposal", organisation_slug: str | None = None):
    """The proposal if the user may see it, else 404 (drafts of others included); 403 if they may
    see it but not do `action`. Read with a prepared query, checked as governance.queries.object_for."""
    try:
        found = _proposal(pk=int(pk))
    except (TypeError, ValueError):
        found = []
    proposal = checked_object(
        user,
        found[0] if found else None,
        view="proposals.view_proposal",
        action=action,
        organisation_slug=organisation_slug,
        what="proposal",
    )
    # The circle's organisation is the proposal's own: no need to join it twice.
    proposal.circle.organisation = proposal.organisation
    return proposal


@prepared
def _proposal(pk: int):
    return Proposal.objects.select_related("organisation", "circle", "author__user", "outcome_by__user").filter(pk=pk)


def visible_proposals(user, organisation: Organisation | None = None):
    """Proposals of the user's organisations, without other people's drafts."""
    members = active_members(user)
    if organisation is not None:
        members = {organisation.pk: members[organisation.pk]} if organisation.pk in members else {}
    if not members:
        return Proposal.objects.none()
    return Proposal.objects.filter(organisation_id__in=list(members)).exclude(
        Q(state=Proposal.State.DRAFT) & ~Q(author_id__in=[m.pk for m in members.values()])
    )


def with_my_position(proposals, member: Member | None):
    """Annotate whether the member is eligible and has a current position (two subqueries, not N)."""
    if member is None:
        return proposals
    return proposals.annotate(
        i_am_eligible=Exists(EligibleVoter.objects.filter(proposal=OuterRef("pk"), member=member)),
        i_responded=Exists(Position.objects.filter(proposal=OuterRef("pk"), member=member, is_current=True)),
    )


# What own_flags reads, row by row: (what, proposal id).
_ELIGIBLE, _RESPONDED, _DRAFT = 1, 2, 3


def own_flags(members, proposal_ids: list[int]) -> tuple[set[int], set[int], bool]:
    """For a list of proposals read from the shared cache, the caller's own part, in one query: the
    proposals they are eligible in and have a current position in (`i_am_eligible` and
    `i_responded`, as the list annotates them), and whether they have a draft of their own in these
    organisations (then their list is not the shared one: it holds their drafts).

    A person has one membership per organisation (member_unique_per_organisation), and the list
    shows only proposals of the organisations they are active in, so "mine" is `members`."""
    member_ids = [member.pk for member in members]
    if connection.vendor == "postgresql":
        # The same three reads as below, written out: the ORM's compiling of three filtered
        # querysets with 50 ids each costs several times what the database takes to answer them.
        with connection.cursor() as cursor:
            cursor.execute(_OWN_FLAGS_SQL, [member_ids, proposal_ids, member_ids, proposal_ids, member_ids])
            rows = cursor.fetchall()
    else:
        kind = IntegerField()
        rows = list(
            EligibleVoter.objects.filter(member_id__in=member_ids, proposal_id__in=proposal_ids)
            .values_list(Value(_ELIGIBLE, output_field=kind), "proposal_id")
            .union(
                Position.objects.filter(
                    member_id__in=member_ids, is_current=True, proposal_id__in=proposal_ids
                ).values_list(Value(_RESPONDED, output_field=kind), "proposal_id"),
                Proposal.objects.filter(author_id__in=member_ids, state=Proposal.State.DRAFT)
                .order_by()
                .values_list(Value(_DRAFT, output_field=kind), "pk")[:1],
                all=True,
            )
        )
    found: dict[int, set[int]] = {_ELIGIBLE: set(), _RESPONDED: set(), _DRAFT: set()}
    for what, pk in rows:
        found[what].add(pk)
    return found[_ELIGIBLE], found[_RESPONDED], bool(found[_DRAFT])


_OWN_FLAGS_SQL = f"""
SELECT {_ELIGIBLE}, proposal_id FROM {EligibleVoter._meta.db_table}
 WHERE member_id = ANY(%s) AND proposal_id = ANY(%s)
UNION ALL
SELECT {_RESPONDED}, proposal_id FROM {Position._meta.db_table}
 WHERE member_id = ANY(%s) AND is_current AND proposal_id = ANY(%s)
UNION ALL
(SELECT {_DRAFT}, id FROM {Proposal._meta.db_table}
  WHERE author_id = ANY(%s) AND state = '{Proposal.State.DRAFT}' LIMIT 1)
"""  # noqa: S608 -- table names and constants of our own; every value is a parameter


def proposal_list(proposals):
    return proposals.select_related("circle", "author__user", "organisation")


def circle_proposals(circle, user):
    member = member_for(user, circle.organisation_id)
    proposals = proposal_list(visible_proposals(user, circle.organisation).filter(circle=circle))
    return with_my_position(proposals, member)


def waiting_for(member: Member, now=None):
    """Open rounds in which this member is eligible and has not taken a position yet (a round past
    its deadline, `now` or the clock's, that the sweep has not finalised yet takes no positions, so
    it is not waiting)."""
    return proposal_list(waiting_for_ids(member.pk, member.organisation_id, now or timezone.now()))


def waiting_for_ids(member_id: int, organisation_id: int, now):
    """`waiting_for` from the member's and organisation's ids: the query the inbox prepares once."""
    return (
        Proposal.objects.filter(state=Proposal.State.OPEN, organisation_id=organisation_id, closes_at__gt=now)
        .filter(Exists(EligibleVoter.objects.filter(proposal=OuterRef("pk"), member_id=member_id)))
        .exclude(Exists(Position.objects.filter(proposal=OuterRef("pk"), member_id=member_id, is_current=True)))
        .order_by("closes_at")
    )


def decision_log(organisation: Organisation, *, circle=None, since=None, until=None, outcome=None):
    decisions = proposal_list(Proposal.objects.filter(organisation=organisation, state=Proposal.State.CLOSED)).order_by(
        "-closed_at", "-id"
    )
    if circle is not None:
        decisions = decisions.filter(circle=circle)
    if since:
        decisions = decisions.filter(closed_at__date__gte=since)
    if until:
        decisions = decisions.filter(closed_at__date__lte=until)
    if outcome:
        decisions = decisions.filter(outcome=outcome)
    return decisions


def tally_recount(proposal: Proposal) -> dict:
    """The tally recounted from the current position rows, to check the stored one against."""
    rows = (
        Position.objects.filter(proposal=proposal, is_current=True)
        .values("kind")
        .annotate(heads=Count("id"), weight=Sum("weight"))
    )
    return {row["kind"]: [row["heads"], row["weight"]] for row in rows}


def tally_view(proposal: Proposal) -> dict:
    """The tally shaped for a bar by weight and by head, plus quorum progress. While the results are
    hidden (Proposal.results_hidden) it holds how many responded, never how: no count by kind."""
    hidden = proposal.results_hidden
    kinds = []
    for kind in [] if hidden else proposal.kinds:
        heads, weight = proposal.heads(kind), proposal.weight(kind)
        kinds.append(
            {
                "kind": str(kind.value),
                "label": kind.label,
                "heads": heads,
                "weight": weight,
                "heads_percent": _percent(heads, proposal.eligible_count),
                "weight_percent": _percent(weight, proposal.eligible_weight),
            }
        )
    return {
        "kinds": kinds,
        "eligible_count": proposal.eligible_count,
        "eligible_weight": proposal.eligible_weight,
        "responded_count": proposal.responded_count,
        "responded_weight": proposal.responded_weight,
        "waiting_count": max(proposal.eligible_count - proposal.responded_count, 0),
        "quorum_percent": proposal.quorum_percent,
        "quorum_progress": _percent(proposal.responded_weight, proposal.eligible_weight),
        "quorum_met": proposal.quorum_met,
        "objections": None if hidden else proposal.heads("objection"),
        "results_hidden": hidden,
    }


def _percent(part, whole) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def current_positions(proposal: Proposal, *, limit: int | None = None):
    """Current positions with their members, newest first. For an anonymous proposal, callers must
    not show the member with the kind: use `responders` instead."""
    positions = (
        Position.objects.filter(proposal=proposal, is_current=True)
        .select_related("member__user", "member__membership_class", "by_proxy__user")
        .order_by("-created_at", "-id")
    )
    return positions[:limit] if limit else positions


def shown_positions(proposal: Proposal, *, limit: int | None = None) -> dict:
    """What a page or answer may show of other members' positions, by the one rule of anonymity:

    - an anonymous round shows nobody's position and not who responded, before or after the close
      (after it, the counts by kind are out, and who-responded beside them could give votes away);
      each member sees their own position only;
    - a round whose results are hidden shows who responded, not how, until the close;
    - otherwise, every current position with its member.

    Returns {"positions": ..., "responders": ...}, at most one of them not None."""
    if proposal.anonymous:
        return {"positions": None, "responders": None}
    if proposal.results_hidden:
        return {"positions": None, "responders": responders(proposal, limit=limit)}
    return {"positions": current_positions(proposal, limit=limit), "responders": None}


def responders(proposal: Proposal, *, limit: int | None = None):
    """Who has responded (never how): for rounds with hidden results and reminders."""
    members = Member.objects.filter(
        Exists(Position.objects.filter(proposal=proposal, member=OuterRef("pk"), is_current=True))
    ).select_related("user")
    return members[:limit] if limit else members


def not_responded(proposal: Proposal, *, limit: int | None = None):
    """Who has not responded yet. Never for an anonymous round: the rest of the roster is who did."""
    if proposal.anonymous or proposal.responded_count >= proposal.eligible_count:
        # The tally (equal to a recount) says everyone asked has responded: nothing to look for
        # among thousands of eligible voters.
        return Member.objects.none()
    members = (
        Member.objects.filter(Exists(EligibleVoter.objects.filter(proposal=proposal, member=OuterRef("pk"))))
        .exclude(Exists(Position.objects.filter(proposal=proposal, member=OuterRef("pk"), is_current=True)))
        .select_related("user")
        .order_by("user__name")
    )
    return members[:limit] if limit else members


def position_history(proposal: Proposal | int, member: Member | int):
    """A member's positions in a round, newest first (a proposal and member, or their ids)."""
    return Position.objects.filter(proposal=proposal, member=member).order_by("-created_at", "-id")


def versions(proposal: Proposal):
    return ProposalVersion.objects.filter(proposal=proposal).select_related("author__user").order_by("number")


def comments(proposal: Proposal):
    return Comment.objects.filter(proposal=proposal).select_related("author__user").order_by("created_at", "id")


def latest_comments(proposal: Proposal, limit: int) -> tuple[list[Comment], bool]:
    """The latest `limit` comments in reading order, and whether earlier ones exist: a long
    discussion costs the page the same as a short one."""
    newest = list(comments(proposal).order_by("-created_at", "-id")[: limit + 1])
    return newest[:limit][::-1], len(newest) > limit


def eligible_voter(proposal: Proposal, member: Member | None) -> EligibleVoter | None:
    if member is None:
        return None
    return next(iter(_eligible_voter(proposal_id=proposal.pk, member_id=member.pk)), None)


@prepared
def _eligible_voter(proposal_id: int, member_id: int):
    return EligibleVoter.objects.filter(proposal_id=proposal_id, member_id=member_id).order_by("pk")[:1]


def my_position(proposal: Proposal, member: Member | None) -> Position | None:
    if member is None:
        return None
    return next(iter(_current_position(proposal_id=proposal.pk, member_id=member.pk)), None)


@prepared
def _current_position(proposal_id: int, member_id: int):
    return Position.objects.filter(proposal_id=proposal_id, member_id=member_id, is_current=True).order_by("pk")[:1]


_history_queries: dict[int, Prepared] = {}


def _latest_positions(proposal: Proposal, member: Member, limit: int) -> list[Position]:
    """position_history's first `limit`, as a prepared query (one per limit: LIMIT is in its SQL)."""
    query = _history_queries.get(limit)
    if query is None:

        def build(proposal_id: int, member_id: int):
            return position_history(proposal_id, member_id)[:limit]

        query = _history_queries.setdefault(limit, Prepared(build))
    return query(proposal_id=proposal.pk, member_id=member.pk)


def my_history_and_position(
    proposal: Proposal, member: Member | None, voter: EligibleVoter | None, *, limit: int
) -> tuple[list[Position], Position | None]:
    """A member's latest `limit` positions in the round (newest first) and their current one, in
    one query for an eligible member: the current position is their newest, so it is in the list.
    A member not eligible (now) has no history shown; their current position, if an earlier
    version left them one, is looked up on its own."""
    if voter is None:
        return [], my_position(proposal, member)
    history = _latest_positions(proposal, member, limit)
    mine = next((position for position in history if position.is_current), None)
    if mine is None and len(history) == limit:
        mine = my_position(proposal, member)
    return history, mine


@prepared
def _proxies_held(holder_id: int, proposal_id: int, circle_id: int):
    return (
        Proxy.objects.filter(holder_id=holder_id, revoked_at__isnull=True)
        .filter(Q(proposal_id=proposal_id) | Q(circle_id=circle_id))
        .select_related("grantor__user")
        .order_by("grantor__user__name", "pk")
    )


def proxies_for_round(proposal: Proposal, holder: Member | None) -> list[dict]:
    """The members this holder may respond for in this round (an active proxy for the round or its
    circle, and eligible), each with whether they have responded themselves in this version (then
    the holder can no longer act for them) and the position the holder recorded for them, if any.
    The grantor's own position is never shown to the holder: only that it exists."""
    if holder is None:
        return []
    # The proxies first, in a plain query: most members hold none, and then that is all it costs.
    proxies = _proxies_held(holder_id=holder.pk, proposal_id=proposal.pk, circle_id=proposal.circle_id)
    if not proxies:
        return []
    eligible = set(
        EligibleVoter.objects.filter(proposal=proposal, member_id__in={p.grantor_id for p in proxies}).values_list(
            "member_id", flat=True
        )
    )
    grantors = {proxy.grantor_id: proxy for proxy in proxies if proxy.grantor_id in eligible}
    if not grantors:
        return []
    own = set(
        Position.objects.filter(
            proposal=proposal, member_id__in=grantors, version=proposal.version, by_proxy__isnull=True
        ).values_list("member_id", flat=True)
    )
    mine = {
        position.member_id: position
        for position in Position.objects.filter(
            proposal=proposal, member_id__in=grantors, is_current=True, by_proxy=holder
        )
    }
    return [
        {
            "proxy": proxy,
            "grantor": proxy.grantor,
            "responded_themselves": grantor_id in own,
            "position": None if grantor_id in own else mine.get(grantor_id),
        }
        for grantor_id, proxy in grantors.items()
    ]


def proxies_of(member: Member):
    """The proxies a member gave and holds, newest first, active and ended (their history)."""
    rows = Proxy.objects.select_related("grantor__user", "holder__user", "proposal", "circle", "revoked_by__user")
    return {
        "given": rows.filter(grantor=member),
        "held": rows.filter(holder=member),
    }


def proxy_for(user, pk, organisation: Organisation):
    """A proxy the user gave or holds in this organisation, else 404."""
    member = member_for(user, organisation.pk)
    proxy = (
        Proxy.objects.filter(pk=pk, organisation=organisation)
        .filter(Q(grantor=member) | Q(holder=member))
        .select_related("grantor__user", "holder__user", "organisation", "proposal__circle", "circle")
        .first()
        if member
        else None
    )
    if proxy is None:
        raise Http404("No such proxy.")
    return proxy
