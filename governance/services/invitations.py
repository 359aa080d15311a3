"""Invitations: a single-use, expiring link that joins a person to an organisation."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import Conflict, Invalid, NotAllowed
from governance.hooks import invitation_accepted
from governance.models import Invitation, Member, MembershipClass, Organisation, User

from .events import event_record
from .members import member_add
from .outbox import notifications_queue

NAME_MAX = Invitation._meta.get_field("name").max_length


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    by: Member,
    email: str,
    membership_class: MembershipClass,
    circle=None,
    message: str = "",
    bound_to_email: bool = True,
    more_circles=(),
    name: str = "",
    resent_from: Invitation | None = None,
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and its one-time token (only its hash is kept).
    Unless `bound_to_email` is off ("anyone with the link"), only that address's account may accept.
    `more_circles` are other circles they join on accepting, besides `circle` (bulk onboarding)."""
    email = (email or "").strip().lower()
    if not email:
        raise Invalid(_("Enter an email address."), field="email")
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise Invalid(_("Keep the name to %(max)d characters.") % {"max": NAME_MAX}, field="name")
    if membership_class.organisation_id != organisation.pk:
        raise Invalid(_("That membership class belongs to another organisation."), field="membership_class")
    if circle is not None and (circle.organisation_id != organisation.pk or circle.is_archived):
        raise Invalid(_("Choose an active circle of this organisation."), field="circle")
    more_circles = [c for c in more_circles if circle is None or c.pk != circle.pk]
    if any(c.organisation_id != organisation.pk or c.is_archived for c in more_circles):
        raise Invalid(_("Choose active circles of this organisation."), field="circles")
    if Member.objects.filter(
        organisation=organisation, user__email__iexact=email, status=Member.Status.ACTIVE
    ).exists():
        raise Conflict(
            _("%(email)s is already a member of %(organisation)s.") % {"email": email, "organisation": organisation},
            field="email",
        )
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        name=name,
        membership_class=membership_class,
        circle=circle,
        message=message,
        bound_to_email=bound_to_email,
        token_hash=token_hash,
        invited_by=by,
        resent_from=resent_from,
    )
    if more_circles:
        invitation.more_circles.set(more_circles)
    details = {"email": email} if bound_to_email else {"email": email, "anyone_with_the_link": True}
    if more_circles:
        details["circles"] = [c.name for c in ([circle] if circle else []) + more_circles]
    if resent_from is not None:
        details["resent_from"] = resent_from.pk
    event_record(
        organisation=organisation,
        actor=by,
        verb="invitation.resent" if resent_from is not None else "invitation.created",
        obj=invitation,
        circle=circle,
        details=details,
    )
    notifications_queue(
        recipients=[email],
        kind="invitation",
        key=f"invitation:{invitation.pk}",
        context={
            "invitation": invitation,
            "organisation": organisation,
            "by": by,
            "circle": circle,
            "message": message,
            "link": invitation_link(token),
        },
        organisation=organisation,
    )
    return invitation, token


def invitation_link(token: str) -> str:
    """The address of an invitation, as the email gives it (SITE_URL follows PORT unless set)."""
    return f"{settings.SITE_URL}/invitations/{token}/"


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: Member) -> tuple[Invitation, str]:
    """Send an invitation again, with a new link: the old link is revoked (it may have gone to a
    forwarded or lost mail) and a new invitation with the same class, circles and message replaces it,
    expiring afresh. Refused once accepted, and at most once every INVITATION_RESEND_MINUTES per
    invitation, so that a click-happy inviter cannot flood someone's mailbox."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise Conflict(_("This invitation has been accepted; there is nothing to send again."))
    if Invitation.objects.filter(resent_from=locked).exists():
        raise Conflict(_("This invitation has already been sent again; resend the newest one."))
    wait = timedelta(minutes=settings.INVITATION_RESEND_MINUTES)
    if locked.created_at > timezone.now() - wait:
        raise Conflict(
            _("This invitation was sent less than %(minutes)d minutes ago; wait a little before sending it again.")
            % {"minutes": settings.INVITATION_RESEND_MINUTES}
        )
    if locked.revoked_at is None:
        Invitation.objects.filter(pk=locked.pk).update(revoked_at=timezone.now())
        event_record(organisation=locked.organisation, actor=by, verb="invitation.revoked", obj=locked)
    return invitation_create(
        organisation=locked.organisation,
        by=by,
        email=locked.email,
        membership_class=locked.membership_class,
        circle=locked.circle,
        more_circles=list(locked.more_circles.all()),
        message=locked.message,
        bound_to_email=locked.bound_to_email,
        name=locked.name,
        resent_from=locked,
    )


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by__user", "circle", "membership_class")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def invitation_is_for(invitation: Invitation, user: User) -> bool:
    """Whether this account may accept the invitation: anyone may when the inviter chose "anyone with
    the link"; otherwise only an account whose login email, or another of its verified addresses, is
    the invited one (in any case)."""
    if not invitation.bound_to_email or (user.email or "").lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


def _refusal_ask_again(state: str) -> str:
    """The refusal of a link that is no longer pending, one whole sentence per state so that it translates."""
    if state == "accepted":
        return _("This invitation has been accepted; ask for a new one.")
    if state == "revoked":
        return _("This invitation has been revoked; ask for a new one.")
    return _("This invitation has been expired; ask for a new one.")


def _refusal_already(state: str) -> str:
    if state == "accepted":
        return _("This invitation has already been accepted.")
    if state == "revoked":
        return _("This invitation has already been revoked.")
    return _("This invitation has already been expired.")


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Member:
    """Accept an invitation: single use (claimed by a conditional update), refused once expired, and,
    unless it is for anyone with the link, refused to another account than the invited address's
    (before it is claimed, so the invited person can still use it). An invitation into a circle puts
    the newcomer on its roster (the `invitation_accepted` hook)."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Invalid(_("This invitation link is not valid."))
    if invitation.state != "pending":
        if invitation.state == "revoked" and Invitation.objects.filter(resent_from=invitation).exists():
            raise Conflict(_("This invitation was sent again with a new link; open the newest email."))
        raise Conflict(_refusal_ask_again(invitation.state))
    if not invitation_is_for(invitation, user):
        raise NotAllowed(
            _(
                "This invitation is for %(email)s only, and you are logged in as %(mine)s. "
                "Log in with %(email)s to accept it, or ask %(inviter)s to invite this address."
            )
            % {"email": invitation.email, "mine": user.email, "inviter": invitation.invited_by.user}
        )
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not claimed:
        raise Conflict(_("This invitation has just been used; ask for a new one."))
    organisation = invitation.organisation
    member = Member.objects.filter(organisation=organisation, user=user).first()
    if member is None or not member.is_active:
        member = member_add(organisation=organisation, user=user, membership_class=invitation.membership_class)
    invitation_accepted(invitation, member)
    event_record(
        organisation=organisation, actor=member, verb="invitation.accepted", obj=invitation, circle=invitation.circle
    )
    return member


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Member | None) -> Invitation:
    revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise Conflict(_refusal_already(invitation.state))
    invitation.refresh_from_db()
    event_record(organisation=invitation.organisation, actor=by, verb="invitation.revoked", obj=invitation)
    return invitation
