"""Markdown that members write (descriptions, purposes, proposals), rendered to safe HTML.

Markdown lets raw HTML through, so the rendered HTML is sanitised with nh3 against an allow-list:
scripts, styles, event handlers and `javascript:` links never survive, whatever was typed."""

import functools
import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(text: str | None) -> SafeString:
    """Markdown to sanitised HTML, safe to insert into a page."""
    if not text:
        return mark_safe("")
    return mark_safe(_rendered(text))  # noqa: S308 -- sanitised by nh3 in _rendered


# The same text renders to the same HTML, and a busy page renders the same texts for every visitor
# (a proposal with two hundred comments, opened by hundreds of members on the day of a vote).
@functools.lru_cache(maxsize=4096)
def _rendered(text: str) -> str:
    converter = getattr(_local, "converter", None)
    if converter is None:
        # Building a converter costs more than converting a comment; keep one per thread.
        converter = _local.converter = markdown_lib.Markdown(extensions=EXTENSIONS, output_format="html")
    html = converter.reset().convert(_TASK_MARK.sub(_task_box, text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


_local = threading.local()

# A task list item ("- [ ] call the bank", "- [x] done") shows a box, never a literal "[ ]".
_TASK_MARK = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[([ xX])\](?=\s)", re.MULTILINE)


def _task_box(match: re.Match) -> str:
    return match.group(1) + ("☐" if match.group(2) == " " else "☑")
