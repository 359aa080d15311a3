"""gunicorn's entry point for the benchmark: the project with the floor endpoints (bench.settings),
readied as the project's own entry point readies it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from project.serving import ready_to_serve

application = ready_to_serve(get_wsgi_application())
