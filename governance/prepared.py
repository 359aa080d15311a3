"""Queries compiled once per process and run again with each call's values.

Django turns a queryset into SQL each time it is evaluated. For the small, fixed queries a page runs
for its viewer (each source of their inbox, say), building and compiling the queryset costs several
times what the database takes to answer: measured on the benchmark's database, the inbox's ten
queries took 19 ms in the ORM, of which the SQL itself was under 4 ms.

A prepared query is written once as a function whose arguments are the values that change from call
to call, annotated with their types:

    @prepared
    def terms_ending(member_id: int, now: datetime, until: datetime):
        return RoleAssignment.objects.filter(member_id=member_id, ...).values_list("pk", "role__name")

    rows = terms_ending(member_id=member.pk, now=now, until=now + ahead)

The function is called once per database with a marker for each argument (a value no real row
holds), and the queryset it returns is compiled. Each call then puts its own values where the
markers are in the parameters, runs the same SQL through Django's cursor (so it is counted, logged
and wrapped as any query is) and converts the rows as Django would have.

What the function may do: build any queryset that ends in `values_list()` (tuples, or `flat=True`)
from its arguments. Its SQL must not depend on the values, and since it only ever sees markers it
cannot branch on them; a set of ids must come as a subquery, never a Python list (`__in=[...]`
compiles to as many placeholders as the list has items). A marker must reach the SQL unchanged, as
the value of a lookup: arithmetic on it belongs before the call (pass `until`, not `now + ahead`
inside the function). Preparing checks that each marker is found, and that no parameter could be
mistaken for one; a mistake there fails at the first call, not quietly.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import update_wrapper
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesListIterable

# One marker per argument and type: values no row of ours holds (ids are positive; our dates are
# after the year 1900), distinct from each other so that each one's places can be found.
_MARKER_INT_BASE = -7_391_000_000
_SUPPORTED = (int, datetime, date, str)


def _marker(kind: type, n: int):
    if kind is int:
        return _MARKER_INT_BASE - n
    if kind is datetime:
        return datetime(1001, 1, 1, 0, 0, n, 7391, tzinfo=UTC)
    if kind is date:
        return date(1001, 1, 1 + n)
    return f"\x00prepared-marker-{n}\x00"


def _adapt(connection, kind: type, value):
    """The value as Django passes it to the driver for a field of that type."""
    if kind is datetime:
        if value.tzinfo is None:
            raise ValueError("a prepared query takes aware datetimes")
        return connection.ops.adapt_datetimefield_value(value)
    if kind is date:
        return connection.ops.adapt_datefield_value(value)
    if kind is int:
        return int(value)
    return str(value)


class _Compiled:
    __slots__ = ("compiler", "converters", "flat", "params", "places", "sql")

    def __init__(self, sql, params, places, compiler, converters, flat):
        self.sql = sql
        self.params = params
        self.places = places  # argument name -> indexes of its marker in params
        self.compiler = compiler
        self.converters = converters
        self.flat = flat


class Prepared:
    """A query function compiled once per database connection alias (see the module's doc)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        signature = inspect.signature(build, eval_str=True)
        self._kinds: dict[str, type] = {}
        for name, parameter in signature.parameters.items():
            if parameter.annotation not in _SUPPORTED:
                raise TypeError(f"{build.__qualname__}: argument {name!r} must be annotated int, datetime, date or str")
            self._kinds[name] = parameter.annotation
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()
        update_wrapper(self, build)

    def queryset(self, **values) -> QuerySet:
        """The queryset itself, built with these values: what the prepared SQL must equal."""
        return self._build(**values)

    def _compile(self, alias: str, n: int):
        markers = {name: _marker(kind, n + i) for i, (name, kind) in enumerate(self._kinds.items())}
        queryset = self._build(**markers)
        if queryset._iterable_class not in (ValuesListIterable, FlatValuesListIterable):
            raise TypeError(f"{self._build.__qualname__} must return a values_list() queryset")
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            raise ValueError(
                f"{self._build.__qualname__} matches nothing for its markers: its SQL follows the values "
                "(a list of ids, or a test on an argument?)"
            ) from None
        connection = connections[alias]
        adapted = {name: _adapt(connection, self._kinds[name], marker) for name, marker in markers.items()}
        places: dict[str, list[int]] = {name: [] for name in markers}
        for index, param in enumerate(params):
            for name, value in adapted.items():
                if type(param) is type(value) and param == value:
                    places[name].append(index)
        return queryset, compiler, sql, list(params), places

    def _prepare(self, alias: str) -> _Compiled:
        queryset, compiler, sql, params, places = self._compile(alias, 0)
        name = self._build.__qualname__
        missing = [name for name, found in places.items() if not found]
        if missing:
            raise ValueError(
                f"{name}: {', '.join(missing)} did not reach the SQL as a parameter "
                "(a value computed from it inside the function, or not used?)"
            )
        # Compiled again with other markers, the SQL and every other parameter must be the same: a
        # shape that follows the values, or a parameter taken from elsewhere (the clock, read by a
        # manager's method), would otherwise be kept from the first call for every later one.
        _queryset, _compiler, sql_again, params_again, places_again = self._compile(alias, 17)
        marked = {index for indexes in places.values() for index in indexes}
        if (
            sql_again != sql
            or len(params_again) != len(params)
            or places_again != places
            or any(a != b for index, (a, b) in enumerate(zip(params, params_again, strict=True)) if index not in marked)
        ):
            raise ValueError(
                f"{name}: its SQL or a parameter other than its arguments changes from one build to the next "
                "(a list of ids, or the clock read inside it? pass the moment as an argument)"
            )
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        flat = queryset._iterable_class is FlatValuesListIterable
        return _Compiled(sql, params, places, compiler, converters, flat)

    def compiled(self, using: str = "default") -> _Compiled:
        key = (using, connections[using].vendor)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key)
                if found is None:
                    found = self._compiled[key] = self._prepare(using)
        return found

    def __call__(self, using: str = "default", **values) -> list[Any]:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"{self._build.__qualname__} takes {', '.join(self._kinds)}; given {', '.join(values)}")
        compiled = self.compiled(using)
        connection = connections[using]
        params = list(compiled.params)
        for name, indexes in compiled.places.items():
            value = _adapt(connection, self._kinds[name], values[name])
            for index in indexes:
                params[index] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        if compiled.flat:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]


def prepared(build: Callable[..., QuerySet]) -> Prepared:
    """Decorator: `build` becomes a query compiled once and run with each call's values."""
    return Prepared(build)
