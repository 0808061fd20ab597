"""Editing history in the admin marks the workout for another trip to the sheet."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from sessions_app.models import Workout, give_starter_routines
from tests.helpers import bulk_sets


@pytest.fixture
def synced_workout(alice_workout):
    squat, _ = alice_workout.log_set("Back Squat", "225", "5")
    press, _ = alice_workout.log_set("Leg Press", "300", "10")
    alice_workout.complete()
    Workout.objects.filter(pk=alice_workout.pk).update(synced_to_sheets=True)
    alice_workout.refresh_from_db()
    return alice_workout, squat, press


def inline_form_data(session, sets, **changes):
    """The admin change form for a session, as a browser posts it, with some changes."""
    data = {
        "owner": session.owner_id,
        "routine_slug": session.routine_slug,
        "date": session.date.isoformat(),
        "status": session.status,
        "sets-TOTAL_FORMS": str(len(sets)),
        "sets-INITIAL_FORMS": str(len(sets)),
        "sets-MIN_NUM_FORMS": "0",
        "sets-MAX_NUM_FORMS": "1000",
    }
    for index, workout_set in enumerate(sets):
        prefix = f"sets-{index}-"
        data.update(
            {
                prefix + "id": workout_set.pk,
                prefix + "workout": session.pk,
                prefix + "exercise": workout_set.exercise_id,
                prefix + "set_number": workout_set.set_number,
                prefix + "weight": workout_set.weight,
                prefix + "reps": workout_set.reps,
                prefix + "notes": workout_set.notes,
            }
        )
    data.update(changes)
    return data


def change_url(session):
    return reverse("admin:sessions_app_workout_change", args=[session.pk])


def test_editing_a_set_inline_marks_the_session_unsynced(admin_client, synced_workout):
    session, squat, press = synced_workout
    response = admin_client.post(
        change_url(session),
        inline_form_data(session, [squat, press], **{"sets-0-weight": "235"}),
    )
    assert response.status_code == 302
    squat.refresh_from_db()
    session.refresh_from_db()
    assert squat.weight == "235"
    assert session.synced_to_sheets is False


def test_deleting_a_set_inline_marks_the_session_unsynced(admin_client, synced_workout):
    session, squat, press = synced_workout
    admin_client.post(
        change_url(session), inline_form_data(session, [squat, press], **{"sets-1-DELETE": "on"})
    )
    session.refresh_from_db()
    assert list(session.sets.all()) == [squat]
    assert session.synced_to_sheets is False


def test_deleting_sets_from_the_set_list_marks_the_session_unsynced(admin_client, synced_workout):
    session, squat, press = synced_workout
    admin_client.post(
        reverse("admin:sessions_app_set_changelist"),
        {"action": "delete_selected", "_selected_action": [press.pk], "post": "yes"},
    )
    session.refresh_from_db()
    assert list(session.sets.all()) == [squat] and session.synced_to_sheets is False


def test_saving_without_changes_keeps_the_session_synced(admin_client, synced_workout):
    session, squat, press = synced_workout
    admin_client.post(change_url(session), inline_form_data(session, [squat, press]))
    session.refresh_from_db()
    assert session.synced_to_sheets is True


def test_changing_the_date_marks_the_session_unsynced(admin_client, synced_workout):
    session, squat, press = synced_workout
    admin_client.post(
        change_url(session), inline_form_data(session, [squat, press], date="2025-01-02")
    )
    session.refresh_from_db()
    assert session.synced_to_sheets is False


def test_sessions_are_searchable_by_exercise_and_filterable(
    admin_client, synced_workout, bob_workout
):
    session = synced_workout[0]
    changelist = reverse("admin:sessions_app_workout_changelist")
    found = admin_client.get(changelist, {"q": "Leg Press"}).content.decode()
    assert session.pk in found and bob_workout.pk not in found
    completed = admin_client.get(changelist, {"status__exact": "completed"}).content.decode()
    assert session.pk in completed and bob_workout.pk not in completed
    by_date = admin_client.get(changelist, {"q": session.date.isoformat()}).content.decode()
    assert session.pk in by_date


def test_template_admin_edits_exercises(admin_client, lower1):
    response = admin_client.get(reverse("admin:sessions_app_routine_change", args=[lower1.pk]))
    assert response.status_code == 200 and "Back Squat" in response.content.decode()


def test_searching_by_exercise_counts_each_set_once(admin_client, alice_workout):
    bulk_sets(alice_workout, "Back Squat", 25)
    changelist = reverse("admin:sessions_app_workout_changelist")
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(changelist, {"q": "Back Squat"}).content.decode()
    assert '<td class="field-set_count">25</td>' in page
    # The sets are read in subqueries (EXISTS, COUNT), never joined to the workouts.
    assert not [q["sql"] for q in queries if 'JOIN "sets"' in q["sql"]]
    listed = [q["sql"] for q in queries if '"set_count"' in q["sql"]]
    assert len(listed) == 1 and "DISTINCT" not in listed[0]


def test_searching_a_workout_of_thousands_of_sets_is_fast(admin_client, alice_workout):
    bulk_sets(alice_workout, "Back Squat", 2_500)
    changelist = reverse("admin:sessions_app_workout_changelist")
    started = time.monotonic()
    page = admin_client.get(changelist, {"q": "Back Squat"}).content.decode()
    assert '<td class="field-set_count">2500</td>' in page
    assert time.monotonic() - started < 2  # joined twice and made distinct, it took 40 s


def test_a_workout_of_thousands_of_sets_shows_a_link_to_its_sets_not_thousands_of_forms(
    admin_client, synced_workout, django_assert_max_num_queries
):
    session = synced_workout[0]
    bulk_sets(session, "Leg Press", 2_000)
    # login session, admin user, the workout with its set count, the content type (cached
    # after the first test that needs it), its failing push if any: none per set.
    with django_assert_max_num_queries(5):
        response = admin_client.get(change_url(session))
    page = response.content.decode()
    assert response.status_code == 200 and "sets-TOTAL_FORMS" not in page
    sets_url = reverse("admin:sessions_app_set_changelist") + f"?workout__id__exact={session.pk}"
    assert f'href="{escape(sets_url)}"' in page and "2002 sets" in page
    listed = admin_client.get(sets_url)
    assert listed.status_code == 200 and "2002 sets" in listed.content.decode()

    saved = admin_client.post(
        change_url(session),
        {
            "owner": session.owner_id,
            "routine_slug": session.routine_slug,
            "date": "2025-01-02",
            "status": session.status,
        },
    )
    assert saved.status_code == 302
    session.refresh_from_db()
    assert session.date.isoformat() == "2025-01-02" and session.sets.count() == 2002


def test_routine_admin_tells_the_starters_from_the_lifters_routines(admin_client, alice, lower1):
    give_starter_routines(alice)
    changelist = reverse("admin:sessions_app_routine_changelist")
    starters = admin_client.get(changelist, {"owner__isempty": "1"}).content.decode()
    assert "starter (copied to new lifters)" in starters and ">alice<" not in starters
    theirs = admin_client.get(changelist, {"owner__isempty": "0"}).content.decode()
    assert ">alice<" in theirs and "starter (copied to new lifters)" not in theirs
