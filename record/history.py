"""Every election of an organisation on one page: candidates, who was elected and who was not,
turnout and the count, in four queries however many elections."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from governance.models import Member, Organisation
from roles.models import Candidacy, Election, ElectionMethod, Nomination

from .health import percent


def election_history(
    organisation: Organisation, *, circle=None, role=None, state: str = "", year: int | None = None, method: str = ""
) -> list[dict]:
    elections = (
        Election.objects.filter(organisation=organisation)
        .select_related("role__circle", "proposal")
        .annotate(voted=Count("voters", filter=Q(voters__has_voted=True)))
        .prefetch_related(
            Prefetch(
                "candidacies", queryset=Candidacy.objects.select_related("member__user").order_by("created_at", "pk")
            ),
            Prefetch(
                "nominations", queryset=Nomination.objects.select_related("nominee__user").order_by("created_at", "pk")
            ),
        )
        .order_by("-opened_at", "-pk")
    )
    if circle is not None:
        elections = elections.filter(role__circle=circle)
    if role is not None:
        elections = elections.filter(role=role)
    if state:
        elections = elections.filter(state=state)
    if method:
        elections = elections.filter(method=method)
    if year:
        elections = elections.filter(opened_at__year=year)
    elections = list(elections)
    elected_ids = {pk for e in elections for pk in e.results.get("elected", [])}
    names = {
        m.pk: m.user.display_name
        for m in Member.objects.filter(pk__in=elected_ids, organisation=organisation).select_related("user")
    }
    return [_entry(e, names) for e in elections]


def _entry(election: Election, names: dict) -> dict:
    candidates: dict[int, str] = {}
    if election.method == ElectionMethod.BALLOT:
        for c in election.candidacies.all():
            if c.withdrawn_at is None:
                candidates[c.member_id] = c.member.user.display_name
        eligible, voted = election.voters_count, election.voted
    else:
        for n in election.nominations.all():
            candidates.setdefault(n.nominee_id, n.nominee.user.display_name)
        proposal = election.proposal
        eligible = proposal.eligible_count if proposal is not None else 0
        voted = proposal.responded_count if proposal is not None else 0
    closed = election.state == Election.State.CLOSED
    elected = list(election.results.get("elected", [])) if closed else []
    counts = []
    if closed:
        counts = [
            {
                "member_id": c.get("member"),
                "name": candidates.get(c.get("member"), c.get("name", "")),
                "votes": c.get("votes"),
                "weight": c.get("weight"),
            }
            for c in election.results.get("counts", [])
        ]
    return {
        "id": election.pk,
        "role": election.role.name,
        "role_id": election.role_id,
        "circle": election.role.circle.name,
        "circle_slug": election.role.circle.slug,
        "method": election.method,
        "method_label": election.get_method_display(),
        "state": election.state,
        "state_label": election.get_state_display(),
        "seats": election.seats,
        "opened_at": election.opened_at,
        "closed_at": election.closed_at,
        "candidates": [{"member_id": pk, "name": name} for pk, name in candidates.items()],
        "elected": [{"member_id": pk, "name": names.get(pk, candidates.get(pk, ""))} for pk in elected],
        "not_elected": [
            {"member_id": pk, "name": name} for pk, name in candidates.items() if closed and pk not in elected
        ],
        "eligible": eligible,
        "voted": voted,
        "turnout_percent": percent(voted, eligible),
        "counts": counts,
        "rounds": len(election.results.get("rounds", [])) if closed else 0,
        "tie": bool(election.results.get("tie")) if closed else False,
    }


CSV_HEADER = [
    "election",
    "circle",
    "role",
    "method",
    "state",
    "seats",
    "opened",
    "closed",
    "candidates",
    "elected",
    "not elected",
    "eligible",
    "voted",
    "turnout %",
    "count",
]


def csv_rows(entries: list[dict]):
    for e in entries:
        yield [
            e["id"],
            e["circle"],
            e["role"],
            e["method_label"],
            e["state_label"],
            e["seats"],
            e["opened_at"],
            e["closed_at"],
            "; ".join(c["name"] for c in e["candidates"]),
            "; ".join(c["name"] for c in e["elected"]),
            "; ".join(c["name"] for c in e["not_elected"]),
            e["eligible"],
            e["voted"],
            e["turnout_percent"],
            "; ".join(f"{c['name']}: {c['weight']}" for c in e["counts"]),
        ]
