"""What a scaled-out deployment sets from its environment (docs/deploy.md): the cursors PgBouncer's
transaction pooling needs, and a broker apart from the cache. Read by a fresh process, as a server
reads them at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

READ = """
import json
from django.conf import settings
print(json.dumps({
    "cursors": settings.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"].get("LOCATION", ""),
}))
"""


def settings_with(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", *env)}
    environment.update({"DJANGO_SETTINGS_MODULE": "project.settings", **env})
    done = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_server_side_cursors_are_turned_off_for_pgbouncers_transaction_pooling():
    assert settings_with(DISABLE_SERVER_SIDE_CURSORS="true")["cursors"] is True
    assert settings_with(DISABLE_SERVER_SIDE_CURSORS="false")["cursors"] is False


def test_the_broker_can_have_a_redis_database_of_its_own():
    found = settings_with(REDIS_URL="redis://127.0.0.1:6379/10", CELERY_BROKER_URL="redis://127.0.0.1:6379/11")
    assert (found["cache"], found["broker"]) == ("redis://127.0.0.1:6379/10", "redis://127.0.0.1:6379/11")
    assert settings_with(REDIS_URL="redis://127.0.0.1:6379/10", CELERY_BROKER_URL="")["broker"] == (
        "redis://127.0.0.1:6379/10"
    )
