"""Test settings: fast hashing and jobs run inline; the database comes from DATABASE_URL."""

import os

os.environ.setdefault(
    "RENKOU_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

from renkou.settings import *  # noqa: E402,F403
from renkou.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 test speed only
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
MIDDLEWARE = ["renkou.common.testing.UrlGuardMiddleware", *MIDDLEWARE]  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": None}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory
# Score sheets are computed anew at every read here (the scoring tests change fake sources
# between reads); the cache itself is tested with it on (assessment/tests/test_sheet_cache.py).
RENKOU_SHEET_CACHE_SECONDS = 0
