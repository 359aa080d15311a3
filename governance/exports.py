"""Spreadsheet exports. Every CSV the site serves is written here, each cell through `csv_cell`.

A spreadsheet opening a CSV runs a cell that starts like a formula (CSV or formula injection):
`=HYPERLINK(…)` in a proposal's title becomes a link to click in the treasurer's copy of the
decision log. OWASP's guidance: no cell may begin with `=`, `+`, `-`, `@`, a tab or a carriage
return; a single quote in front makes the spreadsheet show the cell as text. We add the line feed and
NUL, the full-width forms of the four signs (some spreadsheets read `＝` as `=`), and look past leading
spaces (which some importers trim). Every cell is also quoted, so that a separator inside a value
(a `;` where the spreadsheet's locale splits on it) cannot start a new cell that begins with a sign.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = frozenset("=+-@\t\r\n\x00＝＋－＠")


def csv_cell(value) -> str:
    """One cell, safe to open in a spreadsheet. Numbers we computed pass as they are (a count or a
    weight is never a formula, and `-1` must stay a number); any text is defused."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text[:1] in FORMULA_STARTS or text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


class SafeWriter:
    """csv.writer's interface; every cell goes through `csv_cell` and every cell is quoted."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream) -> SafeWriter:
    return SafeWriter(stream)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download: the header, then the rows, every cell defused."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
