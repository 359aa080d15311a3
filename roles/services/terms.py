"""Terms: who holds a role, for how long, in which seat, and the double-linking that comes with it.

A term runs from `started_at` to `planned_end_at`, both instants; dates are reckoned in the
organisation's time zone, so a six-month term that starts on 15 March ends at midnight, local time,
on 15 September. A term limit counts *consecutive* terms: a term is consecutive with the previous one
when it starts less than one term length after the previous one ended (sitting out one full term
resets the count), which is also how "when may they serve again" is answered.

Double-linking. The steward and the delegate of a sub-circle sit on the parent circle's roster while
they hold the role: the roster row the role brought is kept on the assignment (`parent_membership`)
and ends with the term. A row the member had anyway is left alone.
"""

from __future__ import annotations

from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from circles.models import CircleMembership
from circles.queries import on_roster
from circles.services import roster_add, roster_remove
from governance.changes import ChangeContext
from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation
from governance.services import event_record

from .. import hooks
from ..models import Election, Role, RoleAssignment
from .definitions import LINKING_KINDS, _decided, definition_edit_context, override_record, steward_role

# Dates ------------------------------------------------------------------------------------------


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


def format_date(moment: datetime, organisation: Organisation) -> str:
    """A date in the organisation's zone, in the reader's language ("1 December 2026", "1. Dezember
    2026", "1 de diciembre de 2026"). Lazy: written when shown, so that an email rendered for each
    language of its recipients reads in each."""
    return _format_date(timezone.localtime(moment, organisation.tzinfo))


def _format_date_text(local) -> str:
    return dateformat.format(local, pgettext("a date written in full: format of the date filter", "j F Y"))


_format_date = lazy(_format_date_text, str)


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
        figures = {"member": member.user, "served": served, "role": role.name}
        if previous_end is not None:
            free_from = add_months(previous_end, _sit_out_months(role), organisation.tzinfo)
            figures["date"] = format_date(free_from, organisation)
            message = ngettext(
                "%(member)s has served %(served)s consecutive term as %(role)s, the limit for this role; "
                "they may serve again from %(date)s.",
                "%(member)s has served %(served)s consecutive terms as %(role)s, the limit for this role; "
                "they may serve again from %(date)s.",
                served,
            )
        else:
            message = ngettext(
                "%(member)s has served %(served)s consecutive term as %(role)s, the limit for this role.",
                "%(member)s has served %(served)s consecutive terms as %(role)s, the limit for this role.",
                served,
            )
        raise Conflict(message % figures, field="member")
    return number


def running_at(role: Role, moment: datetime):
    """Terms of the role not ended that run at `moment` (a term ending exactly then does not)."""
    return role.assignments.open().filter(
        Q(started_at__lte=moment) & (Q(planned_end_at__isnull=True) | Q(planned_end_at__gt=moment))
    )


class Ineligible(Invalid):
    """Why a member could not take a seat in a role: `code` says which rule refuses, so that a caller
    can answer each its own way (a candidate off the roster is not allowed to stand: 403)."""

    NOT_A_MEMBER = "not_a_member"
    NOT_ON_ROSTER = "not_on_roster"
    TERM_LIMIT = "term_limit"

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message, field=field)
        self.code = code


def eligibility_problem(*, role: Role, member: Member, start: datetime | None = None) -> Ineligible | None:
    """Why this member could not take a seat in the role starting at `start` (None if they could)."""
    start = start or timezone.now()
    if member.organisation_id != role.circle.organisation_id or not member.is_active:
        return Ineligible(
            _("Only active members of this organisation can hold its roles."), code=Ineligible.NOT_A_MEMBER
        )
    if not on_roster(member, role.circle):
        return Ineligible(
            _("%(member)s is not on the roster of %(circle)s; add them to the circle first.")
            % {"member": member.user, "circle": role.circle},
            code=Ineligible.NOT_ON_ROSTER,
        )
    try:
        term_number_for(role=role, member=member, start=start)
    except Conflict as refusal:
        return Ineligible(refusal.message, code=Ineligible.TERM_LIMIT)
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
    decision: ChangeContext | None = None,
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
        raise Conflict(_("This role is archived."))
    if member.organisation_id != role.circle.organisation_id or not member.is_active:
        raise Invalid(_("Only active members of this organisation can hold its roles."), field="member")
    if role.circle.is_archived:
        raise Conflict(_("This circle is archived; its roles cannot change."))
    running = list(running_at(role, start).select_related("member__user"))
    if any(a.member_id == member.pk for a in running):
        raise Conflict(_("%(member)s already holds this role.") % {"member": member.user}, field="member")
    if len(running) >= role.seats:
        until = [a.planned_end_at for a in running if a.planned_end_at]
        figures = {"seats": role.seats, "role": role.name}
        if len(until) == len(running) and until:
            figures["date"] = format_date(min(until), organisation)
            message = _("All %(seats)s seat(s) of %(role)s are taken until %(date)s; end an assignment first.")
        else:
            message = _("All %(seats)s seat(s) of %(role)s are taken; end an assignment first.")
        raise Conflict(message % figures, field="member")
    if not on_roster(member, role.circle):
        raise Invalid(
            _("%(member)s is not on the roster of %(circle)s; add them to the circle first.")
            % {"member": member.user, "circle": role.circle},
            field="member",
        )
    number = term_number_for(role=role, member=member, start=start)
    planned_end_at = planned_end_at or term_end(role, start)
    if planned_end_at is not None and planned_end_at <= start:
        raise Invalid(_("The term must end after it starts."), field="planned_end_at")
    seat = free_seat(role, start, planned_end_at)
    if seat is None:
        raise Conflict(
            _(
                "All %(seats)s seat(s) of %(role)s are taken during this term by terms already chosen; "
                "end or cancel one first."
            )
            % {"seats": role.seats, "role": role.name},
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
        if constraint_of(clash) != SEAT_CONSTRAINT:
            raise
        raise Conflict(
            _("The last seat of %(role)s was taken a moment ago.") % {"role": role.name}, field="member"
        ) from clash
    if start <= now:
        link_parent(assignment)
    event_record(
        organisation=organisation,
        actor=by,
        verb="role.assigned",
        obj=assignment,
        circle=role.circle,
        details={"role": role.name, "member": str(member.user), **_decided(decision)},
    )
    return assignment


# The PostgreSQL exclusion constraint behind the seats (roles/migrations/0004).
SEAT_CONSTRAINT = "role_assignment_seat_held_once"


def constraint_of(error: IntegrityError) -> str | None:
    """The name of the constraint the database refused a row by, as the driver reports it (psycopg's
    diagnostics; None where the driver says nothing, as SQLite's)."""
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


def free_seat(role: Role, start: datetime, end: datetime | None) -> int | None:
    """The lowest seat of the role that no open term holds at any moment from `start` to `end`
    (None: open-ended), or None when every seat is held at some point of it. A term that ends, on
    its planned day or early, frees its seat from then; a term chosen ahead holds it from its start."""
    overlapping = role.assignments.open().filter(Q(planned_end_at__isnull=True) | Q(planned_end_at__gt=start))
    if end is not None:
        overlapping = overlapping.filter(started_at__lt=end)
    held = set(overlapping.values_list("seat", flat=True))
    return next((seat for seat in range(1, role.seats + 1) if seat not in held), None)


def link_parent(assignment: RoleAssignment) -> None:
    """Double-linking: a sub-circle's steward or delegate joins the parent circle's roster."""
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
    *,
    assignment: RoleAssignment,
    by: Member | None,
    reason: str,
    note: str = "",
    at=None,
    decision: ChangeContext | None = None,
) -> RoleAssignment:
    """End a term (or cancel an upcoming one) with a reason. The row stays: it is the role's history."""
    if reason not in RoleAssignment.EndReason.values:
        raise Invalid(_("Choose why the assignment ends."), field="reason")
    note = (note or "").strip()
    if len(note) > 300:
        raise Invalid(_("Keep the note to 300 characters (%(n)s now).") % {"n": len(note)}, field="note")
    ended = RoleAssignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
        ended_at=at or timezone.now(), end_reason=reason, end_note=note
    )
    if not ended:
        raise Conflict(_("This assignment has already ended."))
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
        details={"role": role.name, "member": str(assignment.member.user), "reason": reason, **_decided(decision)},
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
        raise Conflict(_("This term has ended; assign the role again instead."))
    if not assignment.planned_end_at or not role.term_months:
        raise Conflict(_("This term has no end date, so there is nothing to renew."))
    if role.is_elected:
        raise Conflict(
            _("%(role)s is elected: the next term is chosen by an election, not renewed.") % {"role": role.name}
        )
    if role.assignments.open().filter(member=assignment.member, started_at__gte=assignment.planned_end_at).exists():
        raise Conflict(_("%(member)s already has the next term.") % {"member": assignment.member.user})
    return role_assign(role=role, member=assignment.member, by=by, started_at=assignment.planned_end_at)


@transaction.atomic
def steward_assign(
    *, circle, member: Member, by: Member | None, decision: ChangeContext | None = None
) -> RoleAssignment:
    """Make a member the circle's steward, replacing the current one. A steward who is not yet on the
    circle's roster joins it, since the steward keeps the roster."""
    if circle.is_archived:
        raise Conflict(_("This circle is archived."))
    role = steward_role(circle)
    for current in role.assignments.open():
        if current.member_id == member.pk and current.started_at <= timezone.now():
            raise Conflict(
                _("%(member)s is already the steward of %(circle)s.") % {"member": member.user, "circle": circle},
                field="member",
            )
        assignment_end(assignment=current, by=by, reason=RoleAssignment.EndReason.REPLACED, decision=decision)
    if not circle.is_general and not CircleMembership.objects.current().filter(circle=circle, member=member).exists():
        roster_add(circle=circle, member=member, by=by)
    return role_assign(role=role, member=member, by=by, decision=decision)


# Archiving a role ends its terms ----------------------------------------------------------------


@transaction.atomic
def role_archive(
    *, role: Role, by: Member | None, decision: ChangeContext | None = None, override_reason: str = ""
) -> Role:
    """Archive a role: its holders' terms end, an election under way is cancelled, and its history stays.
    Core roles come with every circle and cannot be archived. Under "structure changes by consent", by
    a decision or an admin's override with a reason."""
    decision = definition_edit_context(
        organisation=role.circle.organisation, by=by, decision=decision, override_reason=override_reason
    )
    if role.is_core:
        raise Conflict(_("%(role)s is a core role of every circle; it cannot be archived.") % {"role": role.name})
    archived = Role.objects.filter(pk=role.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    if not archived:
        raise Conflict(_("This role is already archived."))
    role.refresh_from_db()
    for assignment in role.assignments.open().select_related("member__user", "role__circle__organisation"):
        assignment_end(
            assignment=assignment,
            by=by,
            reason=RoleAssignment.EndReason.REMOVED,
            note="Role archived",
            decision=decision,
        )
    hooks.role_archived(role=role, by=by)
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.archived",
        obj=role,
        circle=role.circle,
        details={"role": role.name, **_decided(decision)},
    )
    override_record(decision, role, kind="role.retire", summary=f"Archived the role “{role.name}”")
    return role


# What a roster asks before someone leaves it (circles.hooks.roster_removing) ------------------------


def roster_removal_refusal(*, membership: CircleMembership) -> None:
    """The circle's steward stays on its roster, and a seat a term brought (double-linking) lasts as
    long as the term: both refuse the removal."""
    if (
        RoleAssignment.objects.current()
        .filter(role__circle_id=membership.circle_id, role__kind=Role.Kind.STEWARD, member_id=membership.member_id)
        .exists()
    ):
        raise Conflict(
            _("%(member)s is this circle's steward; assign another steward first.") % {"member": membership.member.user}
        )
    linked = (
        RoleAssignment.objects.open().filter(parent_membership_id=membership.pk).select_related("role__circle").first()
    )
    if linked is not None:
        raise Conflict(
            _("%(member)s sits here as %(role)s of %(circle)s; they leave when that term ends.")
            % {"member": membership.member.user, "role": linked.role.name, "circle": linked.role.circle}
        )


# Double-linking follows the tree and the rosters (circles.hooks.circle_moved, roster_removed) ------


def parent_links_follow(*, circle, old_parent, by: Member | None) -> None:
    """A circle moved: its steward and delegate leave the seat their term brought in the old parent's
    roster (unless a sibling's term of theirs still needs it) and take one in the new parent's, at once
    rather than at the next sweep."""
    terms = (
        RoleAssignment.objects.current()
        .filter(role__circle=circle, role__kind__in=LINKING_KINDS, role__archived_at__isnull=True)
        .select_related("role__circle__parent", "member__user", "parent_membership__circle", "assigned_by")
    )
    for assignment in terms:
        brought = assignment.parent_membership
        if brought is not None and brought.left_at is None and brought.circle_id == circle.parent_id:
            continue
        if brought is not None:
            # The term no longer holds the old seat: clear the link first, so the roster lets it go.
            RoleAssignment.objects.filter(pk=assignment.pk).update(parent_membership=None)
            _unlink_parent(assignment, by=by)
            assignment.parent_membership = None
        link_parent(assignment)


def roster_departure_terms_end(*, membership: CircleMembership, by: Member | None) -> None:
    """A member left a circle's roster: their terms in its roles end (a role is held from the roster),
    and with a delegate's term the seat it brought in the parent circle."""
    terms = (
        RoleAssignment.objects.open()
        .filter(role__circle_id=membership.circle_id, member_id=membership.member_id)
        .select_related("role__circle")
    )
    for assignment in terms:
        assignment_end(
            assignment=assignment,
            by=by,
            reason=RoleAssignment.EndReason.REMOVED,
            note=f"Left the roster of {assignment.role.circle}",
        )
