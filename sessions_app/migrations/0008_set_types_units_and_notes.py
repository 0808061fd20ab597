"""Set types (warm-up, drop, failure) replace the warm-up flag; RPE, the set's unit, a
workout note, and the lifter's own settings. The weight column keeps its name."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

SET_TYPES = [
    ("working", "working"),
    ("warmup", "warm-up"),
    ("drop", "drop set"),
    ("failure", "failure"),
]
UNITS = [("kg", "kg"), ("lb", "lb")]


def warmups_to_set_type(apps, schema_editor):
    Set = apps.get_model("sessions_app", "Set")
    Set.objects.filter(is_warmup=True).update(set_type="warmup")


def set_type_to_warmups(apps, schema_editor):
    Set = apps.get_model("sessions_app", "Set")
    Set.objects.filter(set_type="warmup").update(is_warmup=True)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0007_set_next_number_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LifterProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("weight_unit", models.CharField(blank=True, choices=UNITS, max_length=2)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lifter_profile",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="session",
            name="note",
            field=models.TextField(blank=True, default="", verbose_name="workout note"),
        ),
        migrations.AddField(
            model_name="set",
            name="rpe",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="6 to 10.",
                max_digits=3,
                null=True,
                verbose_name="RPE",
            ),
        ),
        migrations.AddField(
            model_name="set",
            name="set_type",
            field=models.CharField(
                choices=SET_TYPES,
                default="working",
                help_text="Warm-ups are left out of records and numbered apart.",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="set",
            name="unit",
            field=models.CharField(choices=UNITS, default="lb", max_length=2),
        ),
        migrations.RunPython(warmups_to_set_type, set_type_to_warmups),
        migrations.RemoveField(model_name="set", name="is_warmup"),
        # The weight may now be in kilograms: the field is "weight", its column stays.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="set", old_name="weight_lbs", new_name="weight"),
                migrations.AlterField(
                    model_name="set",
                    name="weight",
                    field=models.CharField(
                        blank=True, db_column="weight_lbs", default="", max_length=20
                    ),
                ),
            ]
        ),
        migrations.RemoveIndex(model_name="set", name="set_exercise_session"),
        migrations.AddIndex(
            model_name="set",
            index=models.Index(
                django.db.models.functions.text.Lower("exercise"),
                models.F("session"),
                name="set_exercise_name_session",
            ),
        ),
    ]
