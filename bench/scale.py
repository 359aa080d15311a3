"""python -m bench.scale: the scale-out run (`make bench-scale`), and the closing sweep timed alone.

    python -m bench.scale run        two web servers behind HAProxy, two Celery workers and two beat
                                     schedulers, on PostgreSQL and Redis; writes "## Scale-out" in
                                     docs/benchmarks.md (the rest of the file is left as it is)
    python -m bench.scale sweep      the closing sweep alone, on a fresh database

What the run shows, each from what the processes did rather than from what they were told:

1. Sessions, login limits and API rate limits are shared between the servers: a login made on one
   server is honoured by the other; failed logins counted on both servers together lock an address
   out of both; a member's API requests on both servers count against one limit.
2. The list API and the bare DRF list, each through the balancer and on one server alone.
3. 10,000 rounds made due at once and closed by the beat's sweeps on the two workers together,
   with exactly one outcome, one event and one set of messages each, while two beat schedulers run:
   what both send twice is shared out by the row locks, never done twice.
4. No email sent twice (one file per message, one per outbox row sent) and no webhook delivered
   twice (the receiver counts each event's Webhook-Id).

It uses databases of its own (gov_scale_web, gov_scale_sweep), Redis databases 10 (cache) and 11
(broker), and ports 8300-8399, so that `make bench` can run beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django

from . import wrk
from .run import ROOT, Django, database_url, describe_machine, recreate

WORK = ROOT / "var" / "scale"
WEB_DATABASE, SWEEP_DATABASE = "gov_scale_web", "gov_scale_sweep"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/"
CACHE_REDIS_DB, BROKER_REDIS_DB = 10, 11
BALANCER_PORT, SERVER_PORTS, RECEIVER_PORT = 8300, (8301, 8302), 8310
SERVER_WORKERS = 2  # gunicorn sync workers per server
WORKER_CONCURRENCY = 2  # processes per Celery worker
API_RATE = 60  # requests a minute per member, for the run (the project's default is 1,200)
LOGIN_FAILURES_ALLOWED = 5  # LOGIN_RATE_LIMIT's "5/5m/key": failed logins per address
SECTION = "## Scale-out"
SWEEP_SLUG = "scale-sweep"


def say(text: str) -> None:
    print(text, flush=True)


def load_average() -> str:
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


def redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return base.rsplit("/", 1)[0] + f"/{db}"


def _base_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


class Inside(Django):
    """manage.py, bench.probe and this module's own commands inside Django, against one database."""

    def scale(self, *args: str) -> dict:
        done = subprocess.run(  # noqa: S603 -- our own commands
            [sys.executable, "-m", "bench.scale", "inside", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench.scale inside {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


# Inside Django --------------------------------------------------------------------------------


def seed_due(*, proposals: int, receiver: str, circle_size: int = 12, circles: int = 20) -> dict:
    """An organisation with `proposals` open rounds (as bench.probe's sweep seeds them) and a webhook
    for 'proposal.closed' to the receiver, every round made due a minute ago."""
    from django.utils import timezone

    from governance.integrations.webhooks import webhook_create
    from governance.models import Member
    from project.seed import Size, seed_cooperative
    from proposals.models import Proposal

    members = circle_size * circles // 3
    size = Size(
        members=members,
        circles=circles + 1,
        roles=circles + 1,
        proposals=proposals,
        open_proposals=proposals,
        positions=proposals * circle_size // 2,
        big_proposal_positions=members,
        comments=0,
    )
    organisation = seed_cooperative(slug=SWEEP_SLUG, size=size)
    admin = Member.objects.filter(organisation=organisation, is_admin=True).order_by("pk").first()
    webhook_create(organisation=organisation, by=admin, url=receiver, event_types=["proposal.closed"])
    Proposal.objects.filter(organisation=organisation).update(closes_at=timezone.now() - timedelta(minutes=1))
    return {"slug": organisation.slug, "proposals": proposals}


def closed_check(*, slug: str = SWEEP_SLUG) -> dict:
    """How many of the organisation's rounds are closed, and whether each has exactly one outcome
    (the rule's), one 'proposal.closed' event, one message per eligible voter and proposer, and one
    webhook delivery."""
    from django.db.models import Count

    from governance.models import Event, Notification, WebhookDelivery
    from proposals.models import EligibleVoter, Proposal
    from proposals.services import outcome_of

    rounds = Proposal.objects.filter(organisation__slug=slug)
    ids = list(rounds.values_list("pk", flat=True))
    closed = rounds.filter(state="closed").count()
    wrong = sum(
        1
        for p in rounds.only("state", "outcome", "tally", "method", "quorum_percent", "eligible_weight", "threshold")
        if p.state != "closed" or not p.outcome or p.outcome != outcome_of(p)
    )
    events = Counter(
        dict(
            Event.objects.filter(verb="proposal.closed", object_type="proposal", object_id__in=ids)
            .values_list("object_id")
            .annotate(n=Count("id"))
        )
    )
    recipients: dict[int, set[int]] = {pk: {user} for pk, user in rounds.values_list("pk", "author__user_id")}
    for pk, user in EligibleVoter.objects.filter(proposal__organisation__slug=slug).values_list(
        "proposal_id", "member__user_id"
    ):
        recipients[pk].add(user)
    messages = Notification.objects.filter(kind="proposal_closed", organisation__slug=slug)
    deliveries = WebhookDelivery.objects.filter(endpoint__organisation__slug=slug)
    return {
        "rounds": len(ids),
        "closed": closed,
        "wrong_outcome": wrong,
        "events_one_each": len(events) == len(ids) and set(events.values()) == {1},
        "messages": messages.count(),
        "messages_expected": sum(len(users) for users in recipients.values()),
        "messages_sent": messages.filter(sent_at__isnull=False).count(),
        "messages_sent_more_than_once": messages.filter(sent_at__isnull=False, attempts__gt=1).count(),
        "deliveries": deliveries.count(),
        "deliveries_done": deliveries.filter(status="delivered").count(),
        "outcomes": dict(rounds.values_list("outcome").annotate(n=Count("id"))),
    }


def inside(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale inside")
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed-due")
    seed_parser.add_argument("--proposals", type=int, default=10_000)
    seed_parser.add_argument("--receiver", required=True)
    commands.add_parser("closed")
    args = parser.parse_args(argv)
    django.setup()
    if args.command == "seed-due":
        result = seed_due(proposals=args.proposals, receiver=args.receiver)
    else:
        result = closed_check()
    sys.stdout.write(json.dumps(result, default=str) + "\n")


# Processes ------------------------------------------------------------------------------------


class Processes:
    """Every process the run starts, stopped (by its own id) when the run ends."""

    def __init__(self):
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
        with open(log, "wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        self.started.append((name, process))
        return process

    def stop(self) -> None:
        for _, process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for name, process in reversed(self.started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in 30 s; killing it.")
                process.kill()


def wait_http(url: str, *, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 -- loopback
            return
        except (OSError, urllib.error.URLError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer; see the logs in {WORK}.") from None
            time.sleep(0.3)


HAPROXY_CONFIG = """global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-server-close
frontend web
    bind 127.0.0.1:{balancer}
    default_backend servers
backend servers
    balance roundrobin
    option httpchk GET /bench/floor/ok/
{servers}
"""


def haproxy_config(path: Path) -> Path:
    servers = "\n".join(f"    server web{n} 127.0.0.1:{port} check" for n, port in enumerate(SERVER_PORTS, 1))
    path.write_text(HAPROXY_CONFIG.format(balancer=BALANCER_PORT, servers=servers))
    return path


class WebhookReceiver:
    """Counts the webhook deliveries it receives, by their Webhook-Id (the event's id)."""

    def __init__(self, port: int):
        self.ids: Counter = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.ids[self.headers.get("Webhook-Id")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}/hooks/scale"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def counts(self) -> dict:
        with self.lock:
            return {"received": sum(self.ids.values()), "events": len(self.ids)}


# Shared state across the servers --------------------------------------------------------------


class Browser:
    """A client of one server at a time, with its own cookies (and no redirects followed). It keeps
    cookies whatever their Secure flag: TLS ends at the balancer in production, plain HTTP here."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, port: int, path: str, *, data: dict | None = None, headers=None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # The site's own name, as the balancer passes it on to whichever server it picks (allauth
        # counts failed logins per site and address).
        headers = {"Host": f"127.0.0.1:{BALANCER_PORT}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return response.status, response.read().decode(errors="replace")

    def login(self, port: int, email: str, password: str) -> int:
        """Log in on this server as the login page does; the status of the POST (302 when it worked)."""
        self.request(port, "/accounts/login/")
        status, _ = self.request(
            port,
            "/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
        )
        return status


def shared_state(members: list[str], password: str, token: str) -> dict:
    """Sessions, login limits and API limits, each tried across the two servers."""
    one, two = SERVER_PORTS
    results = {}

    # A session made on one server is honoured by the other.
    browser = Browser()
    logged_in = browser.login(one, members[0], password)
    on_two, _ = browser.request(two, "/api/v1/me/inbox/")
    anonymous, _ = Browser().request(two, "/api/v1/me/inbox/")
    results["session"] = {"login_on_1": logged_in, "inbox_on_2": on_two, "inbox_on_2_anonymous": anonymous}

    # Failed logins counted on both servers together: after the allowed number, split between the
    # servers, the right password is refused on either; one failure fewer and it is accepted.
    def failures_then_login(email: str, failures: int) -> int:
        for n in range(failures):
            Browser().login((one, two)[n % 2], email, "not-the-password")
        return Browser().login(two, email, password)

    results["login_limit"] = {
        "failures_allowed": LOGIN_FAILURES_ALLOWED,
        "after_allowed_failures": failures_then_login(members[1], LOGIN_FAILURES_ALLOWED),
        "after_one_fewer": failures_then_login(members[2], LOGIN_FAILURES_ALLOWED - 1),
    }

    # One member's API requests on both servers count against one limit.
    statuses = Counter()
    for n in range(API_RATE):
        status, _ = Browser().request((one, two)[n % 2], "/api/v1/me/inbox/", headers={"Authorization": token})
        statuses[status] += 1
    after = [Browser().request(port, "/api/v1/me/inbox/", headers={"Authorization": token})[0] for port in (one, two)]
    results["api_limit"] = {
        "rate_per_minute": API_RATE,
        "first_requests_alternating": dict(statuses),
        "next_on_1": after[0],
        "next_on_2": after[1],
    }
    return results


# The list API through the balancer ------------------------------------------------------------


def list_ratio(tokens: Path, *, duration: float, rounds: int) -> dict:
    """The list API against the bare DRF list, through the balancer and on one server alone, in
    interleaved rounds (the ratio is taken within each round, then its median)."""
    targets = {
        "balanced": BALANCER_PORT,
        "one server": SERVER_PORTS[0],
    }
    found: dict[str, dict[str, list]] = {name: {"api": [], "drf": []} for name in targets}
    for number in range(rounds):
        for name, port in targets.items():
            base = f"http://127.0.0.1:{port}"
            for key, path in (("drf", "/bench/floor/drf/"), ("api", "/api/v1/proposals/?page_size=50")):
                header = ("Authorization", tokens) if key == "api" else (None, None)
                cmd = wrk.command(
                    base + path,
                    duration=duration,
                    connections=16,
                    threads=2,
                    header=header[0],
                    values_file=header[1],
                    round_number=number,
                )
                result = wrk.run(cmd)
                found[name][key].append(result)
                say(
                    f"round {number + 1}/{rounds} {name:<10} {key:<3} {result.rps:7.0f} req/s  "
                    f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  errors {result.errors}"
                )
    summary = {}
    for name, by_key in found.items():
        ratios = sorted(a.rps / d.rps for a, d in zip(by_key["api"], by_key["drf"], strict=True) if d.rps)
        summary[name] = {
            "api_rps": round(_median([r.rps for r in by_key["api"]])),
            "drf_rps": round(_median([r.rps for r in by_key["drf"]])),
            "api_p50_ms": round(_median([r.p50_ms for r in by_key["api"]]), 1),
            "api_p99_ms": round(_median([r.p99_ms for r in by_key["api"]]), 1),
            "errors": sum(r.errors for r in by_key["api"] + by_key["drf"]),
            "ratio": round(_median(ratios), 2) if ratios else None,
        }
    return summary


def _median(values: list[float]) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


# The run --------------------------------------------------------------------------------------


def environment(url: str, secret: str) -> dict:
    """What every process of the run is started with: the benchmark's settings, our databases."""
    return {
        **Inside(url, redis_url(CACHE_REDIS_DB), BALANCER_PORT, secret).env,
        "CELERY_BROKER_URL": redis_url(BROKER_REDIS_DB),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "API_USER_RATE": f"{API_RATE}/min",
        "ACCOUNT_EMAIL_VERIFICATION": "none",
        # The limit per address (the key) is what is shown; every login here comes from one IP.
        "LOGIN_RATE_LIMIT": f"100/m/ip,{LOGIN_FAILURES_ALLOWED}/5m/key",
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        # django-environ reads the path after filemail:// relative to the working directory (ROOT).
        "EMAIL_URL": f"filemail:///{(WORK / 'mail').relative_to(ROOT)}",
        "LOG_LEVEL": "INFO",
    }


def flush_redis() -> None:
    import redis

    for db in (CACHE_REDIS_DB, BROKER_REDIS_DB):
        client = redis.Redis.from_url(redis_url(db))
        client.flushdb()
        client.close()


def run(args) -> dict:
    if not shutil.which("haproxy"):
        raise SystemExit("HAProxy is not installed; `make bench-scale` installs it (the Debian package `haproxy`).")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed; `make bench-scale` installs it (the Debian package `wrk`).")
    base = _base_url()
    secret = secrets.token_urlsafe(50)
    url = database_url(base, WEB_DATABASE)
    env = environment(url, secret)
    inside_ = Inside(url, redis_url(CACHE_REDIS_DB), BALANCER_PORT, secret)
    inside_.env = env
    if WORK.exists():
        shutil.rmtree(WORK)
    (WORK / "mail").mkdir(parents=True)
    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": describe_machine(database_url(base, "postgres"), redis_url(CACHE_REDIS_DB)),
        "load_before": load_average(),
    }
    say(f"Load average: {results['load_before']}")
    say(f"Seeding {WEB_DATABASE} (scale {args.scale}) and {args.proposals:,} due rounds…")
    recreate(base, WEB_DATABASE)
    inside_.manage("migrate", "--noinput", "-v0")
    inside_.manage("seed_cooperative", "--slug", "bench", "--scale", str(args.scale))
    inside_.manage("collectstatic", "--noinput", "-v0")
    flush_redis()
    receiver = WebhookReceiver(RECEIVER_PORT)
    due = inside_.scale("seed-due", "--proposals", str(args.proposals), "--receiver", receiver.url)
    prepared = inside_.probe("prepare", str(WORK), "--sessions", "10")
    members = [json.loads(line)["email"] for line in _member_lines(inside_)]
    processes = Processes()
    try:
        say(f"Starting two servers (gunicorn, {SERVER_WORKERS} sync workers each) and HAProxy on {BALANCER_PORT}…")
        for n, port in enumerate(SERVER_PORTS, 1):
            server = processes.start(
                f"web{n}",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "bench.wsgi:application",
                    f"--workers={SERVER_WORKERS}",
                    f"--bind=127.0.0.1:{port}",
                    "--backlog=2048",
                    "--timeout=120",
                    "--log-level=warning",
                ],
                env={**env, "SITE_URL": f"http://127.0.0.1:{BALANCER_PORT}"},
                log=WORK / f"web{n}.log",
            )
            wait_http(f"http://127.0.0.1:{port}/bench/floor/ok/", process=server)
        balancer = processes.start(
            "haproxy",
            ["haproxy", "-db", "-f", str(haproxy_config(WORK / "haproxy.cfg"))],
            env=env,
            log=WORK / "haproxy.log",
        )
        wait_http(f"http://127.0.0.1:{BALANCER_PORT}/bench/floor/ok/", process=balancer)

        say("Sessions, login limits and API limits across the two servers…")
        token = (WORK / "tokens.txt").read_text().splitlines()[0]
        results["shared"] = shared_state(members, "bench-password", token)
        say(json.dumps(results["shared"]))

        say("The list API and the bare DRF list, through the balancer and on one server…")
        # Other members' tokens than the one just limited (tokens.txt: a line per member).
        tokens = WORK / "list-tokens.txt"
        tokens.write_text("\n".join((WORK / "tokens.txt").read_text().splitlines()[1:]) + "\n")
        results["list"] = list_ratio(tokens, duration=args.duration, rounds=args.rounds)
        results["list_load"] = load_average()

        say("Starting two Celery workers and two beat schedulers; the beats' first sweep comes within a minute…")
        started = time.monotonic()
        for n in (1, 2):
            processes.start(
                f"worker{n}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "project",
                    "worker",
                    "-Q",
                    "sweeps,email,webhooks",
                    f"--concurrency={WORKER_CONCURRENCY}",
                    "-n",
                    f"scale{n}@%h",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env=env,
                log=WORK / f"worker{n}.log",
            )
            processes.start(
                f"beat{n}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "project",
                    "beat",
                    "--loglevel=INFO",
                    "-s",
                    str(WORK / f"beat{n}-schedule"),
                    "--pidfile",
                    str(WORK / f"beat{n}.pid"),
                ],
                env=env,
                log=WORK / f"beat{n}.log",
            )
        results["sweep"] = watch_closing(inside_, due["proposals"], started=started, timeout=args.sweep_timeout)
        say(json.dumps(results["sweep"]))
        say(f"Letting the workers deliver for up to {args.deliver_seconds:.0f} s…")
        results["delivery"] = watch_delivery(inside_, receiver, seconds=args.deliver_seconds)
        say(json.dumps(results["delivery"]))
    finally:
        processes.stop()
    results["delivery"].update(delivered(inside_.url, receiver))
    receiver.server.shutdown()
    say(json.dumps(results["delivery"]))
    results["beats"] = beat_sends()
    results["workers"] = worker_sweeps()
    results["load_after"] = load_average()
    results["settings"] = {
        "servers": len(SERVER_PORTS),
        "server_workers": SERVER_WORKERS,
        "workers": 2,
        "worker_concurrency": WORKER_CONCURRENCY,
        "beats": 2,
        "rounds": args.rounds,
        "duration": args.duration,
        "scale": args.scale,
        "prepared_tokens": prepared.get("tokens"),
    }
    (WORK / "results.json").write_text(json.dumps(results, indent=2, default=str))
    report(results, output=None if args.no_write else args.output)
    return results


def report(results: dict, *, output: Path | None) -> None:
    """Print the section; with an output, write it there and the figures into docs/deploy.md."""
    text = section(results)
    say("\n" + text)
    if output is not None:
        write_section(output, text)
        write_figures(ROOT / "docs" / "deploy.md", deploy_figures(results))
        say(f"Written to the {SECTION!r} section of {output} and the figures in docs/deploy.md.")


def _member_lines(inside_: Inside) -> list[str]:
    """Three ordinary members of the seeded cooperative, one JSON line each."""
    code = (
        "import django, json; django.setup()\n"
        "from governance.models import Member\n"
        "for m in Member.objects.filter(organisation__slug='bench', is_admin=False, status='active')"
        ".select_related('user').order_by('-pk')[:3]:\n"
        "    print(json.dumps({'email': m.user.email}))\n"
    )
    done = subprocess.run(  # noqa: S603 -- our own code
        [sys.executable, "-c", code], cwd=ROOT, env=inside_.env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()


def closed_count(url: str) -> int:
    """How many of the due rounds are closed: one light query, to poll with."""
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM proposals_proposal p JOIN governance_organisation o ON o.id = p.organisation_id "
            "WHERE o.slug = %s AND p.state = 'closed'",
            [SWEEP_SLUG],
        )
        count = cursor.fetchone()[0]
    connection.close()
    return count


def watch_closing(inside_: Inside, rounds: int, *, started: float, timeout: float) -> dict:
    """Poll until every due round is closed; the time from the first close seen to the last, then
    the full check of what was closed."""
    first = None
    while True:
        closed = closed_count(inside_.url)
        now = time.monotonic()
        if closed and first is None:
            first = now
        if closed >= rounds or now - started > timeout:
            break
        time.sleep(0.25)
    found = inside_.scale("closed")
    found["seconds_from_start_to_first_close"] = round((first or now) - started, 1)
    found["seconds_first_to_last_close"] = round(now - (first or now), 1)
    found["load_average"] = load_average()
    return found


DELIVERY_SQL = """
SELECT
    (SELECT count(*) FROM governance_notification n WHERE n.organisation_id = o.id AND n.kind = 'proposal_closed'),
    (SELECT count(*) FROM governance_notification n WHERE n.organisation_id = o.id AND n.kind = 'proposal_closed'
        AND n.sent_at IS NOT NULL),
    (SELECT count(*) FROM governance_notification n WHERE n.organisation_id = o.id AND n.kind = 'proposal_closed'
        AND n.sent_at IS NOT NULL AND n.attempts > 1),
    (SELECT count(*) FROM governance_webhookdelivery d JOIN governance_webhookendpoint e ON e.id = d.endpoint_id
        WHERE e.organisation_id = o.id),
    (SELECT count(*) FROM governance_webhookdelivery d JOIN governance_webhookendpoint e ON e.id = d.endpoint_id
        WHERE e.organisation_id = o.id AND d.status = 'delivered')
FROM governance_organisation o WHERE o.slug = %s
"""


def delivery_counts(url: str) -> dict:
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(DELIVERY_SQL, [SWEEP_SLUG])
        row = cursor.fetchone()
    connection.close()
    names = ("messages", "messages_sent", "messages_sent_more_than_once", "deliveries", "deliveries_done")
    return dict(zip(names, row, strict=True))


def watch_delivery(inside_: Inside, receiver: WebhookReceiver, *, seconds: float) -> dict:
    """Let the workers send for up to `seconds`; then count what was sent, and how often."""
    started = time.monotonic()
    while True:
        found = delivery_counts(inside_.url)
        done = found["messages_sent"] >= found["messages"] and found["deliveries_done"] >= found["deliveries"]
        if done or time.monotonic() - started > seconds:
            break
        time.sleep(2)
    return {"seconds": round(time.monotonic() - started, 1), "load_average": load_average()}


MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what Django's file backend writes after each message


def delivered(url: str, receiver: WebhookReceiver) -> dict:
    """Once the workers have stopped: what the outbox says was sent against what reached the mail
    files (a file can hold several messages: the backend names it by the second and its own id), and
    the webhook deliveries recorded against the requests the receiver got."""
    hooks = receiver.counts()
    return {
        **delivery_counts(url),
        "mail_written": sum(path.read_bytes().count(MAIL_SEPARATOR) for path in (WORK / "mail").iterdir()),
        "webhooks_received": hooks["received"],
        "webhook_events_received": hooks["events"],
    }


def beat_sends() -> dict:
    """How many times each beat sent the closing sweep (each beat logs what it sends)."""
    return {
        f"beat{n}": (WORK / f"beat{n}.log").read_text().count("proposals.tasks.proposals_close_due") for n in (1, 2)
    }


SWEEP_DONE = re.compile(r"Task proposals\.tasks\.proposals_close_due\[[^\]]+\] succeeded in ([\d.]+)s: (\d+)")


def worker_sweeps() -> dict:
    """What each worker's closing sweeps did: Celery logs each task's result (the rounds it closed)
    and its time."""
    found = {}
    for n in (1, 2):
        runs = [(float(s), int(done)) for s, done in SWEEP_DONE.findall((WORK / f"worker{n}.log").read_text())]
        busy = [(s, done) for s, done in runs if done]
        found[f"worker{n}"] = {
            "sweeps": len(runs),
            "closed": sum(done for _, done in runs),
            "busy_seconds": round(sum(s for s, _ in busy), 1),
        }
    return found


# The report -----------------------------------------------------------------------------------


def section(results: dict) -> str:
    machine, shared, sweep, delivery = results["machine"], results["shared"], results["sweep"], results["delivery"]
    session, login, api = shared["session"], shared["login_limit"], shared["api_limit"]
    lines = [
        SECTION,
        "",
        f"`make bench-scale` (bench/scale.py), {results['date']}, on {machine['nproc']} cores ({machine['cpu']}), "
        f"PostgreSQL {machine['postgresql']}, Redis {machine['redis']}, shared with other work: load average "
        f"{results['load_before']} before, {results['load_after']} after (1, 5 and 15 minutes).",
        "",
        f"Two web servers (gunicorn, {SERVER_WORKERS} sync workers each) behind HAProxy (round robin), two Celery "
        f"workers (all three queues, {WORKER_CONCURRENCY} processes each) and two beat schedulers, all at once, on "
        "one PostgreSQL and one Redis (cache and broker in databases of their own).",
        "",
        "### Shared between the servers",
        "",
        "| what | tried | seen |",
        "| --- | --- | --- |",
        "| session | logged in on server 1, then asked server 2 for the member's inbox | "
        f"login {session['login_on_1']}, inbox {session['inbox_on_2']} "
        f"(anonymous: {session['inbox_on_2_anonymous']}) |",
        f"| login limit | {login['failures_allowed']} failed logins, alternating servers, then the right password on "
        f"server 2 | {login['after_allowed_failures']} (refused: the form again); with one failure fewer: "
        f"{login['after_one_fewer']} (logged in) |",
        f"| API rate limit | one member's token, {api['rate_per_minute']} requests alternating servers (the limit is "
        f"{api['rate_per_minute']}/min) | {api['first_requests_alternating']}, then {api['next_on_1']} on server 1 "
        f"and {api['next_on_2']} on server 2 |",
        "",
        "### The list API through the balancer",
        "",
        "wrk -t2 -c16, a member's token per request, interleaved rounds; the ratio is to the bare DRF list of the "
        "same round and path, median of the rounds.",
        "",
        "| path | list API req/s | bare DRF list req/s | ratio | list p50 / p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in results["list"].items():
        lines.append(
            f"| {name} | {row['api_rps']:,} | {row['drf_rps']:,} | {row['ratio']}× | "
            f"{row['api_p50_ms']} / {row['api_p99_ms']} | {row['errors']} |"
        )
    workers = results["workers"]
    lines += [
        "",
        f"Load average during the list runs: {results['list_load']}.",
        "",
        "### Closing 10,000 due rounds with two workers and two beats",
        "",
        f"{sweep['rounds']:,} rounds (circles of 12) due at once, closed by the beats' `proposals_close_due` on the "
        f"two workers: the first close {sweep['seconds_from_start_to_first_close']} s after the workers started "
        f"(beat's first tick is a minute after it starts), the last {sweep['seconds_first_to_last_close']} s after "
        f"the first (load average then {sweep['load_average']}).",
        "",
        "| | |",
        "| --- | --- |",
        f"| closed | {sweep['closed']:,} of {sweep['rounds']:,} |",
        "| closed by each worker's sweeps | "
        + ", ".join(
            f"{name}: {w['closed']:,} in {w['sweeps']} sweeps ({w['busy_seconds']} s in the ones that closed rounds)"
            for name, w in workers.items()
        )
        + " |",
        f"| sweeps sent by each beat | {', '.join(f'{k}: {v}' for k, v in results['beats'].items())} |",
        f"| wrong or missing outcome | {sweep['wrong_outcome']} |",
        f"| one `proposal.closed` event each | {'yes' if sweep['events_one_each'] else 'no'} |",
        f"| messages queued / expected | {sweep['messages']:,} / {sweep['messages_expected']:,} |",
        f"| webhook deliveries queued | {sweep['deliveries']:,} |",
        "",
        "### Delivery: nothing twice",
        "",
        f"The workers delivered for {delivery['seconds']} s after the last close"
        + (
            ", not long enough for every message on this machine,"
            if delivery["messages_sent"] < delivery["messages"]
            else ""
        )
        + " then stopped; what they had done was counted then.",
        "",
        "| | |",
        "| --- | --- |",
        f"| emails sent (outbox rows) / written to the mail files | {delivery['messages_sent']:,} / "
        f"{delivery['mail_written']:,} (of {delivery['messages']:,} queued) |",
        f"| outbox rows sent after more than one attempt | {delivery['messages_sent_more_than_once']} |",
        f"| webhooks delivered / requests received / distinct events received | {delivery['deliveries_done']:,} / "
        f"{delivery['webhooks_received']:,} / {delivery['webhook_events_received']:,} |",
        "",
        f"Load average at the end of delivery: {delivery['load_average']}.",
        "",
    ]
    return "\n".join(lines)


FIGURES_START, FIGURES_END = "<!-- figures of make bench-scale -->", "<!-- end of the figures -->"


def deploy_figures(results: dict) -> str:
    """The run's headline figures, for docs/deploy.md."""
    shared, sweep, delivery, lists = results["shared"], results["sweep"], results["delivery"], results["list"]
    by_worker = ", ".join(f"{name}: {w['closed']:,}" for name, w in results["workers"].items())
    by_beat = ", ".join(f"{name}: {sent}" for name, sent in results["beats"].items())
    lines = [
        f"- Run of {results['date']}, load average {results['load_before']} before and {results['load_after']} "
        "after (1, 5, 15 minutes) on a machine shared with other work: absolute rates are low and noisy.",
        f"- Sessions: logged in on server 1 ({shared['session']['login_on_1']}), served as that member by server 2 "
        f"({shared['session']['inbox_on_2']}). Login limit: after {shared['login_limit']['failures_allowed']} failed "
        f"logins split between the servers the right password is refused "
        f"({shared['login_limit']['after_allowed_failures']}, the form again); one failure fewer, it is accepted "
        f"({shared['login_limit']['after_one_fewer']}). API limit: {shared['api_limit']['rate_per_minute']} "
        f"requests alternating servers, then {shared['api_limit']['next_on_1']} on server 1 and "
        f"{shared['api_limit']['next_on_2']} on server 2.",
        "- List API against the bare DRF list: "
        + "; ".join(
            f"{name} {row['ratio']}× ({row['api_rps']:,} against {row['drf_rps']:,} req/s)"
            for name, row in lists.items()
        )
        + ".",
        f"- {sweep['closed']:,} of {sweep['rounds']:,} due rounds closed by the two workers' sweeps "
        f"({by_worker}), the last {sweep['seconds_first_to_last_close']} s after the first, with two beats "
        f"sending every sweep ({by_beat} closing sweeps sent): "
        f"{sweep['wrong_outcome']} wrong outcomes, one event each: {'yes' if sweep['events_one_each'] else 'no'}, "
        f"{sweep['messages']:,} messages for {sweep['messages_expected']:,} expected.",
        f"- Nothing delivered twice in {delivery['seconds']} s of delivery: {delivery['messages_sent']:,} emails "
        f"sent, {delivery['mail_written']:,} written; {delivery['deliveries_done']:,} webhooks delivered, "
        f"{delivery['webhooks_received']:,} requests received for {delivery['webhook_events_received']:,} "
        "distinct events.",
    ]
    return "\n".join(lines)


def write_figures(path: Path, text: str) -> None:
    """Put `text` between the figure markers of docs/deploy.md."""
    existing = path.read_text()
    start, end = existing.index(FIGURES_START) + len(FIGURES_START), existing.index(FIGURES_END)
    path.write_text(existing[:start] + "\n" + text + "\n" + existing[end:])


def write_section(path: Path, text: str) -> None:
    """Put `text` in place of the file's Scale-out section (up to the next `## ` heading), or at its
    end; the rest of the file is left as it is."""
    existing = path.read_text() if path.exists() else ""
    start = existing.find(f"\n{SECTION}\n")
    if existing.startswith(f"{SECTION}\n"):
        start = 0
    if start < 0:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        start = start + 1 if existing[start] == "\n" else start
        following = existing.find("\n## ", start + len(SECTION))
        rest = existing[following + 1 :] if following >= 0 else ""
        updated = existing[:start] + text.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    path.write_text(updated)


# The closing sweep alone ----------------------------------------------------------------------


def sweep(args) -> dict:
    """Seed `proposals` due rounds on a fresh database and time proposals_close_due over them in one
    process (bench.probe sweep, which checks one outcome, event and message set each)."""
    base = _base_url()
    inside_ = Inside(database_url(base, SWEEP_DATABASE), redis_url(CACHE_REDIS_DB), 8300, secrets.token_urlsafe(50))
    if not args.reuse:
        say(f"Creating {SWEEP_DATABASE}…")
        recreate(base, SWEEP_DATABASE)
        inside_.manage("migrate", "--noinput", "-v0")
    say(f"Load average before: {load_average()}")
    result = inside_.probe("sweep", "--proposals", str(args.proposals))
    result["load_average"] = load_average()
    say(json.dumps(result))
    return result


def main(argv=None) -> dict | None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["inside"]:
        inside(argv[1:])
        return None
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="the scale-out run")
    run_parser.add_argument("--proposals", type=int, default=int(os.environ.get("SCALE_ROUNDS") or 10_000))
    run_parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE_SEED") or 0.1))
    run_parser.add_argument("--duration", type=float, default=float(os.environ.get("SCALE_DURATION") or 10))
    run_parser.add_argument("--rounds", type=int, default=int(os.environ.get("SCALE_LIST_ROUNDS") or 3))
    run_parser.add_argument("--sweep-timeout", type=float, default=300)
    run_parser.add_argument("--deliver-seconds", type=float, default=float(os.environ.get("SCALE_DELIVER") or 180))
    run_parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    run_parser.add_argument("--no-write", action="store_true")
    report_parser = commands.add_parser("report", help="write the last run's results (var/scale/results.json)")
    report_parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    sweep_parser = commands.add_parser("sweep", help="time the closing sweep alone")
    sweep_parser.add_argument("--proposals", type=int, default=10_000)
    sweep_parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    args = parser.parse_args(argv)
    if args.command == "report":
        results = json.loads((WORK / "results.json").read_text())
        report(results, output=args.output)
        return results
    return run(args) if args.command == "run" else sweep(args)


if __name__ == "__main__":
    main()
