"""Every page needs a login, and a lifter only ever sees their own workouts."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions_app.models import Set


@pytest.fixture
def bobs_set(bob_workout):
    workout_set, _ = bob_workout.log_set("Back Squat", "315", "5")
    return workout_set


def page_urls(session, workout_set):
    return [
        reverse("home"),
        reverse("history"),
        reverse("workout", args=[session.pk]),
        reverse("cancel_session", args=[session.pk]),
        reverse("edit_set", args=[workout_set.pk]),
        reverse("show_set", args=[workout_set.pk]),
    ]


def test_every_page_redirects_to_login_without_a_login(bob_workout, bobs_set):
    for url in page_urls(bob_workout, bobs_set):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_writes_without_a_login_change_nothing(bob_workout, bobs_set):
    client = Client()
    client.post(reverse("log_set", args=[bob_workout.pk]), {"exercise": "X", "reps": "1"})
    client.post(reverse("delete_set", args=[bobs_set.pk]))
    client.post(reverse("complete_session", args=[bob_workout.pk]))
    bob_workout.refresh_from_db()
    assert bob_workout.status == "active" and list(bob_workout.sets.all()) == [bobs_set]


def test_the_login_page_itself_needs_no_login(db):
    assert Client().get(reverse("login")).status_code == 200


def test_another_lifters_workout_and_sets_are_404(alice_client, bob_workout, bobs_set):
    for url in page_urls(bob_workout, bobs_set)[2:]:
        assert alice_client.get(url).status_code == 404, url
    posts = [
        (reverse("log_set", args=[bob_workout.pk]), {"exercise": "X", "reps": "1"}),
        (reverse("edit_set", args=[bobs_set.pk]), {f"set-{bobs_set.pk}-exercise": "X"}),
        (reverse("delete_set", args=[bobs_set.pk]), {}),
        (reverse("complete_session", args=[bob_workout.pk]), {}),
        (reverse("cancel_session", args=[bob_workout.pk]), {}),
    ]
    for url, data in posts:
        assert alice_client.post(url, data).status_code == 404, url
    bob_workout.refresh_from_db()
    assert bob_workout.status == "active"
    assert list(Set.objects.filter(workout=bob_workout).values_list("exercise_name", "weight")) == [
        ("Back Squat", "315")
    ]


def test_history_shows_only_the_lifters_own_workouts(alice_client, alice_workout, bob_workout):
    bob_workout.complete()
    alice_workout.complete()
    page = alice_client.get(reverse("history")).content.decode()
    assert alice_workout.get_absolute_url() in page
    assert bob_workout.get_absolute_url() not in page


def test_logging_in_with_the_styled_form(alice):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-password"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_shows_an_error(alice):
    response = Client().post(reverse("login"), {"username": "alice", "password": "nope"})
    assert "Please enter a correct username and password" in response.content.decode()
