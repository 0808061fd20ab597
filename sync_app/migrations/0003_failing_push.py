"""The sync's own state of a workout whose push fails moves out of the sessions table
into FailingPush (sessions_app 0014 then drops the three columns)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_failures(apps, schema_editor):
    Workout = apps.get_model("sessions_app", "Workout")
    FailingPush = apps.get_model("sync_app", "FailingPush")
    failing = Workout.objects.filter(sync_attempts__gt=0).values_list(
        "pk", "sync_attempts", "sync_error", "sync_attempted_at"
    )
    FailingPush.objects.bulk_create(
        FailingPush(workout_id=pk, attempts=attempts, error=error, last_attempt_at=at)
        for pk, attempts, error, at in failing.iterator()
    )


def copy_failures_back(apps, schema_editor):
    Workout = apps.get_model("sessions_app", "Workout")
    FailingPush = apps.get_model("sync_app", "FailingPush")
    for push in FailingPush.objects.all():
        Workout.objects.filter(pk=push.workout_id).update(
            sync_attempts=push.attempts,
            sync_error=push.error,
            sync_attempted_at=push.last_attempt_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0013_exercises"),
        ("sync_app", "0002_two_way_sheet"),
    ]

    operations = [
        migrations.CreateModel(
            name="FailingPush",
            fields=[
                (
                    "workout",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="failing_push",
                        serialize=False,
                        to="sessions_app.workout",
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"verbose_name": "failing push"},
        ),
        migrations.RunPython(copy_failures, copy_failures_back),
    ]
