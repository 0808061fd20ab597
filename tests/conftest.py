"""The usual cast: alice (the lifter under test) and bob (another lifter on the instance)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from sessions_app.models import Exercise, Routine, RoutineExercise, Workout, exercise_key

LOWER1_EXERCISES = ["Back Squat", "Romanian Deadlift", "Leg Press"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Counters (failed tokens) start at zero; with Redis this empties the task queue too."""
    cache.clear()


def queued_task_count():
    from django_q.brokers import get_broker

    return get_broker().queue_size()


def database_url():
    """The test database as a URL, for the subprocesses a test starts (a worker, a command)."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.fixture(autouse=True)
def test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files come from the apps' folders, without a collectstatic step.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def lower1(db):
    """The Lower 1 starter routine (installed by a migration; recreated for transactional
    tests). Lifters start it as it is, or their own copy of it (see give_starter_routines)."""
    routine, created = Routine.objects.get_or_create(
        owner=None, slug="lower1", defaults={"name": "Lower 1"}
    )
    if created:
        library = Exercise.for_names(None, LOWER1_EXERCISES)
        for position, name in enumerate(LOWER1_EXERCISES):
            RoutineExercise.objects.create(
                routine=routine,
                exercise=library[exercise_key(name)],
                position=position,
                target_sets=3,
                target_reps="5",
            )
    return routine


@pytest.fixture
def upper1(db):
    template, _ = Routine.objects.get_or_create(
        owner=None, slug="upper1", defaults={"name": "Upper 1"}
    )
    return template


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password")


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def alice_workout(alice, lower1):
    """Alice's Lower 1 workout in progress."""
    return Workout.start(alice, lower1)


@pytest.fixture
def bob_workout(bob, lower1):
    return Workout.start(bob, lower1)


SPREADSHEET_ID = "workout-log-test"


@pytest.fixture
def worker(db):
    """A real django-q2 cluster in its own process (mark the test `cluster`)."""
    from tests.processes import start_qcluster, stop

    process = start_qcluster()
    yield process
    stop(process)


@pytest.fixture(scope="session")
def sheets_server():
    from devtools.sheets_imitation import SheetsImitation

    server = SheetsImitation().start()
    yield server
    server.stop()


@pytest.fixture
def sheets(sheets_server, settings):
    """The local Sheets imitation, configured as the instance's spreadsheet, emptied."""
    settings.SHEETS_SPREADSHEET_ID = SPREADSHEET_ID
    settings.SHEETS_WORKSHEET = "Log"
    settings.GOOGLE_SHEETS_API_URL = sheets_server.url
    settings.GOOGLE_SERVICE_ACCOUNT_FILE = ""
    settings.GOOGLE_SERVICE_ACCOUNT_FILES = ""
    settings.SHEETS_TIMEOUT_SECONDS = 1
    settings.SHEETS_MAX_ATTEMPTS = 4
    settings.SHEETS_BACKOFF_SECONDS = 0.01
    settings.SHEETS_BACKOFF_MAX_SECONDS = 5
    settings.SHEETS_SETTLE_SECONDS = 0
    # The request budget is taken as always, but never makes a test wait (tests of the
    # budget itself set lower limits).
    settings.SHEETS_READS_PER_MINUTE = settings.SHEETS_WRITES_PER_MINUTE = 60_000
    sheets_server.clear_faults()
    sheets_server.create_spreadsheet(SPREADSHEET_ID, worksheets=("Log",))
    sheets_server.reset_calls()
    return sheets_server
