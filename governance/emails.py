"""The text of every email: each kind's subject and body live in templates, not in the services.

`templates/email/<kind>.subject.txt` and `templates/email/<kind>.txt` are rendered with the
context a service passes. They are plain text, so nothing is HTML-escaped: a title with “&” in it
reads as typed. The outbox stores the subject in a bounded column, and titles, circle names and
role names are each long enough to overflow it together; so a subject is always made to fit
(`fit_subject`), here for what the templates render and again at the outbox for every other
caller, and no long name can make a service or a sweep fail.
"""

from __future__ import annotations

import hashlib

from django.template import Context, Engine

from .models import Notification

ELLIPSIS = "…"


def message_render(kind: str, context: dict) -> tuple[str, str]:
    """The subject (on one line, fitting the outbox) and the body of a `kind` of email.

    The project's template engine finds the templates (and reloads them in development), while the
    context turns autoescaping off: these are plain-text emails. Numbers are not localised (the
    closing sweep renders a message per round, and localising is a fifth of the cost); dates are
    formatted by the templates with the `date` filter."""
    engine = Engine.get_default()
    subject = engine.get_template(f"email/{kind}.subject.txt").render(_plain(context))
    body = engine.get_template(f"email/{kind}.txt").render(_plain(context))
    return fit_subject(subject), body


def _plain(context: dict) -> Context:
    return Context(context, autoescape=False, use_l10n=False)


def fit_text(text: str, max_length: int) -> str:
    """Whitespace (newlines included) collapsed to single spaces, then cut with an ellipsis to fit."""
    text = " ".join(str(text).split())
    if len(text) <= max_length:
        return text
    return text[: max_length - len(ELLIPSIS)].rstrip() + ELLIPSIS


def fit_subject(subject: str) -> str:
    return fit_text(subject, Notification._meta.get_field("subject").max_length)


def fit_key(value: str, field: str = "key") -> str:
    """A kind or key that fits its column and stays distinct: one too long keeps its start and ends
    with a digest of the whole, so that the outbox's once-per-recipient rule still tells two apart."""
    max_length = Notification._meta.get_field(field).max_length
    if len(value) <= max_length:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{value[: max_length - len(digest) - 1]}#{digest}"
