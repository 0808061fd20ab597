"""One exercise, one place: whatever path names an exercise, and however it is spelled
("Bench press", " bench  PRESS ", "BENCH PRESS", accents composed or not), the lifter has
one exercise of it, and every page, record and export says so."""

import datetime
import io
import json
import re
import unicodedata
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import (
    ApiToken,
    Exercise,
    ExerciseRecord,
    Routine,
    Set,
    Workout,
    display_name,
    exercise_key,
)
from sessions_app.progress import workout_summary
from sessions_app.workout_screen import last_time
from sync_app.models import SheetsProfile
from sync_app.pull import run_pull
from sync_app.push import run_sync
from tests.helpers import HTMX, exported_rows, set_data
from tests.import_helpers import STRONG_HEADER, run_import, write_file
from tests.test_routines import edit

ECARTE = "Écarté Couché"
ECARTE_NFD = unicodedata.normalize("NFD", "ÉCARTÉ COUCHÉ")
BENCH_SPELLINGS = ["Bench press", " bench  PRESS ", "BENCH PRESS", "Bench\u00a0press"]


def day(number):
    return datetime.date(2025, 9, number)


def test_one_key_for_every_spelling():
    assert {exercise_key(name) for name in BENCH_SPELLINGS} == {"bench press"}
    assert exercise_key(ECARTE) == exercise_key("écarté couché") == exercise_key(ECARTE_NFD)
    assert unicodedata.normalize("NFC", ECARTE_NFD) != ECARTE_NFD  # truly decomposed
    assert display_name(" bench  PRESS ") == "bench PRESS"
    assert display_name(ECARTE_NFD) == "ÉCARTÉ COUCHÉ"  # composed, as typed


@pytest.fixture
def alices_sheet(sheets, alice):
    """Alice's own spreadsheet, so that rows typed into it are hers."""
    sheets.create_spreadsheet("alices-sheet", worksheets=("Log",))
    SheetsProfile.objects.create(user=alice, spreadsheet_id="alices-sheet", worksheet="Log")
    return sheets


def log_on_the_page(client, alice, date, names):
    workout = Workout.start(alice, None, date)
    for name in names:
        data = set_data(name, "60", "5")
        response = client.post(reverse("log_set", args=[workout.pk]), data, headers=HTMX)
        assert 'class="set-row done' in response.content.decode()
    workout.complete()


def log_through_the_api(alice, date, names):
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})

    def call(method, path, body):
        response = getattr(client, method)(
            f"/api/{path}", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    session_id = call("post", "session/start", {"empty": True, "date": date.isoformat()})[
        "session_id"
    ]
    for name in names:
        call("put", "session/log-set", {"exercise": name, "weight": "70", "reps": 5})
    call("post", "session/complete", {"session_id": session_id})


def typed_rows(date, names):
    """Rows a lifter typed into the sheet by hand (no key)."""
    return [[date.isoformat(), "", "push", name, 1, 75, 5, "", "", ""] for name in names]


def test_every_path_that_names_an_exercise_finds_the_same_one(
    alices_sheet, alice, bob, lower1, alice_client, admin_client, tmp_path
):
    sheets = alices_sheet
    # The page (the offline queue's replay posts the very same form), then the API.
    log_on_the_page(alice_client, alice, day(1), ["Bench press", ECARTE])
    log_through_the_api(alice, day(2), ["BENCH PRESS", ECARTE_NFD])
    # A file import.
    strong = STRONG_HEADER + "".join(
        f'2025-09-03 18:00:00,Push,45m,"{name}",1,80,5,,,,,\n'
        for name in (" bench  PRESS ", "écarté couché")
    )
    run_import(write_file(tmp_path, strong), "alice", "--unit", "kg")
    assert run_sync().outcome == "success"
    # import_sheets, then the pull, each finding rows typed into the sheet by hand.
    rows = sheets.rows("alices-sheet", "Log")
    typed = typed_rows(day(4), ["Bench\u00a0press", ECARTE_NFD])
    sheets.set_rows("alices-sheet", "Log", [*rows, *typed])
    call_command("import_sheets", "alice", stdout=io.StringIO())
    more = typed_rows(day(5), ["bench Press "])
    sheets.set_rows("alices-sheet", "Log", [*rows, *typed, *more])
    assert run_pull().imported == 1
    # Routine editing: the routine points to the same exercise.
    routine = Routine.create_for(alice, "Push")
    edit(alice_client, routine, ("add", "exercise"), new={"name": "  BENCH   press"})
    # The admin is told the exercise exists rather than making a second one.
    page = admin_client.post(
        reverse("admin:sessions_app_exercise_add"),
        {"owner": alice.pk, "name": " bench press", "kind": "barbell"},
    ).content.decode()
    assert "is this exercise already." in page
    # Rename (another case, inner spaces) and merge (a misspelling, chosen in any case).
    edit_url = reverse("exercise_detail") + "?name=ecarte"
    assert alice_client.post(edit_url, {"action": "rename", "name": "X"}).status_code == 404
    alice_client.post(
        reverse("exercise_detail") + "?name=ÉCARTÉ  couché",
        {"action": "rename", "name": "Écarté  couché"},
    )
    log_on_the_page(alice_client, alice, day(6), ["Benchpress"])
    alice_client.post(
        reverse("exercise_detail") + "?name=benchpress",
        {"action": "merge", "into": " BENCH press", "confirm": "yes"},
    )

    bench = Exercise.objects.get(owner=alice, key="bench press")
    ecarte = Exercise.objects.get(owner=alice, key=exercise_key(ECARTE))
    assert ecarte.name == "Écarté couché"
    logged = Exercise.objects.filter(owner=alice, sets__isnull=False).distinct()
    assert set(logged) == {bench, ecarte}
    assert routine.exercises.get().exercise == bench
    bench_days = [day(n) for n in range(1, 7)]
    ecarte_days = [day(n) for n in range(1, 5)]
    assert sorted(bench.sets.values_list("workout__date", flat=True)) == bench_days
    assert sorted(ecarte.sets.values_list("workout__date", flat=True)) == ecarte_days
    # Every set says the exercise's name, whatever was typed.
    assert set(bench.sets.values_list("exercise_name", flat=True)) == {bench.name}
    assert set(ecarte.sets.values_list("exercise_name", flat=True)) == {"Écarté couché"}

    # The Exercises page, Progress and the records: one each.
    listed = alice_client.get(reverse("exercise_list")).context["exercises"]
    assert [(e.pk, e.workouts) for e in listed] == [(bench.pk, 6), (ecarte.pk, 4)]
    records = alice_client.get(reverse("progress")).context["records"]
    assert [(r.exercise_id, r.workout_count) for r in records] == [(bench.pk, 6), (ecarte.pk, 4)]
    assert ExerciseRecord.objects.filter(owner=alice).count() == 2
    chart = alice_client.get(reverse("exercise_progress"), {"exercise": " BENCH  Press"})
    assert len(chart.context["points"]) == 6
    # Last time, in any spelling.
    latest = last_time(alice.pk, ["bench\u00a0PRESS", ECARTE_NFD], day(30))
    assert latest[bench.key].date == day(6) and latest[ecarte.key].date == day(4)
    # The suggestions name each exercise once.
    suggested = alice_client.get(reverse("exercise_names"), headers=HTMX).content.decode()
    names = re.findall(r'<option value="([^"]+)">', suggested)
    assert [exercise_key(name) for name in names].count("bench press") == 1
    # The CSV: one name per exercise.
    exported = exported_rows(alice_client.get(reverse("export_csv")))
    assert {row[3] for row in exported[1:]} == {bench.name, "Écarté couché"}
    # And nothing of it is Bob's.
    assert not Exercise.objects.filter(owner=bob).exists()


def test_accented_capitals_share_one_record_and_one_previous_best(alice, lower1):
    def workout(date, name, weight):
        session = Workout.start(alice, None, date)
        session.log_set(name, weight, "5")
        session.complete(
            now=timezone.make_aware(datetime.datetime.combine(date, datetime.time(19)))
        )
        return session

    workout(day(1), ECARTE, "20")
    later = workout(day(8), ECARTE_NFD, "25")
    assert ExerciseRecord.objects.filter(owner=alice).count() == 1
    summary = workout_summary(later, list(later.sets.all()))
    [record] = summary.records
    # 20 × 5 last week (Epley: 23.3), beaten today by 25 × 5
    assert (record.exercise, record.previous_best) == ("Écarté Couché", Decimal("23.3"))


def test_a_set_logged_under_a_new_spelling_of_a_known_exercise_takes_its_name(alice, alice_workout):
    alice_workout.log_set("Back Squat", "225", "5")
    workout_set, created = alice_workout.log_set("  back   SQUAT", "235", "5", key=uuid.uuid4())
    assert created and workout_set.exercise_name == "Back Squat"
    assert workout_set.set_number == 2
    assert Set.objects.filter(exercise__key="back squat").count() == 2
