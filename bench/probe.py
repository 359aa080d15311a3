"""Measurements that run inside Django, one database per process (bench.run starts them):

    python -m bench.probe context | prepare DIR | queries | list-check | profile | tally | check-positions SINCE
                          | sweep

Each prints one JSON object as its last line of output. DATABASE_URL names the database and
DJANGO_SETTINGS_MODULE is bench.settings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
BENCH_SLUG = "bench"
SWEEP_SLUG = "sweep"
WRITERS_LABEL = "benchmark writes"  # the name of the API tokens wrk posts with


# What a path of bench.endpoints may name ------------------------------------------------------


def _proposals_context(organisation) -> dict:
    from proposals.models import Proposal

    # The seeder gives the first proposal by pk its 100,000 positions (and keeps it open).
    return {"big": Proposal.objects.filter(organisation=organisation).order_by("pk").values_list("pk", flat=True)[0]}


def _circles_context(organisation) -> dict:
    from circles.models import Circle

    return {"circle": Circle.objects.get(organisation=organisation, slug="circle-1").slug}


def _record_context(organisation) -> dict:
    return {"organisation_id": organisation.pk}


# Add a function here for a new page's values (a meeting's pk, a role's pk).
CONTEXT = [_proposals_context, _circles_context, _record_context]


def context(slug: str = BENCH_SLUG) -> dict:
    from governance.models import Organisation

    organisation = Organisation.objects.get(slug=slug)
    values = {"slug": organisation.slug}
    for provider in CONTEXT:
        values.update(provider(organisation))
    return values


def _proposals_inventory(slug: str) -> dict:
    from proposals.models import Comment, Position, Proposal

    proposals = Proposal.objects.filter(organisation__slug=slug)
    return {
        "proposals": proposals.count(),
        "open proposals": proposals.filter(state="open").count(),
        "positions": Position.objects.filter(proposal__organisation__slug=slug).count(),
        "comments": Comment.objects.filter(proposal__organisation__slug=slug).count(),
    }


def _people_inventory(slug: str) -> dict:
    from circles.models import Circle
    from governance.models import Member
    from roles.models import Role

    return {
        "members": Member.objects.filter(organisation__slug=slug).count(),
        "circles": Circle.objects.filter(organisation__slug=slug).count(),
        "roles": Role.objects.filter(circle__organisation__slug=slug).count(),
    }


# Add a function here when an app seeds data of its own (meetings with agendas, say).
INVENTORY = [_people_inventory, _proposals_inventory]


def inventory(slug: str = BENCH_SLUG) -> dict:
    """How much data the benchmark ran on, as the report describes it."""
    counts = {}
    for count in INVENTORY:
        counts.update(count(slug))
    return counts


def subject(slug: str = BENCH_SLUG):
    """The member whose requests are counted: the same kind of member at every size (not an admin,
    on the roster of the measured circle, with rounds waiting for them), so that the pages show the
    same parts and only the amount of data differs."""
    from circles.models import CircleMembership
    from governance.models import Member
    from proposals.queries import waiting_for

    values = context(slug)
    roster = CircleMembership.objects.current().filter(circle__organisation__slug=slug, circle__slug=values["circle"])
    candidates = Member.objects.filter(
        organisation__slug=slug, is_admin=False, status=Member.Status.ACTIVE, pk__in=roster.values("member_id")
    ).select_related("user")
    for member in candidates.order_by("pk")[:200]:
        if waiting_for(member).exists():
            return member
    raise RuntimeError("No member on the circle's roster has a round waiting for them; seed again.")


# Credentials for wrk --------------------------------------------------------------------------


def prepare(out: Path, *, sessions: int, slug: str = BENCH_SLUG) -> dict:
    """Write a session cookie per line (cookies.txt) and API bearer tokens (tokens.txt for reads,
    write-tokens.txt for writes), each for another member: sessions for the first `sessions`
    members, tokens for every member eligible on the big proposal (they take turns posting
    positions). Writes have tokens of their own, so that afterwards the tokens used tell who wrote."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from governance.services import api_token_create
    from proposals.models import EligibleVoter

    values = context(slug)
    voters = (
        EligibleVoter.objects.filter(proposal_id=values["big"], member__is_admin=False, member__status="active")
        .select_related("member__user")
        .order_by("member_id")
    )
    users = [voter.member.user for voter in voters]
    out.mkdir(parents=True, exist_ok=True)
    cookies = []
    for user in users[:sessions]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    tokens = [f"Bearer {api_token_create(user=user, name='benchmark')[1]}" for user in users]
    writes = [f"Bearer {api_token_create(user=user, name=WRITERS_LABEL)[1]}" for user in users]
    (out / "cookies.txt").write_text("\n".join(cookies) + "\n")
    (out / "tokens.txt").write_text("\n".join(tokens) + "\n")
    (out / "write-tokens.txt").write_text("\n".join(writes) + "\n")
    return {**values, "sessions": len(cookies), "tokens": len(tokens)}


# SQL queries per request ----------------------------------------------------------------------


def count_queries(client, method: str, path: str, *, body: str | None = None, headers=None) -> tuple[int, int]:
    """(status, number of SQL queries) of one request through the test client."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.generic(method, path, data=body or "", content_type="application/json", headers=headers or {})
    return response.status_code, len(captured.captured_queries)


def queries(slug: str = BENCH_SLUG) -> dict:
    """Queries per measured request, for the same kind of member at any size. Each request is made
    twice and the second counted: the steady state of a worker that has served a request before."""
    from django.test import Client

    from bench.endpoints import ENDPOINTS
    from governance.services import api_token_create
    from proposals.models import Position

    values = context(slug)
    member = subject(slug)
    client = Client()
    client.force_login(member.user)
    token = api_token_create(user=member.user, name="benchmark queries")[1]
    current = Position.objects.filter(proposal_id=values["big"], member=member, is_current=True).first()
    # Two real changes of position: away from the current kind, then to the other one.
    kinds = ["abstain", "consent"] if current is None or current.kind != "abstain" else ["consent", "abstain"]
    counts = {}
    for endpoint in ENDPOINTS:
        headers = {"authorization": f"Bearer {token}"} if endpoint.auth == "token" else {}
        path = endpoint.url_path(values)
        for kind in kinds:
            body = endpoint.body % kind if endpoint.body else None
            status, count = count_queries(client, endpoint.method, path, body=body, headers=headers)
            if status != endpoint.expect:
                raise RuntimeError(f"{endpoint.method} {path} answered {status}, not {endpoint.expect}.")
        counts[endpoint.key] = count
    return {"member": member.user.email, "counts": counts}


def profile(slug: str = BENCH_SLUG, *, only: str = "", repeat: int = 7, cprofile: bool = False) -> dict:
    """Where one request's time goes, endpoint by endpoint, in this process (no server, no
    concurrency): medians over `repeat` interleaved rounds of the wall time, the CPU time of this
    process (view, serializer, template: the Python) and the time spent waiting for SQL, with the
    ratio of each endpoint's wall time to the bare DRF list's. With cprofile, print the functions
    that cost most, for the first endpoint chosen."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.endpoints import ENDPOINTS, REFERENCE
    from governance.services import api_token_create

    values = context(slug)
    member = subject(slug)
    client = Client()
    client.force_login(member.user)
    token = api_token_create(user=member.user, name="benchmark profile")[1]
    chosen = [e for e in ENDPOINTS if not only or e.key in only.split(",") or e.key == REFERENCE]
    profiler = cProfile.Profile() if cprofile else None
    profiled = next((e for e in chosen if e.key != REFERENCE), None)
    samples = {e.key: [] for e in chosen}
    for n in range(repeat + 2):  # the first two rounds warm up, as a worker that has served before
        for endpoint in chosen:
            headers = {"authorization": f"Bearer {token}"} if endpoint.auth == "token" else {}
            body = endpoint.body % ("consent", "abstain")[n % 2] if endpoint.body else ""
            profiling = profiler is not None and n >= 2 and endpoint is profiled
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                if profiling:
                    profiler.enable()
                path = endpoint.url_path(values)
                client.generic(endpoint.method, path, data=body, content_type="application/json", headers=headers)
                if profiling:
                    profiler.disable()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if n >= 2:
                sql = sum(float(q["time"]) for q in captured.captured_queries)
                samples[endpoint.key].append((wall * 1000, cpu * 1000, sql * 1000))
    found = {}
    for key, rows in samples.items():
        found[key] = {
            "ms": round(statistics.median(r[0] for r in rows), 1),
            "cpu_ms": round(statistics.median(r[1] for r in rows), 1),
            "sql_ms": round(statistics.median(r[2] for r in rows), 1),
        }
    for key in found:
        found[key]["x_drf"] = round(found[REFERENCE]["ms"] / found[key]["ms"], 2) if found[key]["ms"] else None
    if profiler is not None:
        # PSORT (a pstats order), PFILTER (a regular expression over the lines) and PLINES shape it.
        stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("PSORT", "cumulative"))
        stats.print_stats(os.environ.get("PFILTER", ""), int(os.environ.get("PLINES", "40")))
    return found


# The list's own fields, from the cache ---------------------------------------------------------


def list_check(slug: str = BENCH_SLUG, *, members: int = 60) -> dict:
    """The proposal list as `members` members get it, one after the other (the first computes the
    shared part, the others read it from the response cache), each row's `i_am_eligible` and
    `i_responded` compared with the database's own answer for that member."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from governance.models import Member
    from governance.services import api_token_create
    from proposals.models import EligibleVoter, Position

    client = Client()
    people = Member.objects.filter(
        organisation__slug=slug, is_admin=False, is_bot=False, status=Member.Status.ACTIVE
    ).select_related("user")
    wrong = rows = from_cache = 0
    checked = 0
    for member in people.order_by("pk")[:members]:
        token = api_token_create(user=member.user, name="benchmark list check")[1]
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/proposals/?page_size=50", headers={"authorization": f"Bearer {token}"})
        if response.status_code != 200:
            raise RuntimeError(f"The list answered {response.status_code} to {member.user.email}.")
        found = response.json()["results"]
        ids = [row["id"] for row in found]
        eligible = set(
            EligibleVoter.objects.filter(member=member, proposal_id__in=ids).values_list("proposal_id", flat=True)
        )
        responded = set(
            Position.objects.filter(member=member, is_current=True, proposal_id__in=ids).values_list(
                "proposal_id", flat=True
            )
        )
        wrong += sum(
            1
            for row in found
            if row["i_am_eligible"] != (row["id"] in eligible) or row["i_responded"] != (row["id"] in responded)
        )
        rows = max(rows, len(found))
        # Computed, the answer counts the organisation's proposals; from the cache, it does not.
        from_cache += not any("COUNT(*)" in query["sql"] for query in captured.captured_queries)
        checked += 1
    return {"members": checked, "rows": rows, "wrong": wrong, "from_cache": from_cache}


# The tally of the big proposal ----------------------------------------------------------------


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def tally(slug: str = BENCH_SLUG) -> dict:
    """The tally as a page gets it (read the stored tally, shape it) against a recount of the rows."""
    from proposals.models import Position, Proposal
    from proposals.queries import tally_recount, tally_view

    pk = context(slug)["big"]
    stored_ms = _median_ms(lambda: tally_view(Proposal.objects.get(pk=pk)), 25)
    proposal = Proposal.objects.get(pk=pk)
    recount_ms = _median_ms(lambda: tally_recount(proposal), 5)
    return {
        "positions": Position.objects.filter(proposal=proposal).count(),
        "current": Position.objects.filter(proposal=proposal, is_current=True).count(),
        "stored_ms": round(stored_ms, 2),
        "recount_ms": round(recount_ms, 2),
        "equal": proposal.tally == tally_recount(proposal),
    }


# After the position POSTs ---------------------------------------------------------------------


def check_positions(since: datetime, slug: str = BENCH_SLUG) -> dict:
    """Every member who posted during the rounds (whose write token was used) has exactly one
    current position on the big proposal, and its stored tally still equals a recount."""
    from django.db.models import Count, Q

    from governance.models import ApiToken, Member
    from proposals.models import Position, Proposal
    from proposals.queries import tally_recount

    proposal = Proposal.objects.get(pk=context(slug)["big"])
    writers = ApiToken.objects.filter(name=WRITERS_LABEL, last_used_at__gte=since).values("user_id")
    posted = Member.objects.filter(organisation_id=proposal.organisation_id, user_id__in=writers).values("pk")
    per_member = (
        Position.objects.filter(proposal=proposal, member_id__in=posted)
        .values("member_id")
        .annotate(current=Count("id", filter=Q(is_current=True)))
    )
    wrong = [row["member_id"] for row in per_member if row["current"] != 1]
    return {
        "positions_written": Position.objects.filter(proposal=proposal, created_at__gte=since).count(),
        "members_posted": len(per_member),
        "members_not_one_current": len(wrong),
        "tally_equals_recount": proposal.tally == tally_recount(proposal),
    }


# The closing sweep ----------------------------------------------------------------------------


class _SweepWorker:
    """A Celery worker on the sweeps queue, as `docs/deploy.md` starts one: SWEEP_PROCESSES
    processes (prefork), the benchmark's settings and database, its log in var/bench/."""

    def __init__(self):
        import subprocess

        from django.conf import settings

        from project.celery import app

        self.processes = settings.SWEEP_PROCESSES
        self.log = ROOT / "var" / "bench" / "sweep-worker.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # What an earlier run left on the queue is not this run's work.
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("sweeps")
        command = [sys.executable, "-m", "celery", "-A", "project", "worker", "-Q", "sweeps", "--pool=prefork"]
        command += [f"--concurrency={self.processes}", "-n", f"bench-sweeps-{os.getpid()}@%h", "-l", "info"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        self._wait(lambda text: " ready." in text, "start")
        # Each process has served a sweep before (nothing due yet), as a worker that has been running.
        from proposals.tasks import proposals_close_due as closing_sweep

        for _ in range(self.processes):
            closing_sweep.apply_async(kwargs={"share": False})
        self._wait(lambda text: text.count("succeeded in") >= self.processes, "warm up")

    def _wait(self, done, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(self.log.read_text(errors="replace")):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The sweeps worker did not {what}:\n{self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except Exception:
                self.process.kill()
                self.process.wait(timeout=5)


def sweep(*, proposals: int, circle_size: int = 12, circles: int = 20, by: str = "call") -> dict:
    """Seed `proposals` open rounds with eligibility and positions in a fresh organisation, make
    them all due at once, close them, and check that each got exactly one outcome (the rule's), one
    'proposal.closed' event and one message per eligible voter and proposer.

    `by="call"` times one proposals_close_due() in this process. `by="worker"` times what a
    deployment does: a Celery worker on the sweeps queue with SWEEP_PROCESSES processes is sent the
    closing sweep beat sends, which shares the backlog with the worker's other processes; the time is
    from sending it until the last round is closed (the worker started and warmed before)."""
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from governance.models import Event, Notification
    from governance.tasks import notifications_flush
    from project.seed import Size, seed_cooperative
    from proposals.models import EligibleVoter, Proposal
    from proposals.services import CLOSE_BATCH, outcome_of, proposals_close_due

    members = circle_size * circles // 3  # the seeder puts 3 * members / circles on each roster
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
    started = time.perf_counter()
    # A new slug each time, so that a development run on a reused database seeds beside the last.
    organisation = seed_cooperative(slug=f"{SWEEP_SLUG}-{by}-{int(time.time())}", size=size)
    seeded_s = time.perf_counter() - started
    rounds = Proposal.objects.filter(organisation=organisation)
    worker = _SweepWorker() if by == "worker" else None
    try:
        now = timezone.now()
        rounds.update(closes_at=now - timedelta(minutes=1))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        # A worker that runs the sweep has its URL configuration loaded and its broker connected already.
        reverse("proposal", kwargs={"org": organisation.slug, "pk": 1})
        notifications_flush.delay()

        if worker is None:
            started = time.perf_counter()
            closed = proposals_close_due(now=now)
            elapsed = time.perf_counter() - started
        else:
            from proposals.tasks import proposals_close_due as closing_sweep

            started = time.perf_counter()
            closing_sweep.delay()
            open_ = rounds.filter(state=Proposal.State.OPEN)
            deadline = started + 600
            while open_.exists() and time.perf_counter() < deadline:
                time.sleep(0.01)
            elapsed = time.perf_counter() - started
            closed = rounds.filter(state=Proposal.State.CLOSED).count()
    finally:
        if worker is not None:
            worker.stop()
    again = proposals_close_due(now=now)

    ids = list(rounds.values_list("pk", flat=True))
    wrong_outcome = sum(
        1
        for p in rounds.only("state", "outcome", "tally", "method", "quorum_percent", "eligible_weight", "threshold")
        if p.state != "closed" or not p.outcome or p.outcome != outcome_of(p)
    )
    events = dict(
        Event.objects.filter(verb="proposal.closed", object_type="proposal", object_id__in=ids)
        .values_list("object_id")
        .annotate(n=Count("id"))
    )
    recipients: dict[int, set[int]] = {pk: {user} for pk, user in rounds.values_list("pk", "author__user_id")}
    for pk, user in EligibleVoter.objects.filter(proposal__organisation=organisation).values_list(
        "proposal_id", "member__user_id"
    ):
        recipients[pk].add(user)
    keys = [f"proposal:{pk}" for pk in ids]
    messages = Notification.objects.filter(kind="proposal_closed", key__in=keys).count()
    outcomes = dict(rounds.values_list("outcome").annotate(n=Count("id")))
    return {
        "by": by,
        "processes": worker.processes if worker is not None else 1,
        "proposals": len(ids),
        "circle_size": circle_size,
        "batch": CLOSE_BATCH,
        "seeded_s": round(seeded_s, 1),
        "closed": closed,
        "closed_again": again,
        "seconds": round(elapsed, 3),
        "per_s": round(closed / elapsed, 1) if elapsed else 0.0,
        "outcomes": outcomes,
        "wrong_outcome": wrong_outcome,
        "events_ok": len(events) == len(ids) and set(events.values()) == {1},
        "messages": messages,
        "messages_expected": sum(len(users) for users in recipients.values()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("context")
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("out", type=Path)
    prepare_parser.add_argument("--sessions", type=int, default=500)
    commands.add_parser("queries")
    commands.add_parser("list-check")
    commands.add_parser("tally")
    profile_parser = commands.add_parser("profile")
    profile_parser.add_argument("--only", default="", help="comma-separated endpoint keys")
    profile_parser.add_argument("--repeat", type=int, default=7)
    profile_parser.add_argument("--cprofile", action="store_true", help="print a profile of the first endpoint")
    check_parser = commands.add_parser("check-positions")
    check_parser.add_argument("since", type=datetime.fromisoformat)
    sweep_parser = commands.add_parser("sweep")
    sweep_parser.add_argument("--proposals", type=int, default=10_000)
    sweep_parser.add_argument("--circle-size", type=int, default=12)
    sweep_parser.add_argument("--by", choices=("call", "worker"), default="call")
    args = parser.parse_args(argv)

    django.setup()
    if args.command == "context":
        result = {**context(), "sizes": inventory()}
    elif args.command == "prepare":
        result = prepare(args.out, sessions=args.sessions)
    elif args.command == "queries":
        result = queries()
    elif args.command == "tally":
        result = tally()
    elif args.command == "list-check":
        result = list_check()
    elif args.command == "profile":
        result = profile(only=args.only, repeat=args.repeat, cprofile=args.cprofile)
    elif args.command == "check-positions":
        result = check_positions(args.since)
    else:
        result = sweep(proposals=args.proposals, circle_size=args.circle_size, by=args.by)
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
