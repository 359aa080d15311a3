"""Organisation-level pages: home, organisation home, settings, members, invitations; and /healthz/."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .rules import active_members


def home(request):
    """The start page: a welcome for visitors; the organisation itself for someone in just one."""
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    members = sorted(active_members(request.user).values(), key=lambda m: m.organisation.name)
    if len(members) == 1:
        return redirect("organisation", org=members[0].organisation.slug)
    return render(request, "home.html", {"members": members})


@never_cache
def healthz(request):
    """Database and broker reachability, for load balancers and uptime checks."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "unreachable" for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _broker_ok() -> bool:
    from governance.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
