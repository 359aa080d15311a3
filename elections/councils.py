"""Councils seated by an election: a circle whose roster is the holders of an elected role.

A role may name a council circle (Role.council): whoever holds the role, as the winners of its
ballot election for the term, sits on that circle's roster for as long as the term runs. Nobody adds
the winners by hand. The rotation sweep (roles.hooks.rotation_steps, after terms have ended) seats
each holder whose term has started and unseats each whose term has ended, one term at a time through
governance.sweeps.sweep_each: a term elected ahead of time is seated on the day it starts, a missed
tick is caught up by the next one, and running it twice or on two workers seats once (the seat row
is unique per term and claimed under a row lock). Roster rows are ended, never deleted, so the
circle's history shows who sat on it when and why (CouncilSeat links each stay to its term)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle, CircleMembership
from circles.services import roster_add, roster_remove
from governance.errors import Conflict, DomainError, Invalid
from governance.models import Member
from governance.services import event_record
from governance.sweeps import sweep_each
from roles.models import CouncilSeat, Role, RoleAssignment, Selection


@transaction.atomic
def role_council_set(*, role: Role, council: Circle | None, by: Member | None) -> Role:
    """Make an elected role seat a council circle (or stop it: None). The seats follow at the next
    sweep; the people already on the circle stay, and those the role seated leave with their term."""
    role = Role.objects.select_for_update(of=("self",)).select_related("circle__organisation").get(pk=role.pk)
    if council is not None:
        if council.organisation_id != role.circle.organisation_id:
            raise Invalid(gettext("Choose a circle of this organisation."), field="council")
        if council.is_general:
            raise Invalid(
                gettext("Everyone is in the general circle already; choose a council circle."), field="council"
            )
        if council.pk == role.circle_id:
            raise Invalid(gettext("A role cannot seat the circle it belongs to."), field="council")
        if council.is_archived:
            raise Conflict(gettext("This circle is archived."), field="council")
        if role.selection != Selection.ELECTED:
            raise Conflict(gettext("Only an elected role can seat a council."), field="council")
    role.council = council
    role.save(update_fields=["council"])
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="council.linked",
        obj=role,
        circle=role.circle,
        details={"role": role.name, "council": council.name if council else None},
    )
    return role


def council_seats_sync(*, now=None) -> dict[str, int]:
    """The sweep's step: seat the holders whose term has started, unseat those whose term has ended."""
    now = now or timezone.now()
    to_seat = (
        RoleAssignment.objects.current()
        .filter(role__council__isnull=False, role__council__archived_at__isnull=True, council_seat__isnull=True)
        .select_related("role__council__organisation", "role__circle", "member__user")
        .order_by("started_at", "pk")
    )
    still_seated = Q(
        assignment__ended_at__isnull=True,
        assignment__started_at__lte=timezone.now(),
        assignment__role__council_id=F("membership__circle_id"),
    )
    to_unseat = (
        CouncilSeat.objects.filter(unseated_at__isnull=True)
        .exclude(still_seated)
        .select_related("assignment__role", "membership__circle__organisation", "membership__member__user")
        .order_by("pk")
    )
    unseated = sweep_each(
        to_unseat,
        council_seat_end,
        sweep="council_seats_end",
        now=now,
        organisation=lambda s: s.membership.circle.organisation_id,
    ).total
    seated = sweep_each(
        to_seat,
        council_seat_take,
        sweep="council_seats_take",
        now=now,
        organisation=lambda a: a.role.circle.organisation_id,
    ).total
    return {"council_seated": seated, "council_unseated": unseated}


def council_seat_take(assignment: RoleAssignment) -> int:
    """Seat one holder on the council (once: the term row is locked and its seat looked for again).
    Someone already on the roster keeps their stay, and the seat says the term did not bring it."""
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update(of=("self",))
            .select_related("role__council__organisation", "role__circle", "member__user")
            .get(pk=assignment.pk)
        )
        if CouncilSeat.objects.filter(assignment=assignment).exists() or assignment.ended_at is not None:
            return 0
        council, member = assignment.role.council, assignment.member
        if council is None or council.is_archived:
            return 0
        membership = CircleMembership.objects.current().filter(circle=council, member=member).first()
        brought = membership is None
        if brought:
            membership = roster_add(circle=council, member=member, by=None)
        CouncilSeat.objects.create(assignment=assignment, membership=membership, brought=brought)
        event_record(
            organisation=council.organisation,
            actor=None,
            verb="council.seated",
            obj=assignment,
            circle=council,
            details={"role": assignment.role.name, "member": str(member.user), "council": council.name},
        )
        return 1


def council_seat_end(seat: CouncilSeat) -> int:
    """Unseat a holder whose term ended (or whose role no longer seats the council): the roster stay
    the term brought ends, with the reason; one that was there before stays."""
    with transaction.atomic():
        claimed = CouncilSeat.objects.filter(pk=seat.pk, unseated_at__isnull=True).update(unseated_at=timezone.now())
        if not claimed:
            return 0
        membership, role = seat.membership, seat.assignment.role
        kept = ""
        heir = (
            RoleAssignment.objects.current()
            .filter(member_id=membership.member_id, role__council_id=membership.circle_id, council_seat__isnull=True)
            .exclude(pk=seat.assignment_id)
            .first()
        )
        if heir is not None and membership.left_at is None:
            # Re-elected (or elected to another role seating the same council): the stay goes on.
            CouncilSeat.objects.create(assignment=heir, membership=membership, brought=seat.brought)
            kept = gettext("They hold a new term.")
        elif seat.brought and membership.left_at is None:
            reason = gettext("Their elected term as %(role)s ended.") % {"role": role.name}
            try:
                with transaction.atomic():
                    roster_remove(membership=membership, by=None, reason=reason)
            except DomainError as refusal:  # e.g. they became the council's steward meanwhile
                kept = refusal.message
        event_record(
            organisation=membership.circle.organisation,
            actor=None,
            verb="council.unseated",
            obj=seat.assignment,
            circle=membership.circle,
            details={
                "role": role.name,
                "member": str(membership.member.user),
                "council": membership.circle.name,
                "kept_on_roster": kept,
            },
        )
        return 1


def council_removal_refusal(*, membership: CircleMembership) -> None:
    """A seat an elected term brought lasts as long as the term (circles.hooks.roster_removing)."""
    seat = (
        CouncilSeat.objects.filter(membership=membership, brought=True, unseated_at__isnull=True)
        .select_related("assignment__role")
        .first()
    )
    if seat is not None:
        raise Conflict(
            gettext("%(member)s was elected to this circle as %(role)s; they leave when that term ends.")
            % {"member": membership.member.user, "role": seat.assignment.role.name}
        )
