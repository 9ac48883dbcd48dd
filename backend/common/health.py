"""Liveness and readiness for load balancers and systemd: plain Django views,
no authentication, no database work on /healthz.

/readyz fails (503) only without the database. The cache (Redis) is reported
but never fails it: bookings do not use Redis and sign-in degrades without it
(backend/common/cache_fallback.py), so a load balancer must not pull a server
that can still serve. Neither check waits on a row lock: `SELECT 1` takes none,
and the connection's statement_timeout bounds it anyway."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # report, do not raise: this endpoint must answer
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("harbour:readyz", "1", 5)
        checks["cache"] = "ok" if cache.get("harbour:readyz") == "1" else "error: no round trip"
    except Exception as exc:
        checks["cache"] = f"degraded: {exc.__class__.__name__}"
    ready = checks["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )
