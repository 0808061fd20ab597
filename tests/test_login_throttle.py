"""Login guessing is slowed down, and no guesser can lock a lifter out.

Failures are counted per username from an address, per username and per address; past
a key's free failures each attempt waits a delay that doubles with every further failure.
A browser (a signed "known device" cookie) or an address where the lifter logged in
before counts its own failures only: guesses from elsewhere never slow it down."""

import datetime
import io
import threading
from unittest import mock

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.login import KNOWN_DEVICE_COOKIE
from sessions_app.models import LoginThrottle

PAUSED = "Too many failed logins. For safety, logging in is paused"
WRONG_MESSAGE = "Please enter a correct username and password"


def attempt(username, password, address="10.0.0.1", client=None, url=None, **headers):
    client = client or Client(headers=headers)
    client.defaults["REMOTE_ADDR"] = address
    response = client.post(url or reverse("login"), {"username": username, "password": password})
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


def log_out(client):
    client.post(reverse("logout"))
    assert not logged_in(client)


def later(**delta):
    """Patch the clock forward (every timezone.now() call in the request)."""
    moment = timezone.now() + datetime.timedelta(**delta)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def guesses(username, count, first_address=1):
    """count wrong passwords, each from an address of its own (a botnet)."""
    response = None
    for number in range(first_address, first_address + count):
        _, response = attempt(username, "guess", address=f"10.1.{number // 250}.{number % 250}")
    return response


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 5
    settings.LOGIN_FAILURES_PER_USERNAME = 10
    settings.LOGIN_FAILURES_PER_ADDRESS = 50
    settings.LOGIN_DELAY_FIRST_SECONDS = 30
    settings.LOGIN_DELAY_MAX_MINUTES = 15
    settings.LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS = 24
    settings.LOGIN_KNOWN_DEVICE_DAYS = 365
    return settings


@pytest.fixture
def alices_phone(alice, limits):
    """A browser alice logged in with before: it carries the known-device cookie."""
    phone, response = attempt("alice", "alice-password", address="192.168.1.7")
    assert logged_in(phone) and KNOWN_DEVICE_COOKIE in response.cookies
    log_out(phone)
    return phone


# --- No one else locks a lifter out ---------------------------------------------------


def test_guesses_from_four_addresses_do_not_lock_the_lifter_out_of_a_browser_they_used(
    alices_phone,
):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        for _ in range(5):
            attempt("alice", "guess", address=address)
    # The phone, now on another network (the gym's): still its lifter's.
    _, response = attempt("alice", "alice-password", address="172.16.5.5", client=alices_phone)
    assert response.status_code == 302 and logged_in(alices_phone)


def test_guesses_from_elsewhere_do_not_lock_the_lifter_out_of_an_address_they_used(alice, limits):
    home, _ = attempt("alice", "alice-password", address="192.168.1.7")
    assert logged_in(home)
    guesses("alice", 60)
    # Another browser at the same address (the cookie was cleared, a new laptop).
    laptop, response = attempt("alice", "alice-password", address="192.168.1.7")
    assert response.status_code == 302 and logged_in(laptop)


def test_the_operators_admin_login_survives_an_attack_from_a_known_browser(admin_user, limits):
    url = reverse("admin:login")
    desk, _ = attempt("admin", "password", address="192.168.1.2", url=url)
    assert logged_in(desk)
    log_out(desk)
    guesses("admin", 60)
    _, response = attempt("admin", "password", address="198.51.100.9", client=desk, url=url)
    assert response.status_code == 302 and logged_in(desk)


def test_a_forged_known_device_cookie_is_ignored(alice, limits):
    guesses("alice", 10)
    forged = Client()
    forged.cookies[KNOWN_DEVICE_COOKIE] = signing.dumps(
        {"device": "x", "lifters": ["alice"]}, salt="not-ours"
    )
    _, response = attempt("alice", "alice-password", address="172.16.5.5", client=forged)
    assert PAUSED in response.content.decode() and not logged_in(forged)


def test_a_known_browser_expires_after_its_days(alices_phone, limits):
    guesses("alice", 10)
    with later(days=366):
        # A year on, the phone is unknown and the botnet's failures (still counted,
        # a day's worth) slow it down like anyone.
        guesses("alice", 10, first_address=100)
        _, response = attempt("alice", "alice-password", client=alices_phone)
    assert PAUSED in response.content.decode()


# --- Guessing is slowed down, more and more -------------------------------------------


def test_guesses_for_a_username_from_anywhere_meet_a_doubling_delay(alice, limits):
    response = guesses("alice", 10)
    assert PAUSED in response.content.decode()
    assert "try again in 30 seconds." in response.content.decode()
    _, response = attempt("alice", "alice-password", address="10.2.0.1")
    assert PAUSED in response.content.decode()  # even the right password waits: no oracle
    delays = []
    moment = timezone.now()
    for _ in range(7):
        row = LoginThrottle.objects.get(key=LoginThrottle.key_for("username", "alice"))
        delays.append(round((row.locked_until - moment).total_seconds()))
        moment = row.locked_until + datetime.timedelta(seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            attempt("alice", "guess", address="10.2.0.2")
    assert delays == [30, 60, 120, 240, 480, 900, 900]


def test_after_the_delay_the_right_password_works_from_a_new_browser(alice, limits):
    guesses("alice", 10)
    with later(seconds=20):
        client, response = attempt("alice", "alice-password", address="10.3.0.1")
        assert "try again in 10 seconds." in response.content.decode()
        assert not logged_in(client)
    with later(seconds=31):
        client, response = attempt("alice", "alice-password", address="10.3.0.1")
        assert response.status_code == 302 and logged_in(client)


def test_five_wrong_passwords_from_one_address_slow_that_address_down(alice, limits):
    for _ in range(4):
        _, response = attempt("alice", "guess")
        assert WRONG_MESSAGE in response.content.decode()
    _, response = attempt("alice", "guess")
    assert "try again in 30 seconds." in response.content.decode()
    client, response = attempt("alice", "alice-password")
    assert PAUSED in response.content.decode() and not logged_in(client)
    client, response = attempt("alice", "alice-password", address="10.0.0.2")
    assert logged_in(client)


def test_a_known_browser_typing_wrong_passwords_is_slowed_down_too(alices_phone, limits):
    for _ in range(5):
        _, response = attempt("alice", "typo", client=alices_phone)
    assert "try again in 30 seconds." in response.content.decode()
    _, response = attempt("alice", "alice-password", client=alices_phone)
    assert PAUSED in response.content.decode()
    # Its failures are its own: another browser of alice's is not slowed.
    laptop, _ = attempt("alice", "alice-password", address="10.0.0.9")
    assert logged_in(laptop)


def test_one_address_trying_many_usernames_is_slowed_down(alice, bob, limits):
    for number in range(50):
        attempt(f"lifter{number}", "guess", address="10.0.0.66")
    client, response = attempt("bob", "bob-password", address="10.0.0.66")
    assert PAUSED in response.content.decode() and not logged_in(client)
    client, _ = attempt("bob", "bob-password", address="10.0.0.67")
    assert logged_in(client)


def test_usernames_count_together_whatever_their_case(alice, limits):
    for username in ("alice", "Alice", " ALICE", "alicE", "alice "):
        attempt(username, "guess")
    _, response = attempt("alice", "alice-password")
    assert PAUSED in response.content.decode()


def test_a_successful_login_clears_the_count_for_that_address(alice, limits):
    for _ in range(4):
        attempt("alice", "typo")
    client, _ = attempt("alice", "alice-password")
    assert logged_in(client)
    for _ in range(4):
        _, response = attempt("alice", "typo")
    assert WRONG_MESSAGE in response.content.decode()


def test_failures_are_forgotten_a_day_after_the_last_one(alice, limits):
    for _ in range(4):
        attempt("alice", "typo")
    with later(hours=23):
        _, response = attempt("alice", "typo")
        assert PAUSED in response.content.decode()
    with later(hours=48):
        for _ in range(4):
            _, response = attempt("alice", "typo")
        assert WRONG_MESSAGE in response.content.decode()


def test_a_forged_x_forwarded_for_does_not_escape_the_count_without_a_proxy(alice, limits):
    for number in range(5):
        attempt("alice", "guess", **{"X-Forwarded-For": f"203.0.113.{number}"})
    client, response = attempt("alice", "alice-password", **{"X-Forwarded-For": "203.0.113.99"})
    assert PAUSED in response.content.decode() and not logged_in(client)


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
    client, response = attempt("my-secret-password", "guess", address="10.9.8.7")
    stored = " ".join(f"{row.key} {row.username_key}" for row in LoginThrottle.objects.all())
    assert LoginThrottle.objects.count() == 3
    assert "my-secret-password" not in stored and "10.9.8.7" not in stored
    client, response = attempt("alice", "alice-password", address="10.9.8.7")
    assert "alice" not in response.cookies[KNOWN_DEVICE_COOKIE].value


@pytest.mark.django_db(transaction=True)
def test_failures_sent_side_by_side_are_all_counted(limits):
    key = LoginThrottle.key_for("username", "alice")
    errors = []

    def fail():
        try:
            LoginThrottle.record_failure({key: (1000, "")}, timezone.now())
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


# --- Operators ------------------------------------------------------------------------


def test_the_operator_finds_a_slowed_lifter_in_the_admin_and_unlocks_them(
    alice, limits, admin_client
):
    guesses("alice", 10)
    url = reverse("admin:sessions_app_loginthrottle_changelist")
    found = admin_client.get(url, {"q": "ALICE"}).context["cl"].result_list
    assert LoginThrottle.key_for("username", "alice") in [row.key for row in found]
    assert len(found) == 11  # the username, and the username from each of 10 addresses
    response = admin_client.post(
        url, {"action": "unlock", "_selected_action": [row.pk for row in found]}, follow=True
    )
    assert "Unlocked 11 keys." in response.content.decode()
    client, _ = attempt("alice", "alice-password", address="10.0.3.1")
    assert logged_in(client)


def test_manage_py_unlock_clears_every_count_of_a_lifter(alice, bob, limits):
    guesses("alice", 10)
    guesses("bob", 3, first_address=200)
    output = io.StringIO()
    call_command("unlock", "ALICE", stdout=output)
    assert output.getvalue() == (
        "Unlocked alice: 11 failed-login counts cleared; logging in works at once.\n"
    )
    client, _ = attempt("alice", "alice-password", address="10.0.3.1")
    assert logged_in(client)
    bobs = LoginThrottle.objects.filter(
        username_key=LoginThrottle.username_key_for("bob"), failures__gt=0
    )
    assert bobs.count() == 4


def test_manage_py_unlock_refuses_an_unknown_lifter(alice):
    with pytest.raises(CommandError, match="No lifter is named 'alcie'"):
        call_command("unlock", "alcie")


def test_the_admins_login_page_counts_and_slows_the_same_way(admin_user, limits):
    url = reverse("admin:login")
    for _ in range(5):
        attempt("admin", "guess", url=url)
    _, response = attempt("admin", "password", url=url)
    assert PAUSED in response.content.decode()
