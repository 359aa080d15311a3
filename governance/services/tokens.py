"""API tokens: personal tokens acting as their user, and integration tokens acting as a bot member."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import Invalid, NotAllowed
from governance.models import ApiToken, Member, MembershipClass, Organisation, User

from .events import event_record
from .members import member_remove

TOKEN_NAME_MAX = 100
INTEGRATIONS_CLASS = "Integrations"


def _clean_token(name: str, expires_at) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Give the token a name, so you recognise it later."), field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise Invalid(
            _("Keep the name to %(max)d characters (%(length)d now).") % {"max": TOKEN_NAME_MAX, "length": len(name)},
            field="name",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid(
            _("A token expires in the future; leave the date empty for one that does not."), field="expires_at"
        )
    return name


# "Not given": a token minted with a token then takes that token's expiry; otherwise it never expires.
CALLERS_EXPIRY = object()


def _bounded_by_caller(caller: ApiToken | None, *, read_only: bool | None, expires_at) -> tuple[bool, object]:
    """A token minted with a token (over the API) expires no later than that token and writes only if
    it may: what is not asked for is the caller's, what asks for more is refused, never quietly cut
    down. A person in the browser (no caller token) chooses freely."""
    if read_only is None:
        read_only = bool(caller and caller.read_only)
    if expires_at is CALLERS_EXPIRY:
        expires_at = caller.expires_at if caller else None
    if caller is None:
        return read_only, expires_at
    if caller.read_only and not read_only:
        raise Invalid(_("A read-only token can only create read-only tokens."), field="read_only")
    if caller.expires_at is not None and (expires_at is None or expires_at > caller.expires_at):
        raise Invalid(
            _(
                "A token created with a token expires no later than that token does "
                "(%(expires)s); choose that moment or an earlier one."
            )
            % {"expires": caller.expires_at.isoformat()},
            field="expires_at",
        )
    return read_only, expires_at


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    read_only: bool | None = None,
    expires_at=CALLERS_EXPIRY,
    caller_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """A personal token, acting as its user. Returns the token and its secret (only the hash is kept).
    An integration's bot cannot make itself tokens: revoking the integration must stop it for good.
    `caller_token`: the token the request came with, which bounds the new one (_bounded_by_caller)."""
    read_only, expires_at = _bounded_by_caller(caller_token, read_only=read_only, expires_at=expires_at)
    name = _clean_token(name, expires_at)
    if Member.objects.filter(user=user, is_bot=True).exists():
        raise NotAllowed(_("An integration cannot create tokens; an admin of its organisation can."))
    key, key_hash = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:12], key_hash=key_hash, read_only=read_only, expires_at=expires_at
    )
    return token, key


def _integrations_class(organisation: Organisation) -> MembershipClass:
    """The membership class of integration bots: it may not vote and weighs nothing, so a bot is
    never an eligible voter and never counts towards a quorum."""
    membership_class, _ = MembershipClass.objects.get_or_create(
        organisation=organisation,
        name=INTEGRATIONS_CLASS,
        defaults={
            "voting_weight": 0,
            "may_vote": False,
            "description": "Integration tokens act as members of this class. They never vote.",
        },
    )
    return membership_class


@transaction.atomic
def integration_token_create(
    *,
    organisation: Organisation,
    by: Member,
    name: str,
    is_admin: bool = False,
    read_only: bool | None = None,
    expires_at=CALLERS_EXPIRY,
    caller_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """An organisation's integration token. It acts as a new bot member of the organisation named
    after it, with a member's rights or, when granted, an admin's; add the bot to a circle's roster to
    let it act there. Returns the token and its secret (only the hash is kept). Made with a token
    (`caller_token`), it is bounded by that token as a personal one is (_bounded_by_caller)."""
    read_only, expires_at = _bounded_by_caller(caller_token, read_only=read_only, expires_at=expires_at)
    name = _clean_token(name, expires_at)
    bot_user = User.objects.create_user(
        email=f"integration-{secrets.token_hex(8)}@{organisation.slug}.integrations.invalid", password=None, name=name
    )
    bot = Member.objects.create(
        organisation=organisation,
        user=bot_user,
        membership_class=_integrations_class(organisation),
        is_admin=is_admin,
        is_bot=True,
    )
    key, key_hash = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=bot_user,
        organisation=organisation,
        member=bot,
        created_by=by,
        name=name,
        prefix=key[:12],
        key_hash=key_hash,
        read_only=read_only,
        expires_at=expires_at,
    )
    event_record(
        organisation=organisation,
        actor=by,
        verb="integration.created",
        obj=bot,
        details={"name": name, "is_admin": is_admin, "read_only": read_only},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Member | None = None) -> ApiToken:
    """Revoke a token. Revoking an integration's token also ends its bot's membership (with its
    circle memberships and roles), so nothing it was granted outlives it."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    if revoked and token.member_id:
        bot = Member.objects.select_related("organisation", "user").get(pk=token.member_id)
        ApiToken.objects.filter(user_id=bot.user_id, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
        if bot.is_active:
            member_remove(member=bot, by=by, reason="Its integration token was revoked.")
    return token
