"""What the OpenAPI schema says about errors, shared by every endpoint's `extend_schema`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses of an endpoint, for `extend_schema(responses={200: …, **errors(…)})`."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


READ = (401,)
READ_ONE = (401, 404)
WRITE = (400, 401, 403, 404)
WRITE_STATEFUL = (400, 401, 403, 404, 409)
