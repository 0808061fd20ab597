"""Small helpers shared by the tests."""

import csv
import io
import uuid

HTMX = {"HX-Request": "true"}


def set_data(exercise="Back Squat", weight="225", reps="5", notes="", **extra):
    """What the log-set form on the workout page posts."""
    return {
        "exercise": exercise,
        "weight": weight,
        "reps": reps,
        "notes": notes,
        "key": str(uuid.uuid4()),
        "unit": "lb",
        **extra,
    }


def exported_rows(response):
    """The rows of a CSV export (a streaming response), header included."""
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def bulk_completed_sessions(owner, count, first_day=None):
    """Many completed sessions of two Back Squat sets each, created in bulk (fast)."""
    import datetime

    from django.utils import timezone

    from sessions_app.models import Workout, refresh_records

    first_day = first_day or datetime.date(2020, 1, 1)
    now = timezone.now()
    sessions = Workout.objects.bulk_create(
        Workout(
            id=f"bulk-{owner.pk}-{number}",
            owner=owner,
            routine_slug="lower1",
            date=first_day + datetime.timedelta(days=number),
            status=Workout.Status.COMPLETED,
            completed_at=now,
        )
        for number in range(count)
    )
    squat = exercise_for(owner, "Back Squat")
    for session in sessions:
        bulk_sets(session, squat, 2, weight="200")
    refresh_records(owner.pk, [squat.pk])  # bulk_create: the records are said here
    return sessions


def bulk_sets(workout, exercise, count, weight="200", reps="5"):
    """count sets of one exercise (a name, or the Exercise), numbered 1, 2, …, created in
    bulk (no save())."""
    from sessions_app.models import Set

    if isinstance(exercise, str):
        exercise = exercise_for(workout.owner, exercise)
    sets = [
        Set(
            workout=workout,
            exercise=exercise,
            exercise_name=exercise.name,
            set_number=number,
            weight=weight,
            reps=reps,
        )
        for number in range(1, count + 1)
    ]
    for workout_set in sets:
        workout_set.read_numbers()
    Set.objects.bulk_create(sets)


def exercise_for(owner, name):
    """The lifter's exercise of that name, made if missing."""
    from sessions_app.models import Exercise

    return Exercise.named_for(owner.pk, name)


def past_workout(owner, template, day, sets):
    """A completed workout on a past day (18:00 to 19:00) with (exercise, weight, reps)
    sets; a fourth item, when there is one, makes the set a warm-up."""
    import datetime

    from django.utils import timezone

    from sessions_app.models import Workout

    def at(hour):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    session = Workout.start(owner, template, day)
    for exercise, weight, reps, *warmup in sets:
        session.log_set(exercise, weight, reps, set_type="warmup" if warmup else "working")
    session.complete(now=at(19))
    Workout.objects.filter(pk=session.pk).update(created_at=at(18))
    session.refresh_from_db()
    return session


def own_id(owner, base):
    """A new workout's id: "{base}.{the lifter's tag}" (an id never depends on another
    lifter's workouts)."""
    from sessions_app.models import LifterProfile

    return f"{base}.{LifterProfile.id_tag_of(owner.pk)}"
