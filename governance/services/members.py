"""Members: joining, changing class or admin rights, leaving; and the accounts they log in with."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import Conflict, Invalid, NotAllowed
from governance.hooks import member_left
from governance.models import ApiToken, Member, MembershipClass, Organisation, User
from governance.text import has_control_characters

from .events import changes_apply, event_record

REASON_MAX = 300


def clean_reason(reason: str, *, what: str, max_length: int = REASON_MAX) -> str:
    """A reason kept in the history: required, and refused (not cut) when too long to store."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why %(what)s; it is kept in the history.") % {"what": what}, field="reason")
    if len(reason) > max_length:
        raise Invalid(
            _("Keep the reason to %(max)d characters (%(length)d now).") % {"max": max_length, "length": len(reason)},
            field="reason",
        )
    return reason


LEFT_PREFIX = "Left the organisation: "


@transaction.atomic
def member_add(
    *,
    organisation: Organisation,
    user: User,
    membership_class: MembershipClass,
    by: Member | None = None,
    is_admin: bool = False,
) -> Member:
    """Join a user to an organisation, or welcome back one who had left."""
    if membership_class.organisation_id != organisation.pk:
        raise Invalid(_("That membership class belongs to another organisation."), field="membership_class")
    member = Member.objects.select_for_update().filter(organisation=organisation, user=user).first()
    if member and member.is_active:
        raise Conflict(
            _("%(user)s is already a member of %(organisation)s.") % {"user": user, "organisation": organisation}
        )
    if member:
        member.status, member.left_at, member.left_reason = Member.Status.ACTIVE, None, ""
        member.membership_class, member.joined_at = membership_class, timezone.now()
        member.save(update_fields=["status", "left_at", "left_reason", "membership_class", "joined_at"])
        verb = "member.rejoined"
    else:
        member = Member.objects.create(
            organisation=organisation, user=user, membership_class=membership_class, is_admin=is_admin
        )
        verb = "member.joined"
    event_record(
        organisation=organisation,
        actor=by or member,
        verb=verb,
        obj=member,
        details={"member": str(user), "membership_class": membership_class.name},
    )
    return member


@transaction.atomic
def member_update(
    *, member: Member, by: Member | None, membership_class: MembershipClass | None = None, is_admin: bool | None = None
) -> Member:
    if by is not None and by.is_bot and (member.pk == by.pk or is_admin is not None):
        # An integration acts for the admin who made it; who is an admin is for people to decide.
        raise NotAllowed(_("An integration cannot change who is an admin, nor its own membership."))
    values = {}
    if membership_class is not None and membership_class.pk != member.membership_class_id:
        if member.is_bot:
            raise Invalid(
                _("An integration stays in its own membership class; it never votes."), field="membership_class"
            )
        if membership_class.organisation_id != member.organisation_id:
            raise Invalid(_("That membership class belongs to another organisation."), field="membership_class")
        values["membership_class"] = membership_class
    if is_admin is not None and is_admin != member.is_admin:
        if not is_admin and _is_last_admin(member):
            raise Conflict(_("This is the organisation's last admin; make someone else an admin first."))
        values["is_admin"] = is_admin
    rights_before = _integration_rights_of_maker(member) if "is_admin" in values else {}
    changes = changes_apply(member, values)
    if changes:
        member.save(update_fields=list(changes))
        event_record(
            organisation=member.organisation,
            actor=by,
            verb="member.updated",
            obj=member,
            details={"changes": changes, "member": str(member.user)},
        )
        _record_integration_rights(maker=member, by=by, before=rights_before)
    return member


def _integration_rights_of_maker(maker: Member) -> dict[int, str | None]:
    """The rights each live integration this member made acts with now (ApiToken.bot_rights), by token."""
    if maker.is_bot:
        return {}
    tokens = ApiToken.objects.filter(created_by=maker, revoked_at__isnull=True, member__status=Member.Status.ACTIVE)
    return {token.pk: token.bot_rights for token in tokens.select_related("member", "created_by")}


def _record_integration_rights(*, maker: Member, by: Member | None, before: dict[int, str | None]) -> None:
    """Record, for each integration the member made, that it now acts with other rights: its rights
    follow its maker's (ApiToken.bot_rights), so a demotion or a departure changes them at once."""
    if not before:
        return
    for token in ApiToken.objects.filter(pk__in=before).select_related("member__user", "created_by__user"):
        if token.bot_rights != before[token.pk]:
            event_record(
                organisation=maker.organisation,
                actor=by,
                verb="integration.rights_changed",
                obj=token.member,
                details={
                    "name": token.name,
                    "member": str(maker.user),
                    "acts_as": [before[token.pk] or "none", token.bot_rights or "none"],
                },
            )


def _is_last_admin(member: Member) -> bool:
    """Whether no other person is an admin. An integration's bot member does not count: it cannot
    log in to the pages, so it cannot hand the organisation back to a person."""
    return (
        member.is_admin
        and not member.is_bot
        and not (
            Member.objects.filter(
                organisation_id=member.organisation_id, is_admin=True, is_bot=False, status=Member.Status.ACTIVE
            )
            .exclude(pk=member.pk)
            .exists()
        )
    )


@transaction.atomic
def member_remove(*, member: Member, by: Member | None, reason: str) -> Member:
    """A member leaves the organisation: their circle memberships and roles end with the same reason
    (the `member_left` hook: the apps that hold them end them). Their history stays; they can no
    longer see the organisation or vote in it."""
    reason = clean_reason(reason, what=_("the member leaves"), max_length=REASON_MAX - len(LEFT_PREFIX))
    if _is_last_admin(member):
        raise Conflict(_("This is the organisation's last admin; make someone else an admin first."))
    rights_before = _integration_rights_of_maker(member)
    changed = Member.objects.filter(pk=member.pk, status=Member.Status.ACTIVE).update(
        status=Member.Status.LEFT, left_at=timezone.now(), left_reason=reason
    )
    if not changed:
        raise Conflict(_("%(member)s has already left.") % {"member": member.user})
    member.refresh_from_db()
    member_left(member, by, reason)
    event_record(
        organisation=member.organisation,
        actor=by,
        verb="member.left",
        obj=member,
        details={"member": str(member.user), "reason": reason},
    )
    _record_integration_rights(maker=member, by=by, before=rights_before)
    return member


def user_create(*, email: str, password: str | None, name: str = "") -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError as exc:
        raise Conflict(_("There is already an account for %(email)s.") % {"email": email}, field="email") from exc


def user_update(*, user: User, name: str | None = None, language: str | None = None) -> User:
    """A person changes their own account: their name, or their language for pages and emails
    ("" follows their organisation's)."""
    fields = []
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise Invalid(
                _("%(language)s is not one of this site's languages (%(choices)s).")
                % {"language": language, "choices": ", ".join(dict(settings.LANGUAGES))},
                field="language",
            )
        user.language = language
        fields.append("language")
    if name is not None:
        name = name.strip()
        if has_control_characters(name) or len(name) > User._meta.get_field("name").max_length:
            raise Invalid(_("A name is one line of at most 150 characters."), field="name")
        user.name = name
        fields.append("name")
    if fields:
        user.save(update_fields=fields)
    return user
