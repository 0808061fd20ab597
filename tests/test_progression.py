"""Progression rules: today's target of a routine exercise from its last workout, with
the reason in a few words; the rule's steps, the history it reads (and only that), and
properties over random histories."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_app.models import LifterProfile, Progression, Routine, Workout
from sessions_app.progression import (
    Asked,
    Done,
    Rule,
    default_increment,
    next_target,
    routine_targets,
)
from sessions_app.workout_screen import workout_plan

DAY = datetime.date(2026, 3, 2)
LINEAR_KG = Rule(Progression.LINEAR, Decimal("2.5"), sets=3, low_reps=5, high_reps=5, unit="kg")
DOUBLE_KG = Rule(Progression.DOUBLE, Decimal("2.5"), sets=3, low_reps=8, high_reps=12, unit="kg")


def sets(*pairs):
    return [Done(None if w is None else Decimal(str(w)), r) for w, r in pairs]


def asked(weight, reps, failures=0):
    return Asked(Decimal(str(weight)), reps, failures)


# Linear: each step.


def test_linear_goes_up_when_every_set_reached_the_reps():
    target = next_target(LINEAR_KG, asked(100, 5), sets((100, 5), (100, 5), (100, 5)))
    assert target.text == "102.5 kg × 5 · +2.5: 3 × 5 done last time"
    assert target.failures == 0


def test_linear_stays_after_a_failed_set_and_counts_the_attempt():
    target = next_target(LINEAR_KG, asked(100, 5), sets((100, 5), (100, 5), (100, 4)))
    assert target.text == "100 kg × 5 · again (2 of 3)"
    again = next_target(LINEAR_KG, target.asked, sets((100, 5), (100, 3), (100, 3)))
    assert again.text == "100 kg × 5 · again (3 of 3)"


def test_linear_deloads_after_three_failures_in_a_row():
    target = next_target(LINEAR_KG, asked(100, 5, failures=2), sets((100, 5), (100, 4), (100, 3)))
    assert target.text == "90 kg × 5 · deload −10 %"
    assert target.failures == 0


def test_fewer_sets_than_planned_is_not_a_complete_session():
    target = next_target(LINEAR_KG, asked(100, 5), sets((100, 5), (100, 5)))
    assert target.text == "100 kg × 5 · again (2 of 3)"


def test_a_set_heavier_than_the_target_counts_as_reached():
    target = next_target(LINEAR_KG, asked(100, 5), sets((100, 5), (105, 5), (110, 5)))
    assert target.text == "102.5 kg × 5 · +2.5: 3 × 5 done last time"


def test_a_weight_lowered_on_purpose_does_not_earn_more_than_was_lifted():
    target = next_target(LINEAR_KG, asked(100, 5), sets((100, 5), (95, 5), (95, 5)))
    assert target.text == "95 kg × 5 · as lifted last time (95)"


def test_pounds_move_by_five_and_deload_to_a_loadable_weight():
    rule = Rule(Progression.LINEAR, Decimal(5), sets=1, low_reps=5, high_reps=5, unit="lb")
    assert next_target(rule, asked(225, 5), sets((225, 5))).text == (
        "230 lb × 5 · +5: 1 × 5 done last time"
    )
    deload = next_target(rule, asked(225, 5, failures=2), sets((225, 2)))
    assert deload.text == "200 lb × 5 · deload −10 %"  # 202.5 is not loadable: the lighter


def test_a_workout_that_kept_no_target_counts_as_what_was_lifted():
    target = next_target(LINEAR_KG, None, sets((100, 5), (101, 5), (100, 5)))
    assert target.text == "102.5 kg × 5 · +2.5: 3 × 5 done last time"


def test_defaults_come_from_the_exercise_kind():
    assert default_increment("barbell", "Back Squat", "kg") == Decimal(5)
    assert default_increment("barbell", "Bench Press", "kg") == Decimal("2.5")
    assert default_increment("barbell", "Deadlift", "lb") == Decimal(10)
    assert default_increment("dumbbell", "Dumbbell Row", "lb") == Decimal(5)
    assert default_increment("bodyweight", "Pull Up", "kg", Progression.REPS) == 1
    assert default_increment("timed", "Plank", "kg", Progression.REPS) == 5


# Double progression and reps only.


def test_double_progression_climbs_reps_at_the_same_weight():
    target = next_target(DOUBLE_KG, asked(60, 9), sets((60, 10), (60, 9), (60, 9)))
    assert target.text == "60 kg × 10 · 8–12: 9 done last time"


def test_double_progression_at_the_top_of_the_range_adds_weight_and_starts_over():
    target = next_target(DOUBLE_KG, asked(60, 12), sets((60, 12), (60, 12), (60, 13)))
    assert target.text == "62.5 kg × 8 · +2.5: 3 × 12 done last time"


def test_reps_only_adds_a_rep_or_seconds():
    reps = Rule(Progression.REPS, Decimal(1), sets=3, low_reps=10, high_reps=10)
    assert next_target(reps, Asked(None, 10), sets((None, 10), (None, 11), (None, 10))).text == (
        "11 reps · +1 rep: 3 × 10 done last time"
    )
    assert next_target(reps, Asked(None, 10), sets((None, 10), (None, 9), (None, 10))).text == (
        "10 reps · again"
    )
    timed = Rule(Progression.REPS, Decimal(5), sets=2, low_reps=60, high_reps=60, timed=True)
    assert next_target(timed, Asked(None, 60), sets((None, 60), (None, 61))).text == (
        "1:05 · +5 s: 2 × 1:00 done last time"
    )


# Properties over random histories.

SESSION = st.lists(
    st.tuples(st.sampled_from([-5, -2.5, 0, 0, 0, 2.5, 5]), st.integers(0, 14)),
    min_size=0,
    max_size=5,
)


def loadable(weight, rule):
    return weight >= 0 and weight % rule.step == 0


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, 80).map(lambda n: Decimal(n) * Decimal("2.5")),
    history=st.lists(SESSION, min_size=1, max_size=12),
    increment=st.sampled_from([Decimal("2.5"), Decimal(5), Decimal("1.25"), Decimal(1)]),
)
def test_linear_over_random_histories(start, history, increment):
    """Never up after a failed session, always up after a complete one at the target,
    never below zero, never a weight that cannot be loaded."""
    rule = Rule(Progression.LINEAR, increment, sets=3, low_reps=5, high_reps=5, unit="kg")
    target = Asked(start, 5)
    for session in history:
        done = sets(*((max(Decimal(0), target.weight + Decimal(str(d))), r) for d, r in session))
        following = next_target(rule, target, done)
        complete = len(done) >= 3 and all(s.reps >= 5 for s in done)
        if not done:
            assert following.weight is None  # nothing done: the lifter chooses again
            break
        if complete and all(s.weight >= target.weight for s in done):
            assert following.weight > target.weight
        else:
            assert following.weight <= target.weight
        assert loadable(following.weight, rule)
        target = following.asked


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(history=st.lists(SESSION, min_size=1, max_size=12))
def test_double_progression_over_random_histories(history):
    target = Asked(Decimal(40), 8)
    for session in history:
        if not session:
            break
        done = sets(*((max(Decimal(0), target.weight + Decimal(str(d))), r) for d, r in session))
        following = next_target(DOUBLE_KG, target, done)
        assert 8 <= following.reps <= 12
        assert loadable(following.weight, DOUBLE_KG)
        if following.weight > target.weight:
            assert following.reps == 8
        target = following.asked


# The history a rule reads: the last workout of that routine with the exercise.


@pytest.fixture
def squat_routine(alice):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    routine = Routine.create_for(alice, "Strength")
    squat = routine.add_exercise("Back Squat", 3, "5")
    squat.progression, squat.increment = Progression.LINEAR, Decimal(5)
    squat.save()
    routine.add_exercise("Plank", 2, "60s")
    return routine


def do_workout(owner, routine, day, squats, complete=True):
    """A workout of the routine with these squat sets (weight, reps), and a warm-up."""
    workout = Workout.start(owner, routine, date=day)
    workout.log_set("Back Squat", "20", "10", set_type="warmup", unit="kg")
    for weight, reps in squats:
        workout.log_set("Back Squat", str(weight), str(reps), unit="kg")
    if complete:
        workout.complete()
    return workout


def squat_target(routine, owner):
    rows, targets = routine_targets(routine, owner.pk, "kg")
    return targets[next(row.pk for row in rows if row.exercise.name == "Back Squat")]


def test_the_first_workout_of_a_rule_asks_nothing_new(squat_routine, alice):
    assert squat_target(squat_routine, alice).text == "first time: your choice of weight"


def test_targets_follow_workouts_of_the_routine(squat_routine, alice):
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    assert squat_target(squat_routine, alice).text == "105 kg × 5 · +5: 3 × 5 done last time"
    do_workout(alice, squat_routine, DAY + datetime.timedelta(days=2), [(105, 5)] * 3)
    assert squat_target(squat_routine, alice).text == "110 kg × 5 · +5: 3 × 5 done last time"
    do_workout(alice, squat_routine, DAY + datetime.timedelta(days=4), [(110, 5), (110, 4)])
    assert squat_target(squat_routine, alice).text == "110 kg × 5 · again (2 of 3)"


def test_the_workout_keeps_what_it_asked(squat_routine, alice):
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    second = do_workout(alice, squat_routine, DAY + datetime.timedelta(days=2), [(105, 5)] * 2)
    second.refresh_from_db()
    squat = squat_routine.exercises.get(exercise__name="Back Squat")
    assert second.targets[str(squat.pk)] == {
        "weight": "105",
        "unit": "kg",
        "reps": 5,
        "failures": 0,
    }
    third = do_workout(alice, squat_routine, DAY + datetime.timedelta(days=4), [(105, 3)] * 3)
    third.refresh_from_db()
    assert third.targets[str(squat.pk)]["failures"] == 1
    assert squat_target(squat_routine, alice).text == "105 kg × 5 · again (3 of 3)"


def test_fixing_the_last_workout_moves_the_next_target(squat_routine, alice):
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    last = do_workout(alice, squat_routine, DAY + datetime.timedelta(days=2), [(105, 5)] * 3)
    assert squat_target(squat_routine, alice).text == "110 kg × 5 · +5: 3 × 5 done last time"
    missed = last.sets.filter(set_type="working").order_by("set_number").last()
    missed.reps = "3"
    missed.save_changes(["reps"])
    assert squat_target(squat_routine, alice).text == "105 kg × 5 · again (2 of 3)"
    last.delete()
    assert squat_target(squat_routine, alice).text == "105 kg × 5 · +5: 3 × 5 done last time"


def test_workouts_of_another_routine_and_unfinished_ones_do_not_count(squat_routine, alice):
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    other = Routine.create_for(alice, "Other")
    other.add_exercise("Back Squat", 3, "5")
    do_workout(alice, other, DAY + datetime.timedelta(days=1), [(60, 2)] * 3)
    cancelled = do_workout(
        alice, squat_routine, DAY + datetime.timedelta(days=2), [(70, 1)], complete=False
    )
    cancelled.cancel()
    assert squat_target(squat_routine, alice).text == "105 kg × 5 · +5: 3 × 5 done last time"


def test_each_exercise_reads_the_last_workout_it_was_done_in(squat_routine, alice):
    plank = squat_routine.exercises.get(exercise__name="Plank")
    plank.progression = Progression.REPS
    plank.save()
    first = do_workout(alice, squat_routine, DAY, [(100, 5)] * 3, complete=False)
    for _ in range(2):
        first.log_set("Plank", "", "60s")
    first.complete()
    # Then the plank only as a warm-up and a drop set: not done, as far as its rule goes.
    day = DAY + datetime.timedelta(days=2)
    second = do_workout(alice, squat_routine, day, [(105, 5)] * 3, complete=False)
    second.log_set("Plank", "", "30s", set_type="warmup")
    second.log_set("Plank", "", "20s", set_type="drop")
    second.complete()
    rows, targets = routine_targets(squat_routine, alice.pk, "kg")
    by_name = {row.exercise.name: targets[row.pk].text for row in rows}
    assert by_name == {
        "Back Squat": "110 kg × 5 · +5: 3 × 5 done last time",
        "Plank": "1:05 · +5 s: 2 × 1:00 done last time",
    }


def test_of_two_workouts_on_one_day_the_one_started_later_counts(squat_routine, alice):
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    do_workout(alice, squat_routine, DAY, [(90, 5)] * 3)  # asked 105: lightened on purpose
    assert squat_target(squat_routine, alice).text == "90 kg × 5 · as lifted last time (90)"


def test_another_lifters_workouts_of_a_starter_never_count(lower1, alice, bob):
    squat = lower1.exercises.get(exercise__name="Back Squat")
    squat.progression, squat.target_sets, squat.target_reps = Progression.LINEAR, 3, "5"
    squat.save()
    do_workout(bob, lower1, DAY, [(200, 5)] * 3)
    rows, targets = routine_targets(lower1, alice.pk, "lb")
    assert targets[squat.pk].text == "first time: your choice of weight"
    rows, targets = routine_targets(lower1, bob.pk, "lb")
    # 200 kg lifted is 440.9 lb: 440 loadable, +10 for a barbell's lower-body lift.
    assert targets[squat.pk].text == "450 lb × 5 · +10: 3 × 5 done last time"


def test_the_rule_reads_a_fixed_number_of_queries_whatever_the_history(squat_routine, alice):
    def queries(with_rule=True):
        workout = Workout.start(alice, squat_routine, date=DAY + datetime.timedelta(days=100))
        with CaptureQueriesContext(connection) as captured:
            plan = workout_plan(workout)
        workout.cancel()
        assert (plan.cards[0].progression_target is not None) == with_rule
        return len(captured)

    # Past 12 workouts (last time once read the 12 latest first, and then further back
    # for the plank, not done lately).
    for day in range(13):
        do_workout(alice, squat_routine, DAY + datetime.timedelta(days=day), [(100, 5)] * 3)
    after_thirteen = queries()
    for day in range(13, 40):
        do_workout(alice, squat_routine, DAY + datetime.timedelta(days=day), [(100, 5)] * 3)
    assert queries() == after_thirteen
    # The rule costs one query of its own: each exercise's last workout of the routine
    # and its sets, in one statement (progression.last_workouts).
    squat_routine.exercises.update(progression=Progression.NONE)
    assert queries(with_rule=False) == after_thirteen - 1


def test_the_planned_rows_log_the_target(squat_routine, alice):
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    workout = Workout.start(alice, squat_routine, date=DAY + datetime.timedelta(days=2))
    card = workout_plan(workout).cards[0]
    assert [(row.weight, row.reps) for row in card.planned_rows] == [("105", "5")] * 3
    assert {row.prefilled_from for row in card.planned_rows} == {"target"}


# The routine editor: a rule set on the page, checked, and what the next workout asks.


def test_a_rule_is_set_in_the_routine_editor_and_its_next_target_shown(
    alice_client, alice, squat_routine
):
    from tests.test_routines import edit

    squat = squat_routine.exercises.get(exercise__name="Back Squat")
    squat.progression = Progression.NONE
    squat.save()
    answer = edit(
        alice_client,
        squat_routine,
        ("save", "all"),
        **{"Back Squat": {"progression": "linear", "increment": "2.5", "deload_percent": "20"}},
    )
    assert answer.status_code == 302
    squat.refresh_from_db()
    assert (squat.progression, squat.increment, squat.failures_before_deload) == (
        Progression.LINEAR,
        Decimal("2.5"),
        3,
    )
    assert squat.deload_percent == 20
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)
    page = alice_client.get(squat_routine.get_absolute_url()).content.decode()
    assert "Next: 102.5 kg × 5 · +2.5: 3 × 5 done last time" in page


def test_double_progression_without_a_rep_range_is_a_form_error(alice_client, squat_routine):
    from tests.test_routines import edit

    answer = edit(
        alice_client, squat_routine, ("save", "all"), **{"Back Squat": {"progression": "double"}}
    )
    assert answer.status_code == 200
    assert "Double progression needs a rep range" in answer.content.decode()
    squat = squat_routine.exercises.get(exercise__name="Back Squat")
    assert squat.progression == Progression.LINEAR  # nothing half-written


# What the lifter's bar and plates can make (plates.py).


def test_a_barbells_target_lands_on_what_the_bar_and_plates_can_make():
    no_small_plates = Rule(
        Progression.LINEAR, Decimal(5), 3, 5, 5, unit="kg", bar=Decimal(20), plate_step=Decimal(5)
    )
    done = sets((100, 5), (100, 5), (100, 4))
    deload = next_target(no_small_plates, asked(102.5, 5, failures=2), done)
    assert deload.weight == Decimal(90)  # 92.25 is not loadable with 2.5 kg plates at least
    light = next_target(no_small_plates, asked(22.5, 5, failures=2), sets((22.5, 4)))
    assert light.weight == Decimal(20)  # never under the bar


def test_without_small_plates_the_step_is_their_smallest_pair(squat_routine, alice):
    profile = LifterProfile.objects.get(user=alice)
    profile.plates_kg = "25, 20, 15, 10, 5, 2.5"
    profile.save()
    squat = squat_routine.exercises.get(exercise__name="Back Squat")
    squat.exercise.kind = "barbell"
    squat.exercise.save()
    squat.increment = Decimal("2.5")
    squat.save()
    do_workout(alice, squat_routine, DAY, [(100, 5)] * 3)

    today = Workout.start(alice, squat_routine, date=DAY + datetime.timedelta(days=2))
    card = next(card for card in workout_plan(today).cards if card.name == "Back Squat")
    assert card.progression_target.text == "105 kg × 5 · +5: 3 × 5 done last time"
    today.complete()
    assert today.targets[str(squat.pk)]["weight"] == "105"  # what it asked, kept the same


def test_a_starters_target_lands_on_the_lifters_own_bar_for_that_exercise(lower1, alice):
    """The card loads the lifter's own bar for the exercise: the rule rounds to it too,
    on the workout screen, the routine's page and in what a completed workout kept."""
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    squat = lower1.exercises.get(exercise__name="Back Squat")
    squat.progression, squat.target_sets, squat.target_reps = Progression.LINEAR, 1, "5"
    squat.increment = Decimal("2.5")
    squat.save()
    workout = Workout.start(alice, lower1, date=DAY)
    workout.log_set("Back Squat", "15", "5", unit="kg")
    alice.exercises.filter(key="back squat").update(bar_weight=15, bar_unit="kg")
    workout.complete()

    today = Workout.start(alice, lower1, date=DAY + datetime.timedelta(days=2))
    card = next(card for card in workout_plan(today).cards if card.name == "Back Squat")
    assert card.bar_and_plates.bar == Decimal(15)
    assert card.progression_target.text == "17.5 kg × 5 · +2.5: 1 × 5 done last time"
    profile = LifterProfile.objects.get(user=alice)
    rows, targets = routine_targets(lower1, alice.pk, "kg", bar_and_plates=profile.bar_and_plates())
    assert targets[squat.pk].weight == Decimal("17.5")
    today.complete()
    assert today.targets[str(squat.pk)]["weight"] == "17.5"
