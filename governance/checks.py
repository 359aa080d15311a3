"""System checks of the project's own conventions, run by `manage.py check` and by the suite
(tests/governance/test_hardening_single_line.py, tests/governance/test_hardening_input_limits.py).

single_line_text: every single-line text input of our apps refuses line breaks and control
characters through `governance.text.single_line` (see that module for why). It reads three places
where text comes in: model CharFields (the admin, ModelForms and ModelSerializers apply their
validators), the CharFields declared on our forms, and those declared on our serializers. A field
is left alone when it cannot hold free text of one line: it has choices; it is an email, URL, slug
or similar field whose own validator already refuses control characters; it is not editable or
read-only; it is multi-line by declaration (a Textarea, or a serializer field with
`style=MULTI_LINE`); it is a password; or it is named in EXEMPT with the reason.

sane_dates: every date or datetime field declared on our forms and serializers refuses a date
outside the sane window through `governance.dates.sane_date` (see that module). Model columns a
person sets are SaneDateField/SaneDateTimeField; the others (created_at…) are written by services.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models
from rest_framework import serializers

from governance.dates import sane_date
from governance.text import single_line

# "app_label.Model.field" or "module.Class.field": why it may hold what single_line refuses.
ANSWER_ONLY = "the shape of an answer, never read from a request"
EXEMPT = {
    "governance.User.password": "a password hash, written by set_password(), never shown",
    "governance.api.schema.ErrorSerializer.detail": ANSWER_ONLY,
    "governance.api.serializers.EventTypeSerializer.label": ANSWER_ONLY,
    "governance.api.serializers.EventTypeSerializer.verbs": ANSWER_ONLY,
    "proposals.api.TallyKindSerializer.label": ANSWER_ONLY,
    "elections.api.CountSerializer.name": ANSWER_ONLY,
    "elections.api.TieSerializer.names": ANSWER_ONLY,
}

_OWN_VALIDATION_MODEL = (models.EmailField, models.URLField, models.SlugField, models.GenericIPAddressField)
_OWN_VALIDATION_FORM = (
    forms.EmailField,
    forms.URLField,
    forms.SlugField,
    forms.UUIDField,
    forms.GenericIPAddressField,
    forms.JSONField,
)
_OWN_VALIDATION_SERIALIZER = (
    serializers.EmailField,
    serializers.URLField,
    serializers.SlugField,
    serializers.IPAddressField,
)


def project_apps() -> list:
    """Our apps: those whose code lives in this repository, not in an installed package."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]


def _subclasses(cls) -> set:
    found, todo = set(), [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _ours(cls, packages: tuple[str, ...]) -> bool:
    return cls.__module__.split(".")[0] in packages


def _load_input_modules(packages: tuple[str, ...]) -> None:
    """Import every module that declares forms or serializers, so that their classes exist."""
    import_module(settings.ROOT_URLCONF)
    for package in packages:
        for name in ("forms", "api", "admin"):
            try:
                import_module(f"{package}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{package}.{name}":
                    raise


def _model_offenders(configs) -> list[str]:
    found = []
    for config in configs:
        for model in config.get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField) or not field.concrete:
                    continue
                label = f"{model._meta.label}.{field.name}"
                if field.choices or not field.editable or isinstance(field, _OWN_VALIDATION_MODEL):
                    continue
                if label not in EXEMPT and single_line not in field.validators:
                    found.append(label)
    return found


def _declared_form_fields(packages):
    """(label, field) for every field declared on a form class of our packages."""
    for form in sorted(_subclasses(forms.BaseForm), key=lambda c: (c.__module__, c.__qualname__)):
        if _ours(form, packages):
            for name, field in getattr(form, "declared_fields", {}).items():
                yield f"{form.__module__}.{form.__qualname__}.{name}", field


def _declared_serializer_fields(packages):
    """(label, field) for every field declared on a serializer class of our packages, and for the
    items of a list or dict field that is read from requests."""
    for serializer in sorted(_subclasses(serializers.BaseSerializer), key=lambda c: (c.__module__, c.__qualname__)):
        if _ours(serializer, packages):
            for name, declared in getattr(serializer, "_declared_fields", {}).items():
                for field in _serializer_fields(declared):
                    yield f"{serializer.__module__}.{serializer.__qualname__}.{name}", field


def _form_offenders(packages) -> list[str]:
    found = []
    for label, field in _declared_form_fields(packages):
        if not isinstance(field, forms.CharField) or isinstance(field, _OWN_VALIDATION_FORM) or field.disabled:
            continue
        if isinstance(field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput):
            continue
        if label not in EXEMPT and single_line not in field.validators:
            found.append(label)
    return found


def _serializer_fields(field):
    yield field
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field) and not field.read_only:
        yield from _serializer_fields(child)


def _serializer_offenders(packages) -> list[str]:
    found = []
    for label, field in _declared_serializer_fields(packages):
        if not isinstance(field, serializers.CharField) or isinstance(field, _OWN_VALIDATION_SERIALIZER):
            continue
        style = field.style or {}
        multi_line = style.get("base_template") == "textarea.html"
        if field.read_only or multi_line or style.get("input_type") == "password":
            continue
        if label not in EXEMPT and single_line not in field.validators:
            found.append(label)
    return found


def _our_packages() -> tuple[list, tuple[str, ...]]:
    configs = project_apps()
    packages = tuple(sorted({config.name.split(".")[0] for config in configs}))
    _load_input_modules(packages)
    return configs, packages


def single_line_offenders() -> list[str]:
    """Every single-line text input of our apps that does not refuse control characters."""
    configs, packages = _our_packages()
    return sorted(set(_model_offenders(configs) + _form_offenders(packages) + _serializer_offenders(packages)))


def _date_offenders(packages) -> list[str]:
    date_fields = forms.DateField | forms.DateTimeField | serializers.DateField | serializers.DateTimeField
    found = []
    for label, field in [*_declared_form_fields(packages), *_declared_serializer_fields(packages)]:
        if (
            not isinstance(field, date_fields)
            or getattr(field, "read_only", False)
            or getattr(field, "disabled", False)
        ):
            continue
        if label not in EXEMPT and sane_date not in field.validators:
            found.append(label)
    return found


def date_offenders() -> list[str]:
    """Every date input declared on our forms and serializers that accepts any date at all."""
    _, packages = _our_packages()
    return sorted(set(_date_offenders(packages)))


def check_single_line_text(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{label} takes single-line text but does not refuse line breaks and control characters.",
            hint="Use governance.text.SingleLineCharField on a model, validators=[single_line] on a form or "
            "serializer field; or declare it multi-line (a Textarea, style=MULTI_LINE) or exempt it in "
            "governance.checks.EXEMPT, saying why.",
            id="governance.E001",
        )
        for label in single_line_offenders()
    ]


def check_sane_dates(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{label} takes a date but accepts any, up to year 9999.",
            hint="Add validators=[sane_date] (governance.dates), or exempt it in governance.checks.EXEMPT, saying why.",
            id="governance.E002",
        )
        for label in date_offenders()
    ]
