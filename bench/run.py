"""python -m bench.run: the whole benchmark, in order.

1. Recreate two PostgreSQL databases (gov_bench, and gov_bench_tenth at a tenth of the size), migrate
   them and seed them with `manage.py seed_cooperative`.
2. Give many members a session cookie and an API token (bench.probe prepare).
3. Count SQL queries per measured request at both sizes, and time the big proposal's tally.
4. Serve the app with gunicorn (2 sync workers, DEBUG off, bench.settings, which adds the floors)
   and drive every endpoint of bench.endpoints with wrk, in interleaved rounds.
5. Check the positions posted, read the workers' peak memory, time the closing sweep.
6. Print the tables and write docs/benchmarks.md.

Every option has an environment variable, so that `make bench BENCH_DURATION=1 BENCH_ROUNDS=1`
gives a quick run while developing. DATABASE_URL names the PostgreSQL server (its database name is
ignored: the benchmark's own are created); REDIS_URL the Redis database for the cache and broker.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import report, wrk
from .endpoints import ENDPOINTS, SINGLE_TARGETS_MS, Endpoint

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
WORKERS = 2
# The seeding steps, each a manage.py command run with the size factor appended. The project's
# seeder is one command; an app whose data lives elsewhere adds its own command here.
SEED_COMMANDS = [["seed_cooperative", "--slug", "bench", "--scale"]]


def _env(name: str, default, cast=str):
    raw = os.environ.get(name)
    return default if raw in (None, "") else cast(raw)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=_env("BENCH_DURATION", 10.0, float), help="s per endpoint")
    parser.add_argument("--rounds", type=int, default=_env("BENCH_ROUNDS", 3, int))
    parser.add_argument("--connections", type=int, default=_env("BENCH_CONNECTIONS", 16, int))
    parser.add_argument("--threads", type=int, default=_env("BENCH_THREADS", 2, int), help="wrk threads")
    parser.add_argument("--warmup", type=float, default=_env("BENCH_WARMUP", 2.0, float), help="s per endpoint")
    parser.add_argument("--port", type=int, default=_env("BENCH_PORT", 0, int), help="0: any free port")
    parser.add_argument("--scale", type=float, default=_env("BENCH_SCALE", 1.0, float), help="size of the seeding")
    parser.add_argument("--sessions", type=int, default=500, help="members with a session cookie")
    parser.add_argument("--sweep", type=int, default=_env("BENCH_SWEEP", 10_000, int), help="rounds; 0 skips")
    parser.add_argument("--only", default=_env("BENCH_ONLY", ""), help="comma-separated endpoint keys to drive")
    parser.add_argument("--reuse", action="store_true", help="keep the databases of an earlier run (no seeding)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only split each endpoint's time between Python and SQL, in-process, on the last run's database",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", default=_env("BENCH_WRITE", "1") in ("0", "false", "no"))
    return parser.parse_args(argv)


# The machine --------------------------------------------------------------------------------------


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def describe_machine(database_url: str, redis_url: str) -> dict:
    import django
    import psycopg2
    import redis

    load = os.getloadavg()[0]
    nproc = len(os.sched_getaffinity(0))
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0].split()[0]
    connection.close()
    memory_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    machine = {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "nproc": nproc,
        "memory_gb": int(memory_kb) / 1024 / 1024 if memory_kb.isdigit() else 0.0,
        "postgresql": postgresql,
        "redis": redis.Redis.from_url(redis_url).info("server")["redis_version"],
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_before": load,
    }
    if load > 0.5:
        machine["shared_note"] = (
            "the machine was shared with other work at the time, so absolute numbers are lower and noisier "
            "than on a quiet machine; the ratios, taken within each round, hold better."
        )
    return machine


# Databases ----------------------------------------------------------------------------------------


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"The benchmark runs on PostgreSQL; DATABASE_URL is {parts.scheme}://…")
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(base: str, sql: str, database: str = "postgres") -> None:
    import psycopg2

    connection = psycopg2.connect(database_url(base, database))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def recreate(base: str, name: str) -> None:
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(base, f'CREATE DATABASE "{name}"')


class Django:
    """Runs manage.py and bench.probe against one database, with the benchmark's settings."""

    def __init__(self, url: str, redis_url: str, port: int, secret: str):
        self.url = url
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)  # noqa: S603 -- our own commands
        return time.perf_counter() - started

    def probe(self, *args: str) -> dict:
        done = subprocess.run(  # noqa: S603 -- our own commands
            [sys.executable, "-m", "bench.probe", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench.probe {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def seed(base: str, name: str, django: Django, scale: float) -> float:
    recreate(base, name)
    django.manage("migrate", "--noinput", "-v0")
    seconds = sum(django.manage(*command, str(scale)) for command in SEED_COMMANDS)
    # As autovacuum leaves a database in use: statistics, and the visibility map that lets an index
    # answer alone (a member's rounds from the eligible voters' index).
    _admin(base, "VACUUM ANALYZE", database=name)
    return seconds


# The server ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, django: Django, port: int):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"Port {port} is taken; choose another with --port or BENCH_PORT.")
        self.process = subprocess.Popen(  # noqa: S603 -- our own command
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.wsgi:application",
                f"--workers={WORKERS}",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{port}",
                "--backlog=2048",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env={**django.env, "ALLOWED_HOSTS": "127.0.0.1"},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ok(timeout=2)
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start; see its output above.") from None
                time.sleep(0.3)

    def ok(self, *, timeout: float) -> None:
        urllib.request.urlopen(f"{self.base}/bench/floor/ok/", timeout=timeout).read()  # noqa: S310 -- loopback

    def workers(self) -> list[int]:
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        return sorted(children)

    def peak_memory_mb(self) -> list[float]:
        peaks = []
        for pid in self.workers():
            kb = _first(f"/proc/{pid}/status", "VmHWM").split()[0]
            if kb.isdigit():
                peaks.append(int(kb) / 1024)
        return peaks

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a page that redirects to the login would be measuring the wrong thing


def credential(endpoint: Endpoint, files: dict[str, Path]) -> tuple[str, str, Path] | None:
    """(header, first value, file of values) for an endpoint that needs a member."""
    if endpoint.auth is None:
        return None
    if endpoint.auth == "session":
        header, path = "Cookie", files["session"]
    else:
        header, path = "Authorization", files["token" if endpoint.method == "GET" else "write"]
    return header, path.read_text().splitlines()[0], path


def smoke(server: Server, context: dict, files: dict[str, Path]) -> None:
    """Ask each endpoint once, as wrk will, and refuse to measure one that does not answer as expected."""
    opener = urllib.request.build_opener(_NoRedirect)
    for endpoint in ENDPOINTS:
        url = server.base + endpoint.url_path(context)
        headers = {}
        found = credential(endpoint, files)
        if found:
            headers[found[0]] = found[1]
        data = None
        if endpoint.body:
            data = (endpoint.body % "consent").encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=endpoint.method)  # noqa: S310 -- loopback
        try:
            status = opener.open(request, timeout=30).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != endpoint.expect:
            raise SystemExit(f"{endpoint.method} {url} answered {status}, not {endpoint.expect}; not measuring it.")


def settle(server: Server) -> None:
    """Wait until the workers have finished what the last wrk run left queued. A sync worker serves
    every request it accepted, even after wrk has hung up, and that tail would otherwise eat into
    the next endpoint's measurement. One request per worker returns only when each has got past it."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(lambda _: server.ok(timeout=120), range(WORKERS)))


def drive(server: Server, endpoint: Endpoint, context: dict, files, args, *, duration: float, round_number: int):
    found = credential(endpoint, files)
    cmd = wrk.command(
        server.base + endpoint.url_path(context),
        duration=duration,
        connections=args.connections,
        threads=args.threads,
        header=found[0] if found else None,
        values_file=found[2] if found else None,
        method=endpoint.method,
        body=endpoint.body,
        round_number=round_number,
    )
    result = wrk.run(cmd)
    settle(server)
    return result


def single_requests(server: Server, context: dict, files, args, endpoints) -> dict[str, float]:
    """The median of one request at a time (wrk with one connection), for the endpoints with a
    single-request target: what a person waits for when the server is not busy."""
    medians = {}
    for endpoint in endpoints:
        if endpoint.key not in SINGLE_TARGETS_MS:
            continue
        found = credential(endpoint, files)
        cmd = wrk.command(
            server.base + endpoint.url_path(context),
            duration=max(2.0, args.duration / 2),
            connections=1,
            threads=1,
            header=found[0] if found else None,
            values_file=found[2] if found else None,
        )
        medians[endpoint.key] = wrk.run(cmd).p50_ms
        settle(server)
        say(f"one at a time  {endpoint.key:<14} p50 {medians[endpoint.key]:7.1f} ms")
    return medians


# The run ------------------------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, flush=True)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit(
            "wrk is not installed. `make bench` installs it (Debian's package: `sudo apt-get install wrk`); "
            "elsewhere, build it from its sources and put it on PATH."
        )
    args.port = args.port or free_port()
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    machine = describe_machine(database_url(base, "postgres"), redis_url)
    secret = secrets.token_urlsafe(50)
    full = Django(database_url(base, "gov_bench"), redis_url, args.port, secret)
    tenth = Django(database_url(base, "gov_bench_tenth"), redis_url, args.port, secret)
    endpoints = [e for e in ENDPOINTS if not args.only or e.key in args.only.split(",") or e.floor]
    if args.profile:
        found = full.probe("profile", "--only", args.only)
        for key, split in found.items():
            say(f"{key:<15} {split}")
        return found
    results: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine}

    if not args.reuse:
        say("Seeding (full size, then a tenth)…")
        results["seeding"] = [
            ("the full cooperative", seed(base, "gov_bench", full, args.scale)),
            ("a tenth", seed(base, "gov_bench_tenth", tenth, args.scale / 10)),
        ]
        full.manage("collectstatic", "--noinput", "-v0")
    say("Preparing sessions and tokens…")
    WORK.mkdir(parents=True, exist_ok=True)
    prepared = full.probe("prepare", str(WORK), "--sessions", str(args.sessions))
    context = {k: v for k, v in prepared.items() if k not in ("sessions", "tokens")}
    files = {"session": WORK / "cookies.txt", "token": WORK / "tokens.txt", "write": WORK / "write-tokens.txt"}
    results["data"] = full.probe("context")

    say("Counting queries at full size and at a tenth…")
    counted_full, counted_tenth = full.probe("queries"), tenth.probe("queries")
    results["query_member"] = "a member on the measured circle's roster, not an admin"
    results["queries"] = report.compare_queries(counted_full["counts"], counted_tenth["counts"])
    say(report.queries_table(results["queries"]))
    say("Checking the list's own fields against the database…")
    results["list_check"] = full.probe("list-check")
    say(json.dumps(results["list_check"]))
    say("Timing the tally…")
    results["tally"] = full.probe("tally")
    say(json.dumps(results["tally"]))

    say(f"Serving on 127.0.0.1:{args.port} with gunicorn ({WORKERS} sync workers)…")
    posts_since = datetime.now(UTC)
    server = Server(full, args.port)
    try:
        smoke(server, context, files)
        if args.warmup > 0:
            for endpoint in endpoints:
                # Round 1's kind, so that round 0 then changes the positions the warm-up posted.
                drive(server, endpoint, context, files, args, duration=args.warmup, round_number=1)
        rounds = []
        for number in range(args.rounds):
            measured = {}
            for endpoint in endpoints:
                result = drive(server, endpoint, context, files, args, duration=args.duration, round_number=number)
                measured[endpoint.key] = result
                say(
                    f"round {number + 1}/{args.rounds}  {endpoint.key:<14} {result.rps:8.0f} req/s  "
                    f"p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  errors {result.errors}"
                )
            rounds.append(measured)
        results["single"] = single_requests(server, context, files, args, endpoints)
        results["memory"] = server.peak_memory_mb()
    finally:
        server.stop()
    results["rows"] = report.summarise(rounds)
    if any(e.key == "position-post" for e in endpoints):
        results["positions"] = full.probe("check-positions", posts_since.isoformat())
    if args.sweep:
        say(f"Closing sweep over {args.sweep} rounds made due at once, in one call…")
        results["sweep_call"] = full.probe("sweep", "--proposals", str(args.sweep), "--by", "call")
        say(json.dumps(results["sweep_call"]))
        say(f"…and by a sweeps worker's processes, over {args.sweep} rounds more…")
        results["sweep"] = full.probe("sweep", "--proposals", str(args.sweep), "--by", "worker")
    results["settings"] = {
        "workers": WORKERS,
        "connections": args.connections,
        "threads": args.threads,
        "rounds": args.rounds,
        "duration": args.duration,
        "data": describe_data(results["data"]),
    }

    say("")
    say(report.throughput_table(results["rows"]))
    say("")
    say(report.targets_table(report.targets(results)))
    (WORK / "results.json").write_text(json.dumps(results, default=lambda o: o.__dict__, indent=2))
    if not args.no_write:
        existing = args.output.read_text() if args.output.exists() else ""
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(
            report.document(results, notes=report.kept_notes(existing), scale_out=report.kept_scale_out(existing))
        )
        say(f"\nWritten to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}.")
    return results


def describe_data(inventory: dict) -> str:
    sizes = inventory.get("sizes", {})
    return (
        ", ".join(f"{count:,} {name}" for name, count in sizes.items())
        + "; the same seeded at a tenth of the size for the query counts"
    )


if __name__ == "__main__":
    main()
