"""The API's JSON parser: DRF's, refusing JSON nested deeper than any request of ours needs.

Python's decoder recurses once per level: a body of 100,000 nested lists made it raise
RecursionError, which DRF does not catch (it turns only ValueError into a 400), so the request
ended in a 500. Deep but decodable nesting is refused as well: the serializers that read it
recurse too, and no request of this API is more than a few levels deep."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32

TOO_DEEP = gettext_noop("JSON parse error - the body is nested too deeply (more than %(max)d levels).")


def depth(data) -> int:
    """How deeply lists and objects nest in decoded JSON (a scalar is 0), without recursing."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, level = todo.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        todo.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_(TOO_DEEP) % {"max": MAX_DEPTH}) from None
        if depth(data) > MAX_DEPTH:
            raise ParseError(_(TOO_DEEP) % {"max": MAX_DEPTH})
        return data
