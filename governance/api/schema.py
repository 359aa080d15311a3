"""What the OpenAPI schema says about errors, shared by every endpoint's `extend_schema`."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


def _stored_blank(field) -> bool:
    """Whether a serializer field reads a model field that may hold "" (CharField(blank=True))."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return isinstance(model_field, CharField) and model_field.blank


class AutoSchema(openapi.AutoSchema):
    """Two corrections to what drf-spectacular infers, so that the schema says what the API does:

    - A read-only text or choice of a model field with blank=True (a proposal's `outcome` before
      the close, a meeting without a video link) can be "": DRF drops `allow_blank` from read-only
      fields, so the empty value is added back, even where the text has a format (a URL).
    - Filters are documented where they apply: on lists, not on the lists under one object (a
      proposal's comments), which GovernanceViewSet does not filter."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        text = isinstance(field, serializers.CharField | serializers.ChoiceField)
        if text and field.read_only and not field.allow_blank and _stored_blank(field):
            field.allow_blank = True  # read-only: it only widens what the schema says may come back
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def get_filter_backends(self):
        if getattr(self.view, "detail", False):
            return []
        return super().get_filter_backends()


class ErrorSerializer(serializers.Serializer):
    """An error: a sentence to show, and for bad input the messages of each field by name."""

    detail = serializers.CharField()


class ErrorSerializerSchema(OpenApiSerializerExtension):
    """Field names vary with the request, so the schema says: any other key is a list of messages."""

    target_class = ErrorSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target_class, direction, bypass_extensions=True)
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
        return schema


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "governance.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 -- the header's keyword, not a secret
        )


ERROR_DESCRIPTIONS = {
    400: "Bad input: `detail` and, per field, its messages.",
    401: "Not logged in, or the token is unknown, expired or revoked.",
    403: "Not allowed on this object (or a read-only token on a write).",
    404: "No such object, or not one of the caller's organisations.",
    409: "The object's current state refuses the action.",
    429: "Too many requests; wait and retry.",
}


def document_rate_limits(result, generator, request, public):
    """Answers every operation can give, said everywhere so that the schema is truthful: 429 with
    `Retry-After` once the caller is over the rate limit (see governance.api.throttling), and on a
    paginated list, 404 for a page past the end."""
    too_many = {
        "description": ERROR_DESCRIPTIONS[429],
        "headers": {
            "Retry-After": {
                "schema": {"type": "integer", "minimum": 0},
                "description": "Seconds to wait before trying again.",
            }
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    no_such_page = {
        "description": "No such page of results (past the last one).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation["responses"]["429"] = too_many
            # A paginated list answers 404 for a page past its end (DRF's page-number pagination).
            if any(p.get("name") == "page" and p.get("in") == "query" for p in operation.get("parameters", [])):
                operation["responses"].setdefault("404", no_such_page)
    return result


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses of an endpoint, for `extend_schema(responses={200: …, **errors(…)})`."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


READ = (401,)
READ_ONE = (401, 404)
WRITE = (400, 401, 403, 404)
WRITE_STATEFUL = (400, 401, 403, 404, 409)
