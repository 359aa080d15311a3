"""Start a real Celery worker process for a test, on the broker the settings configure (Redis with
REDIS_URL, the filesystem broker without), reading and writing the test database.

The worker listens on a queue of its own, and the test process sends every task there while the
context is open (whatever its kind's queue), so a worker started by `make run` on the same broker
never takes the test's tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from project.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent


def current_database_url() -> str:
    """A DATABASE_URL for the database this test process is using right now (the test database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"
    raise RuntimeError(f"No DATABASE_URL form for {db['ENGINE']}")


def wait_for(predicate, *, timeout: float, interval: float = 0.2, process=None):
    """Poll until predicate() is truthy; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"The worker exited early with code {process.returncode}.")
        time.sleep(interval)
    return predicate()


@contextmanager
def celery_worker(*, log_path: Path, env: dict[str, str] | None = None, ready_timeout: float = 30, processes: int = 1):
    """Run `celery -A project worker --pool=solo` (with `processes` > 1, a prefork pool of that many)
    until the block ends, then stop it."""
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    # The worker gets this process's Redis as it is (under pytest-xdist, settings has already moved
    # it to this process's own database), not the variable it came from: it is no xdist process.
    skipped = ("CELERY_TASK_ALWAYS_EAGER", "PYTEST_XDIST_WORKER")
    worker_env = {k: v for k, v in os.environ.items() if k not in skipped}
    worker_env.update({"DJANGO_SETTINGS_MODULE": "project.settings", "DATABASE_URL": current_database_url()})
    if settings.REDIS_URL:
        worker_env["REDIS_URL"] = settings.REDIS_URL
    worker_env.update(env or {})
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "project",
        "worker",
        *(["--pool=solo"] if processes == 1 else ["--pool=prefork", f"--concurrency={processes}"]),
        "-l",
        "info",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    previous = app.conf.task_default_queue, app.conf.task_routes
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=worker_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ready = wait_for(lambda: b" ready." in log_path.read_bytes(), timeout=ready_timeout, process=process)
        if not ready:
            raise RuntimeError(f"The worker did not start in {ready_timeout}s:\n{log_path.read_text()}")
        # Every task to this worker's queue, whatever the queue of its kind (project.celery).
        _route(queue, ({"*": {"queue": queue}},))
        yield process
    finally:
        _route(*previous)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        _forget_queue(queue)


def _route(default_queue: str, routes) -> None:
    app.conf.task_default_queue, app.conf.task_routes = default_queue, routes
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # a cached property, built again from the routes set here


def _forget_queue(queue: str) -> None:
    """Remove what declaring the queue left on the broker."""
    if settings.CELERY_BROKER_URL.startswith("redis"):
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
    else:
        control = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"])
        (control / f"{queue}.exchange").unlink(missing_ok=True)
