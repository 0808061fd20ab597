"""Editing history in the admin marks the workout for another trip to the sheet."""

import pytest
from django.urls import reverse

from sessions_app.models import Session, give_starter_routines


@pytest.fixture
def synced_workout(alice_workout):
    squat, _ = alice_workout.log_set("Back Squat", "225", "5")
    press, _ = alice_workout.log_set("Leg Press", "300", "10")
    alice_workout.complete()
    Session.objects.filter(pk=alice_workout.pk).update(synced_to_sheets=True)
    alice_workout.refresh_from_db()
    return alice_workout, squat, press


def inline_form_data(session, sets, **changes):
    """The admin change form for a session, as a browser posts it, with some changes."""
    data = {
        "owner": session.owner_id,
        "template": session.template,
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
                prefix + "session": session.pk,
                prefix + "exercise": workout_set.exercise,
                prefix + "set_number": workout_set.set_number,
                prefix + "weight": workout_set.weight,
                prefix + "reps": workout_set.reps,
                prefix + "notes": workout_set.notes,
            }
        )
    data.update(changes)
    return data


def change_url(session):
    return reverse("admin:sessions_app_session_change", args=[session.pk])


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
    changelist = reverse("admin:sessions_app_session_changelist")
    found = admin_client.get(changelist, {"q": "Leg Press"}).content.decode()
    assert session.pk in found and bob_workout.pk not in found
    completed = admin_client.get(changelist, {"status__exact": "completed"}).content.decode()
    assert session.pk in completed and bob_workout.pk not in completed
    by_date = admin_client.get(changelist, {"q": session.date.isoformat()}).content.decode()
    assert session.pk in by_date


def test_template_admin_edits_exercises(admin_client, lower1):
    response = admin_client.get(
        reverse("admin:sessions_app_workouttemplate_change", args=[lower1.pk])
    )
    assert response.status_code == 200 and "Back Squat" in response.content.decode()


def test_routine_admin_tells_the_starters_from_the_lifters_routines(admin_client, alice, lower1):
    give_starter_routines(alice)
    changelist = reverse("admin:sessions_app_workouttemplate_changelist")
    starters = admin_client.get(changelist, {"owner__isempty": "1"}).content.decode()
    assert "starter (copied to new lifters)" in starters and ">alice<" not in starters
    theirs = admin_client.get(changelist, {"owner__isempty": "0"}).content.decode()
    assert ">alice<" in theirs and "starter (copied to new lifters)" not in theirs
