from django.urls import path

from . import exercises, fix_workout, import_views, routines, views

urlpatterns = [
    path("", views.home, name="home"),
    path("workouts/start/", views.start_session, name="start_session"),
    path("workouts/<str:session_id>/", views.workout, name="workout"),
    path("workouts/<str:session_id>/sets/", views.log_set, name="log_set"),
    path("workouts/<str:session_id>/note/", views.save_note, name="save_note"),
    path("workouts/<str:session_id>/complete/", views.complete_session, name="complete_session"),
    path("workouts/<str:session_id>/cancel/", views.cancel_session, name="cancel_session"),
    path(
        "workouts/<str:session_id>/save-as-routine/",
        routines.save_workout_as_routine,
        name="save_workout_as_routine",
    ),
    path("routines/", routines.routine_list, name="routine_list"),
    path("routines/<int:routine_id>/", routines.routine_editor, name="routine_editor"),
    path(
        "routines/<int:routine_id>/duplicate/",
        routines.duplicate_routine,
        name="duplicate_routine",
    ),
    path("routines/<int:routine_id>/delete/", routines.delete_routine, name="delete_routine"),
    path("sets/<int:set_id>/", views.show_set, name="show_set"),
    path("sets/<int:set_id>/edit/", views.edit_set, name="edit_set"),
    path("sets/<int:set_id>/delete/", views.delete_set, name="delete_set"),
    path("exercises/names/", views.exercise_names, name="exercise_names"),
    path("history/", views.history, name="history"),
    path("history/export.csv", views.export_csv, name="export_csv"),
    path("history/<str:session_id>/fix/", fix_workout.fix_workout, name="fix_workout"),
    path("history/sets/<int:set_id>/fix/", fix_workout.fix_set, name="fix_set"),
    path("history/sets/<int:set_id>/delete/", fix_workout.remove_set, name="remove_set"),
    path("history/import/", import_views.upload, name="import_workouts"),
    path("history/import/<int:batch_id>/", import_views.preview, name="import_preview"),
    path("history/import/<int:batch_id>/confirm/", import_views.confirm, name="import_confirm"),
    path("history/import/<int:batch_id>/cancel/", import_views.cancel, name="import_cancel"),
    path("progress/", views.progress, name="progress"),
    path("progress/exercise/", views.exercise_progress_page, name="exercise_progress"),
    path("exercises/", exercises.exercise_list, name="exercise_list"),
    path("exercises/edit/", exercises.exercise_detail, name="exercise_detail"),
]
