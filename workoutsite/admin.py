"""Django's admin, keeping the addresses operators know for models renamed since:
/admin/sessions_app/session/ is the workouts' list, as it always was."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import URLResolver, include, path

# Model label -> the path segment it had before its Python name changed.
EARLIER_PATHS = {"sessions_app.workout": "session", "sessions_app.routine": "workouttemplate"}


class AdminSite(admin.AdminSite):
    def get_urls(self):
        renamed = {
            f"{label.split('.')[0]}/{label.split('.')[1]}/": f"{label.split('.')[0]}/{old}/"
            for label, old in EARLIER_PATHS.items()
        }
        urls = []
        for pattern in super().get_urls():
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver) and route in renamed:
                pattern = path(renamed[route], include(pattern.url_patterns))
            urls.append(pattern)
        return urls


class WorkoutLogAdminConfig(AdminConfig):
    default_site = "workoutsite.admin.AdminSite"
