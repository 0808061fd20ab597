"""Exports that lifters published, imported whole: every workout, set, warm-up, drop and
failure set, the volume, the first and last date, the notes and RPE, exactly as the file
says. What each file holds is counted here with plain `csv`, never from the importer."""

import csv
import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError
from django.db.models import Max, Min

from sessions_app.models import Set, Workout
from tests.import_helpers import FIXTURES, run_import, write_file

pytestmark = pytest.mark.django_db

REAL = FIXTURES / "real"
# Strong's column names in a German or French phone's export, in English.
TRANSLATED = {
    "Datum": "Date",
    "Workout-Name": "Workout Name",
    "Name der Übung": "Exercise Name",
    "Reihenfolge festlegen": "Set Order",
    "Gewicht": "Weight",
    "Wiederh.": "Reps",
    "Entfernung": "Distance",
    "Sekunden": "Seconds",
    "Notizen": "Notes",
    "Nom de l'entraînement": "Workout Name",
    "Nom de l'exercice": "Exercise Name",
    "Ordre de la série": "Set Order",
    "Poids": "Weight",
    "Réps": "Reps",
    "Secondes": "Seconds",
    "kg": "Weight",
    "lbs": "Weight",
    "km": "Distance",
    "mi": "Distance",
    "Weight (kg)": "Weight",
    "Weight (lbs)": "Weight",
    "Distance (meters)": "Distance",
    "Distance (miles)": "Distance",
}
WARMUP, DROP, FAILURE = {"W", "WARM_UP"}, {"D", "DROP_SET"}, {"F", "FAILURE"}
NOT_SETS = {"Rest Timer", "Ruhezeit", "Note"}


def number(text):
    return Decimal(text.replace(",", ".")) if text.strip() else Decimal(0)


def rows_of(path):
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [TRANSLATED.get(name, name) for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if any(row)]


def data_rows(path):
    """The lines after the header that hold anything."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:]
    return sum(1 for row in rows if any(row))


def strong_counts(path):
    """What a Strong file holds, read here: the lines that are sets."""
    rows = rows_of(path)
    sets = [
        row
        for row in rows
        if row["Set Order"] not in NOT_SETS
        and any(number(row.get(column, "")) for column in ("Weight", "Reps", "Distance", "Seconds"))
    ]
    kinds = Counter(
        "warmup" if r["Set Order"] in WARMUP else "drop" if r["Set Order"] in DROP
        else "failure" if r["Set Order"] in FAILURE else "working"
        for r in sets
    )  # fmt: skip
    return counts(
        sets,
        workouts={(r["Date"], r["Workout Name"]) for r in sets},
        kinds=kinds,
        dates=[r["Date"][:10] for r in sets],
        volume=sum(
            number(r["Weight"]) * number(r["Reps"])
            for r in sets
            if r["Set Order"] not in WARMUP and number(r["Weight"]) > 0
        ),
        # A "Note" line's note goes on the exercise's next set.
        notes={
            r["Notes"].strip()
            for r in rows
            if r.get("Notes", "").strip() and (r in sets or r["Set Order"] == "Note")
        },
        rpe=sum(1 for r in sets if 6 <= number(r.get("RPE", "")) <= 10),
    )


def hevy_counts(path):
    rows = rows_of(path)
    weight = "weight_kg" if "weight_kg" in rows[0] else "weight_lbs"
    distance = "distance_km" if "distance_km" in rows[0] else "distance_miles"
    sets = [
        r
        for r in rows
        if any(number(r[column]) for column in (weight, "reps", distance, "duration_seconds"))
    ]
    return counts(
        sets,
        workouts={(r["start_time"], r["title"]) for r in sets},
        kinds=Counter(
            {"warmup": "warmup", "dropset": "drop", "failure": "failure"}.get(
                r["set_type"], "working"
            )
            for r in sets
        ),
        dates=[
            datetime.datetime.strptime(r["start_time"], "%d %b %Y, %H:%M").date().isoformat()
            for r in sets
        ],
        volume=sum(
            number(r[weight]) * number(r["reps"])
            for r in sets
            if r["set_type"] != "warmup" and number(r[weight]) > 0
        ),
        notes={r["exercise_notes"].strip() for r in sets if r["exercise_notes"].strip()},
        rpe=sum(1 for r in sets if 6 <= number(r["rpe"]) <= 10),
    )


def fitnotes_counts(path):
    text = path.read_text()
    header, *lines = list(csv.reader(io.StringIO(text)))
    weight = next(i for i, name in enumerate(header) if name.startswith("Weight"))
    sets = []
    for line in lines:
        # An exercise name with an unquoted comma makes more cells: they are the name's.
        extra = len(line) - len(header)
        line = [line[0], ",".join(line[1 : 2 + extra]), *line[2 + extra :]]
        row = dict(zip(header, line, strict=True))
        numbers = (header[weight], "Reps", "Distance")
        if any(number(row.get(column, "")) for column in numbers) or row.get("Time", "").strip():
            sets.append(row)
    return counts(
        sets,
        workouts={r["Date"] for r in sets},
        kinds=Counter(working=len(sets)),
        dates=[r["Date"] for r in sets],
        volume=sum(
            number(r[header[weight]]) * number(r["Reps"])
            for r in sets
            if number(r[header[weight]]) > 0
        ),
        notes={r["Comment"].strip() for r in sets if r.get("Comment", "").strip()},
        rpe=0,
    )


def counts(sets, workouts, kinds, dates, volume, notes, rpe):
    return {
        "sets": len(sets),
        "workouts": len(workouts),
        "kinds": dict(kinds),
        "dates": (min(dates), max(dates)),
        "volume": volume,
        "notes": notes,
        "rpe": rpe,
    }


def stored(owner):
    sets = Set.objects.filter(workout__owner=owner)
    span = Workout.objects.filter(owner=owner).aggregate(first=Min("date"), last=Max("date"))
    volume = sum(
        (s.weight_value * s.reps_value)
        for s in sets.exclude(set_type="warmup")
        if s.weight_value is not None and s.reps_value is not None and s.weight_value > 0
    )
    notes = list(sets.exclude(notes="").values_list("notes", flat=True))
    return {
        "sets": sets.count(),
        "workouts": Workout.objects.filter(owner=owner, status="completed").count(),
        "kinds": dict(Counter(sets.values_list("set_type", flat=True))),
        "dates": (span["first"].isoformat(), span["last"].isoformat()),
        "volume": volume,
        "notes": notes,
        "rpe": sets.exclude(rpe=None).count(),
    }


STRONG_FILES = sorted(
    path.name
    for path in REAL.glob("strong-*.csv")
    if path.name not in ("strong-units-no-header.csv", "strong-comma-resaved-day-month-dates.csv")
) + ["../strong-quoted-lbs-miles.csv", "../strong-2016-lbs-mi-crlf.csv"]
HEVY_FILES = sorted(path.name for path in REAL.glob("hevy-*.csv")) + ["../hevy-kg-miles.csv"]
FITNOTES_FILES = sorted(path.name for path in REAL.glob("fitnotes-*.csv"))


def assert_imported_whole(alice, tmp_path, name, expected):
    path = write_file(tmp_path, (REAL / name).read_bytes())
    output = run_import(path, "alice", "--unit", "kg")
    found = stored(alice)
    assert (found["sets"], found["workouts"]) == (expected["sets"], expected["workouts"]), output
    assert found["kinds"] == expected["kinds"]
    assert found["dates"] == expected["dates"]
    # Weights are kept to three decimals (a float's trail, 285.00000000000006, is not
    # a lifter's), read to two for charts: the volume agrees to a hundredth a rep.
    assert abs(found["volume"] - expected["volume"]) <= Decimal("0.01") * max(
        1, sum(s.reps_value or 0 for s in Set.objects.all())
    )
    for note in expected["notes"]:
        assert any(note.replace("\r\n", "\n") in stored_note for stored_note in found["notes"])
    assert found["rpe"] == expected["rpe"]
    skipped = data_rows(REAL / name) - expected["sets"]
    assert f"{skipped:,} line(s) skipped" in output
    return output


@pytest.mark.parametrize("name", STRONG_FILES)
def test_every_strong_export_imports_whole(alice, tmp_path, name):
    assert_imported_whole(alice, tmp_path, name, strong_counts(REAL / name))


@pytest.mark.parametrize("name", HEVY_FILES)
def test_every_hevy_export_imports_whole(alice, tmp_path, name):
    assert_imported_whole(alice, tmp_path, name, hevy_counts(REAL / name))


@pytest.mark.parametrize("name", FITNOTES_FILES)
def test_every_fitnotes_export_imports_whole(alice, tmp_path, name):
    assert_imported_whole(alice, tmp_path, name, fitnotes_counts(REAL / name))


@pytest.mark.parametrize("name", [*STRONG_FILES, *HEVY_FILES, *FITNOTES_FILES])
def test_importing_a_real_export_again_adds_nothing(alice, tmp_path, name):
    path = write_file(tmp_path, (REAL / name).read_bytes())
    run_import(path, "alice", "--unit", "kg")
    before = Set.objects.count()
    output = run_import(path, "alice", "--unit", "kg")
    assert Set.objects.count() == before
    assert "Imported 0 set(s) in 0 workout(s)" in output
    assert f"; {before:,} already here" in output


def test_a_strong_file_without_its_header_is_refused_saying_so(alice, tmp_path):
    path = write_file(tmp_path, (REAL / "strong-units-no-header.csv").read_bytes())
    with pytest.raises(CommandError, match="Line 1: these are not the columns of a Strong"):
        run_import(path, "alice")
    assert not Set.objects.exists()


def test_a_strong_file_resaved_with_day_month_dates_is_refused_naming_the_line(alice, tmp_path):
    path = write_file(tmp_path, (REAL / "strong-comma-resaved-day-month-dates.csv").read_bytes())
    with pytest.raises(CommandError) as refused:
        run_import(path, "alice")
    assert "Line 2: “9/12/2022 18:35” is not a date and time like 2025-03-04 18:12:09." in str(
        refused.value
    )
    assert not Set.objects.exists()
