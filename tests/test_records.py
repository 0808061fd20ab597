"""Records per exercise: kept equal to a computation from scratch whatever changes the
history, and the pages that read them (progress, one exercise's chart, a summary)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from sessions_app.models import (
    Exercise,
    ExerciseRecord,
    ExerciseWorkout,
    LifterProfile,
    Set,
    Workout,
)
from sessions_app.models.records import rebuild_records, refresh_records
from sessions_app.progress import (
    CHART_MAX_POINTS,
    chart_for,
    exercise_progress,
    workout_summary,
)
from sync_app.rows import HEADER
from tests.helpers import bulk_completed_sessions, exercise_for


def past_workout(owner, template, day, sets):
    """A completed workout on a past day with (exercise, weight, reps[, unit[, type]]) sets."""
    session = Workout.start(owner, template, day)
    for exercise, weight, reps, *rest in sets:
        unit = rest[0] if rest else "lb"
        set_type = rest[1] if len(rest) > 1 else "working"
        session.log_set(exercise, weight, reps, unit=unit, set_type=set_type)
    session.complete(now=timezone.make_aware(datetime.datetime.combine(day, datetime.time(19))))
    return session


def stored(owner):
    """The records as stored: every field but ids, and each exercise's workouts."""
    return sorted(
        (
            record.exercise.key,
            record.exercise.name,
            record.best_1rm_lb,
            record.heaviest_lb,
            record.most_reps,
            record.workout_count,
            record.last_done,
            tuple(
                (w.workout_id, w.date, w.best_1rm_lb, w.heaviest_lb, w.is_record)
                for w in record.workouts.order_by("date", "completed_at", "workout_id")
            ),
        )
        for record in ExerciseRecord.objects.filter(owner=owner)
    )


def assert_equal_to_a_fresh_computation(owner):
    kept = stored(owner)
    rebuild_records(owner.pk)
    assert kept == stored(owner)


def day(number):
    return datetime.date(2025, 9, 1) + datetime.timedelta(days=number)


@pytest.fixture
def history(alice, bob, lower1):
    """Alice's squat over three workouts, her deadlift once; Bob's squat (not hers)."""
    past_workout(alice, lower1, day(0), [("Back Squat", "225", "5"), ("Deadlift", "315", "3")])
    past_workout(alice, lower1, day(7), [("Back Squat", "235", "5")])
    past_workout(alice, lower1, day(14), [("Back Squat", "230", "5")])
    past_workout(bob, lower1, day(0), [("Back Squat", "405", "5")])
    return alice


def record_of(owner, key):
    return ExerciseRecord.objects.get(owner=owner, exercise__key=key)


def test_completing_workouts_keeps_records(history):
    squat = record_of(history, "back squat")
    assert (squat.exercise.name, squat.best_1rm_lb, squat.heaviest_lb, squat.workout_count) == (
        "Back Squat",
        Decimal("274.20"),
        Decimal("235.00"),
        3,
    )
    assert squat.last_done == day(14)
    assert [w.is_record for w in squat.workouts.order_by("date")] == [True, True, False]
    assert_equal_to_a_fresh_computation(history)


def test_records_follow_an_edit_in_a_completed_workout(history):
    heaviest = Set.objects.get(workout__owner=history, weight="235")
    heaviest.weight = "185"
    heaviest.save_changes(["weight"])
    squat = record_of(history, "back squat")
    assert squat.heaviest_lb == Decimal("230.00")
    assert_equal_to_a_fresh_computation(history)


def test_records_follow_a_set_moved_to_another_exercise(history):
    deadlift = Set.objects.get(workout__owner=history, exercise_name="Deadlift")
    was = deadlift.exercise_id
    deadlift.exercise = exercise_for(history, "Conventional Deadlift")
    deadlift.save_changes(["exercise"], was_exercise_id=was)
    records = ExerciseRecord.objects.filter(owner=history)
    names = set(records.values_list("exercise__name", flat=True))
    assert names == {"Back Squat", "Conventional Deadlift"}
    assert_equal_to_a_fresh_computation(history)


def test_records_follow_a_deleted_set_and_a_deleted_workout(history):
    Set.objects.get(workout__owner=history, exercise_name="Deadlift").delete()
    assert not ExerciseRecord.objects.filter(owner=history, exercise__key="deadlift").exists()
    assert_equal_to_a_fresh_computation(history)
    Workout.objects.get(owner=history, date=day(7)).delete()
    squat = record_of(history, "back squat")
    assert (squat.workout_count, squat.heaviest_lb) == (2, Decimal("230.00"))
    assert_equal_to_a_fresh_computation(history)


def test_records_follow_a_workout_moved_to_another_day_or_cancelled(history):
    latest = Workout.objects.get(owner=history, date=day(14))
    latest.date = day(-7)  # now the first squat workout: a record, the others compared to it
    latest.save_changes(["date"], was_status=latest.status)
    squat = record_of(history, "back squat")
    assert [w.is_record for w in squat.workouts.order_by("date")] == [True, False, True]
    assert squat.last_done == day(7)
    assert_equal_to_a_fresh_computation(history)
    latest.status = Workout.Status.CANCELLED
    latest.save_changes(["status"], was_status=Workout.Status.COMPLETED)
    assert record_of(history, "back squat").workout_count == 2
    assert_equal_to_a_fresh_computation(history)


def test_renaming_an_exercise_keeps_its_records(history):
    Exercise.objects.named(history, "back squat").rename("Squat")
    records = ExerciseRecord.objects.filter(owner=history)
    assert set(records.values_list("exercise__name", flat=True)) == {"Squat", "Deadlift"}
    assert_equal_to_a_fresh_computation(history)


def test_refresh_records_after_a_bulk_change_of_sets(history):
    squats = Set.objects.filter(workout__owner=history, exercise_name="Back Squat")
    squats.filter(weight="235").update(weight="300", weight_value=300)
    refresh_records(history.pk, {squats.first().exercise_id})
    assert record_of(history, "back squat").heaviest_lb == Decimal("300.00")
    assert_equal_to_a_fresh_computation(history)


def test_imported_history_has_its_records(sheets, alice, lower1):
    rows = [
        ["2025-09-01", "2025-09-01_lower1", "lower1", "Back Squat", 1, 225, 5, "", "", ""],
        ["2025-09-08", "2025-09-08_lower1", "lower1", "back squat ", 1, 245, 5, "", "", ""],
        ["2025-09-08", "2025-09-08_lower1", "lower1", "Leg Press", 1, 300, 10, "", "", ""],
    ]
    sheets.set_rows("workout-log-test", "Log", [HEADER, *rows])
    call_command("import_sheets", "alice", stdout=io.StringIO())
    records = {r.exercise.key: r for r in ExerciseRecord.objects.filter(owner=alice)}
    assert set(records) == {"back squat", "leg press"}
    assert (records["back squat"].workout_count, records["back squat"].heaviest_lb) == (
        2,
        Decimal("245.00"),
    )
    assert_equal_to_a_fresh_computation(alice)


def test_names_match_trimmed_and_whatever_their_case_under_the_exercises_name(
    alice, lower1, alice_client
):
    # A name the library does not have: named as first written.
    past_workout(alice, lower1, day(0), [("Larsen press", "185", "5")])
    past_workout(alice, lower1, day(7), [("larsen Press ", "195", "5")])
    record = ExerciseRecord.objects.get(owner=alice)
    assert (record.exercise.name, record.workout_count) == ("Larsen press", 2)
    points = exercise_progress(alice, "LARSEN PRESS")
    assert [p.heaviest for p in points] == [Decimal("185.00"), Decimal("195.00")]
    page = alice_client.get(reverse("progress")).content.decode()
    assert "Larsen press" in page and "larsen Press" not in page


def test_records_are_in_pounds_whatever_the_unit_and_assisted_sets_are_never_records(alice, lower1):
    past_workout(alice, lower1, day(0), [("Deadlift", "100", "1", "kg"), ("Dip", "-40", "8")])
    past_workout(alice, lower1, day(7), [("Deadlift", "215", "1", "lb"), ("Dip", "-20", "8")])
    records = {r.exercise.key: r for r in ExerciseRecord.objects.filter(owner=alice)}
    assert records["deadlift"].best_1rm_lb == Decimal("220.46")  # 100 kg beats 215 lb
    assert records["deadlift"].heaviest_lb == Decimal("220.46")
    assert (records["dip"].best_1rm_lb, records["dip"].heaviest_lb) == (None, None)
    assert not ExerciseWorkout.objects.filter(record=records["dip"], is_record=True).exists()


@pytest.fixture
def mixed_units(alice, lower1):
    """A kg lifter's deadlift and bench press, some sets logged in kg and some in lb."""
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    past_workout(
        alice, lower1, day(0), [("Deadlift", "100", "1", "kg"), ("Bench Press", "225", "5", "lb")]
    )
    past_workout(
        alice, lower1, day(7), [("Deadlift", "215", "1", "lb"), ("Bench Press", "100", "5", "kg")]
    )
    return alice


def stored_sets(owner):
    return list(
        Set.objects.filter(workout__owner=owner)
        .order_by("workout__date", "pk")
        .values_list("exercise_name", "weight", "reps", "unit", "weight_value", "estimated_1rm")
    )


def test_progress_shows_records_in_the_lifters_unit_converting_the_other_units_sets(
    mixed_units, alice_client
):
    page = alice_client.get(reverse("progress")).content.decode()
    # Bench: 225 lb × 5 is 262.5 lb (119.1 kg), better than 100 kg × 5 (116.7 kg).
    assert "119.1 kg <small>est. 1RM" in page
    assert "100 kg <small>est. 1RM" in page  # Deadlift: 100 kg, kept as 220.46 lb
    assert " lb <small>" not in page and "sets logged in lb are converted" in page
    records = {r.exercise.name: r for r in alice_client.get(reverse("progress")).context["records"]}
    assert (records["Deadlift"].best_1rm, records["Deadlift"].heaviest) == (
        Decimal("100.0"),
        Decimal("100.00"),
    )
    assert (records["Bench Press"].best_1rm, records["Bench Press"].heaviest) == (
        Decimal("119.1"),
        Decimal("102.06"),  # 225 lb
    )


def test_a_chart_shows_each_workout_in_the_lifters_unit(mixed_units, alice_client):
    response = alice_client.get(reverse("exercise_progress"), {"exercise": "Deadlift"})
    points = response.context["points"]
    assert [(p.estimated_1rm, p.heaviest, p.is_record) for p in points] == [
        (Decimal("100.0"), Decimal("100.00"), True),
        (Decimal("97.5"), Decimal("97.52"), False),  # 215 lb
    ]
    page = response.content.decode()
    assert "From 97.5 to 100 kg over 2 workouts" in page
    assert '<th scope="col">Est. 1RM (kg)</th><th scope="col">Heaviest (kg)</th>' in page
    rows = " ".join(page.split())
    assert "<td>97.5</td> <td>97.52</td>" in rows
    assert "<td>100 <strong>record</strong></td> <td>100</td>" in rows
    assert 'class="tick" text-anchor="end">kg</text>' in page


def test_changing_the_unit_changes_what_is_shown_never_the_stored_sets(mixed_units, alice_client):
    sets_before = stored_sets(mixed_units)
    records_before = stored(mixed_units)
    alice_client.post(reverse("choose_unit"), {"weight_unit": "lb"})
    page = alice_client.get(reverse("progress")).content.decode()
    assert "262.5 lb <small>est. 1RM" in page and "220.5 lb <small>est. 1RM" in page
    points = exercise_progress(mixed_units, "Deadlift", "lb")
    assert [(p.estimated_1rm, p.heaviest) for p in points] == [
        (Decimal("220.5"), Decimal("220.46")),  # 100 kg
        (Decimal("215.0"), Decimal("215.00")),
    ]
    chart = alice_client.get(reverse("exercise_progress"), {"exercise": "Deadlift"})
    assert "From 215 to 220.5 lb" in chart.content.decode()
    assert stored_sets(mixed_units) == sets_before
    assert sets_before[0][:4] == ("Deadlift", "100", "1", "kg")
    assert stored(mixed_units) == records_before


def test_a_summary_adds_kg_and_lb_sets_in_the_lifters_unit(mixed_units, lower1, alice_client):
    today = past_workout(
        mixed_units,
        lower1,
        day(14),
        [
            ("Deadlift", "60", "5", "kg", "warmup"),
            ("Deadlift", "105", "1", "kg"),
            ("Bench Press", "235", "5", "lb"),
        ],
    )
    summary = workout_summary(today, list(today.sets.order_by("pk")), "kg")
    assert summary.volume == Decimal(105) + Decimal(235 * 5) / Decimal("2.20462")  # 637.97
    assert [(r.exercise, r.estimated_1rm, r.previous_best) for r in summary.records] == [
        ("Deadlift", Decimal("105.0"), Decimal("100.0")),  # was 100 kg, kept as 220.46 lb
        ("Bench Press", Decimal("124.4"), Decimal("119.1")),  # 274.2 lb, was 262.5 lb
    ]
    page = " ".join(alice_client.get(today.get_absolute_url()).content.decode().split())
    assert "<dd>638 kg</dd>" in page
    assert "Deadlift: 105 kg × 1 (estimated 1RM 105 kg, was 100 kg)" in strip_tags(page)
    assert "Bench Press: 235 lb × 5 (estimated 1RM 124.4 kg, was 119.1 kg)" in strip_tags(page)
    assert "working sets, in kg (sets logged in lb converted)" in page

    alice_client.post(reverse("choose_unit"), {"weight_unit": "lb"})
    page = " ".join(alice_client.get(today.get_absolute_url()).content.decode().split())
    assert "<dd>1,406 lb</dd>" in page  # 105 kg is 231.49 lb, and 1175 lb
    assert "(estimated 1RM 231.5 lb, was 220.5 lb)" in page
    assert "(estimated 1RM 274.2 lb, was 262.5 lb)" in page
    assert [(s.weight, s.unit) for s in today.sets.order_by("pk")] == [
        ("60", "kg"),
        ("105", "kg"),
        ("235", "lb"),
    ]


def test_warm_ups_are_left_out_of_records(alice, lower1):
    past_workout(alice, lower1, day(0), [("Back Squat", "315", "5", "lb", "warmup")])
    assert not ExerciseRecord.objects.filter(owner=alice).exists()


def test_summary_compares_with_the_best_before_the_workouts_date(alice, lower1):
    past_workout(alice, lower1, day(0), [("Back Squat", "225", "5")])
    past_workout(alice, lower1, day(14), [("Back Squat", "245", "5")])
    entered_late = past_workout(alice, lower1, day(7), [("Back Squat", "235", "5")])
    summary = workout_summary(entered_late, list(entered_late.sets.all()))
    assert [(r.exercise, r.estimated_1rm, r.previous_best) for r in summary.records] == [
        ("Back Squat", Decimal("274.2"), Decimal("262.50"))
    ]


def test_a_record_in_an_exercise_named_with_accented_capitals_is_shown(alice, lower1):
    past_workout(alice, lower1, day(0), [("Écarté Couché", "40", "10")])
    beaten = past_workout(alice, lower1, day(7), [("Écarté Couché", "45", "10")])
    summary = workout_summary(beaten, list(beaten.sets.all()))
    assert [(r.exercise, r.previous_best) for r in summary.records] == [
        ("Écarté Couché", Decimal("53.3"))
    ]


def test_a_workouts_page_runs_a_fixed_number_of_queries(
    alice_client, alice, lower1, django_assert_num_queries
):
    bulk_completed_sessions(alice, 300)
    latest = past_workout(alice, lower1, day(3000), [("Back Squat", "300", "5")])
    # django session, user, workout, its sheet conflicts, its sets, the lifter's unit,
    # the best before it
    with django_assert_num_queries(7):
        page = alice_client.get(latest.get_absolute_url()).content.decode()
    assert "New records" in page and "was 233.3" in page


def test_the_chart_places_workouts_by_date(alice, lower1):
    for number in (0, 7, 100):
        past_workout(alice, lower1, day(number), [("Back Squat", "225", "5")])
    chart = chart_for(exercise_progress(alice, "Back Squat"))
    first, second, third = (point.x for point in chart.points)
    assert (second - first) / (third - first) == pytest.approx(7 / 100)
    assert first == chart.left and third == chart.right


def test_a_long_history_draws_the_best_of_each_period_and_every_record(alice, lower1):
    bulk_completed_sessions(alice, 600)  # a workout a day, all alike
    for workout_set in Set.objects.filter(workout__owner=alice, workout__date=day(0)):
        workout_set.delete()
    record_days = [datetime.date(2020, 1, 1) + datetime.timedelta(days=n) for n in (10, 11, 12)]
    for weight, number in zip(("300", "310", "320"), (10, 11, 12), strict=True):
        Set.objects.filter(
            workout__owner=alice,
            workout__date=datetime.date(2020, 1, 1) + datetime.timedelta(number),
        ).update(weight=weight)
    for workout_set in Set.objects.filter(workout__date__in=record_days):
        workout_set.save_changes(["weight"])  # reads the numbers again; the records follow
    points = exercise_progress(alice, "Back Squat")
    chart = chart_for(points)
    assert chart.workouts == 600 and chart.period_days == 14
    assert len(chart.points) <= CHART_MAX_POINTS + 3
    drawn_records = [p.date for p in chart.points if p.is_record]
    assert drawn_records == [datetime.date(2020, 1, 1), *record_days]
    assert drawn_records == [p.date for p in points if p.is_record]


def test_history_pages_count_working_sets_of_their_workouts_only(
    alice_client, alice, lower1, django_assert_num_queries
):
    bulk_completed_sessions(alice, 95)
    # django session, user, unit, count, the page, its sets, the records they beat
    with django_assert_num_queries(7):
        last = alice_client.get(reverse("history") + "?page=5").content.decode()
    assert "Page 5 of 5" in last and last.count("2 sets · 2,000 lb") == 15
    assert ">Wed 1 Jan 2020<" in last


def test_completing_the_latest_workout_adds_to_the_records_in_a_fixed_number_of_queries(
    alice, lower1, django_assert_num_queries
):
    bulk_completed_sessions(alice, 200)
    past_workout(alice, lower1, day(-3000), [("Deadlift", "315", "3")])
    workout = Workout.start(alice, lower1, day(3000))
    workout.log_set("Back Squat", "300", "5")
    workout.log_set("Deadlift", "100", "5", unit="kg")
    workout.log_set("Plank", "BW", "60")
    # complete; the lifter's bodyweights (one query, none found: models/bodyweight.py);
    # the records: its sets by exercise, the records, any rows of it already, and in a
    # savepoint 2 updates, the new record and the workout rows; mark unsynced; what it
    # asked, for its routine's progression rules (none here: one query); its routine's
    # supersets, for the sets' groups (none here: one query): the same with 200 workouts
    # before as with none
    with django_assert_num_queries(14):
        workout.complete()
    records = {r.exercise.key: r for r in ExerciseRecord.objects.filter(owner=alice)}
    assert (records["back squat"].workout_count, records["plank"].workout_count) == (201, 1)
    assert records["deadlift"].heaviest_lb == Decimal("315.00")
    assert_equal_to_a_fresh_computation(alice)


def test_saving_a_note_refreshes_no_records(history, django_assert_num_queries):
    """A note rides in the sheet's rows, so the sheet follows; records never read it."""
    workout = Workout.objects.filter(owner=history).latest("date")
    before = stored(history)
    # the note, and the workout marked for the sheet: no record read or written
    with django_assert_num_queries(2):
        workout.save_note("Felt heavy")
    workout.refresh_from_db()
    assert (workout.note, workout.synced_to_sheets) == ("Felt heavy", False)
    assert stored(history) == before
