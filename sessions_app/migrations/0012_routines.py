"""Routines per lifter: each lifter gets a copy of the starter templates, and each
workout points at the routine it was started from (its copy), by a foreign key."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_lifters_their_routines(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    LifterProfile = apps.get_model("sessions_app", "LifterProfile")
    Session = apps.get_model("sessions_app", "Session")
    WorkoutTemplate = apps.get_model("sessions_app", "WorkoutTemplate")
    TemplateExercise = apps.get_model("sessions_app", "TemplateExercise")
    starters = list(WorkoutTemplate.objects.filter(owner=None).prefetch_related("exercises"))
    for user in User.objects.all():
        LifterProfile.objects.update_or_create(user=user, defaults={"starter_routines_given": True})
        for starter in starters:
            copy = WorkoutTemplate.objects.create(
                owner=user,
                name=starter.name,
                slug=starter.slug,
                position=starter.position,
                rest_seconds=starter.rest_seconds,
            )
            TemplateExercise.objects.bulk_create(
                TemplateExercise(
                    template=copy,
                    name=exercise.name,
                    position=position,
                    target_sets=exercise.target_sets,
                    target_reps=exercise.target_reps,
                    rest_seconds=exercise.rest_seconds,
                )
                for position, exercise in enumerate(
                    sorted(starter.exercises.all(), key=lambda e: (e.position, e.pk)), start=1
                )
            )
            Session.objects.filter(owner=user, template=starter.slug).update(
                routine=copy, name=copy.name
            )


def remove_lifters_routines(apps, schema_editor):
    WorkoutTemplate = apps.get_model("sessions_app", "WorkoutTemplate")
    WorkoutTemplate.objects.exclude(owner=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0011_import_batch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="templateexercise",
            options={"ordering": ["position", "id"], "verbose_name": "routine exercise"},
        ),
        migrations.AlterModelOptions(
            name="workouttemplate",
            options={"ordering": ["position", "name"], "verbose_name": "routine"},
        ),
        migrations.AddField(
            model_name="lifterprofile",
            name="starter_routines_given",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="session",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="The routine's name when the workout started: its title once the routine is deleted.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="session",
            name="routine",
            field=models.ForeignKey(
                blank=True,
                help_text="What the workout was started from; empty for an empty workout.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="sessions",
                to="sessions_app.workouttemplate",
            ),
        ),
        migrations.AddField(
            model_name="workouttemplate",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for the starter set every new lifter gets a copy of.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="routines",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="session",
            name="template",
            field=models.CharField(help_text="The routine's slug at the start.", max_length=40),
        ),
        migrations.AlterField(
            model_name="templateexercise",
            name="rest_seconds",
            field=models.PositiveIntegerField(
                blank=True, help_text="Rest after a set; empty uses the routine's.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="workouttemplate",
            name="rest_seconds",
            field=models.PositiveIntegerField(
                default=120, help_text="Default rest between sets for this routine's exercises."
            ),
        ),
        migrations.AlterField(
            model_name="workouttemplate",
            name="slug",
            field=models.SlugField(max_length=40),
        ),
        migrations.AddConstraint(
            model_name="workouttemplate",
            constraint=models.UniqueConstraint(
                fields=("owner", "slug"), name="routine_slug_per_owner"
            ),
        ),
        migrations.AddConstraint(
            model_name="workouttemplate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("owner", None)), fields=("slug",), name="starter_routine_slug"
            ),
        ),
        migrations.RunPython(give_lifters_their_routines, remove_lifters_routines),
    ]
