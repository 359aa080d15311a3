"""Single-line text: the one place that says what a name, a title or a place may contain.

A circle's name, a meeting's title or place, a role's name… are one line. A line break in one breaks
what is built from it (an iCalendar line, an email subject, a CSV cell, a heading), and an invisible
control character (a NUL, an escape, a bidi override that shows "gpj.exe" as "exe.jpg") has no
business in a name anybody reads. So every single-line input refuses them, with one message:

- model fields: `SingleLineCharField` (a CharField with `single_line` among its validators), which the
  admin's and every ModelForm's full_clean(), the form fields it makes (fields_for_model) and DRF's
  ModelSerializers (they copy a model field's validators) apply;
- declared form and serializer fields: `validators=[single_line]`; a multi-line serializer field says
  so with `style=MULTI_LINE`, as DRF's own mapping of a TextField does (a form's says it with a Textarea);
- `governance.checks` fails `manage.py check` (and the suite) when a text field of our apps does neither.

What is refused: the C0 and C1 control characters (category Cc, with tab, CR, LF and NUL), the line
and paragraph separators (Zl, Zp) and the bidi embeddings, overrides and isolates. Other format
characters (category Cf) stay allowed: the zero-width joiner and non-joiner are part of how Persian,
Hindi or an emoji family are written. Leading and trailing whitespace is trimmed by Django's and DRF's
CharFields before this runs, so "Title\\n" from a pasted line becomes "Title" without an error.

`one_line` is the output side, for rows written before the validator existed: it folds what the
validator refuses into spaces.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_noop

# Kept in English here (tests compare with it); translated where it is raised.
MESSAGE = gettext_noop("Use a single line: this field cannot contain line breaks or control characters.")

# Cc is exactly U+0000–U+001F and U+007F–U+009F.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_REFUSED_RUN = re.compile(rf"\s*(?:{_REFUSED.pattern})+\s*")

# DRF's style for a multi-line text field (the browsable API shows a textarea; our check reads it).
MULTI_LINE = {"base_template": "textarea.html"}


def has_control_characters(value: str) -> bool:
    return _REFUSED.search(value) is not None


def single_line(value) -> None:
    """The validator: a line break or a control character is refused with MESSAGE."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(gettext(MESSAGE), code="single_line")


def one_line(value) -> str:
    """Text to show on one line: every run of refused characters becomes one space."""
    return _REFUSED_RUN.sub(" ", str(value)).strip()


class SingleLineCharField(models.CharField):
    """A CharField that refuses line breaks and control characters (see the module's docstring).

    Only the validator differs from a CharField, and a validator lives in Python, not in the
    database: so the field deconstructs as a plain CharField and migrations see no change (a new
    field class would make SQLite rebuild every table that has one, for nothing)."""

    default_validators = [single_line]

    def formfield(self, **kwargs):
        # A ModelForm would apply the validator anyway (full_clean), but a plain form built with
        # fields_for_model() would not: the form field carries it too.
        field = super().formfield(**kwargs)
        if single_line not in field.validators:
            field.validators.append(single_line)
        return field

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
