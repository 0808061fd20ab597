"""GET /healthz for an uptime monitor: 200 when the instance can do its work, else 503
(the database unreachable, the worker silent, or completed workouts waiting for their
sheet longer than SYNC_LAG_ALERT_MINUTES)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sync_app.status import current_status


@require_GET
@login_not_required
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status = current_status()
    except DatabaseError:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    last_run = status.last_run
    body = {
        # A worker alive but far behind (Google refusing, a quota used up) is not well.
        "ok": status.worker_alive and not status.lagging,
        "database": "ok",
        "worker_heartbeat_age_seconds": status.heartbeat_age_seconds,
        "worker_alive": status.worker_alive,
        "sync_configured": status.configured,
        "last_sync_outcome": last_run.outcome if last_run else None,
        "last_sync_at": last_run.started_at.isoformat() if last_run else None,
        "sessions_pending": status.pending,
        "sessions_failing": status.failing,
        "sync_lag_seconds": status.lag_seconds,
        "sync_lagging": status.lagging,
        "sync_lag_alert_seconds": settings.SYNC_LAG_ALERT_MINUTES * 60,
        "sheets_backing_off": len(status.backing_off),
    }
    return JsonResponse(body, status=200 if body["ok"] else 503)
