"""The benchmark's results as tables: printed, and written to docs/benchmarks.md."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .endpoints import (
    ENDPOINTS,
    FLAT_QUERIES,
    MEMORY_TARGET_MB,
    P99_TARGETS_MS,
    RATIO_TARGETS,
    REFERENCE,
    SINGLE_TARGETS_MS,
    SWEEP_TARGET_PER_S,
    TALLY_TARGET_MS,
    ZERO_ERRORS,
)
from .wrk import WrkResult

NOTES_HEADING = "## Notes"
# Written by hand or by another run (the scale-out run appends its own), and kept from one run to the
# next like the notes.
SCALE_OUT_HEADING = "## Scale-out"


@dataclass
class Row:
    key: str
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    ratio: float | None


def summarise(rounds: list[dict[str, WrkResult]]) -> list[Row]:
    """One row per endpoint: medians over the rounds, errors summed, and the median of the ratios
    to the reference measured in the same round (a ratio within a round survives the machine's
    swings from one minute to the next; absolute numbers do not)."""
    rows = []
    for endpoint in ENDPOINTS:
        results = [r[endpoint.key] for r in rounds if endpoint.key in r]
        if not results:
            continue
        ratios = [
            r[endpoint.key].rps / r[REFERENCE].rps
            for r in rounds
            if endpoint.key in r and REFERENCE in r and r[REFERENCE].rps
        ]
        rows.append(
            Row(
                key=endpoint.key,
                label=endpoint.label,
                rps=statistics.median(x.rps for x in results),
                p50_ms=statistics.median(x.p50_ms for x in results),
                p99_ms=statistics.median(x.p99_ms for x in results),
                errors=sum(x.errors for x in results),
                ratio=statistics.median(ratios) if ratios else None,
            )
        )
    return rows


def compare_queries(full: dict[str, int], tenth: dict[str, int]) -> list[tuple[str, int | None, int | None, bool]]:
    """(endpoint, queries at full size, at a tenth, equal?) for every measured endpoint."""
    return [(e.key, full.get(e.key), tenth.get(e.key), full.get(e.key) == tenth.get(e.key)) for e in ENDPOINTS]


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def throughput_table(rows: list[Row]) -> str:
    return _table(
        ["Endpoint", "Requests/s", "p50 ms", "p99 ms", "Errors", "× bare DRF list"],
        [
            [
                row.label,
                f"{row.rps:.0f}",
                f"{row.p50_ms:.1f}",
                f"{row.p99_ms:.1f}",
                row.errors,
                "1.00 (reference)" if row.key == REFERENCE else (f"{row.ratio:.2f}" if row.ratio is not None else "–"),
            ]
            for row in rows
        ],
    )


def queries_table(comparison) -> str:
    labels = {e.key: e.label for e in ENDPOINTS}
    return _table(
        ["Endpoint", "Queries (full size)", "Queries (a tenth)", "Equal"],
        [[labels[key], full, tenth, "yes" if same else "**NO**"] for key, full, tenth, same in comparison],
    )


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for each target of the issue. None: not measured."""
    rows = {row.key: row for row in results.get("rows", [])}
    found = []
    for key, ratio in RATIO_TARGETS.items():
        row = rows.get(key)
        label = next(e.label for e in ENDPOINTS if e.key == key)
        want = [f"≥ {ratio}× the bare DRF list"]
        met = None
        measured = "not measured"
        if row is not None and row.ratio is not None:
            met = row.ratio >= ratio
            measured = f"{row.ratio:.2f}×"
            if key in P99_TARGETS_MS:
                want.append(f"p99 < {P99_TARGETS_MS[key]:.0f} ms")
                met = met and row.p99_ms < P99_TARGETS_MS[key]
                measured += f", p99 {row.p99_ms:.1f} ms"
            if key in ZERO_ERRORS:
                want.append("0 errors")
                met = met and row.errors == 0
                measured += f", {row.errors} errors"
        if key == "position-post" and results.get("positions"):
            check = results["positions"]
            want.append("one current position per member who posted")
            ok = check["members_not_one_current"] == 0 and check["tally_equals_recount"]
            met = (met if met is not None else True) and ok
            measured += (
                f"; {check['members_posted']} members posted, "
                f"{check['members_not_one_current']} without exactly one current position, "
                f"tally {'equals' if check['tally_equals_recount'] else 'DIFFERS FROM'} a recount"
            )
        found.append((f"{label}: {', '.join(want)}", measured, met))
    found += _single_and_flat_targets(results)
    comparison = results.get("queries")
    if comparison:
        unequal = [key for key, _, _, same in comparison if not same]
        found.append(
            (
                "Query counts equal at full size and a tenth, for every measured page and list",
                "equal" if not unequal else "different: " + ", ".join(unequal),
                not unequal,
            )
        )
    sweep = results.get("sweep")
    if sweep:
        one_each = (
            sweep["closed"] == sweep["proposals"]
            and sweep["wrong_outcome"] == 0
            and sweep["events_ok"]
            and sweep["messages"] == sweep["messages_expected"]
            and sweep["closed_again"] == 0
        )
        call = results.get("sweep_call")
        by_call = f"; in one call, one process: {call['per_s']:.0f}/s" if call else ""
        found.append(
            (
                f"Closing sweep: ≥ {SWEEP_TARGET_PER_S:.0f} rounds/s, exactly one outcome each",
                f"{sweep['per_s']:.0f}/s by a sweeps worker of {sweep.get('processes', 1)} processes "
                f"({sweep['closed']:,} in {sweep['seconds']:.2f} s){by_call}; "
                + ("one outcome, event and message set each" if one_each else "CHECK FAILED"),
                sweep["per_s"] >= SWEEP_TARGET_PER_S and one_each,
            )
        )
    memory = results.get("memory")
    if memory:
        found.append(
            (
                f"Peak memory per web worker: ≤ {MEMORY_TARGET_MB:.0f} MB",
                ", ".join(f"{mb:.0f} MB" for mb in memory),
                max(memory) <= MEMORY_TARGET_MB,
            )
        )
    check = results.get("list_check")
    if check:
        found.append(
            (
                "Proposal list API: each caller's own fields (eligible, responded) exact when the shared part "
                "comes from the cache",
                f"{check['members']} members × {check['rows']} rows compared with the database: "
                f"{check['wrong']} wrong ({check['from_cache']} of the {check['members']} answers from the cache)",
                check["wrong"] == 0 and check["members"] > 0,
            )
        )
    tally = results.get("tally")
    if tally:
        found.append(
            (
                f"Tally of 100,000 positions: < {TALLY_TARGET_MS:.0f} ms, equal to a recount",
                f"{tally['stored_ms']:.2f} ms (a recount: {tally['recount_ms']:.1f} ms); "
                + ("equal" if tally["equal"] else "NOT EQUAL"),
                tally["stored_ms"] < TALLY_TARGET_MS and tally["equal"],
            )
        )
    return found


def _single_and_flat_targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """One request at a time: the median under the target; for the reports, also a query count that
    does not grow with the data."""
    single = results.get("single") or {}
    queries = {key: (full, tenth) for key, full, tenth, _ in results.get("queries") or []}
    found = []
    for key, limit in SINGLE_TARGETS_MS.items():
        label = next(e.label for e in ENDPOINTS if e.key == key)
        want = [f"median ≤ {limit:g} ms"]
        measured, met = "not measured", None
        if key in single:
            measured = f"{single[key]:.1f} ms"
            met = single[key] <= limit
        if key in FLAT_QUERIES:
            want.append("query count flat")
            full, tenth = queries.get(key, (None, None))
            if full is not None:
                measured += f"; {full} queries (a tenth: {tenth})"
                met = (met if met is not None else True) and full == tenth
        found.append((f"{label}, one request at a time: {', '.join(want)}", measured, met))
    return found


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "–"}[met]


def targets_table(found) -> str:
    return _table(["Target", "Measured", ""], [[target, measured, _mark(met)] for target, measured, met in found])


def document(results: dict, notes: str = "", scale_out: str = "") -> str:
    """docs/benchmarks.md. `notes` (the file's own Notes section) and `scale_out` (the scale-out run's
    section) are kept from one run to the next."""
    machine = results["machine"]
    settings = results["settings"]
    parts = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` (`python -m bench.run`) on {results['date']}. Regenerate it when "
        "performance work lands; the Scale-out and Notes sections at the end are kept.",
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}, {machine['nproc']} cores; memory {machine['memory_gb']:.1f} GB",
        f"- PostgreSQL {machine['postgresql']}; Redis {machine['redis']}; Python {machine['python']}; "
        f"Django {machine['django']}",
        f"- Load average before the run: {machine['load_before']:.2f}"
        + (f" — {machine['shared_note']}" if machine.get("shared_note") else ""),
        "",
        "## How it was measured",
        "",
        f"- Data: {settings['data']}",
        f"- gunicorn, {settings['workers']} sync workers, `DEBUG` off, on loopback; wrk with "
        f"{settings['connections']} connections on {settings['threads']} threads, "
        f"{settings['rounds']} interleaved rounds of {settings['duration']:g} s per endpoint "
        "(every endpoint once per round).",
        "- Pages use a member's session cookie and the API a member's bearer token, another member on each "
        "request; the position POST cycles through every eligible member's token.",
        "- Requests/s and latencies are medians over the rounds; errors (non-2xx/3xx answers and socket "
        "errors) are summed; the ratio is the median of each round's ratio to the bare DRF list measured "
        "in that same round.",
        "",
        "## Throughput and latency",
        "",
        throughput_table(results["rows"]),
        "",
    ]
    if results.get("queries"):
        parts += ["## SQL queries per request", "", queries_table(results["queries"]), ""]
        parts += [f"Counted for {results.get('query_member', 'one member')}, the second of two requests.", ""]
    extra = []
    for key, how in (
        ("sweep_call", "in one call of `proposals_close_due()`, one process"),
        (
            "sweep",
            "by a Celery worker on the sweeps queue, sent the closing sweep beat sends, which shares "
            "the backlog with the worker's other processes (`SWEEP_PROCESSES`)",
        ),
    ):
        s = results.get(key)
        if not s:
            continue
        outcomes = ", ".join(f"{n:,} {outcome.replace('_', ' ')}" for outcome, n in sorted(s["outcomes"].items()))
        extra.append(
            f"- Closing sweep {how}: {s['closed']:,} rounds due at once (circles of {s['circle_size']}, batches "
            f"of {s['batch']}, {s.get('processes', 1)} process(es)) closed in {s['seconds']:.2f} s, "
            f"**{s['per_s']:.0f} proposals/s** ({outcomes}); "
            f"a second sweep closed {s['closed_again']}; {s['messages']:,} messages queued "
            f"({s['messages_expected']:,} expected), "
            + ("one 'proposal.closed' event each." if s["events_ok"] else "**not one 'proposal.closed' event each**.")
        )
    if results.get("tally"):
        t = results["tally"]
        extra.append(
            f"- Tally of the proposal with {t['positions']:,} positions ({t['current']:,} current): "
            f"**{t['stored_ms']:.2f} ms** (stored tally read and shaped); a recount of the rows takes "
            f"{t['recount_ms']:.1f} ms and {'equals' if t['equal'] else 'DIFFERS FROM'} it."
        )
    if results.get("single"):
        extra.append(
            "- One request at a time (wrk, 1 connection), median: "
            + "; ".join(f"{_label(key)} {ms:.1f} ms" for key, ms in results["single"].items())
            + "."
        )
    if results.get("memory"):
        extra.append(
            "- Peak memory (VmHWM) of the gunicorn workers: "
            + ", ".join(f"{mb:.0f} MB" for mb in results["memory"])
            + "."
        )
    if results.get("positions"):
        p = results["positions"]
        extra.append(
            f"- After the POST rounds: {p['positions_written']:,} positions written by {p['members_posted']:,} "
            f"members; {p['members_not_one_current']} of them without exactly one current position; the "
            f"tally {'equals' if p['tally_equals_recount'] else 'DIFFERS FROM'} a recount."
        )
    if results.get("seeding"):
        extra.append(
            "- Seeding: " + "; ".join(f"{name} in {seconds:.0f} s" for name, seconds in results["seeding"]) + "."
        )
    if extra:
        parts += ["## Also measured", "", *extra, ""]
    parts += ["## Targets", "", targets_table(targets(results)), ""]
    text = "\n".join(parts)
    for section in (scale_out, notes):
        if section:
            text += "\n" + section.strip() + "\n"
    return text


def _label(key: str) -> str:
    return next(e.label for e in ENDPOINTS if e.key == key)


def kept_section(existing: str, heading: str) -> str:
    """One section of an existing docs/benchmarks.md (its heading up to the next `## ` heading), to
    carry over."""
    start = existing.find(f"\n{heading}\n")
    if start < 0:
        return ""
    end = existing.find("\n## ", start + len(heading) + 2)
    return existing[start + 1 : end + 1 if end >= 0 else len(existing)]


def kept_notes(existing: str) -> str:
    """The Notes section of an existing docs/benchmarks.md, to carry over."""
    return kept_section(existing, NOTES_HEADING)


def kept_scale_out(existing: str) -> str:
    """The Scale-out section of an existing docs/benchmarks.md (written by the scale-out run)."""
    return kept_section(existing, SCALE_OUT_HEADING)
