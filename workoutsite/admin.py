"""Django's admin, keeping the addresses operators know for models renamed since:
/admin/sessions_app/session/ is the workouts' list, as it always was."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.urls import URLResolver, include, path
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

# Model label -> the path segment it had before its Python name changed.
EARLIER_PATHS = {"sessions_app.workout": "session", "sessions_app.routine": "workouttemplate"}


class AdminSite(admin.AdminSite):
    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        # The operator's browser becomes known as the lifters' do (sessions_app/login.py).
        from sessions_app.login import remember_known_device

        return remember_known_device(request, super().login(request, extra_context))

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
