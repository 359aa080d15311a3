"""What a web server's process does once before its first request (project/wsgi.py, bench/wsgi.py)."""

import gc

from django.urls import get_resolver


def ready_to_serve(application):
    """The application with its code loaded before the first request (every URL's view imported),
    then what startup made moved out of the garbage collector's sight (`gc.freeze`): a full
    collection then looks at what requests make, not at the ~200,000 long-lived objects of Django
    and the project, so it is short instead of pausing a busy worker for hundreds of milliseconds."""
    get_resolver().url_patterns  # noqa: B018 -- imports every app's views and URL modules
    gc.collect()
    gc.freeze()
    return application
