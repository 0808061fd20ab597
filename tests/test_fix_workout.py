"""Fixing a finished workout from its history page: its sets and its note, with the sheet
following (rows rewritten in place or removed, never duplicated)."""

import pytest
from django.urls import reverse

from sessions_app.models import Set, Workout
from sync_app.push import run_sync
from tests.sync_helpers import SQUAT_DAY, completed_workout, data_rows, keys_in_sheet


@pytest.fixture
def squat_day(alice, lower1):
    return completed_workout(alice, lower1, SQUAT_DAY)


def edit_data(workout_set, **changes):
    fields = {
        "exercise": workout_set.exercise_name,
        "set_number": workout_set.set_number,
        "weight": workout_set.weight,
        "reps": workout_set.reps,
        "notes": workout_set.notes,
        "set_type": workout_set.set_type,
        "rpe": "",
        "unit": workout_set.unit,
        **changes,
    }
    return {f"set-{workout_set.pk}-{name}": value for name, value in fields.items()}


def second_squat(session):
    return session.sets.get(exercise_name="Back Squat", set_number=2)


def test_the_finished_workout_links_to_its_fix_page(alice_client, squat_day):
    page = alice_client.get(squat_day.get_absolute_url()).content.decode()
    assert reverse("fix_workout", args=[squat_day.pk]) in page
    page = alice_client.get(reverse("fix_workout", args=[squat_day.pk])).content.decode()
    assert page.count('class="fix-set"') == 3 and "Workout note" in page


def test_a_workout_in_progress_is_not_fixed_here(alice_client, alice_workout):
    workout_set, _ = alice_workout.log_set("Back Squat", "225", "5")
    assert alice_client.get(reverse("fix_workout", args=[alice_workout.pk])).status_code == 404
    response = alice_client.post(reverse("fix_set", args=[workout_set.pk]), edit_data(workout_set))
    assert response.status_code == 404


def test_fixing_a_set_rewrites_its_row_in_place(sheets, alice_client, squat_day):
    run_sync()
    workout_set = second_squat(squat_day)
    response = alice_client.post(
        reverse("fix_set", args=[workout_set.pk]), edit_data(workout_set, weight="245", reps="4")
    )
    assert response["Location"] == (
        reverse("fix_workout", args=[squat_day.pk]) + f"#fix-set-{workout_set.pk}"
    )
    workout_set.refresh_from_db()
    assert (workout_set.weight, workout_set.reps, workout_set.unit) == ("245", "4", "lb")
    squat_day.refresh_from_db()
    assert not squat_day.synced_to_sheets
    result = run_sync()
    assert (result.appended, result.updated, result.deleted) == (0, 1, 0)
    rows = data_rows(sheets)
    assert len(rows) == 3 and rows[1][3:7] == ["Back Squat", 2, 245, 4]


def test_a_set_keeps_the_unit_it_was_logged_in(alice, alice_client, lower1):
    session = Workout.start(alice, lower1)
    session.log_set("Back Squat", "100", "5", unit="kg")
    session.complete()
    workout_set = session.sets.get()
    page = alice_client.get(reverse("fix_workout", args=[session.pk])).content.decode()
    assert '<option value="kg" selected>' in page
    alice_client.post(reverse("fix_set", args=[workout_set.pk]), edit_data(workout_set, reps="6"))
    workout_set.refresh_from_db()
    assert (workout_set.weight, workout_set.reps, workout_set.unit) == ("100", "6", "kg")


def test_an_unchanged_set_is_not_sent_to_the_sheet_again(sheets, alice_client, squat_day):
    run_sync()
    workout_set = second_squat(squat_day)
    alice_client.post(reverse("fix_set", args=[workout_set.pk]), edit_data(workout_set))
    squat_day.refresh_from_db()
    assert squat_day.synced_to_sheets


def test_a_mistyped_fix_shows_the_error_and_changes_nothing(alice_client, squat_day):
    workout_set = second_squat(squat_day)
    response = alice_client.post(
        reverse("fix_set", args=[workout_set.pk]), edit_data(workout_set, weight="2350")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "More than 1,300 lb? Check the number" in page
    assert f'id="fix-set-{workout_set.pk}" open' in page
    workout_set.refresh_from_db()
    assert workout_set.weight == "235"


def test_deleting_a_set_asks_first_then_takes_its_row_out_of_the_sheet(
    sheets, alice_client, squat_day
):
    run_sync()
    workout_set = second_squat(squat_day)
    url = reverse("remove_set", args=[workout_set.pk])
    assert "Delete this set?" in alice_client.get(url).content.decode()
    assert Set.objects.filter(pk=workout_set.pk).exists()
    response = alice_client.post(url, follow=True)
    assert "Deleted set 2 of Back Squat." in response.content.decode()
    result = run_sync()
    assert (result.appended, result.updated, result.deleted) == (0, 0, 1)
    assert str(workout_set.key) not in keys_in_sheet(sheets)
    assert len(keys_in_sheet(sheets)) == 2


def test_the_note_is_saved_and_shown_on_the_workout(alice_client, squat_day):
    url = reverse("fix_workout", args=[squat_day.pk])
    response = alice_client.post(url, {"note": "Left knee sore; stopped early."}, follow=True)
    assert "Note saved." in response.content.decode()
    squat_day.refresh_from_db()
    assert squat_day.note == "Left knee sore; stopped early."
    assert not squat_day.synced_to_sheets  # as an admin edit: the sync looks again
    assert (
        "Left knee sore; stopped early."
        in alice_client.get(squat_day.get_absolute_url()).content.decode()
    )


def test_another_lifters_finished_workout_and_sets_are_404(bob, lower1, alice_client):
    bobs = completed_workout(bob, lower1, SQUAT_DAY)
    workout_set = second_squat(bobs)
    assert alice_client.get(reverse("fix_workout", args=[bobs.pk])).status_code == 404
    assert (
        alice_client.post(reverse("fix_workout", args=[bobs.pk]), {"note": "x"}).status_code == 404
    )
    response = alice_client.post(
        reverse("fix_set", args=[workout_set.pk]), edit_data(workout_set, weight="1")
    )
    assert response.status_code == 404
    assert alice_client.post(reverse("remove_set", args=[workout_set.pk])).status_code == 404
    workout_set.refresh_from_db()
    bobs.refresh_from_db()
    assert workout_set.weight == "235" and bobs.note == ""
