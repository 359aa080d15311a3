"""Production settings: `manage.py check --deploy` is clean, and a production start without a real
secret key or with a yes/no setting that is neither refuses to go further."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The database the tests use, so the check runs against a real engine of the same kind."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{connection.settings_dict['NAME']}"


def manage(*args, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def production():
    return {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        "CSRF_TRUSTED_ORIGINS": "https://example.org",
        "DATABASE_URL": database_url(),
    }


def test_the_deploy_check_finds_nothing_with_production_settings(db, production):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_refuses_to_start_with_debug_off_and_no_secret_key(production):
    production["SECRET_KEY"] = None

    result = manage("check", **production)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_it_refuses_to_start_with_debug_off_and_the_development_key(production):
    from project.settings import _DEV_SECRET

    production["SECRET_KEY"] = _DEV_SECRET

    result = manage("check", **production)

    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_it_refuses_a_debug_that_is_neither_true_nor_false(production):
    production["DEBUG"] = "maybe"

    result = manage("check", **production)

    assert result.returncode != 0
    assert "DEBUG='maybe' is neither true nor false." in result.stderr


def test_it_refuses_an_unparsable_database_url(production):
    production["DATABASE_URL"] = "not-a-database://somewhere"

    result = manage("check", **production)

    assert result.returncode != 0
    assert "'not-a-database' isn't an available database backend" in result.stderr
