from django.urls import path

from .views import bodyweight, exercises, history, imports, progress, routines, workouts

urlpatterns = [
    path("", workouts.home, name="home"),
    path("workouts/start/", workouts.start_workout, name="start_session"),
    path("workouts/<str:session_id>/", workouts.workout, name="workout"),
    path("workouts/<str:session_id>/sets/", workouts.log_set, name="log_set"),
    path("workouts/<str:session_id>/warm-ups/", workouts.add_warmups, name="add_warmups"),
    path("workouts/<str:session_id>/note/", workouts.save_note, name="save_note"),
    path(
        "workouts/<str:session_id>/complete/",
        workouts.complete_workout,
        name="complete_session",
    ),
    path("workouts/<str:session_id>/cancel/", workouts.cancel_workout, name="cancel_session"),
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
    path("sets/<int:set_id>/", workouts.show_set, name="show_set"),
    path("sets/<int:set_id>/edit/", workouts.edit_set, name="edit_set"),
    path("sets/<int:set_id>/delete/", workouts.delete_set, name="delete_set"),
    path("exercises/names/", workouts.exercise_names, name="exercise_names"),
    path("history/", history.history, name="history"),
    path("history/export.csv", history.export_csv, name="export_csv"),
    path("history/<str:session_id>/fix/", history.fix_workout, name="fix_workout"),
    path("history/sets/<int:set_id>/fix/", history.fix_set, name="fix_set"),
    # A finished workout's set is deleted as any other (the same view, the same question).
    path("history/sets/<int:set_id>/delete/", workouts.delete_set, name="remove_set"),
    path("history/import/", imports.upload, name="import_workouts"),
    path("history/import/<int:batch_id>/", imports.preview, name="import_preview"),
    path("history/import/<int:batch_id>/confirm/", imports.confirm, name="import_confirm"),
    path("history/import/<int:batch_id>/cancel/", imports.cancel, name="import_cancel"),
    path("progress/", progress.progress, name="progress"),
    path("progress/bodyweight/", bodyweight.bodyweight, name="bodyweight"),
    path(
        "progress/bodyweight/<str:day>/delete/",
        bodyweight.delete_bodyweight,
        name="delete_bodyweight",
    ),
    path("progress/exercise/", progress.exercise_chart, name="exercise_progress"),
    path("exercises/", exercises.exercise_list, name="exercise_list"),
    path("exercises/edit/", exercises.exercise_detail, name="exercise_detail"),
]
