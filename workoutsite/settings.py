"""Settings for the Workout Log, one module driven by environment variables.

Every value has a safe local default, so a fresh clone runs with no configuration:
SQLite in ./data, DEBUG off unless DJANGO_DEBUG says otherwise, and a secret key
generated once into the data directory when none is given.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envfloat(name, default):
    value = os.getenv(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def envlist(name, default):
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def site_origins(address):
    """The (host, https origin) of each name in a Caddy site address, such as
    "workouts.example.com", "192.168.1.20" or "https://workouts.lan:8443, other.lan"."""
    origins = []
    for name in address.split(","):
        name = name.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
        if not name:
            continue
        host, _, port = name.rpartition(":") if not name.endswith("]") else (name, "", "")
        if not host or not port.isdigit():
            host, port = name, ""
        suffix = f":{port}" if port and port != "443" else ""
        origins.append((host, f"https://{host}{suffix}"))
    return origins


def read_secret(name):
    """A secret comes from NAME, or from the file that NAME_FILE points to."""
    if value := os.getenv(name):
        return value
    if path := os.getenv(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return None


def generated_secret_key(data_dir):
    """Create the instance's secret key once, readable only by its owner."""
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(50)
        handle.write(key)
    return key


DATA_DIR = Path(os.getenv("WORKOUT_DATA_DIR", BASE_DIR / "data")).resolve()
# The database, the secret key and the backups live here: for this user's eyes only.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

DEBUG = envbool("DJANGO_DEBUG", "false")
SECRET_KEY = read_secret("DJANGO_SECRET_KEY") or generated_secret_key(DATA_DIR)
# Keys the instance had before (comma-separated): sessions signed with them still work,
# and imported sets' keys derived with them are still recognised (import_store.py).
SECRET_KEY_FALLBACKS = envlist("DJANGO_SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# The address lifters type, as the Caddyfile serves it: its hosts are allowed and its
# HTTPS origins trusted for forms, so one variable sets up the proxy and Django alike.
SITE_ADDRESS = os.getenv("SITE_ADDRESS", "")
for _host, _origin in site_origins(SITE_ADDRESS):
    ALLOWED_HOSTS.append(_host)
    CSRF_TRUSTED_ORIGINS.append(_origin)

INSTALLED_APPS = [
    "workoutsite.admin.WorkoutLogAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_q",
    "sessions_app",
    "sync_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "workoutsite.middleware.PrivateAnswersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sessions_app.time_zones.LifterTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that its answer has the session, the user and the CSP nonce to render
    # with; it still runs before any view or process_view reads the body.
    "workoutsite.middleware.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "workoutsite.urls"
WSGI_APPLICATION = "workoutsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

SQLITE_PATH = DATA_DIR / "workouts.sqlite3"
# IMMEDIATE makes every transaction take the write lock up front, so concurrent
# writers wait (up to "timeout" seconds) instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60
    )
}
# Tests get a database of their own per test run, so that two runs side by side do
# not share one; on SQLite a real file (a worker subprocess must be able to open it).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-workouts-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_workouts_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.getenv("REDIS_URL", "")

# The cache holds counters shared by every web process (failed API token attempts):
# a folder of files on one machine (its add and incr made atomic by a lock file),
# Redis when the instance has one.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "workoutsite.cache.FileCacheWithAtomicCounters",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
# Wrong API tokens allowed per client address per minute before answering 429.
API_FAILED_TOKEN_LIMIT_PER_MINUTE = envint("API_FAILED_TOKEN_LIMIT_PER_MINUTE", "10")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Request bodies. A request declaring more than REQUEST_MAX_MEGABYTES is refused (413)
# before it is read: room for the largest import file (20 MB) and its form. Django then
# keeps at most 2.5 MB of form fields in memory, takes one file part per request, and
# spools a file of more than 2.5 MB to a temporary file (bounded by the request's size).
REQUEST_MAX_MEGABYTES = envint("REQUEST_MAX_MEGABYTES", "21")
REQUEST_MAX_BYTES = REQUEST_MAX_MEGABYTES * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 1
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security: production (DJANGO_DEBUG off) gets secure cookies and HTTPS by default;
# each can be switched off for a plain-HTTP LAN install.
HTTPS = envbool("DJANGO_HTTPS", "false" if DEBUG else "true")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("DJANGO_SSL_REDIRECT", "true")
# Monitors and the container's own health check ask over plain HTTP, from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("DJANGO_BEHIND_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = 60 * 60 * 24 * 90  # a lifter stays logged in for a training cycle
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# One JSON object per line (LOG_FORMAT=plain for a terminal; `make run` on a terminal
# chooses it): failed requests, sync
# runs and their retries. Request logs carry the path only, never headers or tokens.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "workoutsite.logs.JsonLinesFormatter"},
        "plain": {"()": "workoutsite.logs.PlainFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.getenv("LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) would print each line a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django-q": {"level": os.getenv("LOG_LEVEL_WORKER", "WARNING")},
    },
}

# Sheets sync (see sync_app). Empty spreadsheet id = sync not configured.
SHEETS_SPREADSHEET_ID = os.getenv("SHEETS_SPREADSHEET_ID", "")
SHEETS_WORKSHEET = os.getenv("SHEETS_WORKSHEET", "Log")
GOOGLE_SERVICE_ACCOUNT_FILE = os.getenv("GOOGLE_SERVICE_ACCOUNT_FILE", "")
# More service accounts, each with Google's quota of its own: key files separated by
# commas, or a directory whose *.json are keys. A lifter's sheet is tied to one of them
# (sync_app/accounts.py); GOOGLE_SERVICE_ACCOUNT_FILE, when set, is the first.
GOOGLE_SERVICE_ACCOUNT_FILES = os.getenv("GOOGLE_SERVICE_ACCOUNT_FILES", "")
GOOGLE_SHEETS_API_URL = os.getenv("GOOGLE_SHEETS_API_URL", "https://sheets.googleapis.com")
# Drive's files.get tells a sheet's modifiedTime (the pull skips unchanged sheets); it
# needs the drive.metadata.readonly scope on top of spreadsheets. Empty: Google's, or
# GOOGLE_SHEETS_API_URL when that is not Google's (the imitation answers both).
GOOGLE_DRIVE_API_URL = os.getenv("GOOGLE_DRIVE_API_URL", "")
# Each Sheets call gives up after this long; a run retries failed calls this many
# times, waiting 2, 4, 8... seconds (at most the maximum) or what Retry-After asks.
SHEETS_TIMEOUT_SECONDS = envfloat("SHEETS_TIMEOUT_SECONDS", "30")
SHEETS_MAX_ATTEMPTS = envint("SHEETS_MAX_ATTEMPTS", "5")
SHEETS_BACKOFF_SECONDS = envfloat("SHEETS_BACKOFF_SECONDS", "2")
SHEETS_BACKOFF_MAX_SECONDS = envfloat("SHEETS_BACKOFF_MAX_SECONDS", "60")
# After a write whose outcome is unknown (timeout, lost connection), no run reads the
# sheet again until Google has surely applied or dropped it.
SHEETS_SETTLE_SECONDS = envfloat("SHEETS_SETTLE_SECONDS", "90")
# One call writes at most this many rows, and about this many characters (Google advises
# requests under 2 MB): a workout of 600,000 rows goes in many calls, never one.
SHEETS_ROWS_PER_CALL = envint("SHEETS_ROWS_PER_CALL", "1000")
SHEETS_CHARACTERS_PER_CALL = envint("SHEETS_CHARACTERS_PER_CALL", "1000000")
# The request budget shared by every process (sync_app/budget.py), per service account:
# Google's quotas are 60 reads and 60 writes a minute per service account (300 per
# project: with several accounts in one project, lower these). Tests shorten the window.
SHEETS_READS_PER_MINUTE = envint("SHEETS_READS_PER_MINUTE", "60")
SHEETS_WRITES_PER_MINUTE = envint("SHEETS_WRITES_PER_MINUTE", "60")
SHEETS_QUOTA_WINDOW_SECONDS = envfloat("SHEETS_QUOTA_WINDOW_SECONDS", "60")
# A run stops starting new calls after this long (the task's timeout follows from it).
SYNC_RUN_BUDGET_SECONDS = envint("SYNC_RUN_BUDGET_SECONDS", "480")
# A run renews its lease every third of this while it lives (even while one call hangs);
# a worker killed mid-run blocks the next run at most this long.
SYNC_LEASE_SECONDS = envint("SYNC_LEASE_SECONDS", "90")
SYNC_INTERVAL_MINUTES = 5
# A sync task waits at most this long for a run in progress (busy), then carries a big
# backlog on with further runs for at most this long (sync_app/tasks.py).
SYNC_BUSY_WAIT_SECONDS = 120
SYNC_CHAIN_SECONDS = 120
# Meanwhile it looks again at the lease of a sheet another run holds this often.
SYNC_BUSY_POLL_SECONDS = 2
# A lifter's sheet whose run failed is left alone by the automatic runs for this long,
# doubling with each failed run in a row up to the maximum; the other sheets go on.
SYNC_SHEET_BACKOFF_SECONDS = envint("SYNC_SHEET_BACKOFF_SECONDS", "60")
SYNC_SHEET_BACKOFF_MAX_SECONDS = envint("SYNC_SHEET_BACKOFF_MAX_SECONDS", "3600")
# /healthz answers 503 when a completed workout has waited for its sheet longer than this.
SYNC_LAG_ALERT_MINUTES = envint("SYNC_LAG_ALERT_MINUTES", "30")

# The worker (django-q2). A task is stopped after "timeout": a sync task waits for a
# busy run, chains runs, and its last run stops starting calls after its budget, each
# call giving up after SHEETS_TIMEOUT_SECONDS. "retry" must be longer than "timeout".
Q_TASK_TIMEOUT_SECONDS = int(
    SYNC_BUSY_WAIT_SECONDS
    + SYNC_CHAIN_SECONDS
    + SYNC_RUN_BUDGET_SECONDS
    + 2 * SHEETS_TIMEOUT_SECONDS
)
Q_CLUSTER = {
    "name": "workoutlog",
    "workers": envint("Q_WORKERS", "2"),
    "timeout": Q_TASK_TIMEOUT_SECONDS,
    "retry": Q_TASK_TIMEOUT_SECONDS + 60,
    # Our own "pending" state in the database guarantees delivery, so the queue
    # does not redeliver failed tasks: the 5-minute schedule picks the work up again.
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 250,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Login guessing (sessions_app/login.py): free failures per username from one address (or
# in one browser the lifter logged in with), per username from unknown places, and per
# address whatever the username. Past them, each attempt under that count waits a delay
# that starts at LOGIN_DELAY_FIRST_SECONDS and doubles with each further failure, up to
# LOGIN_DELAY_MAX_MINUTES; counts are forgotten a while after their last failure. A
# browser or address where the lifter logged in before is known for
# LOGIN_KNOWN_DEVICE_DAYS: guesses from elsewhere never slow it down.
LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = envint("LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS", "5")
LOGIN_FAILURES_PER_USERNAME = envint("LOGIN_FAILURES_PER_USERNAME", "10")
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", "50")
LOGIN_DELAY_FIRST_SECONDS = envint("LOGIN_DELAY_FIRST_SECONDS", "30")
LOGIN_DELAY_MAX_MINUTES = envint("LOGIN_DELAY_MAX_MINUTES", "15")
LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS = envint("LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS", "24")
LOGIN_KNOWN_DEVICE_DAYS = envint("LOGIN_KNOWN_DEVICE_DAYS", "365")
# Reading whole rows back (fixes typed into the sheet) costs more than a push: less often.
# The pull looks at the sheets every SYNC_PULL_INTERVAL_MINUTES; a sheet whose lifters
# completed no workout in SYNC_ACTIVE_LIFTER_DAYS is looked at only every
# SYNC_DORMANT_PULL_INTERVAL_MINUTES. Either way a sheet unchanged since its last pull
# (Drive's modifiedTime) costs no Sheets read at all.
SYNC_PULL_INTERVAL_MINUTES = envint("SYNC_PULL_INTERVAL_MINUTES", "60")
SYNC_DORMANT_PULL_INTERVAL_MINUTES = envint("SYNC_DORMANT_PULL_INTERVAL_MINUTES", "1440")
SYNC_ACTIVE_LIFTER_DAYS = envint("SYNC_ACTIVE_LIFTER_DAYS", "14")

# Imports: the most one file may hold (the README's "Limits"). A file past one is refused
# at once, naming the line; parsing and writing happen in the worker.
IMPORT_MAX_SETS = envint("IMPORT_MAX_SETS", "500000")
IMPORT_MAX_WORKOUTS = envint("IMPORT_MAX_WORKOUTS", "20000")
