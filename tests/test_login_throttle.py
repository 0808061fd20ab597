"""Login guessing is slowed: failures are counted per username from an address, per
username and per address, and a key past its limit is locked for a while."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import LoginThrottle

LOCKED_MESSAGE = "Too many failed logins. For safety, logging in is paused"
WRONG_MESSAGE = "Please enter a correct username and password"


def attempt(username, password, address="10.0.0.1", **headers):
    client = Client(REMOTE_ADDR=address, headers=headers)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


def later(minutes):
    """Patch the clock forward (every timezone.now() call in the request)."""
    moment = timezone.now() + datetime.timedelta(minutes=minutes)
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 5
    settings.LOGIN_FAILURES_PER_USERNAME = 20
    settings.LOGIN_FAILURES_PER_ADDRESS = 50
    settings.LOGIN_LOCKOUT_MINUTES = 15
    return settings


def test_five_wrong_passwords_lock_the_username_at_that_address_even_for_the_right_one(
    alice, limits
):
    for _ in range(4):
        _, response = attempt("alice", "guess")
        assert WRONG_MESSAGE in response.content.decode()
    _, response = attempt("alice", "guess")
    page = response.content.decode()
    assert response.status_code == 200
    assert LOCKED_MESSAGE in page and "try again in 15 minutes." in page
    client, response = attempt("alice", "alice-password")
    assert LOCKED_MESSAGE in response.content.decode() and not logged_in(client)


def test_the_right_password_from_another_address_still_works(alice, limits):
    for _ in range(5):
        attempt("alice", "guess", address="10.0.0.1")
    client, response = attempt("alice", "alice-password", address="10.0.0.2")
    assert response.status_code == 302 and logged_in(client)


def test_the_right_password_works_again_once_the_lockout_is_over(alice, limits):
    for _ in range(5):
        attempt("alice", "guess")
    with later(minutes=14):
        client, response = attempt("alice", "alice-password")
        assert "try again in 1 minute." in response.content.decode() and not logged_in(client)
    with later(minutes=16):
        client, response = attempt("alice", "alice-password")
        assert response.status_code == 302 and logged_in(client)


def test_guesses_from_many_addresses_lock_the_username_until_the_lockout_expires(alice, limits):
    for number in range(20):
        _, response = attempt("alice", "guess", address=f"10.0.1.{number}")
    assert LOCKED_MESSAGE in response.content.decode()
    client, response = attempt("alice", "alice-password", address="192.168.1.7")
    assert LOCKED_MESSAGE in response.content.decode() and not logged_in(client)
    with later(minutes=16):
        client, response = attempt("alice", "alice-password", address="192.168.1.8")
        assert logged_in(client)


def test_one_address_trying_many_usernames_is_locked(alice, bob, limits):
    for number in range(50):
        attempt(f"lifter{number}", "guess", address="10.0.0.66")
    client, response = attempt("bob", "bob-password", address="10.0.0.66")
    assert LOCKED_MESSAGE in response.content.decode() and not logged_in(client)
    client, _ = attempt("bob", "bob-password", address="10.0.0.67")
    assert logged_in(client)


def test_usernames_count_together_whatever_their_case(alice, limits):
    for username in ("alice", "Alice", " ALICE", "alicE", "alice "):
        attempt(username, "guess")
    _, response = attempt("alice", "alice-password")
    assert LOCKED_MESSAGE in response.content.decode()


def test_a_successful_login_clears_the_count_for_that_address(alice, limits):
    for _ in range(4):
        attempt("alice", "typo")
    client, _ = attempt("alice", "alice-password")
    assert logged_in(client)
    for _ in range(4):
        _, response = attempt("alice", "typo")
    assert WRONG_MESSAGE in response.content.decode()


def test_failures_older_than_a_lockout_are_forgotten(alice, limits):
    for _ in range(4):
        attempt("alice", "typo")
    with later(minutes=16):
        for _ in range(4):
            _, response = attempt("alice", "typo")
        assert WRONG_MESSAGE in response.content.decode()


def test_a_forged_x_forwarded_for_does_not_escape_the_lock_without_a_proxy(alice, limits):
    for number in range(5):
        attempt("alice", "guess", **{"X-Forwarded-For": f"203.0.113.{number}"})
    client, response = attempt("alice", "alice-password", **{"X-Forwarded-For": "203.0.113.99"})
    assert LOCKED_MESSAGE in response.content.decode() and not logged_in(client)


def test_behind_a_proxy_the_address_the_proxy_saw_counts_not_the_first_hop(alice, limits):
    limits.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for number in range(5):
        # The client made up the first hop; the proxy appended the address it saw.
        attempt(
            "alice",
            "guess",
            address="127.0.0.1",
            **{"X-Forwarded-For": f"1.2.3.{number}, 198.51.100.4"},
        )
    client, _ = attempt(
        "alice", "alice-password", address="127.0.0.1", **{"X-Forwarded-For": "198.51.100.4"}
    )
    assert not logged_in(client)
    client, _ = attempt(
        "alice", "alice-password", address="127.0.0.1", **{"X-Forwarded-For": "198.51.100.5"}
    )
    assert logged_in(client)


def test_neither_usernames_nor_addresses_are_stored_as_typed(alice, limits):
    attempt("my-secret-password", "guess", address="10.9.8.7")
    stored = " ".join(LoginThrottle.objects.values_list("key", flat=True))
    assert LoginThrottle.objects.count() == 3
    assert "my-secret-password" not in stored and "10.9.8.7" not in stored


@pytest.mark.django_db(transaction=True)
def test_failures_sent_side_by_side_are_all_counted(limits):
    lockout = datetime.timedelta(minutes=15)
    key = LoginThrottle.key_for("username", "alice")
    errors = []

    def fail():
        try:
            LoginThrottle.record_failure({key: 1000}, timezone.now(), lockout)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LoginThrottle.objects.get(key=key).failures == 12


def test_the_operator_finds_a_locked_lifter_in_the_admin_and_unlocks_them(
    alice, limits, admin_client
):
    for number in range(20):
        attempt("alice", "guess", address=f"10.0.2.{number}")
    url = reverse("admin:sessions_app_loginthrottle_changelist")
    found = admin_client.get(url, {"q": "ALICE"}).context["cl"].result_list
    assert [row.key for row in found] == [LoginThrottle.key_for("username", "alice")]
    response = admin_client.post(
        url, {"action": "unlock", "_selected_action": [found[0].pk]}, follow=True
    )
    assert "Unlocked 1 key." in response.content.decode()
    client, _ = attempt("alice", "alice-password", address="10.0.3.1")
    assert logged_in(client)


def test_the_admins_login_page_counts_and_locks_the_same_way(admin_user, limits):
    client = Client(REMOTE_ADDR="10.0.0.1")
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "admin", "password": "guess"})
    response = client.post(url, {"username": "admin", "password": "password"})
    assert LOCKED_MESSAGE in response.content.decode()
    assert not logged_in(client)
