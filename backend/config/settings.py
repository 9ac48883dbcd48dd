"""Harbour settings: one module, switched by the environment.

Defaults give the embedded set-up (SQLite, local-memory cache, console email)
so `make run` needs nothing but Python. Production sets DEBUG off and must
then provide SECRET_KEY and ALLOWED_HOSTS; see README "Configuration".
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from backend.common.languages import discover_languages

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-harbour-development-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (50+ random characters) when DEBUG is off; "
            "for local development run with DEBUG=1."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# API clients get `csrf_failed` as JSON; other pages keep Django's page.
CSRF_FAILURE_VIEW = "backend.common.api_errors.csrf_failure"
# Harbour's requests are small: a bigger body is refused with a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

INSTALLED_APPS = [
    "backend.access.admin_site.PolicyAdminConfig",  # django.contrib.admin, policy-scoped
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "recurrence",
    "backend.common",
    "backend.accounts",
    "backend.organisations",
    "backend.access",
    "backend.timetable",
    "backend.bookings",
    "backend.notifications",
    "backend.feeds",
    "backend.registers",
    "backend.people",
    "backend.reports",
    "backend.shell",
    "backend.demo",
]

MIDDLEWARE = [
    "backend.common.request_log.RequestIdMiddleware",
    "backend.common.api_errors.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A calendar poll that is a 304 at the current write version ends here.
    "backend.feeds.polls.PersonalFeedPollMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in user kept in the answer cache (no query).
    "backend.accounts.cached_auth.CachedAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "backend.common.no_store.ApiNoStoreMiddleware",
]

ROOT_URLCONF = "backend.config.urls"
WSGI_APPLICATION = "backend.config.wsgi.application"
ASGI_APPLICATION = "backend.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# No request may wait long on a row lock or a slow query: one held lock must not
# take every app thread with it (docs/reliability.md, "Lock and statement
# timeouts"). Booking services wait even less for their locks
# (HARBOUR_BOOKING_LOCK_TIMEOUT_MS, backend/common/db.py). For a long
# migration by hand, run it with HARBOUR_DB_STATEMENT_TIMEOUT_MS=0.
HARBOUR_DB_LOCK_TIMEOUT_MS = int(os.environ.get("HARBOUR_DB_LOCK_TIMEOUT_MS", "10000"))
HARBOUR_DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("HARBOUR_DB_STATEMENT_TIMEOUT_MS", "20000"))
HARBOUR_BOOKING_LOCK_TIMEOUT_MS = int(os.environ.get("HARBOUR_BOOKING_LOCK_TIMEOUT_MS", "5000"))
# The session row every booking of a session queues on is taken fail-fast
# (backend/common/db.py, lock_row_fail_fast): per process, this many requests
# per session wait at most this long for it; the others are told 503 `busy` at
# once and retry. A booking holds the row for a few ms, so a handful waiting is
# a short queue, not a refusal; the wait is long enough for such a queue on a
# loaded machine (a waiter timed out by a queue, not a stuck holder, made its
# process refuse that session for a second). A stuck holder costs at most this
# many threads per process (half of gunicorn's 8, deploy/gunicorn.conf.py),
# one wait per HELD_MEMORY_S (1 s), so the others always keep answering.
HARBOUR_SESSION_LOCK_WAIT_MS = int(os.environ.get("HARBOUR_SESSION_LOCK_WAIT_MS", "1000"))
HARBOUR_SESSION_LOCK_WAITERS = int(os.environ.get("HARBOUR_SESSION_LOCK_WAITERS", "4"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": 5,
            "options": (
                f"-c lock_timeout={HARBOUR_DB_LOCK_TIMEOUT_MS}"
                f" -c statement_timeout={HARBOUR_DB_STATEMENT_TIMEOUT_MS}"
                # A transaction left open (a crashed client, a debugger) would hold
                # its row locks for ever.
                " -c idle_in_transaction_session_timeout=60000"
            ),
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once with "database is
    # locked"; IMMEDIATE takes the write lock at BEGIN, so on SQLite (which has
    # no SELECT ... FOR UPDATE) a booking's read-check-write cannot interleave.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0":
    # `make test` runs two pytest-xdist workers, and each test empties the cache
    # (FLUSHDB). The second and later workers take the Redis databases below the
    # configured one (15 -> 14, 13, ...; modulo Redis's 16) so they never empty each other's.
    _base, _, _db = REDIS_URL.rpartition("/")
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = f"{_base}/{(int(_db) - _worker) % 16}" if _db.isdigit() else REDIS_URL
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, keeping one client object per pool.
            "BACKEND": "backend.common.tolerant_cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "harbour",
            # A Redis that is down or unreachable answers within a second, so
            # callers can degrade (docs/reliability.md) instead of hanging.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions: read from Redis, kept in the table too (an outage falls back to
    # it: backend/common/tolerant_cache.py), so a signed-in request does not
    # read the session table.
    CACHES["sessions"] = {
        "BACKEND": "backend.common.tolerant_cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "harbour",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "MAX_TIMEOUT": 3600},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole answers of the hot reads (timetable, session detail, register, figures,
# personal feeds) cached per visibility class and write version:
# backend/common/answer_cache.py, docs/benchmarks.md.
HARBOUR_ANSWER_CACHE = env_bool("HARBOUR_ANSWER_CACHE", default=bool(REDIS_URL))
HARBOUR_ANSWER_CACHE_ALIAS = "default"
HARBOUR_ANSWER_CACHE_SECONDS = int(os.environ.get("HARBOUR_ANSWER_CACHE_SECONDS", "300"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # A learner's name or phone number and the secret she chose (never a password).
    "backend.accounts.backends.LearnerSecretBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection on sign-in (django-axes). Failures are stored in the
# shared database, so a lockout holds across every app server.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "1" if not DEBUG else "0"))
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# API clients get the lockout as {code, detail, fields} JSON; the admin keeps axes' page.
AXES_LOCKOUT_CALLABLE = "backend.accounts.lockout.lockout_response"
# A learner's name or phone number counts in one spelling, whatever the case or spaces.
AXES_USERNAME_CALLABLE = "backend.accounts.backends.axes_username"

# Guardian's anonymous user would let object permissions be granted to "everyone";
# visibility of protected spaces must only ever come from a grant to a person.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
# One catalogue per language (locale/<code>/LC_MESSAGES/djangojs.po) is the whole
# list: see backend/common/languages.py. English is the source language.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = discover_languages(BASE_DIR / "locale")
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("app", BASE_DIR / "frontend")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "harbour@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.common.api_errors.CsrfCodedSessionAuthentication",
    ],
    # DRF's own three, with a nesting limit on JSON (backend/common/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "backend.common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["backend.common.filtering.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "backend.common.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "backend.common.schema.ErrorDocumentingSchema",
    "EXCEPTION_HANDLER": "backend.common.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": (
        ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"]
        if DEBUG
        else ["rest_framework.renderers.JSONRenderer"]
    ),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles count in the default cache: Redis in production, so the limit is
    # shared by every app server. Only the sign-in endpoints use them.
    "DEFAULT_THROTTLE_RATES": {
        "sign_in": os.environ.get("HARBOUR_SIGN_IN_RATE", "30/min"),
        "sign_in_code": os.environ.get("HARBOUR_SIGN_IN_CODE_RATE", "10/min"),
        "reply": os.environ.get("HARBOUR_REPLY_RATE", "30/min"),
    },
    # The client address is the one the nearest proxy saw (as for axes), so a
    # forged X-Forwarded-For cannot buy fresh guesses.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Harbour API",
    "DESCRIPTION": (
        "Classes and activities for refugee and asylum-seeker support charities: "
        "timetable, sessions, bookings, registers and feeds."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActivityKindEnum": "backend.timetable.models.Activity.Kind",
        "RoomReservationKindEnum": "backend.organisations.models.RoomReservation.Kind",
        "BusyBlockKindEnum": ["session", "reserved"],
    },
}

# Dotted path of the SMS backend class (see backend/notifications/sms.py).
HARBOUR_SMS_BACKEND = os.environ.get(
    "HARBOUR_SMS_BACKEND", "backend.notifications.sms.ConsoleSmsBackend"
)
# For backend.notifications.sms.HttpSmsBackend (a generic HTTP SMS gateway).
HARBOUR_SMS_GATEWAY_URL = os.environ.get("HARBOUR_SMS_GATEWAY_URL", "")
HARBOUR_SMS_GATEWAY_TOKEN = os.environ.get("HARBOUR_SMS_GATEWAY_TOKEN", "")

# How far ahead recurring activities are expanded into Session rows.
HARBOUR_SESSION_HORIZON_WEEKS = int(os.environ.get("HARBOUR_SESSION_HORIZON_WEEKS", "12"))
# A register locks this many days after its session; a coordinator can reopen it.
HARBOUR_REGISTER_LOCK_DAYS = int(os.environ.get("HARBOUR_REGISTER_LOCK_DAYS", "7"))
# No-shows count towards her record (and any activity's rule) for this many weeks, then fade.
HARBOUR_NO_SHOW_WEEKS = int(os.environ.get("HARBOUR_NO_SHOW_WEEKS", "8"))
# A register opens this many minutes before its session starts (tutors set up
# early); before that no mark or walk-in is taken, so no future attendance
# reaches the figures.
HARBOUR_REGISTER_OPENS_BEFORE_MINUTES = int(
    os.environ.get("HARBOUR_REGISTER_OPENS_BEFORE_MINUTES", "60")
)

# A one-time sign-in code (for learners without email) expires after this many days.
HARBOUR_SIGN_IN_CODE_DAYS = int(os.environ.get("HARBOUR_SIGN_IN_CODE_DAYS", "7"))
# The address people open Harbour at: messages carry links to it (one-tap replies).
HARBOUR_SITE_URL = os.environ.get("HARBOUR_SITE_URL", "http://localhost:8000")
# Reminders (send_reminders): the day before the session at this local hour, never
# in quiet hours (from QUIET_START to QUIET_END, local time).
HARBOUR_REMINDER_HOUR = int(os.environ.get("HARBOUR_REMINDER_HOUR", "18"))
HARBOUR_QUIET_START = int(os.environ.get("HARBOUR_QUIET_START", "21"))
HARBOUR_QUIET_END = int(os.environ.get("HARBOUR_QUIET_END", "8"))
# send_notifications: how long a worker holds the rows it claimed (seconds). A row
# claimed by a worker that died is sent by another once this has passed.
HARBOUR_OUTBOX_LEASE_SECONDS = int(os.environ.get("HARBOUR_OUTBOX_LEASE_SECONDS", "300"))

# The widest date range one sessions list may ask for.
HARBOUR_MAX_RANGE_DAYS = 92

# Production hardening; `manage.py check --deploy` passes with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Quick exit on women-only pages leaves for this neutral page (and signs her out).
HARBOUR_QUICK_EXIT_URL = os.environ.get("HARBOUR_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")

# Content-Security-Policy (django-csp): our own origin only. Scripts are never
# inline (the API docs use drf-spectacular's split view for that reason);
# styles may be, for the docs' small inline <style> block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Structured logs: JSON lines with a request id in production (LOG_FORMAT=json,
# the default when DEBUG is off), readable lines in development.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "backend.common.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "backend.common.request_log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own lines go through our handler too, so feed secrets are redacted.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Access lines are the request-id middleware's; runserver's own would repeat them.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "harbour.request": {"level": os.environ.get("ACCESS_LOG_LEVEL", "INFO")},
    },
}
