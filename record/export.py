"""Exports of the record as a zip of JSON and CSV files, streamed: the whole organisation (for its
admins) or one member's own data (for that member). docs/export.md describes the files.

The tables are read from the app registry: every model of every app of this project (not Django's
or a library's), so a new app's tables are in the export without anyone listing them. Each table's
rows are those that lead to the organisation through its foreign keys (found once, by walking them).

Left out, always: secrets (passwords, token and key hashes, webhook secrets) and the body of queued
emails (which may hold a one-time link). In an anonymous round, a position's member and times are
blanked: the export must not reveal who took which position any more than a page does.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from functools import cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.checks import project_apps
from governance.exports import csv_writer
from governance.models import Member, Organisation, User

EXCLUDED_APPS = {"project"}
MAX_DEPTH = 4
SECRET_NAMES = ("password", "secret")
# Per table, columns never exported (the rest of the row is).
DROPPED = {"governance.notification": {"body"}}


def _is_secret(name: str) -> bool:
    return name.endswith("_hash") or any(part in name for part in SECRET_NAMES)


def governance_models() -> list[type[models.Model]]:
    """Every model of this project's own apps, in app then model order."""
    found = []
    for config in project_apps():
        if config.label not in EXCLUDED_APPS:
            found.extend(m for m in config.get_models() if not m._meta.proxy)
    return found


@cache
def organisation_path(model) -> str | None:
    """The lookup from a row of `model` to its organisation's id ("proposal__organisation"), by the
    shortest walk along foreign keys; None if there is none."""
    if model is Organisation:
        return "pk"
    if model is User:
        return "memberships__organisation"
    frontier: list[tuple[type, str]] = [(model, "")]
    for _ in range(MAX_DEPTH):
        following = []
        for current, prefix in frontier:
            fks = [f for f in current._meta.concrete_fields if isinstance(f, models.ForeignKey)]
            fks.sort(key=lambda f: (f.name != "organisation", f.null, f.name))
            for field in fks:
                target = field.related_model
                path = f"{prefix}{field.name}"
                if target is Organisation:
                    return path
                if target is not User and target is not current:
                    following.append((target, f"{path}__"))
        frontier = following
    return None


def columns(model) -> list[str]:
    label = model._meta.label_lower
    dropped = DROPPED.get(label, set())
    return [f.attname for f in model._meta.concrete_fields if not _is_secret(f.name) and f.name not in dropped]


def rows_of(model, organisation: Organisation):
    path = organisation_path(model)
    if path is None:
        return model._default_manager.none()
    lookup = {path: organisation.pk} if path != "pk" else {"pk": organisation.pk}
    return (
        model._default_manager.filter(**lookup).distinct()
        if "memberships" in path
        else model._default_manager.filter(**lookup)
    )


def _values(queryset, model):
    cols = columns(model)
    if model._meta.label_lower == "proposals.position":
        for row in queryset.order_by("pk").values(*cols, "proposal__anonymous").iterator(chunk_size=2000):
            if row.pop("proposal__anonymous"):
                row.update(member_id=None, created_at=None, retired_at=None)
            yield row
        return
    yield from queryset.order_by("pk").values(*cols).iterator(chunk_size=2000)


class _Sink(io.RawIOBase):
    """Where the zip is written: it keeps what was written until the stream takes it."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self):
        return True

    def write(self, b):
        self.chunks.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def stream_zip(tables: list[tuple[str, list[str], object]], *, manifest: dict) -> Iterator[bytes]:
    """Yield the zip's bytes as it is written: for each (name, columns, rows), name.json and name.csv.
    A zip is written one entry at a time, so each table's CSV is gathered while its JSON is written
    and follows it."""
    sink = _Sink()
    zf = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
    counts = {}
    for name, cols, rows in tables:
        counts[name] = 0
        csv_lines = io.StringIO()
        writer = csv_writer(csv_lines)
        writer.writerow(cols)
        with zf.open(f"{name}.json", "w", force_zip64=True) as entry:
            entry.write(b"[")
            for row in rows:
                if counts[name]:
                    entry.write(b",\n")
                entry.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
                writer.writerow(
                    [row.get(c) if not isinstance(row.get(c), dict | list) else json.dumps(row.get(c)) for c in cols]
                )
                counts[name] += 1
                if counts[name] % 500 == 0:
                    yield sink.take()
            entry.write(b"]\n")
        yield sink.take()
        with zf.open(f"{name}.csv", "w", force_zip64=True) as entry:
            entry.write(csv_lines.getvalue().encode())
        yield sink.take()
    manifest = {**manifest, "tables": {name: {"rows": counts[name], "columns": cols} for name, cols, _ in tables}}
    zf.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2))
    zf.close()
    yield sink.take()


def organisation_tables(organisation: Organisation) -> list[tuple[str, list[str], object]]:
    tables = []
    for model in governance_models():
        if organisation_path(model) is None:
            continue
        cols = columns(model)
        if model is User:
            cols = ["id", "email", "name", "date_joined", "is_active"]
            tables.append((_name(model), cols, rows_of(model, organisation).order_by("pk").values(*cols).iterator()))
            continue
        tables.append((_name(model), cols, _values(rows_of(model, organisation), model)))
    return tables


def member_tables(member: Member) -> list[tuple[str, list[str], object]]:
    """The member's own data: their account, their membership, and every row of every table that
    names them (as author, voter, holder, owner, actor…)."""
    user_cols = ["id", "email", "name", "date_joined"]
    tables = [("governance/user", user_cols, User.objects.filter(pk=member.user_id).values(*user_cols).iterator())]
    for model in governance_models():
        if model is User:
            continue
        fks = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model in (Member, User)
        ]
        condition = Q()
        for f in fks:
            condition |= Q(**{f.name: member if f.related_model is Member else member.user})
        if model is Member:
            condition = Q(pk=member.pk)
        if not fks and model is not Member:
            continue
        queryset = model._default_manager.filter(condition)
        cols = columns(model)
        tables.append((_name(model), cols, queryset.order_by("pk").values(*cols).iterator(chunk_size=2000)))
    return tables


def _name(model) -> str:
    return f"{model._meta.app_label}/{model._meta.model_name}"


def organisation_export(organisation: Organisation) -> Iterator[bytes]:
    manifest = {"organisation": organisation.slug, "exported_at": timezone.now(), "kind": "organisation"}
    return stream_zip(organisation_tables(organisation), manifest=manifest)


def member_export(member: Member) -> Iterator[bytes]:
    manifest = {
        "organisation": member.organisation.slug,
        "member": member.pk,
        "exported_at": timezone.now(),
        "kind": "member",
    }
    return stream_zip(member_tables(member), manifest=manifest)
