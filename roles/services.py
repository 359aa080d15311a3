"""Writes to roles, terms and elections.

Terms. A term runs from `started_at` to `planned_end_at`, both instants; dates are reckoned in the
organisation's time zone, so a six-month term that starts on 15 March ends at midnight, local time,
on 15 September. A term limit counts *consecutive* terms: a term is consecutive with the previous one
when it starts less than one term length after the previous one ended (sitting out one full term
resets the count), which is also how "when may they serve again" is answered.

Rotation. `roles_rotation_sweep` (Celery beat) reminds holders and their circle before a term ends,
ends terms on their end day (or renews them when the role allows), marks vacancies, opens elections
ahead of time and advances ballot phases. Each step is a compare-and-set on the row it changes, and
a term ends at its planned instant, not at the sweep's, so running the sweep twice, late, or on two
workers gives the same result once.

Double-linking. The steward and the delegate of a sub-circle sit on the parent circle's roster while
they hold the role: the roster row the role brought is kept on the assignment (`parent_membership`)
and ends with the term. A row the member had anyway is left alone.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from governance.errors import Conflict, DomainError, Invalid, NotAllowed
from governance.models import Member, Organisation
from governance.services import clean_reason, event_record, notifications_queue
from governance.sweeps import sweep_each

from .models import (
    Ballot,
    BallotVoter,
    Candidacy,
    Election,
    ElectionMethod,
    Nomination,
    Role,
    RoleAssignment,
    RoleTemplate,
    Selection,
    TimePeriod,
)

log = logging.getLogger(__name__)

# The core roles ---------------------------------------------------------------------------------

DEFAULT_CORE_ROLES = {
    Role.Kind.STEWARD: {
        "name": "Steward",
        "purpose": "Leads the circle, keeps its roster, and holds it to its purpose and domains.",
        "accountabilities": [
            "Keeping the circle's roster and roles up to date",
            "Sitting in the parent circle, with the delegate",
            "Making sure the circle's work gets done",
        ],
        "time_hours": Decimal(3),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.FACILITATOR: {
        "name": "Facilitator",
        "purpose": "Hosts the circle's meetings and its decisions, so that every voice is heard.",
        "accountabilities": [
            "Preparing and hosting meetings",
            "Running consent rounds and selections fairly",
        ],
        "time_hours": Decimal(2),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.SECRETARY: {
        "name": "Secretary",
        "purpose": "Keeps the circle's memory: agendas, minutes and its records.",
        "accountabilities": [
            "Publishing agendas ahead of meetings",
            "Writing and sharing the minutes",
            "Keeping the circle's decisions findable",
        ],
        "time_hours": Decimal(2),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
    Role.Kind.DELEGATE: {
        "name": "Delegate",
        "purpose": "Represents the circle in its parent circle and carries tensions both ways.",
        "accountabilities": [
            "Taking part in the parent circle's decisions",
            "Reporting back to the circle",
        ],
        "time_hours": Decimal(2),
        "term_months": 12,
        "term_limit": 2,
        "selection": Selection.ELECTED,
        "election_method": ElectionMethod.SOCIOCRATIC,
    },
}
CORE_KINDS = list(DEFAULT_CORE_ROLES)
# Roles whose holders also sit on the parent circle's roster (double-linking).
LINKING_KINDS = (Role.Kind.STEWARD, Role.Kind.DELEGATE)
TEMPLATE_FIELDS = (
    "name",
    "purpose",
    "accountabilities",
    "time_hours",
    "time_period",
    "term_months",
    "term_limit",
    "selection",
    "election_method",
)
ROLE_FIELDS = (
    "name",
    "purpose",
    "domains",
    "accountabilities",
    "time_hours",
    "time_period",
    "is_paid",
    "seats",
    "term_months",
    "term_limit",
    "selection",
    "election_method",
    "auto_renew",
)


def core_template(organisation: Organisation, kind: str) -> dict:
    """What a new circle's core role of this kind starts with: the organisation's template, or the default."""
    row = RoleTemplate.objects.filter(organisation=organisation, kind=kind).first()
    if row is None:
        return dict(DEFAULT_CORE_ROLES[kind])
    return {field: getattr(row, field) for field in TEMPLATE_FIELDS}


def core_roles_ensure(*, circle) -> list[Role]:
    """Give a circle its core roles (steward, facilitator, secretary and, below the general circle,
    delegate) from the organisation's template, if it lacks them. The general circle has no delegate:
    there is no parent circle to represent it in."""
    roles = []
    templates = {t.kind: t for t in RoleTemplate.objects.filter(organisation_id=circle.organisation_id)}
    existing = {r.kind: r for r in Role.objects.filter(circle=circle, kind__in=CORE_KINDS, archived_at__isnull=True)}
    for kind in CORE_KINDS:
        if kind == Role.Kind.DELEGATE and circle.is_general:
            continue
        role = existing.get(kind)
        if role is None:
            spec = (
                {f: getattr(templates[kind], f) for f in TEMPLATE_FIELDS}
                if kind in templates
                else dict(DEFAULT_CORE_ROLES[kind])
            )
            role = Role.objects.create(circle=circle, kind=kind, seats=1, **spec)
        roles.append(role)
    return roles


def steward_role(circle) -> Role:
    return next(r for r in core_roles_ensure(circle=circle) if r.kind == Role.Kind.STEWARD)


@transaction.atomic
def role_template_save(*, organisation: Organisation, by: Member | None, kind: str, **fields) -> RoleTemplate:
    """Change the organisation's template for a core role. It applies to circles created afterwards."""
    if kind not in CORE_KINDS:
        raise Invalid("Only the core roles have a template.", field="kind")
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise Invalid(f"Unknown template field: {', '.join(sorted(unknown))}.")
    spec = {**core_template(organisation, kind), **fields}
    _check_definition(spec)
    row, _ = RoleTemplate.objects.update_or_create(organisation=organisation, kind=kind, defaults=spec)
    event_record(
        organisation=organisation,
        actor=by,
        verb="role_template.updated",
        obj=row,
        details={"kind": kind, "changed": sorted(fields)},
    )
    return row


# Role definitions -------------------------------------------------------------------------------


def _clean_accountabilities(value) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [line.strip().lstrip("-*• ").strip() for line in value or [] if line and line.strip().lstrip("-*• ")]


def _check_definition(spec: dict) -> None:
    if "name" in spec and not (spec["name"] or "").strip():
        raise Invalid("A role needs a name.", field="name")
    if spec.get("seats") is not None and spec["seats"] < 1:
        raise Invalid("A role has at least one seat.", field="seats")
    if spec.get("term_months") is not None and not 1 <= spec["term_months"] <= 60:
        raise Invalid("A term lasts between 1 and 60 months.", field="term_months")
    if spec.get("term_limit") is not None and spec["term_limit"] < 1:
        raise Invalid("A term limit is at least one term.", field="term_limit")
    if spec.get("time_hours") is not None and not 0 <= spec["time_hours"] <= 168:
        raise Invalid("Expected time is between 0 and 168 hours.", field="time_hours")
    if spec.get("time_period", TimePeriod.WEEK) not in TimePeriod.values:
        raise Invalid("Choose hours per week or per month.", field="time_period")
    if spec.get("selection", Selection.APPOINTED) not in Selection.values:
        raise Invalid("Choose whether the steward appoints or the circle elects.", field="selection")
    if spec.get("election_method", ElectionMethod.SOCIOCRATIC) not in ElectionMethod.values:
        raise Invalid("Choose sociocratic selection or a ballot.", field="election_method")
    if spec.get("selection") == Selection.ELECTED and spec.get("auto_renew"):
        raise Invalid("Elected roles are not renewed automatically: the election decides.", field="auto_renew")
    if spec.get("auto_renew") and not spec.get("term_months"):
        raise Invalid("Only a role with a term length can renew.", field="auto_renew")


@transaction.atomic
def role_create(*, circle, by: Member | None, name: str, **fields) -> Role:
    """Define a role in a circle."""
    unknown = set(fields) - set(ROLE_FIELDS)
    if unknown:
        raise Invalid(f"Unknown role field: {', '.join(sorted(unknown))}.")
    if circle.is_archived:
        raise Conflict("This circle is archived; its roles cannot change.")
    spec = {"name": (name or "").strip(), **fields}
    if "accountabilities" in spec:
        spec["accountabilities"] = _clean_accountabilities(spec["accountabilities"])
    _check_definition(spec)
    if Role.objects.active().filter(circle=circle, name__iexact=spec["name"]).exists():
        raise Invalid(f"{circle} already has a role called “{spec['name']}”.", field="name")
    role = Role.objects.create(circle=circle, kind=Role.Kind.CUSTOM, **spec)
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="role.created",
        obj=role,
        circle=circle,
        details={"role": role.name},
    )
    return role


@transaction.atomic
def role_update(*, role: Role, by: Member | None, **changes) -> Role:
    """Change a role's definition. Running terms keep their dates; the new term length applies to
    the next term."""
    unknown = set(changes) - set(ROLE_FIELDS)
    if unknown:
        raise Invalid(f"Unknown role field: {', '.join(sorted(unknown))}.")
    role = Role.objects.select_for_update(of=("self",)).select_related("circle__organisation").get(pk=role.pk)
    if role.is_archived:
        raise Conflict("This role is archived; restore it before editing.")
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        clash = Role.objects.active().filter(circle=role.circle, name__iexact=changes["name"]).exclude(pk=role.pk)
        if changes["name"] and clash.exists():
            raise Invalid(f"{role.circle} already has a role called “{changes['name']}”.", field="name")
    if "accountabilities" in changes:
        changes["accountabilities"] = _clean_accountabilities(changes["accountabilities"])
    merged = {field: getattr(role, field) for field in ROLE_FIELDS} | changes
    _check_definition(merged)
    if "seats" in changes and changes["seats"] < role.assignments.current().count():
        raise Conflict("More people hold this role than the new number of seats; end an assignment first.")
    details = {}
    for field, value in changes.items():
        if getattr(role, field) != value:
            details[field] = [str(getattr(role, field)), str(value)]
            setattr(role, field, value)
    if details:
        role.save(update_fields=list(changes))
        event_record(
            organisation=role.circle.organisation,
            actor=by,
            verb="role.updated",
            obj=role,
            circle=role.circle,
            details={"role": role.name, "changed": details},
        )
    return role


@transaction.atomic
def role_archive(*, role: Role, by: Member | None) -> Role:
    """Archive a role: its holders' terms end, an election under way is cancelled, and its history stays.
    Core roles come with every circle and cannot be archived."""
    if role.is_core:
        raise Conflict(f"{role.name} is a core role of every circle; it cannot be archived.")
    archived = Role.objects.filter(pk=role.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    if not archived:
        raise Conflict("This role is already archived.")
    role.refresh_from_db()
    for assignment in role.assignments.open().select_related("member__user", "role__circle__organisation"):
        assignment_end(assignment=assignment, by=by, reason=RoleAssignment.EndReason.REMOVED, note="Role archived")
    for election in role.elections.active():
        election_cancel(election=election, by=by, reason="The role was archived.")
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.archived",
        obj=role,
        circle=role.circle,
        details={"role": role.name},
    )
    return role


@transaction.atomic
def role_restore(*, role: Role, by: Member | None) -> Role:
    if role.circle.is_archived:
        raise Conflict("Its circle is archived; restore the circle first.")
    if Role.objects.active().filter(circle=role.circle, name__iexact=role.name).exclude(pk=role.pk).exists():
        raise Conflict(f"{role.circle} has another role called “{role.name}” now; rename that one first.")
    restored = Role.objects.filter(pk=role.pk, archived_at__isnull=False).update(archived_at=None)
    if not restored:
        raise Conflict("This role is not archived.")
    role.refresh_from_db()
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.restored",
        obj=role,
        circle=role.circle,
        details={"role": role.name},
    )
    return role


# Terms ------------------------------------------------------------------------------------------


def local_midnight(moment: datetime, tzinfo) -> datetime:
    local = timezone.localtime(moment, tzinfo)
    return datetime.combine(local.date(), time.min, tzinfo=tzinfo)


def add_months(moment: datetime, months: int, tzinfo) -> datetime:
    """The same local day `months` later, at local midnight (the 31st becomes the month's last day)."""
    start = timezone.localtime(moment, tzinfo).date()
    return datetime.combine(start + relativedelta(months=months), time.min, tzinfo=tzinfo)


def term_end(role: Role, start: datetime) -> datetime | None:
    """When a term of this role that starts at `start` is planned to end, in the organisation's zone."""
    if not role.term_months:
        return None
    return add_months(start, role.term_months, role.circle.organisation.tzinfo)


def _sit_out_months(role: Role) -> int:
    return role.term_months or 12


def _format_date(moment: datetime, organisation: Organisation) -> str:
    return timezone.localtime(moment, organisation.tzinfo).strftime("%-d %B %Y")


def term_number_for(*, role: Role, member: Member, start: datetime) -> int:
    """Which consecutive term a term starting at `start` would be; refuses one beyond the limit,
    saying when the member may serve again."""
    previous = (
        RoleAssignment.objects.filter(role=role, member=member, started_at__lt=start).order_by("-started_at").first()
    )
    if previous is None:
        return 1
    previous_end = previous.ended_at or previous.planned_end_at
    organisation = role.circle.organisation
    if previous_end is not None and add_months(previous_end, _sit_out_months(role), organisation.tzinfo) <= start:
        return 1
    number = previous.term_number + 1
    if role.term_limit and number > role.term_limit:
        served = previous.term_number
        again = ""
        if previous_end is not None:
            free_from = add_months(previous_end, _sit_out_months(role), organisation.tzinfo)
            again = f"; they may serve again from {_format_date(free_from, organisation)}"
        raise Conflict(
            f"{member.user} has served {served} consecutive term{'s' if served != 1 else ''} "
            f"as {role.name}, the limit for this role{again}.",
            field="member",
        )
    return number


def _running_at(role: Role, moment: datetime):
    """Terms of the role not ended that run at `moment` (a term ending exactly then does not)."""
    return role.assignments.open().filter(
        Q(started_at__lte=moment) & (Q(planned_end_at__isnull=True) | Q(planned_end_at__gt=moment))
    )


def on_roster(circle, member: Member) -> bool:
    from circles.models import CircleMembership

    if circle.is_general:
        return member.organisation_id == circle.organisation_id and member.is_active
    return CircleMembership.objects.current().filter(circle=circle, member=member).exists()


def eligibility_problem(*, role: Role, member: Member, start: datetime | None = None) -> str | None:
    """Why this member could not take a seat in the role starting at `start` (None if they could)."""
    start = start or timezone.now()
    if member.organisation_id != role.circle.organisation_id or not member.is_active:
        return "Only active members of this organisation can hold its roles."
    if not on_roster(role.circle, member):
        return f"{member.user} is not on the roster of {role.circle}; add them to the circle first."
    try:
        term_number_for(role=role, member=member, start=start)
    except Conflict as refusal:
        return refusal.message
    return None


@transaction.atomic
def role_assign(
    *,
    role: Role,
    member: Member,
    by: Member | None,
    planned_end_at=None,
    started_at=None,
    election: Election | None = None,
) -> RoleAssignment:
    """Give a member a seat in a role for a term, explaining a refusal: not a member, already holding
    it, seats full, not on the circle's roster, or past the term limit (with when they may serve again).

    Without `planned_end_at` the term is the role's term length from the start. A start in the future
    (an election held ahead of time) makes an upcoming term.

    The role row is locked before the clock is read: a caller that waited for the lock then sees
    every term committed meanwhile as started, so the seats it counts are the seats taken. The term
    then takes the lowest seat free for its whole length, which the database holds to."""
    role = (
        Role.objects.select_for_update(of=("self",))
        .select_related("circle__organisation", "circle__parent")
        .get(pk=role.pk)
    )
    now = timezone.now()
    organisation = role.circle.organisation
    start = started_at or now
    if role.archived_at:
        raise Conflict("This role is archived.")
    if member.organisation_id != role.circle.organisation_id or not member.is_active:
        raise Invalid("Only active members of this organisation can hold its roles.", field="member")
    if role.circle.is_archived:
        raise Conflict("This circle is archived; its roles cannot change.")
    running = list(_running_at(role, start).select_related("member__user"))
    if any(a.member_id == member.pk for a in running):
        raise Conflict(f"{member.user} already holds this role.", field="member")
    if len(running) >= role.seats:
        until = [a.planned_end_at for a in running if a.planned_end_at]
        when = f" until {_format_date(min(until), organisation)}" if len(until) == len(running) and until else ""
        raise Conflict(
            f"All {role.seats} seat(s) of {role.name} are taken{when}; end an assignment first.", field="member"
        )
    if not on_roster(role.circle, member):
        raise Invalid(
            f"{member.user} is not on the roster of {role.circle}; add them to the circle first.", field="member"
        )
    number = term_number_for(role=role, member=member, start=start)
    planned_end_at = planned_end_at or term_end(role, start)
    if planned_end_at is not None and planned_end_at <= start:
        raise Invalid("The term must end after it starts.", field="planned_end_at")
    seat = free_seat(role, start, planned_end_at)
    if seat is None:
        raise Conflict(
            f"All {role.seats} seat(s) of {role.name} are taken during this term by terms already chosen; "
            "end or cancel one first.",
            field="member",
        )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                role=role,
                member=member,
                assigned_by=by,
                started_at=start,
                planned_end_at=planned_end_at,
                term_number=number,
                election=election,
                seat=seat,
            )
    except IntegrityError as clash:
        if SEAT_CONSTRAINT not in str(clash):
            raise
        raise Conflict(f"The last seat of {role.name} was taken a moment ago.", field="member") from clash
    if start <= now:
        _link_parent(assignment)
    event_record(
        organisation=organisation,
        actor=by,
        verb="role.assigned",
        obj=assignment,
        circle=role.circle,
        details={"role": role.name, "member": str(member.user)},
    )
    return assignment


# The PostgreSQL exclusion constraint behind the seats (roles/migrations/0004).
SEAT_CONSTRAINT = "role_assignment_seat_held_once"


def free_seat(role: Role, start: datetime, end: datetime | None) -> int | None:
    """The lowest seat of the role that no open term holds at any moment from `start` to `end`
    (None: open-ended), or None when every seat is held at some point of it. A term that ends, on
    its planned day or early, frees its seat from then; a term chosen ahead holds it from its start."""
    overlapping = role.assignments.open().filter(Q(planned_end_at__isnull=True) | Q(planned_end_at__gt=start))
    if end is not None:
        overlapping = overlapping.filter(started_at__lt=end)
    held = set(overlapping.values_list("seat", flat=True))
    return next((seat for seat in range(1, role.seats + 1) if seat not in held), None)


def _link_parent(assignment: RoleAssignment) -> None:
    """Double-linking: a sub-circle's steward or delegate joins the parent circle's roster."""
    from circles.models import CircleMembership
    from circles.services import roster_add

    role = assignment.role
    parent = role.circle.parent
    if role.kind not in LINKING_KINDS or parent is None or parent.is_general or parent.is_archived:
        return
    member = assignment.member
    if CircleMembership.objects.current().filter(circle=parent, member=member).exists():
        return  # already on it in their own right (or through another role): nothing to add or end later
    membership = roster_add(circle=parent, member=member, by=assignment.assigned_by)
    RoleAssignment.objects.filter(pk=assignment.pk).update(parent_membership=membership)
    assignment.parent_membership = membership


def _unlink_parent(assignment: RoleAssignment, *, by: Member | None) -> None:
    """The term ended: the parent roster row it brought ends too, unless another linking role of the
    same member in a sibling circle still needs it (the link then passes to that role)."""
    from circles.services import roster_remove

    membership = assignment.parent_membership
    if membership is None or membership.left_at is not None:
        return
    heir = (
        RoleAssignment.objects.current()
        .filter(
            member_id=assignment.member_id,
            role__kind__in=LINKING_KINDS,
            role__circle__parent_id=membership.circle_id,
        )
        .exclude(pk=assignment.pk)
        .first()
    )
    if heir is not None:
        RoleAssignment.objects.filter(pk=heir.pk).update(parent_membership=membership)
        return
    try:
        with transaction.atomic():
            roster_remove(
                membership=membership,
                by=by,
                reason=f"Their term as {assignment.role.name} of {assignment.role.circle} ended.",
            )
    except Conflict:
        pass  # they steward the parent circle now: the seat is theirs in their own right


@transaction.atomic
def assignment_end(
    *, assignment: RoleAssignment, by: Member | None, reason: str, note: str = "", at=None
) -> RoleAssignment:
    """End a term (or cancel an upcoming one) with a reason. The row stays: it is the role's history."""
    if reason not in RoleAssignment.EndReason.values:
        raise Invalid("Choose why the assignment ends.", field="reason")
    note = (note or "").strip()
    if len(note) > 300:
        raise Invalid(f"Keep the note to 300 characters ({len(note)} now).", field="note")
    ended = RoleAssignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
        ended_at=at or timezone.now(), end_reason=reason, end_note=note
    )
    if not ended:
        raise Conflict("This assignment has already ended.")
    assignment = RoleAssignment.objects.select_related(
        "role__circle__organisation", "member__user", "parent_membership__member__user", "parent_membership__circle"
    ).get(pk=assignment.pk)
    role = assignment.role
    _unlink_parent(assignment, by=by)
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.ended",
        obj=assignment,
        circle=role.circle,
        details={"role": role.name, "member": str(assignment.member.user), "reason": reason},
    )
    return assignment


@transaction.atomic
def assignment_renew(*, assignment: RoleAssignment, by: Member | None) -> RoleAssignment:
    """Renew a running term for one more term, starting when it ends (the steward's choice for an
    appointed role). The term limit applies; the current term then ends as renewed on its day."""
    Role.objects.select_for_update(of=("self",)).filter(pk=assignment.role_id).first()
    assignment = RoleAssignment.objects.select_related("role__circle__organisation", "member__user").get(
        pk=assignment.pk
    )
    role = assignment.role
    if assignment.ended_at is not None:
        raise Conflict("This term has ended; assign the role again instead.")
    if not assignment.planned_end_at or not role.term_months:
        raise Conflict("This term has no end date, so there is nothing to renew.")
    if role.is_elected:
        raise Conflict(f"{role.name} is elected: the next term is chosen by an election, not renewed.")
    if role.assignments.open().filter(member=assignment.member, started_at__gte=assignment.planned_end_at).exists():
        raise Conflict(f"{assignment.member.user} already has the next term.")
    return role_assign(role=role, member=assignment.member, by=by, started_at=assignment.planned_end_at)


@transaction.atomic
def steward_assign(*, circle, member: Member, by: Member | None) -> RoleAssignment:
    """Make a member the circle's steward, replacing the current one. A steward who is not yet on the
    circle's roster joins it, since the steward keeps the roster."""
    from circles.models import CircleMembership
    from circles.services import roster_add

    if circle.is_archived:
        raise Conflict("This circle is archived.")
    role = steward_role(circle)
    for current in role.assignments.open():
        if current.member_id == member.pk and current.started_at <= timezone.now():
            raise Conflict(f"{member.user} is already the steward of {circle}.", field="member")
        assignment_end(assignment=current, by=by, reason=RoleAssignment.EndReason.REPLACED)
    if not circle.is_general and not CircleMembership.objects.current().filter(circle=circle, member=member).exists():
        roster_add(circle=circle, member=member, by=by)
    return role_assign(role=role, member=member, by=by)


# Notifications ----------------------------------------------------------------------------------


def _url(name: str, organisation: Organisation, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"org": organisation.slug, **kwargs})


def _circle_people(circle) -> list:
    from circles.queries import roster

    return [m.user for m in roster(circle)]


def _steward_of(circle) -> Member | None:
    assignment = (
        RoleAssignment.objects.current()
        .filter(role__circle=circle, role__kind=Role.Kind.STEWARD)
        .select_related("member__user")
        .first()
    )
    return assignment.member if assignment else None


# The rotation sweep -----------------------------------------------------------------------------


def roles_rotation_sweep(*, now=None) -> dict:
    """Everything rotation needs, in order. Each step commits row by row and is safe to repeat."""
    now = now or timezone.now()
    return {
        "ended": assignments_end_due(now=now),
        "linked": parent_links_sync(now=now),
        "reminded": terms_remind_ending(now=now),
        "elections_opened": elections_open_ahead(now=now),
        "elections_advanced": elections_advance_due(now=now),
    }


def terms_remind_ending(*, now=None) -> int:
    """Remind the holder and the circle before a term ends, at each of ROLE_TERM_REMINDER_DAYS. Only
    the nearest reminder due is sent (a sweep that missed the 30-day mark by weeks sends the 7-day
    one), and each once: the outbox key carries the assignment and the mark."""
    now = now or timezone.now()
    marks = sorted(settings.ROLE_TERM_REMINDER_DAYS)
    if not marks:
        return 0
    ending = (
        RoleAssignment.objects.current()
        .filter(planned_end_at__gt=now, planned_end_at__lte=now + timedelta(days=marks[-1]))
        .select_related("role__circle__organisation", "member__user")
    )

    def remind(assignment: RoleAssignment) -> int:
        left = assignment.planned_end_at - now
        mark = next(m for m in marks if left <= timedelta(days=m))
        role, organisation = assignment.role, assignment.role.circle.organisation
        if role.assignments.open().filter(member=assignment.member, started_at__gte=assignment.planned_end_at).exists():
            return 0  # already renewed or re-elected: nothing ends
        end = _format_date(assignment.planned_end_at, organisation)
        recipients = {assignment.member.user, *_circle_people(role.circle)}
        sent = notifications_queue(
            recipients=list(recipients),
            kind="role_term_ending",
            key=f"assignment:{assignment.pk}:{mark}d",
            organisation=organisation,
            context={
                "role": role,
                "holder": assignment.member.user,
                "end": end,
                "url": _url("role", organisation, pk=role.pk),
            },
        )
        if sent:  # the first time this mark is reached: log it once (webhooks subscribe to it)
            event_record(
                organisation=organisation,
                actor=None,
                verb="role.term_ending",
                obj=assignment,
                circle=role.circle,
                details={"role": role.name, "member": str(assignment.member.user), "ends": end, "days": mark},
            )
        return sent

    return sweep_each(ending, remind, sweep="terms_remind_ending", now=now, organisation=_assignment_organisation).total


def _assignment_organisation(assignment: RoleAssignment) -> int:
    return assignment.role.circle.organisation_id


def assignments_end_due(*, now=None) -> int:
    """End (or renew) every term whose end has come, each in its own transaction."""
    now = now or timezone.now()
    due = (
        RoleAssignment.objects.filter(ended_at__isnull=True, planned_end_at__lte=now)
        .select_related("role__circle")
        .order_by("planned_end_at")
    )
    return sweep_each(
        due,
        lambda assignment: assignment_end_due(assignment_id=assignment.pk, now=now),
        sweep="assignments_end_due",
        now=now,
        organisation=_assignment_organisation,
    ).total


def assignment_end_due(*, assignment_id: int, now=None) -> bool:
    """End one due term on its planned instant. Renew it when the role renews automatically, the
    limit allows and the seat is not taken by someone chosen for the next term. Returns False when
    another worker got there first."""
    now = now or timezone.now()
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update(of=("self",))
            .select_related("role__circle__organisation", "member__user")
            .filter(pk=assignment_id, ended_at__isnull=True, planned_end_at__lte=now)
            .first()
        )
        if assignment is None:
            return False
        role, end = assignment.role, assignment.planned_end_at
        successor = role.assignments.open().filter(member=assignment.member, started_at__gte=end).exists()
        if successor:
            reason = RoleAssignment.EndReason.RE_ELECTED if role.is_elected else RoleAssignment.EndReason.RENEWED
            assignment_end(assignment=assignment, by=None, reason=reason, at=end)
            return True
        renewal_blocked = _renewal_problem(assignment)
        assignment_end(
            assignment=assignment,
            by=None,
            reason=RoleAssignment.EndReason.RENEWED if not renewal_blocked else RoleAssignment.EndReason.TERM_ENDED,
            note="" if not renewal_blocked or not role.auto_renew else f"Not renewed: {renewal_blocked}"[:300],
            at=end,
        )
        if not renewal_blocked:
            try:
                with transaction.atomic():
                    role_assign(role=role, member=assignment.member, by=None, started_at=end)
                    return True
            except DomainError as refusal:  # the limit or the roster changed: the term simply ends
                RoleAssignment.objects.filter(pk=assignment.pk).update(
                    end_reason=RoleAssignment.EndReason.TERM_ENDED, end_note=f"Not renewed: {refusal.message}"[:300]
                )
        _vacancy_notice(role, now=now)
        return True


def _renewal_problem(assignment: RoleAssignment) -> str | None:
    role = assignment.role
    if not role.auto_renew or role.is_elected or role.is_archived or not role.term_months:
        return "the role does not renew automatically"
    if not assignment.member.is_active:
        return "they left the organisation"
    return eligibility_problem(role=role, member=assignment.member, start=assignment.planned_end_at)


def _vacancy_notice(role: Role, *, now) -> None:
    """Tell the steward and the circle that a seat is free, once per vacancy."""
    holders = role.assignments.open().filter(Q(planned_end_at__isnull=True) | Q(planned_end_at__gt=now)).count()
    if holders >= role.seats:
        return
    organisation = role.circle.organisation
    event_record(
        organisation=organisation,
        actor=None,
        verb="role.vacant",
        obj=role,
        circle=role.circle,
        details={"role": role.name, "free_seats": role.seats - holders},
    )
    election = role.elections.active().first()
    notifications_queue(
        recipients=_circle_people(role.circle),
        kind="role_vacant",
        key=f"role:{role.pk}:vacant:{now:%Y-%m-%d}",
        organisation=organisation,
        context={
            "role": role,
            "free_seats": role.seats - holders,
            "election": election,
            "url": _url("role", organisation, pk=role.pk),
        },
    )


def parent_links_sync(*, now=None) -> int:
    """Link stewards and delegates whose term has started (a term chosen ahead of time) or who were
    assigned before double-linking existed, to the parent circle's roster."""
    from circles.models import CircleMembership

    now = now or timezone.now()
    missing = (
        RoleAssignment.objects.filter(
            ended_at__isnull=True,
            started_at__lte=now,
            parent_membership__isnull=True,
            role__kind__in=LINKING_KINDS,
            role__circle__parent__isnull=False,
            role__circle__parent__is_general=False,
            role__circle__parent__archived_at__isnull=True,
            member__status=Member.Status.ACTIVE,
        )
        .exclude(
            Exists(
                CircleMembership.objects.current().filter(
                    circle_id=OuterRef("role__circle__parent_id"), member_id=OuterRef("member_id")
                )
            )
        )
        .select_related("role__circle__parent", "member__user", "assigned_by")
    )

    def link(assignment: RoleAssignment) -> bool:
        _link_parent(assignment)
        return assignment.parent_membership_id is not None

    return sweep_each(missing, link, sweep="parent_links_sync", now=now, organisation=_assignment_organisation).total


def elections_open_ahead(*, now=None) -> int:
    """Open an election for an elected role whose term ends within ROLE_ELECTION_LEAD_DAYS, unless one
    is under way or was already held for that term."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.ROLE_ELECTION_LEAD_DAYS)
    ending = (
        RoleAssignment.objects.current()
        .filter(
            planned_end_at__gt=now,
            planned_end_at__lte=horizon,
            role__selection=Selection.ELECTED,
            role__archived_at__isnull=True,
            role__circle__archived_at__isnull=True,
        )
        .select_related("role__circle__organisation")
        .order_by("planned_end_at")
    )

    def open_ahead(assignment: RoleAssignment) -> int:
        role = assignment.role
        if role.elections.filter(
            Q(state__in=Election.ACTIVE_STATES) | Q(term_starts_at=assignment.planned_end_at)
        ).exists():
            return 0
        if role.assignments.open().filter(member=assignment.member, started_at__gte=assignment.planned_end_at).exists():
            return 0
        try:
            with transaction.atomic():
                election_open(role=role, by=None, term_starts_at=assignment.planned_end_at)
                return 1
        except (DomainError, IntegrityError) as refusal:  # another worker opened it, or no seat frees up
            log.info("No election opened for %s: %s", role, refusal)
            return 0

    return sweep_each(
        ending, open_ahead, sweep="elections_open_ahead", now=now, organisation=_assignment_organisation
    ).total


def elections_advance_due(*, now=None) -> int:
    """Move ballots to their next phase at their deadlines; remind the facilitator when nominations close."""
    now = now or timezone.now()
    due = Election.objects.filter(
        Q(state=Election.State.APPLYING, applications_close_at__lte=now)
        | Q(state=Election.State.VOTING, voting_closes_at__lte=now)
    ).order_by("pk")
    advanced = sweep_each(
        due, lambda election: election_advance(election_id=election.pk, now=now), sweep="elections_advance_due", now=now
    ).total
    nominated = Election.objects.filter(state=Election.State.NOMINATING, nominations_close_at__lte=now).select_related(
        "role__circle__organisation"
    )
    sweep_each(nominated, _remind_facilitator, sweep="elections_remind_facilitator", now=now)
    return advanced


# Elections --------------------------------------------------------------------------------------


def facilitators_of(circle) -> list[Member]:
    return [
        a.member
        for a in RoleAssignment.objects.current()
        .filter(role__circle=circle, role__kind=Role.Kind.FACILITATOR, role__archived_at__isnull=True)
        .select_related("member__user")
    ]


def _remind_facilitator(election: Election) -> None:
    role, organisation = election.role, election.organisation
    people = facilitators_of(role.circle) or [m for m in [_steward_of(role.circle)] if m]
    notifications_queue(
        recipients=[m.user for m in people],
        kind="election_nominations_closed",
        key=f"election:{election.pk}",
        organisation=organisation,
        context={"role": role, "url": _url("election", organisation, pk=election.pk)},
    )


def _lock_election(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("role__circle__organisation", "organisation", "candidate__user", "proposal")
        .get(pk=election.pk)
    )


@transaction.atomic
def election_open(
    *,
    role: Role,
    by: Member | None,
    method: str | None = None,
    term_starts_at=None,
    nominations_close_at=None,
    applications_close_at=None,
    voting_closes_at=None,
) -> Election:
    """Start choosing the next holders of a role: nominations (sociocratic selection) or applications
    (ballot). The seats it fills are those free when the new term starts."""
    role = Role.objects.select_for_update(of=("self",)).select_related("circle__organisation").get(pk=role.pk)
    organisation = role.circle.organisation
    now = timezone.now()
    if role.is_archived or role.circle.is_archived:
        raise Conflict("This role is archived; it cannot be elected.")
    if role.elections.active().exists():
        raise Conflict(f"An election for {role.name} is already under way.")
    method = method or role.election_method
    if method not in ElectionMethod.values:
        raise Invalid("Choose sociocratic selection or a ballot.", field="method")
    if term_starts_at is None:
        ending = [a.planned_end_at for a in role.assignments.current() if a.planned_end_at]
        free_now = role.assignments.current().count() < role.seats
        term_starts_at = now if free_now or not ending else min(ending)
    term_starts_at = max(term_starts_at, now)
    seats = role.seats - _running_at(role, term_starts_at).count()
    if seats < 1:
        raise Conflict(f"Every seat of {role.name} is taken when the new term would start; there is nothing to elect.")
    days = timedelta(days=1)
    election = Election(
        organisation=organisation,
        role=role,
        method=method,
        seats=seats,
        term_starts_at=term_starts_at,
        opened_by=by,
        opened_at=now,
    )
    if method == ElectionMethod.SOCIOCRATIC:
        election.state = Election.State.NOMINATING
        election.nominations_close_at = nominations_close_at or now + settings.ROLE_NOMINATION_DAYS * days
        if election.nominations_close_at <= now:
            raise Invalid("Nominations must close in the future.", field="nominations_close_at")
    else:
        election.state = Election.State.APPLYING
        election.applications_close_at = applications_close_at or now + settings.ROLE_BALLOT_APPLICATION_DAYS * days
        election.voting_closes_at = voting_closes_at or election.applications_close_at + (
            settings.ROLE_BALLOT_VOTING_DAYS * days
        )
        if election.applications_close_at <= now:
            raise Invalid("Applications must close in the future.", field="applications_close_at")
        if election.voting_closes_at <= election.applications_close_at + timedelta(hours=1):
            raise Invalid("Voting must last at least an hour after applications close.", field="voting_closes_at")
    election.save()
    event_record(
        organisation=organisation,
        actor=by,
        verb="election.opened",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "method": method, "seats": seats},
    )
    sociocratic = method == ElectionMethod.SOCIOCRATIC
    until = election.nominations_close_at if sociocratic else election.applications_close_at
    notifications_queue(
        recipients=_circle_people(role.circle),
        kind="election_opened",
        key=f"election:{election.pk}",
        organisation=organisation,
        context={
            "role": role,
            "election": election,
            "sociocratic": sociocratic,
            "until": _format_date(until, organisation),
            "term_from": _format_date(term_starts_at, organisation),
            "url": _url("election", organisation, pk=election.pk),
        },
    )
    return election


@transaction.atomic
def nomination_add(*, election: Election, nominee: Member, by: Member, reason: str) -> Nomination:
    """A circle member nominates someone, themselves included, with a reason."""
    election = _lock_election(election)
    role = election.role
    if election.method != ElectionMethod.SOCIOCRATIC:
        raise Conflict("This election is a ballot: candidates stand with a statement instead.")
    if election.state != Election.State.NOMINATING:
        raise Conflict(f"Nominations are closed: the election is at “{election.get_state_display().lower()}”.")
    if election.phase_deadline_passed():
        raise Conflict(f"Nominations closed on {_format_date(election.nominations_close_at, election.organisation)}.")
    if not on_roster(role.circle, by):
        raise NotAllowed(f"Only members of {role.circle} can nominate.")
    reason = clean_reason(reason, what="you nominate them", max_length=2000)
    problem = eligibility_problem(role=role, member=nominee, start=election.term_starts_at)
    if problem:
        raise Invalid(problem, field="nominee")
    if Nomination.objects.filter(election=election, nominee=nominee, nominated_by=by).exists():
        raise Conflict(f"You have already nominated {nominee.user}.", field="nominee")
    nomination = Nomination.objects.create(election=election, nominee=nominee, nominated_by=by, reason=reason)
    event_record(
        organisation=election.organisation,
        actor=by,
        verb="election.nominated",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "member": str(nominee.user)},
    )
    return nomination


@transaction.atomic
def election_propose(*, election: Election, candidate: Member, by: Member, round_days: int | None = None) -> Election:
    """The facilitator proposes a nominee: a consent round in the role's circle, through proposals.
    If it passes, the assignment is created when the round closes (election_round_closed)."""
    from proposals.models import Proposal
    from proposals.services import proposal_create, proposal_open

    election = _lock_election(election)
    role, organisation = election.role, election.organisation
    if election.method != ElectionMethod.SOCIOCRATIC:
        raise Conflict("Only a sociocratic selection has a proposed candidate.")
    retry = (
        election.state == Election.State.CONSENT
        and election.proposal is not None
        and election.proposal.state == Proposal.State.WITHDRAWN
    )
    if election.state != Election.State.NOMINATING and not retry:
        raise Conflict(
            f"A candidate can be proposed while nominations are open, not at “{election.get_state_display().lower()}”."
        )
    if not Nomination.objects.filter(election=election, nominee=candidate).exists():
        raise Invalid(f"{candidate.user} has not been nominated; propose one of the nominees.", field="candidate")
    problem = eligibility_problem(role=role, member=candidate, start=election.term_starts_at)
    if problem:
        raise Invalid(problem, field="candidate")
    start = max(election.term_starts_at, timezone.now())
    end = term_end(role, start)
    term = (
        f"from {_format_date(start, organisation)} until {_format_date(end, organisation)}"
        if end
        else f"from {_format_date(start, organisation)}"
    )
    reasons = "\n".join(
        f"- {n.nominated_by.user}: {n.reason}"
        for n in election.nominations.filter(nominee=candidate).select_related("nominated_by__user")
    )
    proposal = proposal_create(
        circle=role.circle,
        author=by,
        title=f"Select {candidate.user} as {role.name}"[:200],
        body=f"As facilitator, I propose **{candidate.user}** as {role.name} of {role.circle}, {term}.\n\n"
        f"Why they were nominated:\n\n{reasons}\n\n"
        "Consent means you have no objection that this would harm the circle. If the round passes, "
        "the term is assigned automatically.",
        round_length=timedelta(days=round_days or organisation.consent_round_days),
    )
    proposal = proposal_open(proposal=proposal, by=by)
    election.state, election.candidate, election.proposal = Election.State.CONSENT, candidate, proposal
    election.save(update_fields=["state", "candidate", "proposal"])
    event_record(
        organisation=organisation,
        actor=by,
        verb="election.proposed",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "member": str(candidate.user), "proposal": proposal.pk},
    )
    return election


def election_round_closed(*, proposal) -> Election | None:
    """Called by proposals when a round closes, in the same transaction: a passed selection round
    seats its candidate with the term; one that did not pass sends the election back to nominations."""
    election = (
        Election.objects.select_for_update(of=("self",))
        .select_related("role__circle__organisation", "organisation", "candidate__user")
        .filter(proposal=proposal, state=Election.State.CONSENT)
        .first()
    )
    if election is None:
        return None
    rounds = [*election.results.get("rounds", [])]
    rounds.append({"proposal": proposal.pk, "candidate": election.candidate_id, "outcome": proposal.outcome})
    election.results = {**election.results, "rounds": rounds}
    if proposal.outcome != proposal.Outcome.PASSED:
        election.state, election.candidate = Election.State.NOMINATING, None
        election.nominations_close_at = None  # the facilitator may propose again when ready
        election.save(update_fields=["state", "candidate", "results", "nominations_close_at"])
        event_record(
            organisation=election.organisation,
            actor=None,
            verb="election.not_consented",
            obj=election,
            circle=election.role.circle,
            details={"role": election.role.name, "outcome": proposal.outcome},
        )
        return election
    seated, refused = _seat(election, [election.candidate])
    election.results = {**election.results, "elected": seated, "not_seated": refused}
    _close(election)
    return election


def _seat(election: Election, members: list[Member]) -> tuple[list[int], list[dict]]:
    """Give each chosen member their term. A refusal (the roster or the seats changed meanwhile) is
    recorded on the election rather than undoing the count. The role is locked before the clock is
    read, as in role_assign."""
    Role.objects.select_for_update(of=("self",)).filter(pk=election.role_id).first()
    now = timezone.now()
    start = max(election.term_starts_at, now)
    seated, refused = [], []
    for member in members:
        try:
            with transaction.atomic():
                holding = _running_at(election.role, start).filter(member=member).first()
                if holding is not None and start <= now:
                    assignment_end(assignment=holding, by=None, reason=RoleAssignment.EndReason.RE_ELECTED)
                role_assign(role=election.role, member=member, by=None, started_at=start, election=election)
                seated.append(member.pk)
        except DomainError as refusal:
            refused.append({"member": member.pk, "name": str(member.user), "reason": refusal.message})
    return seated, refused


def _close(election: Election) -> None:
    election.state, election.closed_at = Election.State.CLOSED, timezone.now()
    election.save(update_fields=["state", "closed_at", "results"])
    role, organisation = election.role, election.organisation
    elected = list(Member.objects.filter(pk__in=election.results.get("elected", [])).select_related("user"))
    event_record(
        organisation=organisation,
        actor=None,
        verb="election.closed",
        obj=election,
        circle=role.circle,
        details={
            "role": role.name,
            "elected": [str(m.user) for m in elected],
            "tie": bool(election.results.get("tie")),
        },
    )
    notifications_queue(
        recipients=_circle_people(role.circle),
        kind="election_closed",
        key=f"election:{election.pk}",
        organisation=organisation,
        context={
            "role": role,
            "names": [str(m.user) for m in elected],
            "tie": election.results.get("tie"),
            "url": _url("election", organisation, pk=election.pk),
        },
    )


@transaction.atomic
def candidacy_add(*, election: Election, member: Member, statement: str) -> Candidacy:
    """Stand in a ballot with a statement, during the application phase."""
    election = _lock_election(election)
    role = election.role
    if election.method != ElectionMethod.BALLOT:
        raise Conflict("This is a sociocratic selection: nominate someone instead.")
    if election.state != Election.State.APPLYING or election.phase_deadline_passed():
        raise Conflict("Applications are closed for this election.")
    statement = (statement or "").strip()
    if not statement:
        raise Invalid("Write a statement: why you, and what you would do in the role.", field="statement")
    if len(statement) > 5000:
        raise Invalid(f"Keep the statement to 5000 characters ({len(statement)} now).", field="statement")
    problem = eligibility_problem(role=role, member=member, start=election.term_starts_at)
    if problem:
        raise NotAllowed(problem) if "not on the roster" in problem else Invalid(problem)
    if election.candidacies.filter(member=member, withdrawn_at__isnull=True).exists():
        raise Conflict("You are already standing in this election.")
    candidacy = Candidacy.objects.create(election=election, member=member, statement=statement)
    event_record(
        organisation=election.organisation,
        actor=member,
        verb="election.candidacy",
        obj=election,
        circle=role.circle,
        details={"role": role.name, "member": str(member.user)},
    )
    return candidacy


@transaction.atomic
def candidacy_withdraw(*, candidacy: Candidacy, member: Member) -> Candidacy:
    election = _lock_election(candidacy.election)
    if candidacy.member_id != member.pk:
        raise NotAllowed("Only the candidate can withdraw their candidacy.")
    if election.state != Election.State.APPLYING or election.phase_deadline_passed():
        raise Conflict("Candidacies can be withdrawn only while applications are open.")
    if not Candidacy.objects.filter(pk=candidacy.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now()):
        raise Conflict("This candidacy is already withdrawn.")
    candidacy.refresh_from_db()
    event_record(
        organisation=election.organisation,
        actor=member,
        verb="election.candidacy_withdrawn",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name, "member": str(member.user)},
    )
    return candidacy


def election_advance(*, election_id: int, now=None) -> bool:
    """Move one ballot to its next phase if its deadline has passed: applications → voting (who may
    vote is fixed now, with their class's weight), voting → closed (counted, seats filled)."""
    from proposals.services import eligible_members

    now = now or timezone.now()
    with transaction.atomic():
        election = (
            Election.objects.select_for_update(of=("self",))
            .select_related("role__circle__organisation", "organisation")
            .filter(pk=election_id)
            .filter(
                Q(state=Election.State.APPLYING, applications_close_at__lte=now)
                | Q(state=Election.State.VOTING, voting_closes_at__lte=now)
            )
            .first()
        )
        if election is None:
            return False
        if election.state == Election.State.APPLYING:
            candidates = election.candidacies.filter(withdrawn_at__isnull=True).count()
            voters = eligible_members(election.role.circle)
            if not candidates or not voters:
                election.results = {
                    "elected": [],
                    "counts": [],
                    "note": "Nobody stood." if not candidates else "Nobody may vote.",
                }
                _close(election)
                return True
            BallotVoter.objects.bulk_create(
                [BallotVoter(election=election, member=m, weight=m.membership_class.voting_weight) for m in voters]
            )
            election.state = Election.State.VOTING
            election.voters_count = len(voters)
            election.voters_weight = sum(m.membership_class.voting_weight for m in voters)
            election.save(update_fields=["state", "voters_count", "voters_weight"])
            event_record(
                organisation=election.organisation,
                actor=None,
                verb="election.voting_opened",
                obj=election,
                circle=election.role.circle,
                details={"role": election.role.name, "voters": len(voters)},
            )
            organisation = election.organisation
            notifications_queue(
                recipients=[m.user for m in voters],
                kind="election_voting",
                key=f"election:{election.pk}",
                organisation=organisation,
                context={
                    "role": election.role,
                    "closes": _format_date(election.voting_closes_at, organisation),
                    "url": _url("election", organisation, pk=election.pk),
                },
            )
            return True
        election.results = ballot_count(election)
        elected = list(
            Member.objects.filter(pk__in=election.results["elected"]).select_related("user", "membership_class")
        )
        order = {pk: i for i, pk in enumerate(election.results["elected"])}
        seated, refused = _seat(election, sorted(elected, key=lambda m: order[m.pk]))
        election.results = {**election.results, "elected": seated, "not_seated": refused}
        _close(election)
        return True


def ballot_count(election: Election) -> dict:
    """Count the ballots: each choice adds the ballot's weight. The top N take the N seats. When
    candidates tie for the last seats, those ahead are elected and the tie is reported with the seats
    it leaves open; it is never broken by lot or by order."""
    candidacies = list(election.candidacies.filter(withdrawn_at__isnull=True).select_related("member__user"))
    weights = {c.pk: 0 for c in candidacies}
    votes = {c.pk: 0 for c in candidacies}
    ballots, cast = 0, []
    for choices, weight in Ballot.objects.filter(election=election).values_list("choices", "weight"):
        ballots += 1
        cast.append(weight)
        for choice in choices:
            if choice in weights:
                weights[choice] += weight
                votes[choice] += 1
    ranking = sorted(candidacies, key=lambda c: (-weights[c.pk], c.pk))
    counts = [
        {
            "candidacy": c.pk,
            "member": c.member_id,
            "name": str(c.member.user),
            "weight": weights[c.pk],
            "votes": votes[c.pk],
        }
        for c in ranking
    ]
    seats = election.seats
    scored = [c for c in ranking if weights[c.pk] > 0]
    elected, tie = scored[:seats], None
    if len(scored) > seats and weights[scored[seats - 1].pk] == weights[scored[seats].pk]:
        cut = weights[scored[seats].pk]
        elected = [c for c in scored if weights[c.pk] > cut]
        tied = [c for c in scored if weights[c.pk] == cut]
        tie = {
            "weight": cut,
            "candidacies": [c.pk for c in tied],
            "members": [c.member_id for c in tied],
            "names": [str(c.member.user) for c in tied],
            "seats_left": seats - len(elected),
        }
    return {
        "counts": counts,
        "ballots": ballots,
        "elected": [c.member_id for c in elected],
        "tie": tie,
        "ballots_published": weights_single_out_nobody(cast),
    }


def weights_single_out_nobody(weights: list[int]) -> bool:
    """Whether the ballots of a count may be published with their weights, and each candidate's
    votes beside their weight: yes when everyone who voted has the same weight (it then says
    nothing), or when every weight is shared by at least two of them. Otherwise the weight of a
    ballot, or a candidate's weight less their votes, joined with who voted (public: the turnout),
    would show how the one voter with that weight voted; only the weighted totals, which decide,
    are then published (roles.queries.published_results)."""
    held = Counter(weights)
    return len(held) <= 1 or min(held.values()) >= 2


@transaction.atomic
def ballot_cast(*, election: Election, member: Member, choices: list[int]) -> None:
    """Cast a secret ballot: up to one choice per seat among the candidates, or none (a blank ballot).

    `has_voted` is flipped on the voter's row (once: a conditional update) and an anonymous ballot
    row is written with the weight; nothing returned or stored links the two."""
    election = _lock_election(election)
    if election.method != ElectionMethod.BALLOT:
        raise Conflict("This election is decided by consent, not by ballot.")
    if election.state != Election.State.VOTING:
        raise Conflict(f"Voting is not open: the election is at “{election.get_state_display().lower()}”.")
    if election.deadline_passed():
        raise Conflict(f"Voting closed on {_format_date(election.voting_closes_at, election.organisation)}.")
    voter = BallotVoter.objects.filter(election=election, member=member).first()
    if voter is None:
        raise NotAllowed("You were not on this circle's roster with a voting class when voting opened.")
    choices = list(dict.fromkeys(int(c) for c in choices or []))
    if len(choices) > election.seats:
        raise Invalid(f"Choose at most {election.seats} candidate(s), one per seat.", field="choices")
    valid = set(election.candidacies.filter(withdrawn_at__isnull=True).values_list("pk", flat=True))
    if not set(choices) <= valid:
        raise Invalid("Choose among this election's candidates.", field="choices")
    if not BallotVoter.objects.filter(pk=voter.pk, has_voted=False).update(has_voted=True):
        raise Conflict("You have already voted; a ballot cannot be changed once cast.")
    Ballot.objects.create(election=election, choices=sorted(choices), weight=voter.weight)
    # The log says that someone voted, never how.
    event_record(
        organisation=election.organisation,
        actor=member,
        verb="election.voted",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name},
    )


@transaction.atomic
def election_cancel(*, election: Election, by: Member | None, reason: str) -> Election:
    """Cancel an election under way, until its decision's deadline: once voting has closed, or the
    consent round on the candidate has reached its end, the result is due and only the close follows."""
    election = _lock_election(election)
    if not election.is_active:
        raise Conflict(f"This election is already {election.get_state_display().lower()}.")
    if election.deadline_passed():
        if election.method == ElectionMethod.BALLOT:
            when = f"Voting closed on {_format_date(election.voting_closes_at, election.organisation)}"
        else:
            when = f"The consent round closed on {_format_date(election.proposal.closes_at, election.organisation)}"
        raise Conflict(f"{when}; the result is being recorded, so the election can no longer be cancelled.")
    reason = clean_reason(reason, what="the election is cancelled")
    if election.proposal and election.proposal.state in ("draft", "open"):
        from proposals.services import proposal_withdraw

        proposal_withdraw(proposal=election.proposal, by=by)
    election.state, election.cancelled_at, election.cancel_reason = Election.State.CANCELLED, timezone.now(), reason
    election.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    event_record(
        organisation=election.organisation,
        actor=by,
        verb="election.cancelled",
        obj=election,
        circle=election.role.circle,
        details={"role": election.role.name, "reason": reason},
    )
    return election
