"""Bearer tokens for the REST API, stored as SHA-256 hashes (see ApiToken), and the one password
check that every way in shares.

A personal token authenticates as its user; an organisation's integration token as its bot member's
user, who is a member of that one organisation only."""

from math import ceil

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from allauth.core.internal.ratelimit import parse_rates
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken


class LoginLocked(Exception):
    """Too many failed logins for this account (or from this address): no password is checked."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def authenticate_password(request, *, email: str, password: str):
    """The active user with this email and password, or None. Raises LoginLocked while the account
    is locked, even for the right password.

    This is allauth's own check, the one its login form (and so the admin's login) makes: a failure
    counts against ACCOUNT_RATE_LIMITS["login_failed"] per address and per account, a success does
    not, so a failed token request locks the login form and a locked account gets no token."""
    try:
        user = get_adapter(request).authenticate(request, email=email.strip().lower(), password=password)
    except ValidationError as exc:
        if exc.code == "too_many_login_attempts":
            raise LoginLocked(_lockout_seconds()) from exc
        raise
    # allauth hands back an inactive account too, for its login form to say so; we do not.
    return user if user is not None and user.is_active else None


def needs_email_confirmation(user) -> bool:
    """Whether this account must confirm its address before it may log in, as the login form asks."""
    return account_settings.EMAIL_VERIFICATION == account_settings.EmailVerificationMethod.MANDATORY and (
        not has_verified_email(user)
    )


def _lockout_seconds() -> int:
    """How long to wait, at most: every failure that counts falls out of its window by then."""
    rates = parse_rates(account_settings.RATE_LIMITS.get("login_failed"))
    return ceil(max((rate.duration for rate in rates), default=60))


def _last_used_write(token: ApiToken, now) -> None:
    """Note when a token was last used (at most once a minute per token). On PostgreSQL, outside any
    other transaction, without waiting for the write to reach the disk: a crash may lose the latest
    minute of these notes, nothing else, and a request no longer waits for a flush it does not need."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    else:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`, as DRF clients send)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as 'Authorization: Bearer <token>'."))
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token contains invalid characters.")) from exc
        token = (
            ApiToken.objects.select_related("user", "member", "created_by")
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_usable:
            raise exceptions.AuthenticationFailed(_("This token has expired or was revoked."))
        if token.member is not None and not token.member.is_active:
            raise exceptions.AuthenticationFailed(_("This integration has been removed from its organisation."))
        if token.member is not None and token.bot_rights is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "The member who created this integration has left the organisation, so it no longer acts; "
                    "an admin can create a new token."
                )
            )
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            _last_used_write(token, now)
        if token.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise exceptions.PermissionDenied(_("This token is read-only."))
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"
