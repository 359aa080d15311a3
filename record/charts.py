"""Charts drawn on the server as SVG: no script, no style attribute (the CSP), each with a title and
a description for screen readers, and always shown next to the table it draws."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, BAR_GAP, LABEL_H = 640, 4, 34


def _num(value) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def bar_chart(
    *, title: str, description: str, labels: list[str], series: list[tuple[str, str, list]], height: int = 180
) -> SafeString:
    """Stacked vertical bars: `series` is [(name, css class, values)], one value per label."""
    count = max(len(labels), 1)
    totals = [sum(_num(values[i]) for _, _, values in series) for i in range(len(labels))]
    top = max([*totals, 1.0])
    plot_h = height - LABEL_H
    step = WIDTH / count
    bar_w = max(step - BAR_GAP, 1)
    rects = []
    for i, label in enumerate(labels):
        x = i * step + BAR_GAP / 2
        y = plot_h
        for name, css, values in series:
            value = _num(values[i])
            if value <= 0:
                continue
            h = value / top * (plot_h - 14)
            y -= h
            rects.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {} {}</title></rect>',
                    css,
                    _n(x),
                    _n(y),
                    _n(bar_w),
                    _n(h),
                    label,
                    values[i],
                    name,
                )
            )
        if totals[i]:
            rects.append(
                format_html(
                    '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(x + bar_w / 2),
                    _n(y - 3),
                    _fmt(totals[i]),
                )
            )
        rects.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x + bar_w / 2),
                height - 14,
                label,
            )
        )
    legend = format_html_join(
        "",
        '<text class="chart-legend {}" x="{}" y="{}">■ {}</text>',
        ((css, 8 + n * 140, height - 1, name) for n, (name, css, _) in enumerate(series)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" focusable="false">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        '<line class="chart-axis" x1="0" y1="{}" x2="{}" y2="{}"></line>{}{}</svg>',
        WIDTH,
        height,
        _id(title),
        _id(title),
        _id(title),
        title,
        _id(title),
        description,
        _n(plot_h),
        WIDTH,
        _n(plot_h),
        mark_safe("".join(rects)),  # noqa: S308 -- each piece went through format_html
        legend,
    )


def hbar_chart(*, title: str, description: str, rows: list[tuple[str, object, bool]], mark=None) -> SafeString:
    """Horizontal bars, one per (label, value, flagged) row; `mark` draws a threshold line."""
    row_h, label_w = 22, 170
    height = max(len(rows), 1) * row_h + 8
    top = max([_num(v) for _, v, _ in rows] + [_num(mark) if mark is not None else 0, 1.0])
    plot_w = WIDTH - label_w - 50
    parts = []
    for i, (label, value, flagged) in enumerate(rows):
        y = 4 + i * row_h
        w = _num(value) / top * plot_w
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                label_w - 6,
                y + 15,
                label[:26],
                "bar-flag" if flagged else "bar-a",
                label_w,
                y + 2,
                _n(w),
                row_h - 6,
                label,
                value,
                _n(label_w + w + 4),
                y + 15,
                _fmt(_num(value)),
            )
        )
    if mark is not None:
        x = label_w + _num(mark) / top * plot_w
        parts.append(
            format_html('<line class="chart-mark" x1="{}" y1="0" x2="{}" y2="{}"></line>', _n(x), _n(x), height)
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" focusable="false">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH,
        height,
        _id(title),
        _id(title),
        _id(title),
        title,
        _id(title),
        description,
        mark_safe("".join(parts)),  # noqa: S308 -- each piece went through format_html
    )


def _n(value) -> str:
    """A coordinate as text (format_html escapes its arguments, so numbers are formatted first)."""
    return f"{float(value):.1f}"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]
