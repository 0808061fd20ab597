"""The app's URLs plus two reference views for http_latency.py (bench/views.py)."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/empty", views.empty),
    path("bench/insert", views.insert),
    path("", include("workoutsite.urls")),
]
