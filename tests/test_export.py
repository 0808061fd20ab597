"""The CSV export: every completed set of the lifter, in the sheet's row format."""

import csv
import datetime
import io
import zoneinfo

from django.urls import reverse

from sessions_app.export import COLUMNS, csv_safe, row_for
from sessions_app.models import Routine, Set, Workout
from tests.helpers import bulk_completed_sessions, exercise_for, exported_rows
from tests.import_helpers import run_import, write_file


def test_each_row_is_the_sheets_row_of_its_set(alice_client, alice, lower1, settings):
    settings.TIME_ZONE = "Europe/Paris"
    bulk_completed_sessions(alice, 3)
    session = Workout.objects.filter(owner=alice).order_by("date").first()
    Set.objects.filter(workout=session, set_number=1).update(
        set_type="warmup", notes="+easy", unit="kg"
    )
    Workout.start(alice, lower1, datetime.date(2026, 1, 1)).log_set("Curl", "25", "12")
    response = alice_client.get(reverse("export_csv"))
    rows = exported_rows(response)
    alice_zone = zoneinfo.ZoneInfo("Europe/Paris")  # the instance's: she has none of her own
    sets = Set.objects.filter(workout__status="completed").select_related("workout")
    expected = [
        [str(csv_safe(value)) for value in row_for(s.workout, s, zone=alice_zone)]
        for s in sets.order_by("workout__date", "workout_id", "created_at", "pk")
    ]
    assert rows == [COLUMNS, *expected]
    assert rows[1][7] == "'+easy" and rows[1][8].endswith("+01:00")  # never a formula
    assert (rows[1][10], rows[1][12]) == ("warmup", "kg")


def test_text_that_starts_like_a_formula_is_escaped_in_every_column_of_text(alice_client, alice):
    session = Workout.objects.create(
        id="=session",
        owner=alice,
        routine_slug="+routine",
        date=datetime.date(2026, 1, 1),
        status=Workout.Status.COMPLETED,
        note='=HYPERLINK("x")',
    )
    Set.objects.create(
        workout=session,
        exercise=exercise_for(alice, "@Squat"),
        set_number=1,
        weight="-",
        reps="=5",
        notes="\tx",
        set_type="=drop",
        unit="@k",  # choices: the database does not check them
    )
    response = alice_client.get(reverse("export_csv"))
    _, row = exported_rows(response)
    typed = dict(zip(COLUMNS, row, strict=True))
    for column in COLUMNS:
        if column not in ("date", "set number", "logged at", "key", "rpe"):
            assert typed[column].startswith("'"), column


def test_a_superset_rides_in_the_notes_and_comes_back_with_an_import(alice_client, alice, tmp_path):
    routine = Routine.create_for(alice, "Arms")
    for name in ("Barbell Curl", "Triceps Pushdown"):
        routine.add_exercise(name, 1, "10")
    routine.exercises.filter(exercise__name="Triceps Pushdown").update(superset_with_previous=True)
    workout = Workout.start(alice, routine, datetime.date(2026, 1, 1))
    workout.log_set("Barbell Curl", "40", "10", notes="=strict")
    workout.log_set("Triceps Pushdown", "30", "12")
    workout.complete()
    exported = b"".join(alice_client.get(reverse("export_csv")).streaming_content)
    header, *rows = csv.reader(io.StringIO(exported.decode()))
    assert header == COLUMNS  # the CSV keeps the sheet's header: its importer knows it
    # The mark leads the cell, so a note starting like a formula is no formula either.
    assert [row[7] for row in rows] == ["(superset A) =strict", "(superset A)"]
    groups = sorted(Set.objects.values_list("key", "superset_group"))
    Workout.objects.all().delete()
    run_import(write_file(tmp_path, exported), "alice")
    assert sorted(Set.objects.values_list("key", "superset_group")) == groups
    assert set(Set.objects.values_list("notes", flat=True)) == {"=strict", ""}
