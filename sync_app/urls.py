from django.urls import path

from . import sheet_views, views

urlpatterns = [
    path(
        "conflicts/<int:set_id>/resolve/",
        views.resolve_conflict,
        name="resolve_sheet_conflict",
    ),
    path("sheet/", sheet_views.sheet_page, name="my_sheet"),
    path("sheet/check/", sheet_views.check_sheet, name="check_my_sheet"),
    path("sheet/connect/", sheet_views.connect_sheet, name="connect_my_sheet"),
    path("sheet/disconnect/", sheet_views.disconnect_sheet, name="disconnect_my_sheet"),
    path("sheet/sync-now/", sheet_views.sync_now, name="sync_my_sheet_now"),
]
