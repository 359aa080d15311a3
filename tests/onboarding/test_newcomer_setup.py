"""What a newcomer relies on: the settings refuse bad values (ORGANISATION_CREATORS, PORT) and
SITE_URL follows PORT; `/api/v1/` answers a JSON index of the API; the demo's printed logins hold
the roles they are said to (facilitators and secretaries), and its site admin is nobody's member."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from governance.models import Member, User
from project.api_urls import router
from project.demo import DEMO_SLUG, demo_logins
from roles.models import RoleAssignment

BASE_DIR = Path(__file__).resolve().parents[2]


def settings_value(name: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL", "ORGANISATION_CREATORS")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import project.settings as s; print(s.{name})"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_site_url_follows_the_port_unless_set():
    assert settings_value("SITE_URL", PORT="8010").stdout.strip() == "http://127.0.0.1:8010"
    assert settings_value("SITE_URL").stdout.strip() == "http://127.0.0.1:8000"
    assert settings_value("SITE_URL", PORT="8010", SITE_URL="https://gov.example.org/").stdout.strip() == (
        "https://gov.example.org"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ORGANISATION_CREATORS": "everyone"}, "ORGANISATION_CREATORS='everyone': anyone or site_admins."),
        ({"PORT": "70000"}, "PORT=70000 is not a TCP port"),
    ],
)
def test_a_bad_value_stops_the_start(env, message):
    result = settings_value("SITE_URL", **env)
    assert result.returncode != 0 and message in result.stderr


def test_the_procfile_and_makefile_use_the_port():
    procfile = (BASE_DIR / "Procfile.dev").read_text()
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "runserver 127.0.0.1:${WEB_PORT:-8000}" in procfile
    # honcho's own -p would shift every process's port; the web process reads WEB_PORT instead.
    assert "PORT ?= 8000" in makefile and "WEB_PORT=$(PORT)" in makefile and "http://127.0.0.1:$(PORT)" in makefile
    assert "honcho -f Procfile.dev start" in makefile and "-p $(PORT)" not in makefile


def test_the_api_index_lists_every_resource(db):
    assert APIClient().get("/api/v1/").status_code in (401, 403)
    client = APIClient()
    client.force_login(User.objects.create_user(email="newcomer@river.test"))

    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    # A prefix with a parameter (the open record's organisation) is no address: it is under "actions".
    assert set(body["resources"]) == {prefix for prefix, _viewset, _basename in router.registry if "(?P" not in prefix}
    assert any("open/{organisation}/decisions/" in action for action in body["actions"]["open"])
    assert body["resources"]["organisations"] == "http://testserver/api/v1/organisations/"
    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")
    assert any("invitations/bulk/" in action for action in body["actions"]["invitations"])


def test_the_demo_logins_hold_the_roles_they_are_printed_with(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out

    assert "http://127.0.0.1:8000/accounts/login/" in out
    admin, *people = demo_logins()
    assert "not a member" in admin[1]
    assert not Member.objects.filter(user__email=admin[0]).exists()
    assert User.objects.get(email=admin[0]).is_superuser
    tried = set()
    for email, what in people:
        assert email in out
        for role in ("facilitator", "secretary"):
            for part in what.split(", "):
                if part.startswith(f"{role} of "):
                    circle = part.removeprefix(f"{role} of ")
                    held = RoleAssignment.objects.current().filter(
                        member__user__email=email,
                        role__name=role.capitalize(),
                        role__circle__name=circle,
                        role__circle__organisation__slug=DEMO_SLUG,
                    )
                    assert held.exists(), (email, part)
                    tried.add(role)
    assert tried == {"facilitator", "secretary"}
