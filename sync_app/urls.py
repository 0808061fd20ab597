from django.urls import path

from . import views

urlpatterns = [
    path(
        "conflicts/<int:set_id>/resolve/",
        views.resolve_conflict,
        name="resolve_sheet_conflict",
    ),
]
