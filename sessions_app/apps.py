from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Workouts"

    def ready(self):
        from . import time_zones  # noqa: F401  (the zone goes into the session at login)
        from .tasks import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
