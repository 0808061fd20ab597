from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SyncAppConfig(AppConfig):
    name = "sync_app"
    verbose_name = "Google Sheets sync"

    def ready(self):
        from . import signals  # noqa: F401
        from .tasks import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
