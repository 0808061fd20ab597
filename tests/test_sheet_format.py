"""The sheet's two header versions: what a set looks like in each, and reading it back."""

import datetime
from decimal import Decimal

import pytest

from sessions_app.export import COLUMNS_V1, COLUMNS_V2, read_row, row_for
from sessions_app.models import Session
from sync_app.rows import as_text


@pytest.fixture
def kg_workout(alice, lower1):
    session = Session.start(alice, lower1, datetime.date(2025, 9, 1))
    session.note = "Slept badly (again)"
    session.save()
    session.log_set("Back Squat", "100", "5", set_type="drop", rpe=Decimal("8.5"), unit="kg")
    session.log_set("Back Squat", "60", "8", notes="easy (ish)", set_type="warmup")
    return session


def test_version_2_adds_its_columns_to_the_right_of_key():
    assert COLUMNS_V2[:10] == [*COLUMNS_V1[:5], "weight", *COLUMNS_V1[6:]]
    assert COLUMNS_V2[10:] == ["set type", "rpe", "unit", "workout note"]


def test_a_version_2_row_has_columns_for_type_rpe_unit_and_workout_note(kg_workout):
    drop = kg_workout.sets.get(weight="100")
    row = row_for(kg_workout, drop)
    assert row[5:8] == [100, 5, ""]
    assert row[10:] == ["drop", 8.5, "kg", "Slept badly (again)"]


def test_a_version_1_row_carries_them_as_marks_in_the_notes_cell(kg_workout):
    drop = kg_workout.sets.get(weight="100")
    warmup = kg_workout.sets.get(weight="60")
    assert len(row_for(kg_workout, drop, version=1)) == len(COLUMNS_V1)
    assert row_for(kg_workout, drop, version=1)[7] == (
        "(drop set) (RPE 8.5) (kg) (workout note: Slept badly (again))"
    )
    assert row_for(kg_workout, warmup, version=1, with_workout_note=False)[7] == (
        "(warm-up) easy (ish)"
    )


@pytest.mark.parametrize("version", [1, 2])
def test_read_row_gives_back_what_row_for_wrote(kg_workout, version):
    for workout_set in kg_workout.sets.all():
        texts = [as_text(value) for value in row_for(kg_workout, workout_set, version=version)]
        values = read_row(texts, version)
        assert (values.exercise, values.weight, values.reps) == (
            workout_set.exercise,
            workout_set.weight,
            workout_set.reps,
        )
        assert (values.notes, values.set_type, values.rpe, values.unit) == (
            workout_set.notes,
            workout_set.set_type,
            workout_set.rpe,
            workout_set.unit,
        )
        assert values.workout_note == kg_workout.note
        assert values.key == str(workout_set.key)


def test_an_lb_set_on_a_version_1_tab_looks_exactly_as_before(alice, lower1):
    session = Session.start(alice, lower1, datetime.date(2025, 9, 1))
    workout_set, _ = session.log_set("Back Squat", "225", "5", notes="belt")
    assert row_for(session, workout_set, version=1)[7] == "belt"
    assert read_row(["2025-09-01"] + [""] * 6 + ["belt"], version=1).unit == "lb"
