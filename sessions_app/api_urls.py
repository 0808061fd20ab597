from django.urls import path, re_path

from . import api

urlpatterns = [
    path("session/start", api.start, name="api_start"),
    path("session/log-set", api.log_set, name="api_log_set"),
    path("session/complete", api.complete, name="api_complete"),
    path("session/cancel", api.cancel, name="api_cancel"),
    path("session/active", api.active, name="api_active"),
    re_path(r"^(?P<path>.*)$", api.not_found),
]
