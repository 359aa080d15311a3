"""The health of an organisation or of one circle, read from the record in a fixed number of queries.

Definitions (docs/record.md says the same for readers):
- decisions per month: rounds closed in each of the last twelve months (in the organisation's time
  zone), split into passed and not passed (rejected, no quorum).
- median time to outcome: the median of closed_at - opened_at over the rounds closed in that window.
- passing at first round: of the rounds closed in the window, those that passed with no amendment
  (version 1).
- objections raised and integrated: objections taken in the window on rounds that are not anonymous
  (an anonymous round's objections are nobody's business, not even in a sum); integrated means the
  objection was withdrawn or answered by an amendment.
- overdue actions: action items to do or in progress whose due date has passed.
- vacancies: seats of active roles that no running term holds.
- terms ending: running terms planned to end within TERMS_ENDING_DAYS.
- load: for each person, the hours a week and accountabilities of the roles they hold now, and the
  circles they are in; flagged at RecordSettings.hours_flag hours (even in one circle) or above the
  organisation's load_max_circles.
- circle sizes: rosters outside the organisation's circle_size_min..circle_size_max (3 to 8 by default).
- size guidance: past RecordSettings.split_size active members, it may be time to split.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle, CircleMembership
from circles.queries import load_circles
from governance.models import Member, Organisation
from meetings.models import ActionItem
from proposals.models import Kind, Position, Proposal
from roles.models import WEEKS_PER_MONTH, Role, RoleAssignment, TimePeriod

from .hooks import money_spent
from .models import RecordSettings

MONTHS = 12
TERMS_ENDING_DAYS = 30


def record_settings(organisation: Organisation) -> RecordSettings:
    """The organisation's record settings, or the defaults (unsaved) if it never changed them."""
    found = RecordSettings.objects.filter(organisation=organisation).first()
    return found or RecordSettings(organisation=organisation)


def months_back(now: datetime, tz, count: int = MONTHS) -> list[tuple[int, int]]:
    """(year, month) of the last `count` months, oldest first, the current one last."""
    local = timezone.localtime(now, tz)
    year, month, months = local.year, local.month, []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def month_start(year: int, month: int, tz) -> datetime:
    return datetime(year, month, 1, tzinfo=tz)


def percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def hours_per_week(time_hours, time_period) -> Decimal:
    if not time_hours:
        return Decimal(0)
    if time_period == TimePeriod.MONTH:
        return (time_hours / WEEKS_PER_MONTH).quantize(Decimal("0.1"))
    return Decimal(time_hours)


def decisions(organisation: Organisation, *, circle: Circle | None, now: datetime) -> dict:
    """Decisions per month, median days to outcome and the share passing at first round (one query)."""
    tz = organisation.tzinfo
    months = months_back(now, tz)
    since = month_start(*months[0], tz)
    closed = Proposal.objects.filter(organisation=organisation, state=Proposal.State.CLOSED, closed_at__gte=since)
    if circle is not None:
        closed = closed.filter(circle=circle)
    rows = list(closed.order_by().values_list("opened_at", "closed_at", "outcome", "version"))
    per_month = {m: {"passed": 0, "other": 0} for m in months}
    durations = []
    first_round = 0
    for opened_at, closed_at, outcome, version in rows:
        local = timezone.localtime(closed_at, tz)
        bucket = per_month.get((local.year, local.month))
        if bucket is not None:
            bucket["passed" if outcome == Proposal.Outcome.PASSED else "other"] += 1
        if opened_at is not None:
            durations.append((closed_at - opened_at) / timedelta(days=1))
        if outcome == Proposal.Outcome.PASSED and version == 1:
            first_round += 1
    return {
        "per_month": [
            {"month": f"{y:04d}-{m:02d}", **per_month[(y, m)], "total": sum(per_month[(y, m)].values())}
            for y, m in months
        ],
        "closed": len(rows),
        "median_days_to_outcome": round(statistics.median(durations), 1) if durations else None,
        "passed_first_round": first_round,
        "passed_first_round_percent": percent(first_round, len(rows)),
    }


def objections(organisation: Organisation, *, circle: Circle | None, since: datetime, until: datetime) -> dict:
    positions = Position.objects.filter(
        proposal__organisation=organisation,
        proposal__anonymous=False,
        kind=Kind.OBJECTION,
        created_at__gte=since,
        created_at__lt=until,
    )
    if circle is not None:
        positions = positions.filter(proposal__circle=circle)
    figures = positions.aggregate(
        raised=Count("pk"), integrated=Count("pk", filter=Q(retired_because__in=["withdrawn", "amended"]))
    )
    return {**figures, "integrated_percent": percent(figures["integrated"], figures["raised"])}


def overdue_actions(organisation: Organisation, *, circle: Circle | None, now: datetime) -> int:
    today = timezone.localtime(now, organisation.tzinfo).date()
    items = ActionItem.objects.filter(organisation=organisation, status__in=ActionItem.ACTIVE, due__lt=today)
    if circle is not None:
        items = items.filter(circle=circle)
    return items.count()


def _running(now, prefix=""):
    """Terms running at `now`: started and not ended (one whose planned end passed is running until
    the rotation sweep ends it)."""
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}started_at__lte": now})


def vacancies(organisation: Organisation, *, circle: Circle | None, now: datetime) -> list[dict]:
    roles = Role.objects.filter(
        circle__organisation=organisation, archived_at__isnull=True, circle__archived_at__isnull=True
    )
    if circle is not None:
        roles = roles.filter(circle=circle)
    roles = roles.annotate(held=Count("assignments", filter=_running(now, "assignments__")))
    return [
        {
            "role_id": r.pk,
            "role": r.name,
            "circle": r.circle.name,
            "circle_slug": r.circle.slug,
            "seats": r.seats,
            "held": r.held,
            "open": r.seats - r.held,
        }
        for r in roles.select_related("circle").order_by("circle__name", "name")
        if r.held < r.seats
    ]


def terms_ending(organisation: Organisation, *, circle: Circle | None, now: datetime) -> list[dict]:
    terms = RoleAssignment.objects.filter(
        _running(now),
        role__circle__organisation=organisation,
        role__archived_at__isnull=True,
        planned_end_at__lte=now + timedelta(days=TERMS_ENDING_DAYS),
    )
    if circle is not None:
        terms = terms.filter(role__circle=circle)
    return [
        {
            "assignment_id": t.pk,
            "role": t.role.name,
            "circle": t.role.circle.name,
            "member_id": t.member_id,
            "member": t.member.user.display_name,
            "ends_at": t.planned_end_at,
        }
        for t in terms.select_related("role__circle", "member__user").order_by("planned_end_at", "pk")
    ]


def load(organisation: Organisation, *, circle: Circle | None, now: datetime, hours_flag: Decimal) -> list[dict]:
    """Each person's load (two queries): hours a week and accountabilities of the roles they hold now,
    roles, and circles. A circle's dashboard shows the people on its roster, with their whole load."""
    people = Member.objects.people().filter(organisation=organisation)
    if circle is not None and not circle.is_general:
        people = people.filter(Exists(CircleMembership.objects.current().filter(circle=circle, member=OuterRef("pk"))))
    people = list(
        people.select_related("user")
        .annotate(circle_count=Count("circle_memberships", filter=load_circles(), distinct=True))
        .order_by("user__name", "user__email")
    )
    held = {m.pk: {"hours": Decimal(0), "accountabilities": 0, "roles": 0} for m in people}
    terms = RoleAssignment.objects.filter(
        _running(now), member_id__in=[m.pk for m in people], role__archived_at__isnull=True
    ).values_list("member_id", "role__time_hours", "role__time_period", "role__accountabilities")
    for member_id, time_hours, time_period, accountabilities in terms:
        row = held[member_id]
        row["hours"] += hours_per_week(time_hours, time_period)
        row["accountabilities"] += len(accountabilities or [])
        row["roles"] += 1
    rows = [
        {
            "member_id": m.pk,
            "name": m.user.display_name,
            "hours_per_week": held[m.pk]["hours"],
            "accountabilities": held[m.pk]["accountabilities"],
            "roles": held[m.pk]["roles"],
            "circles": m.circle_count,
            "flag_hours": held[m.pk]["hours"] >= hours_flag,
            "flag_circles": m.circle_count > organisation.load_max_circles,
        }
        for m in people
    ]
    rows.sort(key=lambda r: (-r["hours_per_week"], -r["accountabilities"], r["name"]))
    return rows


def circle_sizes(organisation: Organisation, *, circle: Circle | None) -> list[dict]:
    circles = Circle.objects.active().filter(organisation=organisation, is_general=False)
    if circle is not None:
        circles = circles.filter(pk=circle.pk)
    circles = circles.annotate(
        size=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True)
    ).order_by("name")
    low, high = organisation.circle_size_min, organisation.circle_size_max
    return [
        {
            "circle_id": c.pk,
            "circle": c.name,
            "slug": c.slug,
            "size": c.size,
            "outside": "small" if c.size < low else "large" if c.size > high else "",
        }
        for c in circles
    ]


def health_of(organisation: Organisation, *, circle: Circle | None = None, now: datetime | None = None) -> dict:
    """Every figure of the dashboard, as plain data the page, its charts and the API all read."""
    now = now or timezone.now()
    settings = record_settings(organisation)
    figures = decisions(organisation, circle=circle, now=now)
    since = month_start(*months_back(now, organisation.tzinfo)[0], organisation.tzinfo)
    people = load(organisation, circle=circle, now=now, hours_flag=settings.hours_flag)
    active = Member.objects.people().filter(organisation=organisation).count() if circle is not None else len(people)
    sizes = circle_sizes(organisation, circle=circle)
    return {
        "organisation": organisation.slug,
        "circle": circle.slug if circle is not None else None,
        "since": since,
        "until": now,
        "decisions": figures,
        "objections": objections(organisation, circle=circle, since=since, until=now),
        "overdue_actions": overdue_actions(organisation, circle=circle, now=now),
        "vacancies": vacancies(organisation, circle=circle, now=now),
        "terms_ending": terms_ending(organisation, circle=circle, now=now),
        "load": people,
        "load_flagged": sum(1 for r in people if r["flag_hours"] or r["flag_circles"]),
        "circle_sizes": sizes,
        "circles_outside_guidance": sum(1 for c in sizes if c["outside"]),
        "size": {
            "active_members": active,
            "split_size": settings.split_size,
            "time_to_split": active > settings.split_size,
            "guidance_url": reverse("record-size-guidance"),
        },
        "thresholds": {
            "hours_flag": settings.hours_flag,
            "load_max_circles": organisation.load_max_circles,
            "circle_size_min": organisation.circle_size_min,
            "circle_size_max": organisation.circle_size_max,
            "terms_ending_days": TERMS_ENDING_DAYS,
        },
        "money": [row for rows in money_spent.collect(organisation, circle, since, now) for row in rows],
    }
