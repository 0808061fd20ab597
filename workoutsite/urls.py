from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from sessions_app.login import LoginView
from sessions_app.views import pwa

from .health import healthz


class FaviconView(RedirectView):
    """Browsers and the admin ask for /favicon.ico; the app's icon is a static file."""

    def get_redirect_url(self, *args, **kwargs):
        return static("sessions_app/icon.svg")


favicon = login_not_required(FaviconView.as_view())

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("sessions_app.account_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("service-worker.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("open/", pwa.current_workout, name="current_workout"),
    path("api/", include("sessions_app.api_urls")),
    path("sync/", include("sync_app.urls")),
    path("", include("sessions_app.urls")),
]
