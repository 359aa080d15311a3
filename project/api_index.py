"""GET /api/v1/: a JSON index of the API, made from the router, so that it lists every resource the
router serves (and nothing it does not), with the schema, the interactive docs and the token exchange."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.schema import errors

# What the router cannot list: each line's method and path stay as they are, its words translate.
EXTRA_ACTIONS = {
    "me": [
        _("GET, PATCH me/ (my name and language)"),
        _("GET me/inbox/ (what needs me, nearest deadline first, with counts by kind)"),
        _("GET, POST me/notification-preferences/ (at once, in a daily digest, or off, per kind)"),
    ],
    "open": [
        _("GET open/{organisation}/decisions/, /log/, /minutes/, /roles/ (the open record: no account needed)"),
    ],
    "organisations": [_("POST organisations/ (start one from a starting shape)")],
    "invitations": [
        _("POST invitations/bulk/ (up to 500 people, a result per line)"),
        _("POST invitations/add-member/ (admins: someone with an account, directly)"),
        _("POST invitations/{id}/resend/ (a new link; admins get it in the answer)"),
    ],
}


class ApiIndexView(APIView):
    """Like every endpoint but the token exchange, it answers callers who are logged in or bring a
    token (a browser session will do); others get 401 with where to get a token."""

    router = None  # set by project.api_urls

    @extend_schema(
        summary="This index: every resource of the API, the schema and the docs",
        responses={
            200: inline_serializer(
                "ApiIndex",
                {
                    "version": serializers.CharField(),
                    "schema": serializers.URLField(),
                    "docs": serializers.URLField(),
                    "token": serializers.URLField(),
                    "resources": serializers.DictField(child=serializers.URLField()),
                    "actions": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
                },
            ),
            **errors(401),
        },
    )
    def get(self, request):
        url = request.build_absolute_uri
        # A prefix with a parameter in it (the open record's organisation) is not one address: it is
        # listed under "actions" with its placeholder.
        resources = {
            prefix: url(f"{reverse('api-index')}{prefix}/")
            for prefix, _viewset, _name in self.router.registry
            if "(?P" not in prefix
        }
        return Response(
            {
                "version": "v1",
                "schema": url(reverse("api-schema")),
                "docs": url(reverse("api-docs")),
                "token": url(reverse("api-token-create")),
                "resources": dict(sorted(resources.items())),
                "actions": EXTRA_ACTIONS,
            }
        )
