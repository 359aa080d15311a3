"""Driving wrk and reading its report."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("cycle.lua")

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int = 0
    socket_errors: int = 0

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + self.socket_errors


def to_ms(text: str) -> float:
    """wrk's durations ("812.00us", "12.34ms", "1.02s", "2.00m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"Not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse(output: str) -> WrkResult:
    """Read the report wrk prints with --latency. Raises ValueError if it is not one."""
    requests = re.search(r"^\s*(\d+) requests in ([\d.]+\w+)", output, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50(?:\.000)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+(\S+)", output, re.M)
    if not (requests and rps and p50 and p99):
        raise ValueError(f"Not a wrk report with --latency:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests=int(requests[1]),
        seconds=to_ms(requests[2]) / 1000,
        rps=float(rps[1]),
        p50_ms=to_ms(p50[1]),
        p99_ms=to_ms(p99[1]),
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def command(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    header: str | None = None,
    values_file: Path | None = None,
    method: str = "GET",
    body: str | None = None,
    round_number: int = 0,
) -> list[str]:
    """The wrk command line. With a header and a file of values, every request carries the next
    value (bench/cycle.lua), so that each comes from another member."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if header:
        cmd += ["-s", str(SCRIPT), url, "--", str(values_file), header, str(threads), method]
        if body is not None:
            cmd += [body, str(round_number)]
    else:
        cmd.append(url)
    return cmd


def run(cmd: list[str]) -> WrkResult:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 -- wrk, our arguments
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
