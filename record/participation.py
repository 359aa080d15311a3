"""Participation per member, in a circle (or the whole organisation) over a term, in a fixed number of
queries however many members, rounds, meetings and actions there are.

For each member:
- rounds: the rounds they were eligible in (opened in the term, not anonymous) and how many of them
  they responded to (any position, changed or not);
- proposals made: rounds they authored that were opened in the term;
- objections raised in the term (not in anonymous rounds), and how many were integrated (withdrawn,
  or answered by an amendment);
- meetings: how many they were recorded present at, of the meetings in the term with attendance for them;
- actions: action items they own, created in the term; done; done on time (by the due date, or with
  no due date);
- roles and hours: the roles they held at some time in the term, and those roles' hours a week.

The leaderboard ranks by contributions = rounds responded + proposals made + meetings attended +
actions done on time. A member who hides themselves is not listed by name to others; their counts stay
in the totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from circles.models import Circle, CircleMembership
from governance.models import Member, Organisation
from meetings.models import ActionItem, Attendance, Meeting
from proposals.models import EligibleVoter, Kind, Position, Proposal
from roles.models import Role, RoleAssignment

from .health import hours_per_week, percent
from .models import ParticipationPreference

COUNTS = (
    "eligible",
    "responded",
    "proposals",
    "objections",
    "objections_integrated",
    "meetings_recorded",
    "meetings_attended",
    "actions",
    "actions_done",
    "actions_on_time",
    "roles",
)


@dataclass
class Row:
    member_id: int
    name: str = ""
    hidden: bool = False
    hours_per_week: Decimal = Decimal(0)
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    @property
    def responded_percent(self):
        return percent(self.counts["responded"], self.counts["eligible"])

    @property
    def contributions(self) -> int:
        c = self.counts
        return c["responded"] + c["proposals"] + c["meetings_attended"] + c["actions_on_time"]

    def as_dict(self, *, show_name: bool = True) -> dict:
        return {
            "member_id": self.member_id if show_name else None,
            "name": self.name if show_name else None,
            "hidden": self.hidden,
            **self.counts,
            "responded_percent": self.responded_percent,
            "hours_per_week": self.hours_per_week,
            "contributions": self.contributions,
        }


@dataclass
class Term:
    since: datetime
    until: datetime
    label: str = ""


def terms_of(circle: Circle | None, organisation: Organisation, *, now: datetime | None = None) -> list[Term]:
    """The circle's terms, as its stewards' terms mark them (newest first); the last twelve months
    when it has none (or for the whole organisation)."""
    now = now or timezone.now()
    terms = []
    if circle is not None:
        stewards = RoleAssignment.objects.filter(
            role__circle=circle, role__kind=Role.Kind.STEWARD, started_at__lte=now
        ).select_related("member__user")
        for a in stewards.order_by("-started_at")[:12]:
            end = a.ended_at or a.planned_end_at or now
            if end > a.started_at:
                terms.append(Term(a.started_at, min(end, now) if a.ended_at is None else end, ""))
    if not terms:
        terms.append(Term(now - timedelta(days=365), now))
    return terms


def _scope_proposals(organisation, circle):
    proposals = Proposal.objects.filter(organisation=organisation)
    return proposals.filter(circle=circle) if circle is not None else proposals


def participation(organisation: Organisation, *, circle: Circle | None, since: datetime, until: datetime) -> dict:
    """Rows per member (sorted by contributions) and the totals, in nine queries."""
    rows: dict[int, Row] = defaultdict(lambda: Row(0))

    def row(member_id) -> Row:
        r = rows[member_id]
        r.member_id = member_id
        return r

    # Who was on the roster during the term (everyone in the organisation, for the organisation).
    if circle is not None and not circle.is_general:
        stays = CircleMembership.objects.filter(circle=circle, joined_at__lt=until).filter(
            Q(left_at__isnull=True) | Q(left_at__gt=since)
        )
        for member_id in stays.values_list("member_id", flat=True):
            row(member_id)
    else:
        people = Member.objects.filter(organisation=organisation, is_bot=False, joined_at__lt=until).filter(
            Q(left_at__isnull=True) | Q(left_at__gt=since)
        )
        for member_id in people.values_list("pk", flat=True):
            row(member_id)

    rounds = _scope_proposals(organisation, circle).filter(anonymous=False, opened_at__gte=since, opened_at__lt=until)
    for member_id, n in (
        EligibleVoter.objects.filter(proposal__in=rounds).values_list("member_id").annotate(n=Count("pk")).order_by()
    ):
        row(member_id).counts["eligible"] = n
    for member_id, n in (
        Position.objects.filter(proposal__in=rounds)
        .values_list("member_id")
        .annotate(n=Count("proposal_id", distinct=True))
        .order_by()
    ):
        row(member_id).counts["responded"] = n
    for member_id, n in (
        _scope_proposals(organisation, circle)
        .filter(opened_at__gte=since, opened_at__lt=until)
        .values_list("author_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(member_id).counts["proposals"] = n
    objections = Position.objects.filter(
        proposal__in=_scope_proposals(organisation, circle).filter(anonymous=False),
        kind=Kind.OBJECTION,
        created_at__gte=since,
        created_at__lt=until,
    )
    for member_id, raised, integrated in (
        objections.values_list("member_id")
        .annotate(n=Count("pk"), i=Count("pk", filter=Q(retired_because__in=["withdrawn", "amended"])))
        .order_by()
    ):
        row(member_id).counts.update(objections=raised, objections_integrated=integrated)
    meetings = Meeting.objects.filter(
        organisation=organisation, state=Meeting.State.SCHEDULED, starts_at__gte=since, starts_at__lt=until
    )
    if circle is not None:
        meetings = meetings.filter(circle=circle)
    for member_id, recorded, present in (
        Attendance.objects.filter(meeting__in=meetings)
        .values_list("member_id")
        .annotate(n=Count("pk"), p=Count("pk", filter=Q(status=Attendance.Status.PRESENT)))
        .order_by()
    ):
        row(member_id).counts.update(meetings_recorded=recorded, meetings_attended=present)
    actions = ActionItem.objects.filter(organisation=organisation, created_at__gte=since, created_at__lt=until)
    if circle is not None:
        actions = actions.filter(circle=circle)
    tz = organisation.tzinfo
    for owner_id, status, due, completed_at in actions.values_list("owner_id", "status", "due", "completed_at"):
        counts = row(owner_id).counts
        counts["actions"] += 1
        if status == ActionItem.Status.DONE:
            counts["actions_done"] += 1
            if due is None or (completed_at and timezone.localtime(completed_at, tz).date() <= due):
                counts["actions_on_time"] += 1
    terms = RoleAssignment.objects.filter(role__circle__organisation=organisation, started_at__lt=until).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since)
    )
    if circle is not None:
        terms = terms.filter(role__circle=circle)
    held = defaultdict(set)
    for member_id, role_id, time_hours, time_period in terms.values_list(
        "member_id", "role_id", "role__time_hours", "role__time_period"
    ):
        if role_id not in held[member_id]:
            held[member_id].add(role_id)
            r = row(member_id)
            r.counts["roles"] += 1
            r.hours_per_week += hours_per_week(time_hours, time_period)

    members = Member.objects.filter(pk__in=list(rows), organisation=organisation, is_bot=False).select_related("user")
    known = {m.pk: m for m in members}
    hidden = set(
        ParticipationPreference.objects.filter(member_id__in=list(known), hide_from_leaderboard=True).values_list(
            "member_id", flat=True
        )
    )
    result = []
    for member_id, r in rows.items():
        member = known.get(member_id)
        if member is None:
            continue
        r.name, r.hidden = member.user.display_name, member_id in hidden
        result.append(r)
    result.sort(key=lambda r: (-r.contributions, r.name, r.member_id))
    totals = {key: sum(r.counts[key] for r in result) for key in COUNTS}
    totals["responded_percent"] = percent(totals["responded"], totals["eligible"])
    totals["hours_per_week"] = sum((r.hours_per_week for r in result), Decimal(0))
    totals["contributions"] = sum(r.contributions for r in result)
    totals["members"] = len(result)
    return {"rows": result, "totals": totals, "since": since, "until": until}


def leaderboard(figures: dict, *, viewer: Member | None) -> list[dict]:
    """The rows others may see: a hidden member is left out (shown to themselves only)."""
    return [r.as_dict() for r in figures["rows"] if not r.hidden or (viewer is not None and viewer.pk == r.member_id)]
