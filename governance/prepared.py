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

What the function may do: build any queryset from its arguments that ends in `values_list()`
(tuples, or `flat=True`) or gives model instances (with `select_related()` and annotations as Django
gives them; not `prefetch_related()`, and not a related manager's queryset). Its SQL must not depend
on the values, and since it only ever sees markers it cannot branch on them; a set of ids must come
as a subquery, never a Python list (`__in=[...]` compiles to as many placeholders as the list has
items). A marker must reach the SQL unchanged, as the value of a lookup: arithmetic on it belongs
before the call (pass `until`, not `now + ahead` inside the function). Preparing builds it twice,
with two sets of markers, and checks that each marker is found and that nothing else in the SQL or
its parameters differs between the two; a mistake there fails at the first call, not quietly.

On PostgreSQL the SQL is also prepared on the server (`PREPARE`), once per connection, and each call
is an `EXECUTE` of it: the database then parses and plans it once, not at every call (planning was
most of the time these queries took: 0.2-0.3 ms each against 0.02 ms to run them). The first call on
a connection sends both in one round trip, so a call is always one query. Named statements live in
a server session, which PgBouncer's transaction pooling does not keep: there, set
PREPARED_STATEMENTS=false (docs/deploy.md) and each call sends its SQL as any query does. After five
calls the server may keep one generic plan for all values, made for the average row: a query whose
best plan depends on its values (a member's positions in a round of 100,000 positions and in one of
80) needs an index that serves every value (`position_history` is one), and `make bench` shows a
statement that went wrong so (a page far slower than its queries' custom plans).
"""

from __future__ import annotations

import hashlib
import inspect
import re
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import update_wrapper
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators

# One marker per argument and type: values no row of ours holds (ids are positive; our dates are
# after the year 1900), distinct from each other so that each one's places can be found.
_MARKER_INT_BASE = -7_391_000_000
_SUPPORTED = (int, datetime, date, str)
_BIGINT = (-(2**63), 2**63 - 1)


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
        value = int(value)
        if not _BIGINT[0] <= value <= _BIGINT[1]:
            # No key of ours is out of this range; the database would refuse it with an error.
            raise ValueError(f"{value} is out of range for an id")
        return value
    return str(value)


class _Compiled:
    __slots__ = ("compiler", "converters", "flat", "models", "name", "params", "places", "server_sql", "sql")

    def __init__(self, sql, params, places, compiler, converters, flat, models):
        self.sql = sql
        self.params = params
        self.places = places  # argument name -> indexes of its marker in params
        self.compiler = compiler
        self.converters = converters
        self.flat = flat
        self.models = models  # for model instances: what ModelIterable would read from the compiler
        # For PREPARE: the placeholders numbered ($1, $2…), "%%" kept for the driver's formatting.
        numbers = iter(range(1, len(params) + 1))
        self.server_sql = _PLACEHOLDER.sub(lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", sql)
        self.name = "gp_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
        _sql_by_name[self.name] = sql


_PLACEHOLDER = re.compile(r"%%|%s")
_EXECUTE = re.compile(r"(?:PREPARE|EXECUTE) (gp_[0-9a-f]{16})_\d+")
_sql_by_name: dict[str, str] = {}


def statement_sql(sql: str) -> str:
    """The SQL behind a query as the database log or a test's captured queries show it: an
    `EXECUTE gp_…` of a prepared statement is answered with the statement's own SQL."""
    found = _EXECUTE.match(sql)
    return _sql_by_name.get(found.group(1), sql) if found else sql


# The statements each server connection holds, by name, and a generation per connection: after a
# call that may have left its PREPARE done or not (an error), names of a new generation are used.
_on_server: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _server_side(connection) -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "PREPARED_STATEMENTS", True)


def _execute(cursor, connection, compiled: _Compiled, params: list) -> None:
    if not _server_side(connection):
        cursor.execute(compiled.sql, params)
        return
    raw = connection.connection
    state = _on_server.get(raw)
    if state is None:
        state = _on_server[raw] = [0, set()]
    name = f"{compiled.name}_{state[0]}"
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name in state[1]:
        cursor.execute(f"EXECUTE {name}{arguments}", params)
        return
    try:
        cursor.execute(f"PREPARE {name} AS {compiled.server_sql}; EXECUTE {name}{arguments}", params)
    except Exception:
        state[0] += 1
        state[1].clear()
        raise
    state[1].add(name)


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
        if queryset._iterable_class not in (ValuesListIterable, FlatValuesListIterable, ModelIterable):
            raise TypeError(f"{self._build.__qualname__} must return model instances or a values_list() queryset")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError(f"{self._build.__qualname__}: prefetch_related() and related managers are not prepared")
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
        missing = [argument for argument, found in places.items() if not found]
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
        models = None
        if queryset._iterable_class is ModelIterable:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [column[0].target.attname for column in select[start:end]]
            populators = get_related_populators(klass_info, select, alias)
            models = (klass_info["model"], start, end, init_list, populators, compiler.annotation_col_map)
        return _Compiled(sql, params, places, compiler, converters, flat, models)

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
            _execute(cursor, connection, compiled, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        if compiled.models is not None:
            return _instances(using, compiled.models, rows)
        if compiled.flat:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]


def _instances(using: str, models, rows) -> list:
    """The model instances of the rows, as django.db.models.query.ModelIterable makes them."""
    model, start, end, init_list, populators, annotations = models
    found = []
    for row in rows:
        obj = model.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in (annotations or {}).items():
            setattr(obj, name, row[position])
        found.append(obj)
    return found


def prepared(build: Callable[..., QuerySet]) -> Prepared:
    """Decorator: `build` becomes a query compiled once and run with each call's values."""
    return Prepared(build)
