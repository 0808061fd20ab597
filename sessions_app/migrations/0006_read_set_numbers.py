"""Fill the numeric columns of sets logged before they existed."""

from django.db import migrations

from sessions_app.numbers import estimated_one_rep_max, parse_reps, parse_weight

BATCH = 2000


def read_numbers(apps, schema_editor):
    Set = apps.get_model("sessions_app", "Set")
    changed = []
    for workout_set in Set.objects.only("weight_lbs", "reps").iterator(chunk_size=BATCH):
        weight, reps = parse_weight(workout_set.weight_lbs), parse_reps(workout_set.reps)
        workout_set.weight_value = weight if weight is None or abs(weight) < 100_000 else None
        workout_set.reps_value = reps if reps is None or reps < 100_000 else None
        workout_set.estimated_1rm = estimated_one_rep_max(
            workout_set.weight_value, workout_set.reps_value
        )
        changed.append(workout_set)
    Set.objects.bulk_update(
        changed, ["weight_value", "reps_value", "estimated_1rm"], batch_size=BATCH
    )


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0005_set_numbers_and_warmups")]

    operations = [migrations.RunPython(read_numbers, migrations.RunPython.noop)]
