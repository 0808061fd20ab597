"""Nothing but the login (and what a browser or monitor must fetch first) opens without
a login; another lifter's data stays out of reach; cookie-authenticated writes need CSRF."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sessions_app.models import Set

# Open on purpose: logging in, the files a browser fetches to install the app, and the
# health check for an uptime monitor (it shows no data).
PUBLIC = {"login", "manifest", "service_worker", "offline", "healthz", "favicon"}
SAMPLE_ARGUMENTS = {
    "session_id": "2025-09-21_lower1",
    "set_id": "1",
    "token_id": "1",
    "batch_id": "1",
    "routine_id": "1",
    "path": "x",
}


def every_route(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":  # the admin has its own login, tested below
                yield from every_route(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name, prefix + str(pattern.pattern)


def concrete(route):
    path = route.lstrip("^").rstrip("$")
    for name, value in SAMPLE_ARGUMENTS.items():
        path = path.replace(f"<str:{name}>", value).replace(f"<int:{name}>", value)
        path = path.replace(f"(?P<{name}>.*)", value)
    return "/" + path


def test_every_route_needs_a_login_or_a_token(db):
    routes = list(every_route())
    assert len(routes) > 20
    client = Client()
    for name, route in routes:
        url = concrete(route)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name in PUBLIC or name == "logout":
                continue
            if url.startswith("/api/"):
                # 401 without a token; 405 names the right method and shows nothing;
                # an unknown API path is 404 for everyone.
                expected = (404,) if name is None else (401, 405)
                assert response.status_code in expected, (method, url, response.status_code)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response["Location"].startswith(reverse("login")), url


def test_the_admin_needs_a_staff_login(alice_client):
    assert Client().get("/admin/").status_code == 302
    assert alice_client.get("/admin/").status_code == 302  # a lifter, not staff


@pytest.mark.parametrize("with_htmx", [False, True])
def test_page_writes_need_the_csrf_token(alice, alice_workout, with_htmx):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    headers = {"HX-Request": "true"} if with_htmx else {}
    data = {"exercise": "Back Squat", "reps": "5", "slot": "Back Squat"}
    response = client.post(reverse("log_set", args=[alice_workout.pk]), data, headers=headers)
    assert response.status_code == 403
    assert client.post(reverse("complete_session", args=[alice_workout.pk])).status_code == 403
    alice_workout.refresh_from_db()
    assert alice_workout.status == "active" and not Set.objects.exists()


def test_another_lifters_sets_never_appear_in_pages_or_exports(alice_client, bob_workout):
    bob_workout.log_set("Secret Lift", "999", "1", notes="bob's note")
    bob_workout.complete()
    pages = [reverse("home"), reverse("history"), reverse("progress"), reverse("export_csv")]
    for url in pages:
        response = alice_client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert "Secret Lift" not in body and "bob's note" not in body, url
    response = alice_client.get(reverse("exercise_progress"), {"exercise": "Secret Lift"})
    assert response.status_code == 404
