"""Reference views for http_latency.py: the floor under log-set, served the same way.

empty:  the whole stack (gunicorn, middleware, URL routing, a JSON answer), no database.
insert: the same plus one durable write: a raw INSERT of one row in its own transaction,
        on the app's database connection (WAL, transaction_mode IMMEDIATE, same timeout).
"""

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

INSERT_TABLE = "bench_insert"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {INSERT_TABLE} "
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, body TEXT NOT NULL)"
)


@csrf_exempt
@login_not_required
def empty(request):
    return JsonResponse({"success": True})


@csrf_exempt
@login_not_required
def insert(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (created_at, body) VALUES (%s, %s)",
            [timezone.now().isoformat(), request.body.decode()[:200]],
        )
    return JsonResponse({"success": True})
