"""The text of every email: each kind's subject and body live in templates, not in the services.

`templates/email/<kind>.subject.txt` and `templates/email/<kind>.txt` are rendered with the
context a service passes. They are plain text, so nothing is HTML-escaped: a title with “&” in it
reads as typed. The outbox stores the subject in a bounded column, and titles, circle names and
role names are each long enough to overflow it together; so a subject is always made to fit
(`fit_subject`), here for what the templates render and again at the outbox for every other
caller, and no long name can make a service or a sweep fail.

Every email also goes out as HTML, rendered from the same context: `templates/email/<kind>.html`
where a kind has one (extending `email/base.html`), else `email/base.html` around the text, with
links made clickable. Here autoescaping is on, as in any HTML. The base names the organisation and
ends with a button to the direct link (`url` in the context); the outbox adds the footer (the
preferences, and the one-click unsubscribe) per recipient when it sends.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Notification

ELLIPSIS = "…"


def message_render(kind: str, context: dict) -> tuple[str, str, str]:
    """The subject (on one line, fitting the outbox), the text body and the HTML of a `kind` of email.

    The project's template engine finds the templates (and reloads them in development), while the
    context turns autoescaping off: these are plain-text emails. Numbers are not localised (the
    closing sweep renders a message per round, and localising is a fifth of the cost); dates are
    formatted by the templates with the `date` filter."""
    engine = Engine.get_default()
    subject = engine.get_template(f"email/{kind}.subject.txt").render(_plain(context))
    body = engine.get_template(f"email/{kind}.txt").render(_plain(context))
    html_context = Context({**context, "subject": fit_subject(subject), "text": body}, use_l10n=False)
    try:
        html = engine.get_template(f"email/{kind}.html").render(html_context)
    except TemplateDoesNotExist:
        html = engine.get_template("email/base.html").render(html_context)
    return fit_subject(subject), body, html


def message_footer(*, organisation, unsubscribe: str = "") -> tuple[str, str]:
    """The footer of one recipient's email, as text and HTML: the organisation, where to choose which
    emails come and how, and (for a kind that can be turned off) the link that turns it off."""
    context = {"organisation": organisation, "unsubscribe": unsubscribe, "site_url": settings.SITE_URL}
    if organisation is not None:
        context["preferences"] = settings.SITE_URL + reverse(
            "notification_preferences", kwargs={"org": organisation.slug}
        )
    engine = Engine.get_default()
    text = engine.get_template("email/parts/footer.txt").render(_plain(context))
    html = engine.get_template("email/parts/footer.html").render(Context(context))
    return text, html


def digest_subject(organisation, count: int) -> str:
    return fit_subject(
        _("[%(organisation)s] Your daily digest: %(count)d messages")
        % {"organisation": organisation.name, "count": count}
    )


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
