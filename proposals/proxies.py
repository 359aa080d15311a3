"""Proxies: a member lets another respond for them, in one round or in every round of a circle.

The writes of proxies live here, beside services.py (which calls `proxy_in_force` when a holder
records a position): giving, revoking, and ending them when the holder or the grantor leaves the
organisation or the circle. The rules the issue sets:

- the organisation caps how many proxies one member may hold at a time (Organisation.proxies_max_held;
  0 turns proxies off); the holder's row is locked while counting, so two grants at once cannot both
  take the last place;
- one active proxy per grantor and scope (partial unique constraints), to one holder;
- a proxy counts only while it is active, at the moment the holder responds: revoking is immediate.
  What a holder recorded before stays recorded (it was the grantor's will when it was cast) until the
  grantor responds themselves, which overrides it for good in that version of the round;
- eligibility and weight are the grantor's snapshot (services.position_record reads them);
- nothing is deleted: ending sets `revoked_at` with a reason, and every step is in the event log.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle, CircleMembership
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Member
from governance.services import event_new, event_record, events_record

from .models import EligibleVoter, Proposal, Proxy


def _on_roster(member: Member, circle: Circle) -> bool:
    if circle.is_general:
        return member.organisation_id == circle.organisation_id and member.status == Member.Status.ACTIVE
    return CircleMembership.objects.current().filter(circle=circle, member=member).exists()


def _name(member: Member) -> str:
    return member.user.display_name


@transaction.atomic
def proxy_give(
    *, grantor: Member, holder: Member, proposal: Proposal | None = None, circle: Circle | None = None
) -> Proxy:
    """The grantor lets the holder respond for them in one round (`proposal`) or in every round of a
    `circle` until they revoke it."""
    if (proposal is None) == (circle is None):
        raise Invalid(gettext("Give a proxy for one round or for a circle."), field="circle")
    if holder.pk == grantor.pk:
        raise Invalid(gettext("A proxy goes to another member."), field="holder")
    organisation = grantor.organisation
    if holder.organisation_id != organisation.pk:
        raise Invalid(gettext("The holder is not a member of this organisation."), field="holder")
    if not grantor.is_active:
        raise NotAllowed(gettext("You have left the organisation."))
    if not holder.is_active or holder.is_bot:
        raise Invalid(gettext("The holder must be an active member."), field="holder")
    if organisation.proxies_max_held == 0:
        raise Conflict(gettext("%(org)s does not use proxies.") % {"org": organisation.name})
    scope_circle = circle or proposal.circle
    if proposal is not None:
        if proposal.organisation_id != organisation.pk:
            raise Invalid(gettext("This round is not in your organisation."), field="proposal")
        if not proposal.is_open or proposal.deadline_passed():
            raise Conflict(gettext("A proxy for one round is given while the round is open."))
        if not EligibleVoter.objects.filter(proposal=proposal, member=grantor).exists():
            raise NotAllowed(gettext("You are not asked in this round, so there is nothing to hand over."))
    else:
        if circle.organisation_id != organisation.pk:
            raise Invalid(gettext("This circle is not in your organisation."), field="circle")
        if circle.is_archived:
            raise Conflict(gettext("This circle is archived."))
        if not _on_roster(grantor, circle):
            raise NotAllowed(gettext("You are not on the roster of %(circle)s.") % {"circle": circle.name})
    if not _on_roster(holder, scope_circle):
        raise Invalid(
            gettext("%(holder)s is not on the roster of %(circle)s.")
            % {"holder": _name(holder), "circle": scope_circle.name},
            field="holder",
        )
    # The holder's row, locked: two grants to one holder at once count one after the other.
    Member.objects.select_for_update().filter(pk=holder.pk).first()
    held = Proxy.objects.filter(holder=holder, revoked_at__isnull=True).count()
    if held >= organisation.proxies_max_held:
        raise Conflict(
            gettext("%(holder)s already holds %(held)s proxies, as many as %(org)s allows.")
            % {"holder": _name(holder), "held": held, "org": organisation.name},
            field="holder",
        )
    scope = Q(proposal=proposal) if proposal is not None else Q(circle=circle)
    existing = Proxy.objects.filter(scope, grantor=grantor, revoked_at__isnull=True).select_related("holder__user")
    if existing:
        raise Conflict(
            gettext("You already gave this proxy to %(holder)s; revoke it first.")
            % {"holder": _name(existing[0].holder)}
        )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(
                organisation=organisation, grantor=grantor, holder=holder, proposal=proposal, circle=circle
            )
    except IntegrityError as exc:  # the same grant, a moment ago
        raise Conflict(gettext("You already gave a proxy for this; revoke it first.")) from exc
    event_record(
        organisation=organisation,
        actor=grantor,
        verb="proxy.given",
        obj=proxy,
        circle=scope_circle,
        details=_details(proxy),
    )
    return proxy


def _details(proxy: Proxy) -> dict:
    return {
        "grantor": _name(proxy.grantor),
        "holder": _name(proxy.holder),
        "member": _name(proxy.holder),
        "proposal": proxy.proposal_id,
        "circle": proxy.circle_id,
    }


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, by: Member | None) -> Proxy:
    """End a proxy now (the grantor revokes it, the holder hands it back, or an admin). From this
    moment the holder can no longer respond for the grantor."""
    return _end([proxy], by=by, reason=Proxy.EndReason.REVOKED, verb="proxy.revoked", strict=True)[0]


def _end(proxies, *, by: Member | None, reason: str, verb: str, strict: bool = False) -> list[Proxy]:
    """End each active proxy once (a conditional update: two revocations at once end it once)."""
    now = timezone.now()
    ended = []
    for proxy in proxies:
        if not Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by, end_reason=reason
        ):
            if strict:
                raise Conflict(gettext("This proxy has already ended."))
            continue
        proxy.refresh_from_db()
        ended.append(proxy)
    events_record(
        events=[
            event_new(
                organisation=proxy.organisation,
                actor=by,
                verb=verb,
                obj=proxy,
                circle=proxy.circle or (proxy.proposal.circle if proxy.proposal_id else None),
                details={**_details(proxy), "reason": reason},
            )
            for proxy in ended
        ]
    )
    return ended


def _active():
    return Proxy.objects.filter(revoked_at__isnull=True).select_related(
        "organisation", "grantor__user", "holder__user", "proposal__circle", "circle"
    )


def proxies_end_for_member(member: Member, by: Member | None, reason: str) -> None:
    """The member left the organisation (governance.hooks.member_left): every proxy they hold or gave ends."""
    _end(_active().filter(holder=member), by=by, reason=Proxy.EndReason.HOLDER_LEFT, verb="proxy.ended")
    _end(_active().filter(grantor=member), by=by, reason=Proxy.EndReason.GRANTOR_LEFT, verb="proxy.ended")


def proxies_end_for_roster(*, membership: CircleMembership) -> None:
    """A stay on a roster ended (circles.hooks.roster_ended): the proxies that the member held or gave
    in that circle, for the circle or one of its rounds, end with it."""
    in_circle = Q(circle_id=membership.circle_id) | Q(proposal__circle_id=membership.circle_id)
    member = membership.member
    by = membership.removed_by
    _end(_active().filter(in_circle, holder=member), by=by, reason=Proxy.EndReason.HOLDER_LEFT, verb="proxy.ended")
    _end(_active().filter(in_circle, grantor=member), by=by, reason=Proxy.EndReason.GRANTOR_LEFT, verb="proxy.ended")


def proxy_in_force(*, proposal: Proposal, grantor: Member, holder: Member) -> Proxy:
    """The active proxy that lets `holder` respond for `grantor` in this round (one for the round
    itself first, else one for its circle), or NotAllowed."""
    proxy = (
        Proxy.objects.filter(grantor=grantor, holder=holder, revoked_at__isnull=True)
        .filter(Q(proposal=proposal) | Q(circle_id=proposal.circle_id))
        .order_by(F("circle_id").asc(nulls_first=True), "-created_at")  # a round's own proxy first
        .first()
    )
    if proxy is None:
        raise NotAllowed(
            gettext("%(grantor)s has not given you a proxy for this round, or it has ended.")
            % {"grantor": _name(grantor)}
        )
    return proxy
