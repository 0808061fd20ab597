"""The history list tells workouts apart: when (day and time), how long, the volume, each
exercise with its best set, and the records beaten; never a routine's slug."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from sessions_app.models import LifterProfile, Routine, Workout
from tests.helpers import bulk_completed_sessions

DAY = datetime.date(2026, 11, 25)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def workout(owner, routine, start, minutes, sets, day=DAY):
    """A completed workout that started at `start` (hour, minute) and lasted `minutes`."""
    done = Workout.start(owner, routine, day)
    for exercise, weight, reps, *kind in sets:
        done.log_set(exercise, weight, reps, set_type=kind[0] if kind else "working")
    began = at(day, *start)
    done.complete(now=began + datetime.timedelta(minutes=minutes))
    Workout.objects.filter(pk=done.pk).update(created_at=began)
    return done


def history_rows(client):
    page = client.get(reverse("history")).content.decode()
    items = page.split('<li class="history-item">')[1:]
    return [" ".join(strip_tags(item.split("</li>\n")[0]).split()) for item in items]


@pytest.fixture
def push_a(alice):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    return Routine.create_for(alice, "Push A")


def test_two_workouts_of_a_routine_on_one_day_are_told_apart(alice_client, alice, push_a):
    workout(alice, push_a, (7, 5), 52, [("Bench Press", "100", "5"), ("Bench Press", "90", "8")])
    workout(
        alice,
        push_a,
        (18, 30),
        41,
        [("Bench Press", "40", "10", "warmup"), ("Bench Press", "102.5", "5"), ("Dips", "", "12")],
    )
    evening, morning = history_rows(alice_client)
    assert morning.startswith("Wed 25 Nov 07:05 Push A")
    assert "52 min · 2 sets · 1,220 kg" in morning  # 100 × 5 + 90 × 8
    assert "Bench Press 100 kg × 5" in morning and "Record" not in morning  # the first
    assert evening.startswith("Wed 25 Nov 18:30 Push A")
    assert "41 min · 2 sets · 512.5 kg" in evening  # warm-ups left out
    assert "Bench Press 102.5 kg × 5" in evening and "Dips 12 reps" in evening
    assert "Record: Bench Press" in evening


def test_a_workout_is_never_titled_by_a_slug(alice_client, alice):
    Workout.objects.create(
        id="2026-11-25_push-a-2",
        owner=alice,
        routine_slug="push-a-2",
        date=DAY,
        status=Workout.Status.COMPLETED,
        completed_at=at(DAY, 19),
    )
    page = alice_client.get(reverse("history")).content.decode()
    assert "Push A" in page and "push-a-2" not in strip_tags(page)
    assert Workout.objects.with_title().get().title == "Push A"


def test_the_history_page_reads_a_fixed_number_of_queries(
    alice_client, alice, bob_client, bob, django_assert_num_queries
):
    bulk_completed_sessions(bob, 2)
    bulk_completed_sessions(alice, 45)
    # session, user, unit, count, the page's workouts, their sets, their records
    for client, url in [(bob_client, "/history/"), (alice_client, "/history/?page=2")]:
        with django_assert_num_queries(7):
            assert client.get(url).status_code == 200
