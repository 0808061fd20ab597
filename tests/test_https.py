"""HTTPS in front, for real: Debian's Caddy runs the repository's Caddyfile in LAN mode
(its own certificate authority) in front of gunicorn with the production settings, and
real Chromium reaches it over https:// as a phone on the gym's network would: it logs
in, the service worker takes the workout page, a set logged offline survives a reload
and is stored once back online; the cookies are Secure, HSTS is sent, and plain HTTP is
redirected."""

import base64
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from sessions_app.models import Set, Workout
from tests.browser import CHROMIUM, CHROMIUM_ARGS, log_in, open_phone, wait_for_service_worker
from tests.processes import ROOT, app_environment, free_port, start_gunicorn, stop
from tests.workout_screen import back_online, card, go_offline, log_set, wait_until_logged

CADDY = shutil.which("caddy")
SITE = "workouts.test"
needs_caddy = pytest.mark.skipif(
    CADDY is None,
    reason="Caddy is not installed (bin/ensure-caddy installs Debian's caddy package; "
    "make test runs it): the HTTPS test runs the repository's Caddyfile with it",
)


def caddy_environment(home, **extra):
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "CADDY_ADMIN": "off",
        **extra,
    }


def adapted(**environment):
    """The Caddyfile as Caddy reads it (JSON), with these variables."""
    finished = subprocess.run(
        [CADDY, "adapt", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return finished.stdout


@needs_caddy
def test_the_caddyfile_gets_public_certificates_for_a_domain_and_its_own_on_a_lan():
    public = adapted(SITE_ADDRESS="workouts.example.com")
    assert '"host":["workouts.example.com"]' in public and '"internal"' not in public
    assert '"dial":"web:8000"' in public
    lan = adapted(SITE_ADDRESS="192.168.1.20", SITE_TLS="internal")
    assert '"subjects":["192.168.1.20"]' in lan and '"module":"internal"' in lan
    assert '"install_trust":false' in lan


def test_the_site_address_sets_the_allowed_host_and_the_trusted_origin():
    environment = {
        **app_environment(),
        "DJANGO_HTTPS": "true",
        "SITE_ADDRESS": "workouts.example.com",
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    finished = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_BEHIND_PROXY": "true"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert finished.stdout.strip().splitlines()[-1] == (
        "['localhost', 'workouts.example.com'] ['https://workouts.example.com'] True "
        "31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_compose_settings_pass_the_deployment_checks():
    """What compose.yaml gives the web container, with nothing else set."""
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "k" * 40,
        "SITE_ADDRESS": "workouts.example.com",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_BEHIND_PROXY": "true",
        "DJANGO_HTTPS": "true",
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr


def collect_static():
    """Production serves hashed static files, as the Docker image and `make run` collect."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=app_environment(),
        check=True,
        timeout=300,
    )


def tls_context(home):
    root = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    return ssl.create_default_context(cafile=str(root))


def wait_for_https(home, port, seconds=30):
    """Until Caddy answers a TLS handshake for the site with a certificate of its own
    authority (which it makes at its first start)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
                tls_context(home).wrap_socket(raw, server_hostname=SITE),
            ):
                return
        except (OSError, ssl.SSLError):
            time.sleep(0.2)
    raise RuntimeError("Caddy never answered HTTPS")


def spki_digest(certificate_path):
    """What Chromium's --ignore-certificate-errors-spki-list takes: the base64 SHA-256 of
    the certificate's public key. Given Caddy's intermediate, Chromium trusts the chains
    of that authority alone, for this browser alone."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    certificate = x509.load_pem_x509_certificate(Path(certificate_path).read_bytes())
    key = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(key).digest()).decode()


@pytest.fixture
def https_site(tmp_path):
    """gunicorn with the production settings behind Caddy in LAN mode; yields the ports."""
    collect_static()
    web_port, http_port, https_port = free_port(), free_port(), free_port()
    server = start_gunicorn(
        web_port,
        DJANGO_HTTPS="true",
        DJANGO_BEHIND_PROXY="true",
        SITE_ADDRESS=SITE,
        # The HTTPS port is not 443 here, so the origin browsers send carries it.
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{SITE}:{https_port}",
    )
    caddy = subprocess.Popen(
        [CADDY, "run", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],
        env=caddy_environment(
            tmp_path,
            SITE_ADDRESS=SITE,
            SITE_TLS="internal",
            HTTP_PORT=str(http_port),
            HTTPS_PORT=str(https_port),
            UPSTREAM=f"127.0.0.1:{web_port}",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_https(tmp_path, https_port)
        yield SimpleNamespace(
            home=tmp_path,
            http_port=http_port,
            https_port=https_port,
            url=f"https://{SITE}:{https_port}",
        )
    finally:
        stop(caddy)
        stop(server)


@pytest.fixture
def https_phone(chromium, https_site):
    """Real Chromium, resolving the site's name to this machine and trusting Caddy's
    authority (by its key, for this browser only), at phone size."""
    intermediate = (
        https_site.home / "data" / "caddy" / "pki" / "authorities" / "local" / "intermediate.crt"
    )
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            f"--host-resolver-rules=MAP {SITE} 127.0.0.1",
            f"--ignore-certificate-errors-spki-list={spki_digest(intermediate)}",
        ],
    )
    page, errors = open_phone(browser, https_site)
    yield page
    page.context.close()
    browser.close()
    assert errors == [], errors


@needs_caddy
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_reaches_the_app_over_https_and_logs_offline(
    https_phone, https_site, alice, lower1, settings
):
    # The tests hash passwords with a fast hasher production does not know.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    alice.set_password("alice-password")
    alice.save(update_fields=["password"])
    page = https_phone
    log_in(page, "alice", "alice-password")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    assert cookies["csrftoken"]["secure"]
    assert cookies["known_device"]["secure"]

    workout = Workout.start(alice, lower1)
    response = page.goto(https_site.url + workout.get_absolute_url())
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert page.evaluate("window.isSecureContext")
    wait_for_service_worker(page)

    squat = card(page, "Back Squat")
    go_offline(page)
    log_set(squat, 1, "100", "5")
    expect(squat.locator("form.log-set.waiting")).to_have_count(1)
    page.reload()  # offline: the service worker serves the page, the set still waits
    expect(squat.locator("form.log-set.waiting")).to_have_count(1)
    assert not Set.objects.exists()
    back_online(page)
    wait_until_logged(page, squat, 1)
    stored = Set.objects.filter(workout=workout)
    assert [(s.exercise_name, s.weight, s.reps) for s in stored] == [("Back Squat", "100", "5")]

    plain = requests.get(
        f"http://127.0.0.1:{https_site.http_port}/history/",
        headers={"Host": SITE},
        allow_redirects=False,
        timeout=10,
    )
    assert plain.status_code in (301, 308)
    # To the same name and path over HTTPS (Caddy leaves out this test's own HTTPS port).
    location = urlsplit(plain.headers["Location"])
    assert (location.scheme, location.hostname, location.path) == ("https", SITE, "/history/")
