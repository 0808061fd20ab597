"""Install a four-day upper/lower split so a new instance is usable at once."""

from django.db import migrations

REST_HEAVY = 180
STARTER_TEMPLATES = [
    (
        "Upper 1",
        "upper1",
        [
            ("Bench Press", 4, "5", REST_HEAVY),
            ("Barbell Row", 4, "6", REST_HEAVY),
            ("Overhead Press", 3, "8", None),
            ("Lat Pulldown", 3, "10", None),
            ("Dumbbell Curl", 3, "12", None),
            ("Triceps Pushdown", 3, "12", None),
        ],
    ),
    (
        "Lower 1",
        "lower1",
        [
            ("Back Squat", 4, "5", REST_HEAVY),
            ("Romanian Deadlift", 3, "8", REST_HEAVY),
            ("Leg Press", 3, "10", None),
            ("Lying Leg Curl", 3, "12", None),
            ("Standing Calf Raise", 4, "12", None),
            ("Plank", 3, "60s", None),
        ],
    ),
    (
        "Upper 2",
        "upper2",
        [
            ("Overhead Press", 4, "5", REST_HEAVY),
            ("Pull-up", 4, "6-8", REST_HEAVY),
            ("Incline Dumbbell Press", 3, "8-10", None),
            ("Seated Cable Row", 3, "10", None),
            ("Lateral Raise", 3, "15", None),
            ("Hammer Curl", 3, "12", None),
        ],
    ),
    (
        "Lower 2",
        "lower2",
        [
            ("Deadlift", 3, "5", REST_HEAVY),
            ("Front Squat", 3, "6", REST_HEAVY),
            ("Bulgarian Split Squat", 3, "10", None),
            ("Hip Thrust", 3, "10", None),
            ("Seated Calf Raise", 4, "15", None),
            ("Hanging Leg Raise", 3, "12", None),
        ],
    ),
]


def install_starter_templates(apps, schema_editor):
    WorkoutTemplate = apps.get_model("sessions_app", "WorkoutTemplate")
    TemplateExercise = apps.get_model("sessions_app", "TemplateExercise")
    for position, (name, slug, exercises) in enumerate(STARTER_TEMPLATES):
        template, created = WorkoutTemplate.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        if not created:
            continue
        TemplateExercise.objects.bulk_create(
            TemplateExercise(
                template=template,
                name=exercise,
                position=index,
                target_sets=sets,
                target_reps=reps,
                rest_seconds=rest,
            )
            for index, (exercise, sets, reps, rest) in enumerate(exercises)
        )


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0001_initial")]

    operations = [migrations.RunPython(install_starter_templates, migrations.RunPython.noop)]
