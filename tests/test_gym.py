"""During and after the workout: last time's numbers, warm-ups, summary, records, export."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from sessions_app.models import Set, Workout
from sessions_app.numbers import estimated_one_rep_max
from sessions_app.progress import exercise_progress, workout_summary
from sessions_app.workout_screen import last_time
from tests.helpers import bulk_completed_sessions, exported_rows, past_workout


@pytest.mark.parametrize(
    "weight, reps, expected",
    [
        (Decimal(225), 5, Decimal("262.5")),
        (Decimal(315), 1, Decimal(315)),
        (Decimal(100), 10, Decimal("133.3")),
        (Decimal(0), 10, None),
        (Decimal(100), 0, None),
        (Decimal(100), 31, None),
        (None, 5, None),
    ],
)
def test_epley_estimate(weight, reps, expected):
    assert estimated_one_rep_max(weight, reps) == expected


def test_numbers_are_read_from_the_text_when_a_set_is_saved(alice_workout):
    workout_set, _ = alice_workout.log_set("Pull-up", "BW+25", "8")
    assert (workout_set.weight_value, workout_set.reps_value) == (Decimal(25), 8)
    assert workout_set.estimated_1rm == Decimal("31.7")
    workout_set.reps = "AMRAP"
    workout_set.save(update_fields=["reps"])
    workout_set.refresh_from_db()
    assert (workout_set.reps_value, workout_set.estimated_1rm) == (None, None)


def test_last_time_is_the_latest_completed_workout_with_that_exercise(alice, bob, lower1):
    past_workout(alice, lower1, datetime.date(2025, 9, 1), [("Back Squat", "215", "5")])
    past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 8),
        [("Back Squat", "225", "5"), ("Back Squat", "235", "4")],
    )
    past_workout(alice, lower1, datetime.date(2025, 9, 10), [("Leg Press", "300", "10")])
    past_workout(bob, lower1, datetime.date(2025, 9, 12), [("Back Squat", "405", "5")])
    found = last_time(alice.pk, ["Back Squat", "Leg Press", "Deadlift"], datetime.date(2025, 9, 30))
    assert found["back squat"].date == datetime.date(2025, 9, 8)
    assert [(s.weight, s.reps) for s in found["back squat"].sets] == [
        ("225", "5"),
        ("235", "4"),
    ]
    assert set(found) == {"back squat", "leg press"}  # matched whatever their case


def test_workout_page_shows_last_time_and_prefills_the_same_set_number(alice_client, alice, lower1):
    past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 8),
        [("Back Squat", "225", "5"), ("Back Squat", "235", "4")],
    )
    workout = Workout.start(alice, lower1)
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    assert "Last time, Mon 8 Sep:" in page and "225×5" in page and "235×4" in page
    squat = page[page.index(">Back Squat</h2>") : page.index(">Romanian Deadlift</h2>")]
    assert 'name="weight" value="225"' in squat and 'name="reps" value="5"' in squat
    workout.log_set("Back Squat", "230", "5")  # set 1 today; set 2 last time was 235×4
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    squat = page[page.index(">Back Squat</h2>") : page.index(">Romanian Deadlift</h2>")]
    assert 'name="weight" value="235"' in squat and 'name="reps" value="4"' in squat
    workout.log_set("Back Squat", "230", "5")
    workout.log_set("Back Squat", "230", "5")  # set 4: none last time, so today's last set
    page = alice_client.get(workout.get_absolute_url()).content.decode()
    squat = page[page.index(">Back Squat</h2>") : page.index(">Romanian Deadlift</h2>")]
    assert 'name="set_number" value="4"' in squat and 'name="weight" value="230"' in squat


def test_form_fields_have_labels_and_phone_keyboards(alice_client, alice_workout):
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    assert page.count('name="weight"') == page.count('class="weight" inputmode="decimal"')
    assert page.count('name="reps"') == page.count('class="reps" inputmode="numeric"')
    visible_inputs = re.findall(r"<(?:input|select|textarea)(?![^>]*type=\"hidden\")[^>]*>", page)
    assert len(visible_inputs) > 20
    for field in visible_inputs:
        labelled = "aria-label=" in field
        if not labelled:
            field_id = re.search(r'\bid="([^"]+)"', field)
            enclosing = page[: page.index(field)].rsplit("<label", 1)[-1]
            labelled = (field_id and f'for="{field_id[1]}"' in page) or "</label>" not in enclosing
        assert labelled, field


def test_a_warm_up_set_is_marked_and_left_out_of_records(alice_client, alice, lower1):
    earlier = past_workout(alice, lower1, datetime.date(2025, 9, 1), [("Back Squat", "225", "5")])
    today = past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 8),
        [("Back Squat", "315", "5", "warm-up"), ("Back Squat", "225", "5")],
    )
    summary = workout_summary(today, list(today.sets.all()))
    assert summary.records == [] and summary.warmup_count == 1 and summary.set_count == 1
    assert [p.estimated_1rm for p in exercise_progress(alice, "Back Squat")] == [
        Decimal("262.5")
    ] * 2
    page = alice_client.get(today.get_absolute_url()).content.decode()
    assert "+1 warm-up" in page
    assert earlier.pk


def test_the_summary_shows_volume_sets_duration_and_new_records(alice_client, alice, lower1):
    past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 1),
        [("Back Squat", "225", "5"), ("Leg Press", "300", "10")],
    )
    today = past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 8),
        [
            ("Back Squat", "135", "5", "warm-up"),
            ("Back Squat", "235", "5"),
            ("Leg Press", "290", "10"),
            ("Plank", "BW", "60s"),
        ],
    )
    summary = workout_summary(today, list(today.sets.all()))
    assert summary.volume == Decimal(235 * 5 + 290 * 10)  # warm-up and bodyweight plank add 0
    assert (summary.set_count, summary.duration_minutes) == (3, 60)
    assert [(r.exercise, r.estimated_1rm, r.previous_best) for r in summary.records] == [
        ("Back Squat", Decimal("274.2"), Decimal("262.5"))
    ]
    page = alice_client.get(today.get_absolute_url()).content.decode()
    assert "4,075 lb" in page or "4075 lb" in page
    assert "60 min" in page and "New records" in page and "was 262.5" in page


def test_progress_lists_every_exercise_with_its_record(alice_client, alice, bob, lower1):
    past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 1),
        [("Back Squat", "225", "5"), ("Plank", "BW", "60")],
    )
    past_workout(bob, lower1, datetime.date(2025, 9, 1), [("Deadlift", "500", "1")])
    page = alice_client.get(reverse("progress")).content.decode()
    assert "Back Squat" in page and "262.5 lb" in page and "Deadlift" not in page
    assert "1:00 <small>longest</small>" in page  # a plank is timed: its 60 are seconds
    assert "Epley" in page


def test_exercise_progress_draws_a_chart_with_records_marked(alice_client, alice, lower1):
    for day, weight in [(1, "225"), (8, "235"), (15, "230"), (22, "245")]:
        past_workout(alice, lower1, datetime.date(2025, 9, day), [("Back Squat", weight, "5")])
    points = exercise_progress(alice, "Back Squat")
    assert [p.is_record for p in points] == [True, True, False, True]
    page = alice_client.get(
        reverse("exercise_progress"), {"exercise": "Back Squat"}
    ).content.decode()
    assert "<svg" in page and page.count('class="dot-1rm record"') == 3
    assert page.count('class="dot-1rm"') == 1 and "<polyline" in page
    assert "weight × (1 + reps ÷ 30)" in page


def test_another_lifters_exercise_is_not_found(alice_client, bob, lower1):
    past_workout(bob, lower1, datetime.date(2025, 9, 1), [("Back Squat", "405", "5")])
    response = alice_client.get(reverse("exercise_progress"), {"exercise": "Back Squat"})
    assert response.status_code == 404


def test_csv_export_has_the_sheet_columns_and_only_the_lifters_sets(
    alice_client, alice, bob, lower1
):
    mine = past_workout(
        alice, lower1, datetime.date(2025, 9, 1), [("Back Squat", "225", "5"), ("Curl", "25", "12")]
    )
    Set.objects.filter(workout=mine, exercise_name="Curl").update(
        notes='=HYPERLINK("http://evil.example")'
    )
    past_workout(bob, lower1, datetime.date(2025, 9, 1), [("Deadlift", "500", "1")])
    Workout.start(alice, lower1).log_set("Bench", "185", "5")  # in progress: not history
    response = alice_client.get(reverse("export_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = exported_rows(response)
    assert rows[0] == [
        "date",
        "session id",
        "template",
        "exercise",
        "set number",
        "weight",
        "reps",
        "notes",
        "logged at",
        "key",
        "set type",
        "rpe",
        "unit",
        "workout note",
    ]
    assert [row[3] for row in rows[1:]] == ["Back Squat", "Curl"]
    assert rows[2][7] == '\'=HYPERLINK("http://evil.example")'  # never a formula
    assert rows[1][:7] == ["2025-09-01", mine.pk, "lower1", "Back Squat", "1", "225", "5"]
    assert {row[9] for row in rows[1:]} == {str(s.key) for s in mine.sets.all()}
    assert rows[1][10:] == ["working", "", "lb", ""]


@pytest.mark.parametrize(
    "url, queries",
    [
        # django session, user, the lifter's unit, count, page of sessions, their sets,
        # the records they beat
        (reverse("history"), 7),
        # django session, user, the lifter's unit, records per exercise
        (reverse("progress"), 4),
        # django session, user, the lifter's unit, points per workout
        (reverse("exercise_progress") + "?exercise=Back%20Squat", 4),
    ],
)
def test_history_and_progress_pages_run_a_fixed_number_of_queries(
    alice_client, alice, url, queries, django_assert_num_queries
):
    bulk_completed_sessions(alice, 5)
    with django_assert_num_queries(queries):
        assert alice_client.get(url).status_code == 200
    Set.objects.all().delete()
    Workout.objects.all().delete()
    bulk_completed_sessions(alice, 500)
    with django_assert_num_queries(queries):
        assert alice_client.get(url).status_code == 200


def test_the_app_is_installable(db):
    client = Client()
    manifest = client.get(reverse("manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    # The installed app opens on the workout in progress (pwa.current_workout).
    assert body["display"] == "standalone" and body["start_url"] == "/open/"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    worker = client.get(reverse("service_worker"))
    assert worker["Content-Type"].startswith("text/javascript")
    assert "/static/sessions_app/outbox.js" in worker.content.decode()
    assert client.get(reverse("offline")).status_code == 200


def test_warm_ups_do_not_use_up_set_numbers(alice_client, alice_workout):
    alice_workout.log_set("Back Squat", "135", "5", set_number=1, set_type="warmup")
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    squat = page[page.index(">Back Squat</h2>") : page.index(">Romanian Deadlift</h2>")]
    assert 'name="set_number" value="1"' in squat  # the first working set is still set 1
    alice_workout.log_set("Back Squat", "95", "5", set_type="warmup")
    working, _ = alice_workout.log_set("Back Squat", "225", "5")
    assert working.set_number == 1
    assert alice_workout.sets.get(weight="95").set_number == 2  # warm-ups count apart


def test_warm_ups_are_marked_in_the_export_and_come_back_from_the_sheet(alice, lower1):
    from sessions_app.export import row_for

    session = past_workout(
        alice, lower1, datetime.date(2025, 9, 1), [("Back Squat", "135", "5", "w")]
    )
    warmup = session.sets.get()
    assert row_for(session, warmup, version=1)[7] == "(warm-up)"
    warmup.notes = "easy"
    assert row_for(session, warmup, version=1)[7] == "(warm-up) easy"
    assert row_for(session, warmup)[7] == "easy"
    assert row_for(session, warmup)[10] == "warmup"


def test_last_time_of_a_workout_entered_late_looks_back_from_its_own_day(
    alice_client, alice, lower1
):
    past_workout(alice, lower1, datetime.date(2025, 9, 1), [("Back Squat", "215", "5")])
    past_workout(alice, lower1, datetime.date(2025, 9, 20), [("Back Squat", "245", "5")])
    late = Workout.start(alice, lower1, datetime.date(2025, 9, 10))
    page = alice_client.get(late.get_absolute_url()).content.decode()
    assert "Last time, Mon 1 Sep:" in page and "215×5" in page and "245×5" not in page


def test_history_counts_working_sets(alice_client, alice, lower1):
    past_workout(
        alice,
        lower1,
        datetime.date(2025, 9, 1),
        [("Back Squat", "135", "5", "w"), ("Back Squat", "225", "5")],
    )
    page = " ".join(strip_tags(alice_client.get(reverse("history")).content.decode()).split())
    assert "1 set · 1,125 lb" in page  # the warm-up left out
