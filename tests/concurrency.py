"""Real concurrency for the tests that need it (on PostgreSQL): threads released at one instant."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from governance.errors import DomainError


def run_together(n, fn):
    """Run fn(i) on n threads released at the same instant, each with its own connection; a domain
    error a thread meets is returned in its place, so a test can count refusals."""
    barrier = threading.Barrier(n)

    def worker(i):
        try:
            barrier.wait()
            return fn(i)
        except DomainError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))
