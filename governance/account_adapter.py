"""Where the accounts (django-allauth) differ from allauth's defaults."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import Resolver404, resolve

from .services import invitation_for_token


class AccountAdapter(DefaultAccountAdapter):
    def is_email_verified(self, request, email: str) -> bool:
        """An address counts as verified when someone signs up from an invitation mailed to it and
        bound to it: holding that link proves they read the mailbox. So an invited person joins in
        one step, while everyone else confirms their address first (ACCOUNT_EMAIL_VERIFICATION)."""
        if super().is_email_verified(request, email):
            return True
        token = _invitation_token(request.POST.get("next") or request.GET.get("next") or "")
        invitation = invitation_for_token(token) if token else None
        return bool(
            invitation
            and invitation.bound_to_email
            and invitation.state == "pending"
            and invitation.email.lower() == email.lower()
        )


def _invitation_token(next_url: str) -> str | None:
    """The token of the invitation page a sign-up will return to, if that is where it returns."""
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return None
    return match.kwargs.get("token") if match.url_name == "invitation_accept" else None
