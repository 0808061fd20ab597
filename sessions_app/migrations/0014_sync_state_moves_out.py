"""A failing push's attempts, error and time live in sync_app now (FailingPush)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0013_exercises"),
        ("sync_app", "0003_failing_push"),
    ]

    operations = [
        migrations.RemoveField(model_name="workout", name="sync_attempts"),
        migrations.RemoveField(model_name="workout", name="sync_error"),
        migrations.RemoveField(model_name="workout", name="sync_attempted_at"),
    ]
