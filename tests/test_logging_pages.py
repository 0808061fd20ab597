"""Logging a workout through the pages, with and without htmx."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from sessions_app.models import Exercise, Routine, Set, Workout
from tests.helpers import HTMX, own_id, set_data


def log_url(session):
    return reverse("log_set", args=[session.pk])


def test_home_offers_templates_when_no_workout_is_in_progress(alice_client, lower1):
    page = alice_client.get("/").content.decode()
    assert "Start a workout" in page and "Lower 1" in page


def test_home_offers_to_resume_the_workout_in_progress(alice_client, alice_workout):
    page = alice_client.get("/").content.decode()
    assert "Resume workout" in page and alice_workout.get_absolute_url() in page


def test_starting_a_workout_for_another_day(alice_client, alice, lower1):
    response = alice_client.post(
        reverse("start_session"), {"template": "lower1", "date": "2025-09-21"}
    )
    session = Workout.objects.get(owner=alice)
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert (session.pk, session.date) == (
        own_id(alice, "2025-09-21_lower1"),
        datetime.date(2025, 9, 21),
    )


def test_starting_with_an_unknown_template_shows_the_error(alice_client, alice, lower1):
    response = alice_client.post(reverse("start_session"), {"template": "nope"})
    assert response.status_code == 200
    assert "There is no workout template with that name." in response.content.decode()
    assert not Workout.objects.filter(owner=alice).exists()


def test_starting_while_a_workout_is_in_progress_offers_to_resume_it(
    alice_client, alice_workout, upper1
):
    response = alice_client.post(reverse("start_session"), {"template": "upper1"}, follow=True)
    page = response.content.decode()
    assert "You already have a workout in progress" in page
    assert response.redirect_chain[-1][0] == alice_workout.get_absolute_url()
    assert Workout.objects.filter(owner=alice_workout.owner).count() == 1


def test_workout_page_lists_template_exercises_in_order_with_forms(
    alice_client, alice_workout, lower1
):
    exercises = list(lower1.exercises.all())
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    positions = [page.index(f">{exercise.name}</h2>") for exercise in exercises]
    assert len(exercises) >= 3 and positions == sorted(positions)
    # One row per planned set, each a form with a key of its own.
    keys = re.findall(r'<form class="set-row planned log-set" data-key="([0-9a-f-]{36})"', page)
    assert len(keys) == sum(exercise.target_sets for exercise in exercises)
    assert len(set(keys)) == len(keys)


def test_logging_a_set_without_htmx_redirects_back_to_the_workout(alice_client, alice_workout):
    response = alice_client.post(log_url(alice_workout), set_data("Back Squat", "225", "5"))
    assert response.status_code == 302
    assert response["Location"].startswith(alice_workout.get_absolute_url() + "#ex-")
    workout_set = Set.objects.get(workout=alice_workout)
    assert (
        workout_set.exercise_name,
        workout_set.set_number,
        workout_set.weight,
        workout_set.reps,
    ) == (
        "Back Squat",
        1,
        "225",
        "5",
    )


def test_logging_a_set_with_htmx_returns_only_that_row_logged(
    alice_client, alice_workout, django_assert_num_queries
):
    data = set_data("Back Squat", "225", "5", set_number="2")
    # django session, user, and the one statement that stores the set, checking that
    # the workout is alice's and open (inside a savepoint here: BEGIN and COMMIT live)
    with django_assert_num_queries(5):
        response = alice_client.post(log_url(alice_workout), data, headers=HTMX)
    fragment = response.content.decode().strip()
    assert response.status_code == 200
    assert "<html" not in fragment and "Romanian Deadlift" not in fragment
    assert fragment.startswith('<div class="set-row done" id="set-')
    assert f'data-key="{data["key"]}"' in fragment
    assert '225 <span class="unit">lb</span>' in fragment
    assert fragment.count("<form") == 0  # the row is logged: nothing left to tap


def test_adding_an_exercise_with_htmx_returns_its_card_with_one_row(alice_client, alice_workout):
    response = alice_client.get(alice_workout.get_absolute_url() + "?add=Nordic+Curl", headers=HTMX)
    fragment = response.content.decode().strip()
    assert fragment.startswith('<details class="exercise') and "<html" not in fragment
    assert ">Nordic Curl</h2>" in fragment
    assert len(re.findall(r'data-key="[0-9a-f-]{36}"', fragment)) == 1
    assert not Set.objects.filter(workout=alice_workout).exists()  # nothing logged yet


def test_adding_an_exercise_uses_the_lifters_own_spelling(alice_client, alice, lower1):
    earlier = Workout.start(alice, lower1, datetime.date(2025, 1, 1))
    earlier.log_set("Nordic Curl", "BW", "6")
    earlier.complete()
    workout = Workout.start(alice, lower1)
    page = alice_client.get(workout.get_absolute_url() + "?add=nordic+curl+").content.decode()
    assert ">Nordic Curl</h2>" in page and 'data-exercise="nordic curl' not in page
    assert 'name="exercise" value="Nordic Curl"' in page
    assert "Last time, Wed 1 Jan:" in page


def test_adding_an_exercise_already_in_the_workout_shows_its_card_again(
    alice_client, alice_workout
):
    response = alice_client.get(alice_workout.get_absolute_url() + "?add=back+squat", headers=HTMX)
    assert response["HX-Retarget"].startswith("#ex-")
    assert response["HX-Reswap"] == "outerHTML"
    assert response.content.decode().count(">Back Squat</h2>") == 1


def test_the_add_exercise_field_suggests_the_lifters_names_never_another_lifters(
    alice_client, alice_workout, bob_workout
):
    alice_workout.log_set("My Odd Squat", "135", "5")
    bob_workout.log_set("Secret Press", "135", "5")
    response = alice_client.get(reverse("exercise_names"), headers=HTMX)
    names = re.findall(r'<option value="([^"]+)">', response.content.decode())
    # Hers first: what she logged, and her routine's exercises; never Bob's.
    own = list(Exercise.objects.filter(owner=alice_workout.owner).values_list("name", flat=True))
    assert names[: len(own)] == own
    assert "My Odd Squat" in names and "Secret Press" not in names


def test_same_form_submitted_twice_stores_one_set(alice_client, alice_workout):
    data = set_data("Back Squat", "225", "5")
    alice_client.post(log_url(alice_workout), data, headers=HTMX)
    alice_client.post(log_url(alice_workout), data, headers=HTMX)
    alice_client.post(log_url(alice_workout), data)
    assert Set.objects.filter(workout=alice_workout).count() == 1


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"exercise": "   "}, "exercise", "This field is required."),
        ({"set_number": "0"}, "set_number", "1 or more."),
        ({"weight": "9" * 21}, "weight", "Ensure this value has at most 20 characters"),
        ({"notes": "x" * 501}, "notes", "Ensure this value has at most 500 characters"),
        ({"weight": "", "reps": ""}, "reps", "Enter the reps for this set."),
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_bad_set_shows_the_error_next_to_the_field_and_stores_nothing(
    alice_client, alice_workout, change, field, message, headers
):
    data = {**set_data("Back Squat"), **change}
    response = alice_client.post(log_url(alice_workout), data, headers=headers)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    row = page[page.rindex("<form", 0, page.index("errorlist")) :]
    assert f'name="{field}"' in row[: row.index("</form>")]  # on the row that was sent
    assert data["key"] in row[: row.index(">")]  # which keeps its key to try again
    assert not Set.objects.filter(workout=alice_workout).exists()


def test_whitespace_around_values_is_trimmed(alice_client, alice_workout):
    alice_client.post(
        log_url(alice_workout), set_data("  Back Squat ", " 225 ", " 5", notes=" easy ")
    )
    workout_set = Set.objects.get(workout=alice_workout)
    assert (workout_set.exercise_name, workout_set.weight, workout_set.reps, workout_set.notes) == (
        "Back Squat",
        "225",
        "5",
        "easy",
    )


def edit_data(workout_set, **fields):
    """What the edit form of a set posts (its fields carry the set's prefix)."""
    return {f"set-{workout_set.pk}-{name}": value for name, value in fields.items()}


def test_fixing_a_typo_in_a_set(alice_client, alice_workout):
    workout_set, _ = alice_workout.log_set("Back Squat", "2255", "5")
    edit_url = reverse("edit_set", args=[workout_set.pk])
    form = alice_client.get(edit_url, headers=HTMX).content.decode()
    assert 'value="2255"' in form and "<html" not in form
    data = edit_data(workout_set, exercise="Back Squat", set_number="1", weight="225", reps="5")
    response = alice_client.post(edit_url, data, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.content.decode()
    workout_set.refresh_from_db()
    assert workout_set.weight == "225"


def test_fixing_a_set_without_javascript_uses_its_own_page(alice_client, alice_workout):
    workout_set, _ = alice_workout.log_set("Back Squat", "225", "55")
    edit_url = reverse("edit_set", args=[workout_set.pk])
    assert "<html" in alice_client.get(edit_url).content.decode()
    data = edit_data(workout_set, exercise="Back Squat", set_number="1", weight="225", reps="5")
    location = alice_client.post(edit_url, data)["Location"]
    assert location.startswith(alice_workout.get_absolute_url() + "#ex-")
    workout_set.refresh_from_db()
    assert workout_set.reps == "5"


def test_deleting_a_set(alice_client, alice_workout):
    keep, _ = alice_workout.log_set("Back Squat", "225", "5")
    drop, _ = alice_workout.log_set("Back Squat", "225", "5")
    response = alice_client.post(reverse("delete_set", args=[drop.pk]), headers=HTMX)
    assert response.status_code == 200
    assert list(Set.objects.filter(workout=alice_workout)) == [keep]


def test_deleting_without_javascript_asks_first(alice_client, alice_workout):
    workout_set, _ = alice_workout.log_set("Back Squat", "225", "5")
    delete_url = reverse("delete_set", args=[workout_set.pk])
    page = strip_tags(alice_client.get(delete_url).content.decode())
    assert "Delete this set?" in page and "225 lb × 5" in page
    assert Set.objects.filter(pk=workout_set.pk).exists()
    response = alice_client.post(delete_url, follow=True)
    assert "Deleted set 1 of Back Squat." in response.content.decode()
    assert not Set.objects.filter(pk=workout_set.pk).exists()


def test_a_bad_set_without_javascript_focuses_the_field_to_fix(alice_client, alice_workout):
    data = set_data("Leg Press", "", "", set_number="2")
    page = alice_client.post(log_url(alice_workout), data).content.decode()
    assert page.count("autofocus") == 1
    focused = page[page.rindex("<input", 0, page.index("autofocus")) : page.index("autofocus")]
    assert 'name="reps"' in focused and "Set 2 reps" in focused
    heading = page.rindex("<h2", 0, page.index("autofocus"))
    assert ">Leg Press</h2>" in page[heading : heading + 80]


def test_a_completed_workout_takes_no_new_set_and_is_fixed_on_its_fix_page(
    alice_client, alice_workout
):
    workout_set, _ = alice_workout.log_set("Back Squat", "225", "5")
    alice_workout.complete()
    alice_client.post(log_url(alice_workout), set_data("Back Squat"))
    assert list(Set.objects.filter(workout=alice_workout)) == [workout_set]
    fix_page = reverse("fix_workout", args=[alice_workout.pk])
    edit = alice_client.get(reverse("edit_set", args=[workout_set.pk]), follow=True)
    assert edit.redirect_chain == [(fix_page, 302)]
    assert "This workout is finished: fix its sets here." in edit.content.decode()
    deleted = alice_client.post(reverse("delete_set", args=[workout_set.pk]))
    assert deleted["Location"] == fix_page
    assert not Set.objects.filter(workout=alice_workout).exists()


def test_completing_a_workout_shows_its_summary(alice_client, alice_workout):
    alice_workout.log_set("Back Squat", "225", "5")
    url = reverse("complete_session", args=[alice_workout.pk])
    response = alice_client.post(url, {"confirm": "yes"}, follow=True)
    alice_workout.refresh_from_db()
    assert alice_workout.status == "completed"
    page = response.content.decode()
    assert "Completed" in page and "225" in page and "Log set" not in page


def test_the_note_sent_with_complete_is_saved_even_when_it_asks_first(alice_client, alice_workout):
    alice_workout.log_set("Back Squat", "225", "5")
    url = reverse("complete_session", args=[alice_workout.pk])
    asked = alice_client.post(url, {"note": "Knee sore"}, headers=HTMX)
    assert "complete anyway?" in asked.content.decode()
    alice_workout.refresh_from_db()
    assert (alice_workout.status, alice_workout.note) == ("active", "Knee sore")
    alice_client.post(url, {"note": "Knee sore, stopped early", "confirm": "yes"})
    alice_workout.refresh_from_db()
    assert (alice_workout.status, alice_workout.note) == ("completed", "Knee sore, stopped early")


def test_the_complete_buttons_belong_to_the_notes_form(alice_client, alice_workout):
    """Without JavaScript too, Complete sends the note as it is on the screen."""
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    complete = re.search(r"<button[^>]*>Complete</button>", page)[0]
    assert 'form="workout-note"' in complete
    assert f'formaction="{reverse("complete_session", args=[alice_workout.pk])}"' in complete
    assert re.search(r'<form[^>]*id="workout-note"', page)


def test_cancelling_asks_first_then_cancels(alice_client, alice_workout):
    cancel_url = reverse("cancel_session", args=[alice_workout.pk])
    assert "Cancel this workout?" in alice_client.get(cancel_url).content.decode()
    alice_workout.refresh_from_db()
    assert alice_workout.status == "active"
    alice_client.post(cancel_url)
    alice_workout.refresh_from_db()
    assert alice_workout.status == "cancelled"


def test_history_lists_completed_workouts_newest_first_in_pages(alice_client, alice, lower1):
    for day in range(1, 26):
        session = Workout.start(alice, lower1, datetime.date(2025, 8, day))
        session.complete()
    Workout.start(alice, lower1, datetime.date(2025, 8, 27))  # in progress: not history
    first = alice_client.get(reverse("history")).content.decode()
    second = alice_client.get(reverse("history") + "?page=2").content.decode()
    assert first.index(">Mon 25 Aug 2025<") < first.index(">Sun 24 Aug 2025<")
    assert "27 Aug" not in first
    assert ">Wed 6 Aug 2025<" in first and ">Tue 5 Aug 2025<" not in first
    assert ">Tue 5 Aug 2025<" in second and "Page 2 of 2" in second


def test_active_workout_page_runs_a_fixed_number_of_queries(
    alice_client, alice, lower1, django_assert_num_queries
):
    earlier = Workout.start(alice, lower1, datetime.date(2025, 1, 1))
    earlier.log_set("Back Squat", "200", "5")
    earlier.complete()
    workout = Workout.start(alice, lower1)

    def log_sets(session, count):
        for number in range(count):
            exercise = ["Back Squat", "Leg Press", "Curl"][number % 3]
            session.log_set(exercise, "100", "5", key=uuid.uuid4())

    log_sets(workout, 3)
    # django session, user, workout with its routine, the routine's exercises, the
    # lifter's unit, sets, and "last time" (one statement: each exercise's last workout
    # and its sets)
    with django_assert_num_queries(7):
        alice_client.get(workout.get_absolute_url())
    log_sets(workout, 60)
    workout.cancel()
    for day in range(1, 40):  # a longer history
        past = Workout.start(alice, lower1, datetime.date(2024, 1, 1) + datetime.timedelta(day))
        log_sets(past, 6)
        past.complete()
    workout = Workout.start(alice, lower1)
    log_sets(workout, 60)
    # The same with 40 workouts more, though Leg Press was last done before the latest
    # workout and some of the routine's exercises were never done.
    with django_assert_num_queries(7):
        alice_client.get(workout.get_absolute_url())


def test_a_key_of_another_lifters_set_logs_like_a_fresh_one(
    alice_client, alice_workout, bob_workout
):
    """Nothing says the key is bob's: alice's set is stored under a key of her own."""
    theirs, _ = bob_workout.log_set("Back Squat", "315", "5")
    data = {**set_data("Back Squat", "225", "5"), "key": str(theirs.key)}
    page = alice_client.post(log_url(alice_workout), data, headers=HTMX).content.decode()
    assert page.lstrip().startswith('<div class="set-row done"')
    alice_client.post(log_url(alice_workout), data, headers=HTMX)
    assert [(s.weight, s.reps) for s in alice_workout.sets.all()] == [("225", "5")]
    assert bob_workout.sets.get() == theirs


def test_a_key_of_another_of_ones_own_workouts_shows_an_error_and_stores_nothing(
    alice, alice_client, alice_workout, lower1
):
    earlier, _ = alice_workout.log_set("Back Squat", "315", "5")
    alice_workout.complete()
    today = Workout.start(alice, lower1)
    data = {**set_data("Back Squat", "225", "5"), "key": str(earlier.key)}
    page = alice_client.post(log_url(today), data, headers=HTMX).content.decode()
    assert "This row was already used for another workout. Try again." in page
    assert not today.sets.exists()


def test_completing_twice_changes_nothing_the_second_time(alice_workout):
    from sessions_app.models import WorkoutClosed

    alice_workout.complete()
    first = Workout.objects.get(pk=alice_workout.pk).completed_at
    stale = Workout.objects.get(pk=alice_workout.pk)
    stale.status = "active"  # as another tab still believes
    with pytest.raises(WorkoutClosed):
        stale.cancel()
    alice_workout.refresh_from_db()
    assert (alice_workout.status, alice_workout.completed_at) == ("completed", first)


def test_a_bad_fix_with_htmx_replaces_only_the_set_being_fixed(alice_client, alice_workout):
    workout_set, _ = alice_workout.log_set("Back Squat", "225", "5")
    prefix = f"set-{workout_set.pk}-"
    data = {
        prefix + "exercise": "Back Squat",
        prefix + "set_number": "1",
        prefix + "weight": "",
        prefix + "reps": "",
    }
    response = alice_client.post(reverse("edit_set", args=[workout_set.pk]), data, headers=HTMX)
    fragment = response.content.decode().strip()
    assert fragment.startswith(f'<div class="set-row editing" id="set-{workout_set.pk}"')
    assert "Enter the reps for this set." in fragment


def test_the_favicon_is_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("icon.svg")


def test_no_template_syntax_shows_on_a_page(alice_client, alice, alice_workout):
    """A comment of the templates never reaches the lifter (one {# #} holds one line)."""
    alice_workout.log_set("Back Squat", "225", "5")
    routine = Routine.objects.filter(owner=alice).first() or Routine.create_for(alice, "Mine")
    for url in [
        "/",
        alice_workout.get_absolute_url(),
        routine.get_absolute_url(),
        reverse("history"),
        reverse("routine_list"),
    ]:
        page = alice_client.get(url).content.decode()
        assert "{#" not in page and "#}" not in page and "{%" not in page, url
