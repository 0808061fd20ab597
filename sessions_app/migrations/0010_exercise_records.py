"""Records per lifter and exercise, kept up to date as sets change (progress.py); an
index in the history page's own order; exercise names indexed trimmed as well as
lowered. The records of existing history are computed by 0013_exercises (per
exercise, by then)."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0009_login_throttle"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExerciseRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name_key", models.CharField(max_length=100)),
                (
                    "exercise",
                    models.CharField(
                        help_text="The lifter's most recent spelling.", max_length=100
                    ),
                ),
                ("best_1rm_lb", models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ("heaviest_lb", models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ("most_reps", models.PositiveIntegerField(null=True)),
                ("sessions", models.PositiveIntegerField(default=0)),
                ("last_done", models.DateField()),
            ],
        ),
        migrations.CreateModel(
            name="ExerciseWorkout",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("completed_at", models.DateTimeField(null=True)),
                ("best_1rm_lb", models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ("heaviest_lb", models.DecimalField(decimal_places=2, max_digits=10, null=True)),
                ("is_record", models.BooleanField(default=False)),
            ],
        ),
        migrations.RemoveIndex(
            model_name="session",
            name="session_owner_history",
        ),
        migrations.RemoveIndex(
            model_name="set",
            name="set_exercise_name_session",
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["owner", "status", "-date", "-created_at"], name="session_owner_history"
            ),
        ),
        migrations.AddIndex(
            model_name="set",
            index=models.Index(
                django.db.models.functions.text.Lower(
                    django.db.models.functions.text.Trim("exercise")
                ),
                models.F("session"),
                name="set_exercise_name_session",
            ),
        ),
        migrations.AddField(
            model_name="exerciserecord",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="exercise_records",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="exerciseworkout",
            name="record",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="workouts",
                to="sessions_app.exerciserecord",
            ),
        ),
        migrations.AddField(
            model_name="exerciseworkout",
            name="session",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sessions_app.session",
            ),
        ),
        migrations.AddConstraint(
            model_name="exerciserecord",
            constraint=models.UniqueConstraint(
                fields=("owner", "name_key"), name="one_record_per_exercise"
            ),
        ),
        migrations.AddIndex(
            model_name="exerciseworkout",
            index=models.Index(fields=["record", "date"], name="exercise_workout_by_date"),
        ),
    ]
