"""Bearer tokens for the REST API, stored as SHA-256 hashes (see ApiToken).

A personal token authenticates as its user; an organisation's integration token as its bot member's
user, who is a member of that one organisation only."""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`, as DRF clients send)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Bearer <token>'.")
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("The token contains invalid characters.") from exc
        token = ApiToken.objects.select_related("user", "member").filter(key_hash=ApiToken.hash_key(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.is_usable:
            raise exceptions.AuthenticationFailed("This token has expired or was revoked.")
        if token.member is not None and not token.member.is_active:
            raise exceptions.AuthenticationFailed("This integration has been removed from its organisation.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        if token.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise exceptions.PermissionDenied("This token is read-only.")
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"
