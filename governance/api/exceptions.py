"""Turn domain errors into API answers: 400 with the field's message, 403, or 409.

Every error body has the same shape, `{"detail": "…", "<field>": ["…"]}`: a sentence to show, and
for bad input the messages of each field. DRF's own validation errors get a `detail` too, so that a
client reads one shape whatever raised the error.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, OverflowError):
        # A number too large for the database to compare (SQLite), e.g. an id in a filter.
        return Response({"detail": _("A number in the request is out of range.")}, status=400)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body[exc.field] = [exc.message]
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        response.data = _with_detail(response.data)
    return response


def _with_detail(data):
    if isinstance(data, list):
        return {"detail": _first_message(data), "non_field_errors": _flat(data)}
    if isinstance(data, dict) and "detail" not in data:
        field, messages = next(iter(data.items()), ("non_field_errors", []))
        label = "" if field == "non_field_errors" else f"{field}: "
        return {"detail": f"{label}{_first_message(messages)}", **{k: _flat(v) for k, v in data.items()}}
    return data


def _flat(messages, prefix: str = "") -> list[str]:
    """A field's messages as a list of strings, whatever their nesting: the errors of a list's items
    or of a nested object are named by their position or key ("2: … is not a valid choice")."""
    if isinstance(messages, dict):
        return [m for key, value in messages.items() for m in _flat(value, f"{prefix}{key}: ")]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value, prefix)]
    return [f"{prefix}{messages}"]


def _first_message(messages) -> str:
    while isinstance(messages, list | dict) and messages:
        messages = messages[0] if isinstance(messages, list) else next(iter(messages.values()))
    return str(messages) if messages else _("Invalid input.")


def not_found(request, exception):
    """The site's 404 (handler404): JSON under /api/, where a client reads `detail` whatever went
    wrong (an id that is not a number never reaches a view); the 404 page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
