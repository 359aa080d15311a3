"""Rate limits of the API. A caller over the limit gets 429 with `Retry-After` (seconds to wait)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class UserRateThrottle(throttling.UserRateThrottle):
    """Requests per person or integration (by user, whichever token or session they come with).

    Anonymous callers are left to AnonRateThrottle. The rate is read on each request rather than once
    at import, so that a changed REST_FRAMEWORK setting (API_USER_RATE, or a test) takes effect."""

    scope = "user"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
