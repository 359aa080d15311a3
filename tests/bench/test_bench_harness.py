"""The benchmark harness reads wrk's report, summarises rounds and judges targets. No timing here:
wall-clock times are reported by `make bench`, never asserted by the test suite."""

import pytest

from bench import report, wrk
from bench.endpoints import ENDPOINTS, REFERENCE

REPORT = """\
Running 10s test @ http://127.0.0.1:8765/api/v1/proposals/?page_size=50
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.19ms   12.04ms 170.33ms   81.39%
    Req/Sec   131.12     21.56   180.00     70.50%
  Latency Distribution
     50%   59.07ms
     75%   65.71ms
     90%   74.23ms
     99%  112.40ms
  2614 requests in 10.01s, 24.77MB read
Requests/sec:    261.14
Transfer/sec:      2.47MB
"""

REPORT_WITH_ERRORS = """\
Running 1s test @ http://127.0.0.1:8765/api/v1/proposals/1/positions/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.02s    2.00m    90.00%
    Req/Sec    10.00      2.00    12.00     70.00%
  Latency Distribution
     50%  812.00us
     75%    1.02s
     90%    1.50s
     99%    2.00m
  40 requests in 1.00s, 10.00KB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 7
Requests/sec:     39.90
Transfer/sec:     10.00KB
"""


def test_it_reads_requests_per_second_and_latency_percentiles_from_a_wrk_report():
    result = wrk.parse(REPORT)
    assert result.requests == 2614
    assert result.seconds == pytest.approx(10.01)
    assert result.rps == pytest.approx(261.14)
    assert result.p50_ms == pytest.approx(59.07)
    assert result.p99_ms == pytest.approx(112.40)
    assert result.errors == 0


def test_it_counts_non_2xx_answers_and_socket_errors_as_errors_and_converts_every_unit():
    result = wrk.parse(REPORT_WITH_ERRORS)
    assert result.non_2xx_3xx == 7
    assert result.socket_errors == 1 + 2 + 3 + 4
    assert result.errors == 17
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(120_000)


def test_it_refuses_output_that_is_not_a_wrk_report_with_latencies():
    with pytest.raises(ValueError, match="Not a wrk report"):
        wrk.parse("unable to connect to 127.0.0.1:8765 Connection refused\n")
    with pytest.raises(ValueError, match="Not a wrk duration"):
        wrk.to_ms("12 parsecs")


def test_a_member_per_request_goes_through_the_cycling_script_with_its_body_and_round():
    cmd = wrk.command(
        "http://127.0.0.1:1/api/v1/proposals/1/positions/",
        duration=1,
        connections=16,
        threads=2,
        header="Authorization",
        values_file="tokens.txt",
        method="POST",
        body='{"kind": "%s"}',
        round_number=2,
    )
    assert cmd[:5] == ["wrk", "-t2", "-c16", "-d1s", "--latency"]
    assert cmd[cmd.index("-s") + 1].endswith("bench/cycle.lua")
    assert cmd[cmd.index("--") + 1 :] == ["tokens.txt", "Authorization", "2", "POST", '{"kind": "%s"}', "2"]
    assert "-s" not in wrk.command("http://127.0.0.1:1/bench/floor/ok/", duration=1, connections=1, threads=1)


def _round(**rps):
    return {key: wrk.WrkResult(requests=1, seconds=1, rps=value, p50_ms=1, p99_ms=2) for key, value in rps.items()}


def test_ratios_are_taken_within_each_round_then_the_median_over_rounds():
    rounds = [
        _round(**{REFERENCE: 400, "api-list": 240}),  # 0.60
        _round(**{REFERENCE: 200, "api-list": 100}),  # 0.50: the machine slowed down for the whole round
        _round(**{REFERENCE: 300, "api-list": 210}),  # 0.70
    ]
    rows = {row.key: row for row in report.summarise(rounds)}
    assert rows["api-list"].ratio == pytest.approx(0.60)
    assert rows["api-list"].rps == 210  # the median, like the latencies
    assert rows[REFERENCE].ratio == pytest.approx(1.0)


def test_a_missed_ratio_and_a_query_count_that_grows_are_reported_as_missed():
    rows = report.summarise([_round(**{REFERENCE: 400, "api-list": 100, "proposal-page": 200})])
    comparison = report.compare_queries({"api-list": 4, "proposal-page": 12}, {"api-list": 4, "proposal-page": 11})
    found = {target.split(":")[0]: met for target, _, met in report.targets({"rows": rows, "queries": comparison})}
    labels = {e.key: e.label for e in ENDPOINTS}
    assert found[labels["api-list"]] is False  # 0.25 < 0.5
    assert found[labels["proposal-page"]] is True  # 0.5 >= 0.25, p99 2 ms
    assert found["Query counts equal at full size and a tenth, for every measured page and list"] is False
    assert "**NO**" in report.queries_table(comparison)


def test_the_written_document_keeps_its_hand_written_notes():
    existing = "# Benchmarks\n\nold table\n\n## Notes\n\nThe list query needed an index.\n"
    notes = report.kept_notes(existing)
    results = {
        "date": "2026-01-01 00:00 UTC",
        "machine": {
            "cpu": "A CPU",
            "nproc": 2,
            "memory_gb": 4.0,
            "postgresql": "15",
            "redis": "7",
            "python": "3.11",
            "django": "5.2",
            "load_before": 3.0,
            "shared_note": "the machine was shared",
        },
        "settings": {"data": "tiny", "workers": 2, "connections": 16, "threads": 2, "rounds": 3, "duration": 10},
        "rows": report.summarise([_round(**{REFERENCE: 400, "api-list": 240})]),
    }
    text = report.document(results, notes=notes)
    assert text.startswith("# Benchmarks")
    assert "the machine was shared" in text
    assert text.rstrip().endswith("## Notes\n\nThe list query needed an index.")
    assert "old table" not in text
