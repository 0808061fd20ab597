"""The app's models, a module per concern; import them from here."""

from .accounts import ApiToken, LifterProfile, LoginThrottle
from .bodyweight import BodyweightEntry
from .exercises import Exercise, ExerciseKind, display_name, exercise_key
from .history import mark_unsynced
from .imports import ImportBatch, ImportedName
from .records import ExerciseRecord, ExerciseWorkout, refresh_records
from .routines import (
    DEFAULT_REST_SECONDS,
    DEFAULT_TARGET_REPS,
    DEFAULT_TARGET_SETS,
    MAX_ROUTINE_EXERCISES,
    MAX_TARGET_SETS,
    Progression,
    Routine,
    RoutineExercise,
    exercises_done_in,
    give_starter_routines,
)
from .units import WeightUnit
from .workouts import ActiveWorkoutExists, KeyTaken, Set, SetType, Workout, WorkoutClosed

__all__ = [
    "DEFAULT_REST_SECONDS",
    "DEFAULT_TARGET_REPS",
    "DEFAULT_TARGET_SETS",
    "MAX_ROUTINE_EXERCISES",
    "MAX_TARGET_SETS",
    "ActiveWorkoutExists",
    "ApiToken",
    "BodyweightEntry",
    "Exercise",
    "ExerciseKind",
    "ExerciseRecord",
    "ExerciseWorkout",
    "ImportBatch",
    "ImportedName",
    "KeyTaken",
    "LifterProfile",
    "LoginThrottle",
    "Progression",
    "Routine",
    "RoutineExercise",
    "Set",
    "SetType",
    "WeightUnit",
    "Workout",
    "WorkoutClosed",
    "display_name",
    "exercise_key",
    "exercises_done_in",
    "give_starter_routines",
    "mark_unsynced",
    "refresh_records",
]
