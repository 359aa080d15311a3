"""Response headers every answer of the site carries: what the browser may use (Permissions-Policy), and
that answers to someone logged in are nobody else's to keep (Cache-Control). The Content-Security-Policy
comes from django-csp (settings.CONTENT_SECURITY_POLICY). Static files are served by WhiteNoise before
these run, so they keep their long cache lifetimes. And the language a page is in (LanguageMiddleware), and
one read of the response cache's versions per request (ResponseCacheMiddleware)."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control

from . import response_cache
from .rules import active_members


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


class LanguageMiddleware:
    """The language of a page: the member's own choice (User.language), else the organisation's whose
    page it is (or, outside one, the only organisation they belong to), else the browser's, which
    Django's LocaleMiddleware chose before this ran (the language cookie, then Accept-Language).

    It runs once the view is known, for its `org` argument, and only for a request with a session:
    the organisation comes from the memberships the page's navigation reads anyway (cached on the
    user), so choosing costs no query of its own. The API's integrations choose by Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or getattr(view_func, "language_free", False):
            return None
        language = language_of(request.user, organisation_slug=view_kwargs.get("org"))
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return None


def language_free(view):
    """A view that answers no words (a health check, an icon): it costs no look-up of whose language
    to answer in (the session, the user and their memberships are three queries)."""
    view.language_free = True
    return view


def language_of(user, *, organisation_slug: str | None = None) -> str | None:
    """The language someone has chosen, or that of the organisation they are looking at (or of their one
    organisation); None when neither says, so that the browser's stands."""
    if user is None or not user.is_authenticated:
        return None
    if user.language:
        return user.language
    organisations = [m.organisation for m in active_members(user).values()]
    if organisation_slug:
        organisations = [o for o in organisations if o.slug == organisation_slug]
    return organisations[0].language if len(organisations) == 1 else None


class ResponseCacheMiddleware:
    """Each request reads an organisation's response-cache version once, however many cached parts
    its page has (governance.response_cache.request_scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with response_cache.request_scope():
            return self.get_response(request)
