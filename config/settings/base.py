"""Settings shared by every environment. Environment-specific modules import * from here."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# Everything the app writes at run time outside the database: the SQLite file, uploads, the
# demo's broker folders and sent mail.
VAR_DIR = Path(env("PIPELINE_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "incubator",
    "pipeline",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: error pages and the 405 page get the policy too.
    "config.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.MethodNotAllowedPage",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "incubator.context_processors.roles",
            ],
        },
    },
]


def database(url: str | None = None) -> dict:
    """The database from ``DATABASE_URL``. On PostgreSQL, just-in-time compilation is off: the
    pages' aggregate queries run in tens of milliseconds, and compiling them costs about as
    much again."""
    config = env.db("DATABASE_URL", default=url or f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


DATABASES = {"default": database()}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once; the web process, the worker and beat
    # share one file in the embedded set-up.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "incubator.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# Dates as "27 November 2026, 17:34" and "27 ноября 2026, 17:34" rather than Django's American
# English and its Russian "г." that ends a sentence twice (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploaded documents are never served from MEDIA_URL: a view checks permission first.
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cluster pipeline <pipeline@cluster.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Celery: Redis broker. A task is acknowledged only after it ran, and a task whose worker died is
# handed to another worker; every task is idempotent (it claims its row first), so a redelivery
# sends nothing twice. Far-future work waits in the database for a periodic sweep, never in a
# countdown that could outlive the broker's visibility timeout.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Publishing a task must not hang a web request when Redis is down: the outbox row is already
# committed and the relay sweep will enqueue it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

REST_FRAMEWORK = {
    # The token class comes first: its challenge makes requests without credentials answer 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "incubator.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["incubator.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "incubator.api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "incubator.api.filters.FilterBackend",
        "incubator.api.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "incubator.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "incubator.api.errors.exception_handler",
    # Browser sessions are not throttled; anonymous clients per address, token clients per token.
    # The counters live in the default cache: give it a shared backend (Redis) when several web
    # processes serve the API, or each process counts on its own.
    "DEFAULT_THROTTLE_CLASSES": [
        "incubator.api.throttling.AnonymousThrottle",
        "incubator.api.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "token": env("API_THROTTLE_TOKEN", default="1200/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Incubation pipeline API",
    "DESCRIPTION": (
        "Startups, calls, applications, reviews and their transitions. Authenticate with a "
        "personal API token, created on the account's token page and sent in the header "
        "`Authorization: Bearer` followed by the token, or, from the browser, with the session. "
        "Errors share one shape: "
        '{"error": {"status", "code", "message", "details"}}.'
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No call to the public validator: the docs stay offline.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "REDOC_DIST": "SIDECAR",
    # Object ids in paths (config/converters.py): integers a database column can hold.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "incubator.api.schema.describe_path_ids",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "pipeline.models.applications.ApplicationStatus",
        "ReviewStatusEnum": "pipeline.models.reviews.Review.Status",
        "StageEnum": "pipeline.machines.Stage",
        "MilestoneStatusEnum": "pipeline.machines.MilestoneStatus",
        "MilestoneStageEnum": "incubator.api.portfolio.serializers.MILESTONE_STAGES",
        "TrancheStatusEnum": "incubator.models.portfolio.FundingTranche.Status",
        "FundingKindEnum": "incubator.models.portfolio.FundingRecord.Kind",
        "DevelopmentPhaseEnum": "incubator.models.startups.DevelopmentPhase",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A refused request (403) is expected, not an error: one line, without its traceback.
    "filters": {"refusals_without_traceback": {"()": "config.logging.RefusalsWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Product rules that a deployment may tune.
PIPELINE = {
    # A startup in one stage longer than this many days is reported as stalled.
    "STALL_DAYS": env.int("PIPELINE_STALL_DAYS", default=120),
    # A month's KPI report is due by this day of the following month.
    "KPI_DUE_DAY": env.int("PIPELINE_KPI_DUE_DAY", default=10),
}

FORM_RENDERER = "incubator.forms_base.BootstrapRenderer"

# Uploaded documents (pitch decks, evidence): PDF only, checked by content, at most this size.
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=20)
# Pages an uploaded PDF may have: reading a page tree costs time, and no deck or evidence needs more.
MAX_UPLOAD_PAGES = env.int("MAX_UPLOAD_PAGES", default=500)
# Signed links: e-mail confirmation and co-founder invitations expire after this many days.
SIGNUP_CONFIRMATION_MAX_AGE_DAYS = 3
INVITATION_MAX_AGE_DAYS = 7

# Notifications and reminders (the ``notifications`` app). Far-future reminders wait in the
# database; the periodic sweeps (see ``manage.py setup_schedules``) find what is due.
NOTIFICATIONS = {
    # Days before a review is due when its reviewer is reminded (each offset once).
    "REVIEW_REMINDER_DAYS": [3, 1],
    # Days after a review fell overdue when the call's managers are told.
    "REVIEW_ESCALATION_DAYS": 1,
    # Days before a call closes when founders with an unsubmitted draft are reminded.
    "DRAFT_REMINDER_DAYS": [7, 1],
    # A call's managers are told it closed by the first sweep within this many days of closing (a
    # call that closed longer ago, before the project was running say, is not reported late).
    "CALL_CLOSED_WITHIN_DAYS": 2,
    # Days before a milestone is due when its founders are reminded.
    "MILESTONE_REMINDER_DAYS": [7, 1],
    # Days before a monthly report's due date when founders are reminded (after it: overdue).
    "KPI_REMINDER_DAYS_BEFORE": 3,
    # A message claimed for sending longer ago than this is taken to belong to a dead worker and is
    # sent again by the relay; it exceeds the task's hard time limit, so a live sender is never
    # overtaken.
    "SEND_LEASE_SECONDS": env.int("NOTIFICATIONS_SEND_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT * 2),
    # A message enqueued after commit is left to its task this long before the relay enqueues it
    # again (the broker may have lost it, or never got it).
    "RELAY_GRACE_SECONDS": env.int("NOTIFICATIONS_RELAY_GRACE_SECONDS", default=120),
    # Transient delivery failures are retried after 1, 2, 4, ... times this, up to MAX_ATTEMPTS.
    "RETRY_BACKOFF_SECONDS": env.int("NOTIFICATIONS_RETRY_BACKOFF_SECONDS", default=60),
    "MAX_ATTEMPTS": env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6),
    # How many messages one send task handles.
    "SEND_BATCH_SIZE": 50,
}
TEMPLATES[0]["OPTIONS"]["context_processors"].append("notifications.context_processors.unread_notifications")
