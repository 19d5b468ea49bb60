"""Benchmarks: production-like settings on the PostgreSQL and Redis that `make bench` starts."""

from .base import *  # noqa: F403
from .base import database

DEBUG = False
SECRET_KEY = "bench-secret-key-not-for-production"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {"default": database()}
DATABASES["default"]["CONN_MAX_AGE"] = 60
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The site's URLs plus a bare view to measure the stack against (bench/urls.py).
ROOT_URLCONF = "bench.urls"
