"""Response headers every answer of the site carries: what the browser may use (Permissions-Policy), and
that answers to someone logged in are nobody else's to keep (Cache-Control). The Content-Security-Policy
comes from django-csp (settings.CONTENT_SECURITY_POLICY). Static files are served by WhiteNoise before
these run, so they keep their long cache lifetimes."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from settings.PERMISSIONS_POLICY: {"camera": [], "fullscreen": ["self"]}
    reads `camera=(), fullscreen=(self)`; an empty list turns the feature off for every origin."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer to a person or integration that is logged in,
    pages and API alike: no shared cache, nor the browser's disk or back button, is to keep what one
    member saw (a ballot, a token just created) for the next person at that machine or proxy.

    It goes by the credentials the request carries (a session cookie, an Authorization header), not by
    asking who the user is: that would cost an answer that never looked at the user two queries (the
    session and the user), and a request with a session that has just ended is kept out of caches too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_store=True)
        return response
