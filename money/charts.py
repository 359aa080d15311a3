"""Server-rendered SVG bar charts (no script, no CDN), always shown above the table they draw."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

BAR_HEIGHT = 10
ROW_GAP = 10
LABEL_WIDTH = 0  # labels sit above the bars, so the chart fits a 390 px screen
WIDTH = 300

SERIES = (
    ("budgeted", "chart-budgeted"),
    ("committed", "chart-committed"),
    ("paid", "chart-paid"),
)
# The key under each chart and each bar's tooltip name the series in the reader's language.
SERIES_LABELS = {
    "budgeted": _("budgeted"),
    "committed": _("committed"),
    "paid": _("paid"),
}


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    css: str
    value: Decimal
    series: str
    currency: str = ""


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    bars: list


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rows: list
    series: tuple


def bar_chart(rows, *, series=SERIES) -> Chart:
    """Rows with the attributes named in `series` become groups of horizontal bars, scaled to the
    largest value; the template draws them as <rect>s with classes (the CSP allows no style="")."""
    largest = max((getattr(row, name) for row in rows for name, _css in series), default=Decimal(0))
    chart_rows, y = [], 0
    for row in rows:
        label_y = y + 12
        y += 16
        bars = []
        for name, css in series:
            value = getattr(row, name)
            width = int(WIDTH * value / largest) if largest > 0 and value > 0 else 0
            bars.append(
                Bar(
                    y=y,
                    width=max(width, 1 if value > 0 else 0),
                    css=css,
                    value=value,
                    series=SERIES_LABELS[name],
                    currency=getattr(row, "currency", ""),
                )
            )
            y += BAR_HEIGHT + 2
        chart_rows.append(ChartRow(label=_label(row), y=label_y, bars=bars))
        y += ROW_GAP
    keys = tuple((SERIES_LABELS[name], css) for name, css in series)
    return Chart(width=WIDTH, height=max(y, 20), rows=chart_rows, series=keys)


def _label(row) -> str:
    period = getattr(row, "period", None)
    if period and not isinstance(period, tuple):
        return f"{row.label or '—'} · {period:%Y-%m}"
    return row.label or "—"
