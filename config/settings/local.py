"""The embedded set-up used by ``make demo``: SQLite, a Celery worker and beat on a filesystem
transport (no Redis needed), and mail written to files under ``var/mail``."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

for folder in ("broker", "broker-control", "mail", "media"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(VAR_DIR / "broker"),
    "data_folder_out": str(VAR_DIR / "broker"),
    "control_folder": str(VAR_DIR / "broker-control"),
    "store_processed": False,
}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"

# Static files straight from the source folders (no collectstatic in the demo).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
