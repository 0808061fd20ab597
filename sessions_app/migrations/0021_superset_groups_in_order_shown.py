"""Supersets imported before this migration kept Hevy's own numbers (a lifter's file
shows "2" first); history, the sheet and the CSV now letter a group by its number (0 is
A), so each workout's groups are numbered in the order its sets show them. Completed
workouts with a superset go to the sheet again: their rows were written without the
"(superset A)" mark."""

from itertools import groupby

from django.db import migrations, models
from django.db.models import F

IDS_PER_UPDATE = 500


def number_groups_in_order_shown(apps, schema_editor):
    Set = apps.get_model("sessions_app", "Set")
    Workout = apps.get_model("sessions_app", "Workout")
    grouped = (
        Set.objects.filter(superset_group__isnull=False)
        .order_by("workout_id", "created_at", "pk")
        .values_list("pk", "workout_id", "superset_group")
    )
    moves, workout_ids = {}, []  # {new group: ids of sets that move to it}
    for workout_id, sets in groupby(grouped.iterator(chunk_size=2000), key=lambda row: row[1]):
        workout_ids.append(workout_id)
        order_shown = {}
        for pk, _, group in sets:
            new_group = order_shown.setdefault(group, len(order_shown))
            if new_group != group:
                moves.setdefault(new_group, []).append(pk)
    for new_group, ids in moves.items():
        for start in range(0, len(ids), IDS_PER_UPDATE):
            batch = ids[start : start + IDS_PER_UPDATE]
            Set.objects.filter(pk__in=batch).update(superset_group=new_group)
    for start in range(0, len(workout_ids), IDS_PER_UPDATE):
        batch = workout_ids[start : start + IDS_PER_UPDATE]
        Workout.objects.filter(pk__in=batch, status="completed").update(
            synced_to_sheets=False, revision=F("revision") + 1
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0020_plates_and_bodyweight"),
    ]

    operations = [
        migrations.AlterField(
            model_name="set",
            name="superset_group",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Sets of one superset share a group: 0 is A, 1 is B…",
                null=True,
            ),
        ),
        migrations.RunPython(number_groups_in_order_shown, migrations.RunPython.noop),
    ]
