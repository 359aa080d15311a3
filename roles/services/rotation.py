"""Rotation: `roles_rotation_sweep` (Celery beat) reminds holders and their circle before a term
ends, ends terms on their end day (or renews them when the role allows), marks vacancies and links
the stewards and delegates whose term has started to the parent circle; the apps above add their
own steps (hooks.rotation_steps: elections open ahead of time and advance their ballots). Each step
is a compare-and-set on the row it changes, and a term ends at its planned instant, not at the
sweep's, so running the sweep twice, late, or on two workers gives the same result once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from circles.models import CircleMembership
from circles.queries import roster
from governance.errors import DomainError
from governance.models import Member, Organisation
from governance.services import event_record, notifications_queue
from governance.sweeps import sweep_each

from .. import hooks
from ..models import Role, RoleAssignment
from .definitions import LINKING_KINDS
from .terms import assignment_end, eligibility_problem, format_date, link_parent, role_assign

# Notifications ----------------------------------------------------------------------------------


def page_url(name: str, organisation: Organisation, **kwargs) -> str:
    """The full address of a page of the organisation, for an email."""
    return settings.SITE_URL + reverse(name, kwargs={"org": organisation.slug, **kwargs})


def circle_people(circle) -> list:
    """The users on the circle's roster now (everyone, for the general circle)."""
    return [m.user for m in roster(circle)]


# The rotation sweep -----------------------------------------------------------------------------


def roles_rotation_sweep(*, now=None) -> dict:
    """Everything rotation needs, in order, then the steps other apps add (hooks.rotation_steps).
    Each step commits row by row and is safe to repeat. Returns how much each step did, by name."""
    now = now or timezone.now()
    done = {
        "ended": assignments_end_due(now=now),
        "linked": parent_links_sync(now=now),
        "reminded": terms_remind_ending(now=now),
    }
    for steps in hooks.rotation_steps.collect(now=now):
        done.update(steps)
    return done


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
        end = format_date(assignment.planned_end_at, organisation)
        recipients = {assignment.member.user, *circle_people(role.circle)}
        sent = notifications_queue(
            recipients=list(recipients),
            kind="role_term_ending",
            key=f"assignment:{assignment.pk}:{mark}d",
            organisation=organisation,
            personal=[assignment.member.user],  # the holder hears of their own term whatever they chose
            context={
                "role": role,
                "holder": assignment.member.user,
                "end": end,
                "url": page_url("role", organisation, pk=role.pk),
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

    return sweep_each(ending, remind, sweep="terms_remind_ending", now=now, organisation=assignment_organisation).total


def assignment_organisation(assignment: RoleAssignment) -> int:
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
        organisation=assignment_organisation,
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
    problem = eligibility_problem(role=role, member=assignment.member, start=assignment.planned_end_at)
    return problem.message if problem else None


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
        recipients=circle_people(role.circle),
        kind="role_vacant",
        key=f"role:{role.pk}:vacant:{now:%Y-%m-%d}",
        organisation=organisation,
        context={
            "role": role,
            "free_seats": role.seats - holders,
            "election": election,
            "url": page_url("role", organisation, pk=role.pk),
        },
    )


def parent_links_sync(*, now=None) -> int:
    """Link stewards and delegates whose term has started (a term chosen ahead of time) or who were
    assigned before double-linking existed, to the parent circle's roster."""
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
        link_parent(assignment)
        return assignment.parent_membership_id is not None

    return sweep_each(missing, link, sweep="parent_links_sync", now=now, organisation=assignment_organisation).total
