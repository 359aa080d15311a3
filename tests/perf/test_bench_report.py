"""docs/benchmarks.md keeps what other runs and people wrote (the Scale-out run's section, the notes),
and reports the single-request, memory and own-fields targets. No timing is asserted here."""

from bench import report, wrk
from bench.endpoints import REFERENCE

RESULTS = {
    "date": "2026-01-01 00:00 UTC",
    "machine": {
        "cpu": "A CPU", "nproc": 2, "memory_gb": 4.0, "postgresql": "15", "redis": "7", "python": "3.11",
        "django": "5.2", "load_before": 0.2,
    },
    "settings": {"data": "tiny", "workers": 2, "connections": 16, "threads": 2, "rounds": 3, "duration": 10},
}  # fmt: skip


def _rows(**rps):
    measured = {key: wrk.WrkResult(requests=1, seconds=1, rps=value, p50_ms=1, p99_ms=2) for key, value in rps.items()}
    return report.summarise([measured])


def test_the_scale_out_section_and_the_notes_are_kept_in_their_places():
    existing = "# Benchmarks\n\nold\n\n## Notes\n\nWhy the index.\n\n## Scale-out\n\nTwo servers: 0.95×.\n"
    text = report.document(
        {**RESULTS, "rows": _rows(**{REFERENCE: 100})},
        notes=report.kept_notes(existing),
        scale_out=report.kept_scale_out(existing),
    )
    assert report.kept_notes(existing) == "## Notes\n\nWhy the index.\n\n"
    assert "## Scale-out\n\nTwo servers: 0.95×." in text and "old" not in text
    assert text.index("## Targets") < text.index("## Scale-out") < text.index("## Notes")
    assert text.rstrip().endswith("Why the index.")


def test_single_requests_memory_and_own_fields_are_judged():
    results = {
        **RESULTS,
        "rows": _rows(**{REFERENCE: 100, "api-list": 95}),
        "single": {"api-list": 12.0, "health-page": 140.0},
        "queries": report.compare_queries({"health-page": 6}, {"health-page": 6}),
        "memory": [120.0, 160.0],
        "list_check": {"members": 60, "rows": 50, "wrong": 0, "from_cache": 59},
    }
    found = {target.split(":")[0]: met for target, _, met in report.targets(results)}
    assert found["Proposal list API, 50 per page (token)"] is True  # 0.95 >= 0.9
    assert found["Proposal list API, 50 per page (token), one request at a time"] is True
    assert found["Health dashboard, one request at a time"] is False  # 140 ms > 100 ms
    assert found["Peak memory per web worker"] is False  # one worker at 160 MB
    assert found["Proposal list API"] is True
    assert any("2000 rounds/s" in target for target, _, _ in report.targets({**results, "sweep": _sweep()}))


def _sweep():
    return {
        "proposals": 10, "closed": 10, "wrong_outcome": 0, "events_ok": True, "messages": 5,
        "messages_expected": 5, "closed_again": 0, "per_s": 2500.0, "seconds": 0.004,
    }  # fmt: skip
