"""A web server's process loads the project's code before its first request and freezes what startup
made out of the garbage collector's sight (project.serving), in a process of its own here."""

import subprocess
import sys

from django.conf import settings


def test_the_wsgi_entry_point_loads_the_views_and_freezes_startup():
    script = (
        "import gc, sys, project.wsgi;"
        "print(gc.get_freeze_count() > 100000, 'proposals.views' in sys.modules, callable(project.wsgi.application))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "project.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
