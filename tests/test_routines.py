"""Routines: each lifter's own, created, renamed, edited, reordered, duplicated and
deleted from the pages; started (or an empty workout); a finished workout saved as one."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import (
    ApiToken,
    LifterProfile,
    Routine,
    Workout,
    give_starter_routines,
)
from tests.helpers import own_id

DAY = datetime.date(2025, 9, 21)


def mine(owner, slug="lower1"):
    return Routine.objects.get(owner=owner, slug=slug)


def targets(routine):
    return list(
        routine.exercises.order_by("position").values_list(
            "position", "exercise__name", "target_sets", "target_reps", "rest_seconds"
        )
    )


def editor_data(routine, button=None, **changes):
    """What the editor's form sends: the routine, each exercise's targets, the new
    exercise's fields, and the button pressed. changes: {"name": ..., "Back Squat":
    {"target_sets": 5}, "new": {"name": ...}}."""
    data = {"name": routine.name, "rest_seconds": routine.rest_seconds}
    exercises = list(routine.exercises.order_by("position", "pk"))
    data |= {
        "exercises-TOTAL_FORMS": len(exercises),
        "exercises-INITIAL_FORMS": len(exercises),
        "exercises-MIN_NUM_FORMS": 0,
        "exercises-MAX_NUM_FORMS": 1000,
    }
    for index, exercise in enumerate(exercises):
        row = {
            "id": exercise.pk,
            "routine": routine.pk,
            "target_sets": exercise.target_sets,
            "target_reps": exercise.target_reps,
            "rest_seconds": exercise.rest_seconds or "",
        } | changes.get(exercise.name, {})
        data |= {f"exercises-{index}-{name}": value for name, value in row.items()}
    new = {"name": "", "target_sets": 3, "target_reps": "8", "rest_seconds": ""}
    data |= {f"new-{name}": value for name, value in (new | changes.get("new", {})).items()}
    data |= {key: value for key, value in changes.items() if key in ("name", "rest_seconds")}
    if button:
        data[button[0]] = button[1]
    return data


def edit(client, routine, button=None, **changes):
    return client.post(routine.get_absolute_url(), editor_data(routine, button, **changes))


@pytest.fixture
def alices(alice, lower1):
    """Alice's own Lower 1: her copy of the starter."""
    give_starter_routines(alice)
    return mine(alice)


# Each lifter's own routines, from the starter set


def test_a_lifter_gets_a_copy_of_the_starter_routines_on_first_use(alice_client, alice, lower1):
    assert not Routine.objects.owned_by(alice).exists()
    page = alice_client.get(reverse("routine_list")).content.decode()
    starters = Routine.objects.starters()
    copies = Routine.objects.owned_by(alice)
    assert sorted(copies.values_list("slug", "name")) == sorted(
        starters.values_list("slug", "name")
    )
    assert [name for _, name, *_ in targets(mine(alice))] == [
        exercise.name for exercise in lower1.exercises.all()
    ]
    assert "Lower 1" in page and "Back Squat" in page
    give_starter_routines(alice)  # once only
    assert copies.count() == starters.count()


def test_a_deleted_copy_of_a_starter_stays_deleted(alice_client, alice, alices):
    alice_client.post(reverse("delete_routine", args=[alices.pk]))
    alice_client.get("/")
    assert not Routine.objects.filter(owner=alice, slug="lower1").exists()
    assert LifterProfile.objects.get(user=alice).starter_routines_given


def test_a_lifters_edits_never_change_another_lifters_routine_or_the_starter(
    alice_client, alice, bob, alices, lower1
):
    give_starter_routines(bob)
    before = targets(mine(bob)), targets(lower1)
    edit(alice_client, alices, name="Legs", **{"Back Squat": {"target_sets": 5}})
    assert mine(alice).name == "Legs"
    assert (targets(mine(bob)), targets(lower1)) == before
    assert (mine(bob).name, lower1.name) == ("Lower 1", "Lower 1")


def test_home_lists_only_the_lifters_own_routines(alice_client, alice, bob, alices):
    Routine.create_for(bob, "Bob's secret")
    page = alice_client.get("/").content.decode()
    assert "Lower 1" in page and "Bob&#x27;s secret" not in page and "Bob's secret" not in page


# Creating, renaming, editing


def test_creating_a_routine_opens_its_editor(alice_client, alice, alices):
    response = alice_client.post(reverse("routine_list"), {"name": "Push A"})
    routine = Routine.objects.get(owner=alice, name="Push A")
    assert response.status_code == 302 and response["Location"] == routine.get_absolute_url()
    assert routine.slug == "push-a" and not routine.exercises.exists()
    last = Routine.objects.owned_by(alice).exclude(pk=routine.pk)
    assert routine.position > max(last.values_list("position", flat=True))


def test_creating_a_routine_needs_a_name(alice_client, alice, alices):
    page = alice_client.post(reverse("routine_list"), {"name": " "}).content.decode()
    assert "This field is required." in page
    assert Routine.objects.owned_by(alice).count() == 4


def test_slugs_are_unique_per_lifter_not_across_lifters(alice, bob):
    first = Routine.create_for(alice, "Push A")
    second = Routine.create_for(alice, "Push  A!")
    bobs = Routine.create_for(bob, "Push A")
    assert (first.slug, second.slug, bobs.slug) == ("push-a", "push-a-2", "push-a")


def test_renaming_keeps_the_slug_and_past_workouts_follow_it(alice_client, alice, alices):
    past = Workout.start(alice, alices, DAY)
    past.log_set("Back Squat", "225", "5")
    past.complete()
    edit(alice_client, alices, name="Legs heavy")
    routine = mine(alice)  # the same slug: the API's "lower1" still starts it
    assert routine.name == "Legs heavy"
    assert Workout.objects.with_title().get(pk=past.pk).title == "Legs heavy"
    assert Workout.objects.get(pk=past.pk).routine == routine
    history = alice_client.get(reverse("history")).content.decode()
    assert "Legs heavy" in history


def test_editing_targets_and_rest(alice_client, alice, alices):
    response = edit(
        alice_client,
        alices,
        rest_seconds=150,
        **{"Back Squat": {"target_sets": 5, "target_reps": "3-5", "rest_seconds": 240}},
    )
    assert response.status_code == 302
    assert response["Location"] == alices.get_absolute_url() + "#routine"
    routine = mine(alice)
    assert routine.rest_seconds == 150
    assert targets(routine)[0][1:] == ("Back Squat", 5, "3-5", 240)


def test_a_target_out_of_range_shows_the_error_and_saves_nothing(alice_client, alice, alices):
    before = targets(alices)
    response = edit(
        alice_client,
        alices,
        name="Renamed",
        **{"Back Squat": {"target_sets": 0}, "Leg Press": {"target_reps": ""}},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sets: Ensure this value is greater than or equal to 1." in page
    assert "Reps: This field is required." in page
    assert targets(mine(alice)) == before and mine(alice).name == "Lower 1"


def test_adding_an_exercise_puts_it_last(alice_client, alice, alices):
    response = edit(
        alice_client,
        alices,
        ("add", "exercise"),
        new={"name": " Reverse  nordic ", "target_sets": 2, "target_reps": "6", "rest_seconds": 90},
    )
    added = alices.exercises.get(exercise__name="Reverse nordic")
    assert response["Location"] == f"{alices.get_absolute_url()}#exercise-{added.pk}"
    assert targets(alices)[-1] == (added.position, "Reverse nordic", 2, "6", 90)
    assert added.position == alices.exercises.count()


@pytest.mark.parametrize(
    "name, error",
    [
        ("", "Type the exercise&#x27;s name."),
        ("back squat", "back squat is in this routine already."),
    ],
)
def test_adding_an_exercise_without_a_name_or_twice_is_refused(alice_client, alices, name, error):
    count = alices.exercises.count()
    page = edit(alice_client, alices, ("add", "exercise"), new={"name": name}).content.decode()
    assert error in page
    assert alices.exercises.count() == count


def test_moving_an_exercise_up_renumbers_positions_one_to_n(alice_client, alice, alices):
    names = [name for _, name, *_ in targets(alices)]
    third = alices.exercises.get(exercise__name=names[2])
    response = edit(
        alice_client,
        alices,
        ("move", f"{third.pk} up"),
        **{names[0]: {"target_reps": "4"}},  # typed before tapping ↑: kept
    )
    assert response["Location"] == f"{alices.get_absolute_url()}#exercise-{third.pk}"
    moved = targets(alices)
    assert [row[:2] for row in moved] == [
        (position, name)
        for position, name in enumerate([names[0], names[2], names[1], *names[3:]], start=1)
    ]
    assert moved[0][3] == "4"


def test_moving_the_first_exercise_up_or_the_last_down_keeps_the_order(alice_client, alices):
    exercises = list(alices.exercises.order_by("position"))
    edit(alice_client, alices, ("move", f"{exercises[0].pk} up"))
    edit(alice_client, alices, ("move", f"{exercises[-1].pk} down"))
    assert [row[1] for row in targets(alices)] == [exercise.name for exercise in exercises]


def test_removing_an_exercise_asks_first_and_keeps_what_was_typed(alice_client, alices):
    first, second = alices.exercises.order_by("position")[:2]
    response = edit(
        alice_client, alices, ("remove", str(second.pk)), **{first.name: {"target_reps": "2"}}
    )
    url = f"{alices.get_absolute_url()}?remove={second.pk}#exercise-{second.pk}"
    assert response["Location"] == url
    page = alice_client.get(url).content.decode()
    assert f"Remove {second.name} from Lower 1?" in page
    assert f'name="remove_confirmed" value="{second.pk}"' in page
    assert alices.exercises.filter(pk=second.pk).exists()
    assert alices.exercises.get(pk=first.pk).target_reps == "2"


def test_removing_an_exercise_renumbers_the_others(alice_client, alices):
    names = [name for _, name, *_ in targets(alices)]
    second = alices.exercises.get(exercise__name=names[1])
    edit(alice_client, alices, ("remove_confirmed", str(second.pk)))
    assert [row[:2] for row in targets(alices)] == list(enumerate([names[0], *names[2:]], start=1))


def test_the_editor_cannot_change_another_lifters_exercises(alice_client, bob, alices):
    give_starter_routines(bob)
    bobs = mine(bob)
    theirs = bobs.exercises.order_by("position").first()
    before = targets(bobs)
    data = editor_data(alices)
    data["exercises-0-id"] = theirs.pk  # a row of Bob's routine, sent to Alice's
    data["exercises-0-target_sets"] = 9
    alice_client.post(alices.get_absolute_url(), data)
    data = editor_data(alices, ("move", f"{theirs.pk} down"))
    alice_client.post(alices.get_absolute_url(), data)
    data = editor_data(alices, ("remove_confirmed", str(theirs.pk)))
    alice_client.post(alices.get_absolute_url(), data)
    assert targets(bobs) == before


# Duplicating and deleting


def test_duplicating_copies_the_exercises_and_targets(alice_client, alice, alices):
    response = alice_client.post(reverse("duplicate_routine", args=[alices.pk]))
    copy = Routine.objects.get(owner=alice, name="Lower 1 (copy)")
    assert response["Location"] == copy.get_absolute_url()
    assert copy.slug == "lower-1-copy" and copy.rest_seconds == alices.rest_seconds
    assert [row[1:] for row in targets(copy)] == [row[1:] for row in targets(alices)]
    assert copy.exercises.count() and not set(copy.exercises.values_list("pk", flat=True)) & set(
        alices.exercises.values_list("pk", flat=True)
    )


def test_duplicating_needs_a_post(alice_client, alices):
    assert alice_client.get(reverse("duplicate_routine", args=[alices.pk])).status_code == 405


def test_deleting_asks_first_and_past_workouts_keep_their_sets_and_title(
    alice_client, alice, alices
):
    past = Workout.start(alice, alices, DAY)
    past.log_set("Back Squat", "225", "5")
    past.complete()
    question = alice_client.get(reverse("delete_routine", args=[alices.pk])).content.decode()
    assert (
        "Delete Lower 1?" in question and "Your 1 past workout from it keeps its sets" in question
    )
    assert Routine.objects.filter(pk=alices.pk).exists()
    response = alice_client.post(reverse("delete_routine", args=[alices.pk]))
    assert response["Location"] == reverse("routine_list")
    assert not Routine.objects.filter(pk=alices.pk).exists()
    past = Workout.objects.with_title().get(pk=past.pk)
    assert (past.routine, past.routine_slug, past.title) == (None, "lower1", "Lower 1")
    assert past.sets.count() == 1
    assert "Lower 1" in alice_client.get(reverse("history")).content.decode()


def test_a_routine_with_a_workout_in_progress_is_not_deleted(alice_client, alice, alices):
    workout = Workout.start(alice, alices)
    response = alice_client.post(reverse("delete_routine", args=[alices.pk]), follow=True)
    assert "finish or cancel it first" in response.content.decode()
    assert response.redirect_chain[-1][0] == workout.get_absolute_url()
    assert Routine.objects.filter(pk=alices.pk).exists()


# Another lifter's routine, and the starters, are not found


@pytest.mark.parametrize(
    "method, name",
    [
        ("get", "routine_editor"),
        ("post", "routine_editor"),
        ("post", "duplicate_routine"),
        ("get", "delete_routine"),
        ("post", "delete_routine"),
    ],
)
def test_another_lifters_routine_answers_404(bob_client, alice, alices, lower1, method, name):
    before = targets(alices)
    for routine in (alices, lower1):  # Alice's, and a starter (only ever copied)
        response = getattr(bob_client, method)(reverse(name, args=[routine.pk]))
        assert response.status_code == 404
    assert targets(mine(alice)) == before
    assert Routine.objects.filter(owner=alice).count() == 4


def test_the_routine_pages_need_a_login(client, alices):
    response = client.get(alices.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# Starting: a routine, or an empty workout


def test_starting_a_routine_from_home(alice_client, alice, alices):
    alice_client.post(reverse("start_session"), {"template": "lower1", "date": "2025-09-21"})
    session = Workout.objects.get(owner=alice)
    assert (session.pk, session.routine, session.routine_slug, session.routine_name) == (
        own_id(alice, "2025-09-21_lower1"),
        alices,
        "lower1",
        "Lower 1",
    )


def test_starting_a_routine_from_its_editor_saves_what_was_typed_first(alice_client, alice, alices):
    response = edit(alice_client, alices, ("start", "today"), **{"Back Squat": {"target_sets": 6}})
    session = Workout.objects.get(owner=alice)
    assert response["Location"] == session.get_absolute_url()
    assert (session.routine, session.date) == (alices, timezone.localdate())
    assert alices.exercises.get(exercise__name="Back Squat").target_sets == 6


def test_starting_from_the_editor_with_a_workout_in_progress_offers_it(
    alice_client, alice, alices, alice_workout
):
    response = edit(alice_client, alices, ("start", "today"))
    assert response["Location"] == alice_workout.get_absolute_url()
    assert Workout.objects.filter(owner=alice).count() == 1


def test_starting_an_empty_workout_and_adding_an_exercise_by_name(alice_client, alice, alices):
    response = alice_client.post(reverse("start_session"), {"empty": "true", "date": "2025-09-21"})
    session = Workout.objects.with_title().get(owner=alice)
    assert response["Location"] == session.get_absolute_url()
    assert (session.pk, session.routine, session.routine_slug, session.title) == (
        own_id(alice, "2025-09-21_workout"),
        None,
        "workout",
        "Workout",
    )
    page = alice_client.get(session.get_absolute_url() + "?add=Bench Press").content.decode()
    assert "<h1>Workout</h1>" in page and ">Bench Press</h2>" in page
    alice_client.post(
        reverse("log_set", args=[session.pk]),
        {"exercise": "Bench Press", "weight": "185", "reps": "5", "set_number": "1"},
    )
    assert list(session.sets.values_list("exercise_name", "weight", "reps")) == [
        ("Bench Press", "185", "5")
    ]


def test_starting_needs_a_routine_or_the_empty_button(alice_client, alice, alices):
    page = alice_client.post(reverse("start_session"), {"date": "2025-09-21"}).content.decode()
    assert "This field is required." in page
    assert not Workout.objects.filter(owner=alice).exists()


def test_another_lifters_routine_cannot_be_started(alice_client, alice, bob):
    Routine.create_for(bob, "Bob only")
    page = alice_client.post(reverse("start_session"), {"template": "bob-only"}).content.decode()
    assert "There is no workout template with that name." in page
    assert not Workout.objects.filter(owner=alice).exists()
    with pytest.raises(ValueError):
        Workout.start(alice, Routine.objects.get(slug="bob-only"))


def test_the_workout_screen_follows_the_routines_targets(alice_client, alice, alices):
    edit(alice_client, alices, **{"Back Squat": {"target_sets": 5}})
    session = Workout.start(alice, alices)
    page = alice_client.get(session.get_absolute_url()).content.decode()
    squat = page[page.index(">Back Squat</h2>") : page.index(">Romanian Deadlift</h2>")]
    assert '<span class="target">5 × 5 · lb</span>' in squat
    assert squat.count('name="set_number" value="5"') == 1


# The JSON API keeps accepting today's slugs


@pytest.fixture
def api_client(alice):
    token = ApiToken.issue(alice)
    return Client(headers={"Authorization": f"Bearer {token}"})


def api_start(client, body):
    response = client.post("/api/session/start", body, content_type="application/json")
    return response.status_code, response.json()


def test_the_api_starts_the_lifters_own_copy_by_todays_slug(api_client, alice, lower1):
    status, body = api_start(api_client, {"template": "lower1", "date": "2025-09-21"})
    assert (status, body["session"]["template"]) == (200, "lower1")
    assert Workout.objects.get(pk=body["session_id"]).routine == mine(alice)


def test_the_api_starts_the_starter_when_the_lifters_copy_is_deleted(
    api_client, alice, alices, lower1
):
    alices.delete()
    status, body = api_start(api_client, {"template": "lower1"})
    assert status == 200 and Workout.objects.get(pk=body["session_id"]).routine == lower1


def test_the_api_starts_an_empty_workout(api_client, alice, lower1):
    status, body = api_start(api_client, {"empty": True, "date": "2025-09-21"})
    assert (status, body["session_id"]) == (200, own_id(alice, "2025-09-21_workout"))
    assert Workout.objects.get(pk=body["session_id"]).routine is None


def test_the_api_still_requires_a_template_or_empty(api_client, alice, lower1):
    status, body = api_start(api_client, {})
    assert (status, body["fields"]) == (400, {"template": ["This field is required."]})


def test_the_api_does_not_start_another_lifters_routine(api_client, alice, bob):
    Routine.create_for(bob, "Bob only")
    status, body = api_start(api_client, {"template": "bob-only"})
    assert (status, body["fields"]) == (
        400,
        {"template": ["There is no workout template with that name."]},
    )


# A finished workout saved as a new routine


def finished_workout(owner, routine):
    session = Workout.start(owner, routine, DAY)
    for exercise, weight, reps, kind in [
        ("Front Squat", "95", "5", "warmup"),
        ("Front Squat", "185", "5", "working"),
        ("Back Squat", "225", "5", "working"),
        ("Front Squat", "185", "5", "working"),
        ("Back Squat", "225", "4", "working"),
        ("Back Squat", "225", "5", "working"),
        ("front squat", "185", "6", "working"),
    ]:
        session.log_set(exercise, weight, reps, set_type=kind)
    session.complete()
    return session


def test_a_finished_workout_is_saved_as_a_new_routine(alice_client, alice, alices):
    alices.exercises.filter(exercise__name="Back Squat").update(rest_seconds=200)
    session = finished_workout(alice, alices)
    url = reverse("save_workout_as_routine", args=[session.pk])
    assert url in alice_client.get(session.get_absolute_url()).content.decode()
    page = alice_client.get(url).content.decode()
    assert (
        'value="Lower 1 21 Sep"' in page and 'Front Squat</span> <span class="target">3 × 5' in page
    )
    response = alice_client.post(url, {"name": "Squat day"})
    routine = Routine.objects.get(owner=alice, name="Squat day")
    assert response["Location"] == routine.get_absolute_url()
    assert targets(routine) == [
        (1, "Front Squat", 3, "5", None),
        (2, "Back Squat", 3, "5", 200),
    ]
    assert routine.rest_seconds == alices.rest_seconds and routine.slug == "squat-day"


def test_an_empty_workout_is_saved_as_a_routine(alice_client, alice, alices):
    session = finished_workout(alice, None)
    alice_client.post(reverse("save_workout_as_routine", args=[session.pk]), {"name": "Mine"})
    routine = Routine.objects.get(owner=alice, name="Mine")
    assert [row[1] for row in targets(routine)] == ["Front Squat", "Back Squat"]


def test_a_workout_in_progress_is_not_saved_as_a_routine(alice_client, alice, alice_workout):
    url = reverse("save_workout_as_routine", args=[alice_workout.pk])
    response = alice_client.post(url, {"name": "Too soon"}, follow=True)
    assert "Only a finished workout can be saved as a routine." in response.content.decode()
    assert not Routine.objects.filter(name="Too soon").exists()


def test_another_lifters_workout_is_not_saved_as_a_routine(bob_client, alice, alices):
    session = finished_workout(alice, alices)
    url = reverse("save_workout_as_routine", args=[session.pk])
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {"name": "Stolen"}).status_code == 404
    assert not Routine.objects.filter(name="Stolen").exists()
