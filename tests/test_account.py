"""A lifter's own account: kg or lb, the password, logging out everywhere, API tokens,
and operators adding lifters."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from sessions_app.models import ApiToken, LifterProfile

QUESTION = "Do you lift in kilograms or pounds?"


def test_the_home_page_asks_for_the_unit_until_the_lifter_chooses(alice, alice_client):
    assert QUESTION in alice_client.get(reverse("home")).content.decode()
    response = alice_client.post(
        reverse("choose_unit"), {"weight_unit": "kg", "next": reverse("home")}, follow=True
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    page = response.content.decode()
    assert QUESTION not in page and "New sets are in kg." in page
    assert LifterProfile.objects.get(user=alice).weight_unit == "kg"
    assert LifterProfile.unit_of(alice.pk) == "kg"


def test_changing_the_unit_later_leaves_logged_sets_as_they_were(
    alice, alice_client, alice_workout
):
    alice_client.post(reverse("choose_unit"), {"weight_unit": "kg"})
    alice_workout.log_set("Back Squat", "100", "5", unit="kg")
    response = alice_client.post(reverse("choose_unit"), {"weight_unit": "lb"})
    assert response.status_code == 302 and response["Location"] == reverse("account_settings")
    assert LifterProfile.unit_of(alice.pk) == "lb"
    assert list(alice_workout.sets.values_list("weight", "unit")) == [("100", "kg")]


def test_a_unit_choice_never_redirects_off_the_site(alice_client):
    response = alice_client.post(
        reverse("choose_unit"), {"weight_unit": "lb", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("account_settings")


def test_an_unknown_unit_is_refused(alice, alice_client):
    response = alice_client.post(reverse("choose_unit"), {"weight_unit": "stone"}, follow=True)
    assert "Choose kg or lb." in response.content.decode()
    assert not LifterProfile.objects.filter(user=alice).exists()


def test_settings_show_the_chosen_unit(alice, alice_client):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    page = alice_client.get(reverse("account_settings")).content.decode()
    assert re.search(r'value="kg"[^>]*checked', page)


def test_changing_the_password_keeps_this_session_and_ends_the_others(alice, alice_client):
    other_phone = Client()
    other_phone.force_login(alice)
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "alice-password",
            "new_password1": "squat-bench-dead-2026",
            "new_password2": "squat-bench-dead-2026",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("account_settings"), 302)]
    assert "Password changed. Other devices are logged out." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("squat-bench-dead-2026")
    assert alice_client.get(reverse("home")).status_code == 200
    assert other_phone.get(reverse("home")).status_code == 302


def test_a_wrong_old_password_or_a_weak_new_one_is_refused(alice, alice_client):
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "abc", "new_password2": "abc"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in page
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "alice-password",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert "This password is too common." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("alice-password")


def test_wrong_old_passwords_count_towards_the_login_lockout(alice, alice_client, settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 3
    for _ in range(3):
        response = alice_client.post(
            reverse("password_change"),
            {"old_password": "guess", "new_password1": "x", "new_password2": "x"},
        )
    assert "Too many failed logins." in response.content.decode()
    response = Client().post(reverse("login"), {"username": "alice", "password": "alice-password"})
    assert "Too many failed logins." in response.content.decode()


def test_log_out_everywhere_ends_other_sessions_and_keeps_this_one(alice, alice_client):
    other_phone = Client()
    other_phone.force_login(alice)
    token = ApiToken.issue(alice, "shortcut")
    response = alice_client.post(
        reverse("logout_everywhere"), {"password": "alice-password"}, follow=True
    )
    assert "Logged out on every other device." in response.content.decode()
    assert alice_client.get(reverse("home")).status_code == 200
    assert other_phone.get(reverse("home")).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("alice-password")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/session/active").status_code == 200  # tokens are revoked apart


def test_log_out_everywhere_needs_the_password(alice, alice_client):
    other_phone = Client()
    other_phone.force_login(alice)
    response = alice_client.post(reverse("logout_everywhere"), {"password": "wrong"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert other_phone.get(reverse("home")).status_code == 200


def test_creating_a_token_asks_for_the_password(alice, alice_client):
    response = alice_client.post(reverse("create_token"), {"name": "phone shortcut"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = alice_client.post(
        reverse("create_token"), {"name": "phone shortcut", "password": "guess"}
    )
    assert "That is not your password." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_wrong_passwords_for_a_token_count_as_failed_logins(alice, alice_client, settings):
    settings.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = 3
    for _ in range(3):
        response = alice_client.post(reverse("create_token"), {"password": "guess"})
    assert "Too many failed logins." in response.content.decode()


def test_a_new_token_is_shown_once_after_a_redirect_and_never_in_a_url_or_a_log(
    alice, alice_client, caplog
):
    caplog.set_level("DEBUG")
    response = alice_client.post(
        reverse("create_token"), {"name": "phone shortcut", "password": "alice-password"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_settings")
    shown = alice_client.get(response["Location"])
    page = shown.content.decode()
    secret = re.search(r'id="new-token"[^>]*>(wl_[^<]+)</textarea>', page).group(1)
    assert "no-store" in shown["Cache-Control"]
    token = ApiToken.objects.get(user=alice)
    assert token.name == "phone shortcut" and token.digest == ApiToken.digest_of(secret)
    assert secret not in " ".join(str(m) for m in shown.context["messages"])
    assert secret not in caplog.text
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/session/active").status_code == 200
    reloaded = alice_client.get(reverse("account_settings"))
    assert reloaded.status_code == 200
    assert secret not in reloaded.content.decode()
    assert f"{token.hint}…" in reloaded.content.decode()


def test_the_settings_page_offers_to_revoke_tokens_with_the_password_forms(alice, alice_client):
    ApiToken.issue(alice, "shortcut")
    for url in (reverse("account_settings"), reverse("password_change")):
        page = alice_client.get(url).content.decode()
        assert re.search(r'name="revoke_api_tokens"[^>]*checked', page), url
    page = alice_client.get(reverse("password_change")).content.decode()
    assert "Your API tokens keep working unless you revoke them here." in page


def test_changing_the_password_revokes_the_tokens_when_asked(alice, alice_client):
    secret = ApiToken.issue(alice, "shortcut")
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "alice-password",
            "new_password1": "squat-bench-dead-2026",
            "new_password2": "squat-bench-dead-2026",
            "revoke_api_tokens": "on",
        },
        follow=True,
    )
    assert (
        "Password changed. Other devices are logged out, and your 1 API token was revoked."
        in response.content.decode()
    )
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/session/active").status_code == 401


def test_changing_the_password_keeps_the_tokens_when_unticked(alice, alice_client):
    secret = ApiToken.issue(alice, "shortcut")
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "alice-password",
            "new_password1": "squat-bench-dead-2026",
            "new_password2": "squat-bench-dead-2026",
        },
        follow=True,
    )
    assert "Your API tokens still work." in response.content.decode()
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/session/active").status_code == 200


def test_log_out_everywhere_revokes_the_tokens_when_asked(alice, bob, alice_client):
    secrets = [ApiToken.issue(alice, "shortcut"), ApiToken.issue(alice, "laptop")]
    bobs = ApiToken.issue(bob, "bob's")
    response = alice_client.post(
        reverse("logout_everywhere"),
        {"password": "alice-password", "revoke_api_tokens": "on"},
        follow=True,
    )
    assert (
        "Logged out on every other device, and your 2 API tokens were revoked."
        in response.content.decode()
    )
    for secret in secrets:
        api = Client(headers={"Authorization": f"Bearer {secret}"})
        assert api.get("/api/session/active").status_code == 401
    assert (
        Client(headers={"Authorization": f"Bearer {bobs}"}).get("/api/session/active").status_code
        == 200
    )


def test_revoking_a_token_stops_it(alice, alice_client):
    secret = ApiToken.issue(alice, "old laptop")
    token = ApiToken.objects.get(user=alice)
    response = alice_client.post(reverse("revoke_token", args=[token.pk]), follow=True)
    assert f"Revoked the API token “old laptop” ({token.hint}…)" in response.content.decode()
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/session/active").status_code == 401


def test_another_lifters_token_cannot_be_revoked(alice, bob, alice_client):
    ApiToken.issue(bob, "bob's")
    token = ApiToken.objects.get(user=bob)
    assert alice_client.post(reverse("revoke_token", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_account_pages_need_a_login(db):
    for url in (reverse("account_settings"), reverse("password_change")):
        assert Client().get(url)["Location"].startswith(reverse("login"))
    assert Client().post(reverse("create_token"), {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_add_lifter_prints_a_generated_password_once_that_logs_in(db):
    out = io.StringIO()
    call_command("add_lifter", "carol", stdout=out)
    password = re.search(r"password: (\S+)", out.getvalue()).group(1)
    carol = get_user_model().objects.get(username="carol")
    assert carol.check_password(password) and not carol.is_staff and not carol.is_superuser
    client = Client()
    response = client.post(reverse("login"), {"username": "carol", "password": password})
    assert response.status_code == 302


def test_add_lifter_refuses_a_taken_username_whatever_its_case(alice):
    with pytest.raises(CommandError, match="There is already a lifter named 'Alice'."):
        call_command("add_lifter", "Alice", stdout=io.StringIO())


def dark_stylesheet(page):
    """The dark stylesheet's link: its media query, "always", or None when not linked."""
    found = re.search(r'<link rel="stylesheet" href="[^"]*dark\.css"( media="([^"]+)")?>', page)
    if not found:
        return None
    return found.group(2) or "always"


def test_the_colours_follow_the_phone_until_the_lifter_chooses(alice_client):
    page = alice_client.get(reverse("account_settings")).content.decode()
    assert dark_stylesheet(page) == "(prefers-color-scheme: dark)"
    assert re.search(r'value="system"[^>]*checked', page)
    response = alice_client.post(reverse("choose_theme"), {"theme": "dark"}, follow=True)
    assert "Colours: dark, on this phone or browser." in response.content.decode()
    assert alice_client.cookies["theme"].value == "dark"
    assert dark_stylesheet(alice_client.get(reverse("home")).content.decode()) == "always"
    alice_client.post(reverse("choose_theme"), {"theme": "light"})
    assert dark_stylesheet(alice_client.get(reverse("home")).content.decode()) is None


def test_an_unknown_theme_is_refused(alice_client):
    response = alice_client.post(reverse("choose_theme"), {"theme": "neon"}, follow=True)
    assert "Choose how the app looks." in response.content.decode()
    assert "theme" not in alice_client.cookies
