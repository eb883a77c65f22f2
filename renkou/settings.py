"""Renkou settings: one file, every value from the environment (README lists them all).

``RENKOU_ENV=production`` switches on the production refusals (missing secrets) and the secure
cookie/HSTS settings; anything else is development, where SQLite under ``var/`` and random
keys in ``var/dev-secrets.json`` make a fresh clone run at once.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

from renkou.common.env import env_bool, env_int, env_list, env_str
from renkou.common.keys import load_backup_key, load_secrets, secret_file

# Django's generic classes (forms.ModelForm[Person], models.TextField[str, str]) may be
# subscripted at run time, as the type annotations checked by mypy (`make types`) write them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RENKOU_VAR_DIR", str(BASE_DIR / "var")))
# Everything the application writes (the SQLite database and its journal, keys, uploads,
# reports, exports) is owner-only: new files 0600, folders 0700, in every process that loads
# these settings (web, worker, commands). Existing files are tightened by the daily purge and,
# for the database, at the first connection (renkou.common.apps).
os.umask(0o077)

PRODUCTION = env_str("RENKOU_ENV", "development") == "production"
# Debug pages show local variables (full ID and bank numbers among them): only by explicit
# opt-in (RENKOU_DEBUG=1), never by default, so a demo or a first install shows plain error
# pages; static files are served by WhiteNoise either way.
DEBUG = env_bool("RENKOU_DEBUG", default=False)

_secrets = load_secrets(production=PRODUCTION, dev_file=VAR_DIR / "dev-secrets.json")
SECRET_KEY = _secrets["RENKOU_SECRET_KEY"]
RENKOU_FIELD_KEY = _secrets["RENKOU_FIELD_KEY"]
RENKOU_INDEX_KEY = _secrets["RENKOU_INDEX_KEY"]
RENKOU_AUDIT_KEY = _secrets["RENKOU_AUDIT_KEY"]
# Where the audit key was read from (a file, or None from the environment): check --deploy
# warns when it sits beside the database (renkou.common.checks).
RENKOU_AUDIT_KEY_PATH = secret_file(
    "RENKOU_AUDIT_KEY", production=PRODUCTION, dev_file=VAR_DIR / "dev-secrets.json"
)

# The key of the encrypted database backups (manage.py backup / restore / backup_drill): from
# RENKOU_BACKUP_KEY or RENKOU_BACKUP_KEY_FILE, never from the database (docs/operations.md).
RENKOU_BACKUP_KEY = load_backup_key(production=PRODUCTION, dev_file=VAR_DIR / "dev-secrets.json")
# Where pg_dump and pg_restore live (PostgreSQL deployments; the client must not be older than
# the server).
RENKOU_PG_BIN = env_str("RENKOU_PG_BIN", "/usr/lib/postgresql/15/bin")

# Person import limits (hostile or oversized files are refused before parsing).
RENKOU_IMPORT_MAX_BYTES = env_int("RENKOU_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
RENKOU_IMPORT_MAX_ROWS = env_int("RENKOU_IMPORT_MAX_ROWS", 1_000_000)
# Statistics: the family-planning year starts in this month (10 = 1 October – 30 September);
# villages' monthly change reports are due on this day of the next month; tallies keep months
# from RENKOU_STATS_START (YYYY-MM) on.
RENKOU_FP_YEAR_START_MONTH = env_int("RENKOU_FP_YEAR_START_MONTH", 10)
RENKOU_REPORT_DUE_DAY = env_int("RENKOU_REPORT_DUE_DAY", 5)
RENKOU_STATS_START = env_str("RENKOU_STATS_START", "2010-01")

# Field encryption: the suite for new ciphertexts ("aes256gcm" default, or "sm4gcm" for 密评),
# and earlier keys (base64, comma-separated) still able to decrypt during a key rotation.
RENKOU_FIELD_SUITE = env_str("RENKOU_FIELD_SUITE", "aes256gcm")
RENKOU_FIELD_OLD_KEYS = env_list("RENKOU_FIELD_OLD_KEYS")

ALLOWED_HOSTS = env_list("RENKOU_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("RENKOU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "django_tasks_db",
    "renkou.common",
    "renkou.geo",
    "renkou.accounts",
    "renkou.people",
    "renkou.events",
    "renkou.programs",
    "renkou.benefits",
    "renkou.todo",
    "renkou.supervision",
    "renkou.tipoffs",
    "renkou.floating",
    "renkou.assessment",
    "renkou.reports",
    "renkou.cases",
    "renkou.system",
    "renkou.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "renkou.common.middleware.ClientAddressMiddleware",
    "renkou.common.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "renkou.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "renkou.common.middleware.NumbersOutOfUrlsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "renkou.common.middleware.NoStoreMiddleware",
    "renkou.common.middleware.DownloadTokenMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "renkou.urls"
WSGI_APPLICATION = "renkou.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renkou.system.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'renkou.sqlite3'}"),
        conn_max_age=env_int("RENKOU_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Durable, serialised writes: WAL, fsync on commit, FKs on, wiped freed pages (security.md RL6).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "renkou.accounts.backends.RoleBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Password policy profile: "mlps" (等保: 8+, 3 of 4 classes, 90-day expiry, history 5)
# or "asvs" (12+, common-password list, no expiry).
RENKOU_PASSWORD_PROFILE = env_str("RENKOU_PASSWORD_PROFILE", "mlps")
AUTH_PASSWORD_VALIDATORS = [{"NAME": "renkou.accounts.passwords.ProfileValidator"}]

# Two-factor: roles that must use TOTP; others may enrol voluntarily.
RENKOU_MFA_REQUIRED_ROLES = env_list(
    "RENKOU_MFA_REQUIRED_ROLES",
    ["sys_admin", "sec_admin", "audit_admin", "county_officer", "finance"],
)
OTP_TOTP_ISSUER = "Renkou"

# Sessions: idle and absolute timeouts (等保 身份鉴别 b).
RENKOU_IDLE_TIMEOUT_MINUTES = env_int("RENKOU_IDLE_TIMEOUT_MINUTES", 30)
RENKOU_ABSOLUTE_TIMEOUT_HOURS = env_int("RENKOU_ABSOLUTE_TIMEOUT_HOURS", 12)
SESSION_COOKIE_AGE = RENKOU_ABSOLUTE_TIMEOUT_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout: 5 failures per user name in 15 minutes lock it for 15 minutes (django-axes);
# a per-address limit across user names is kept by accounts.services on the login log.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "renkou.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "renkou.common.middleware.client_ip"
AXES_VERBOSE = False
RENKOU_ADDRESS_FAILURE_LIMIT = env_int("RENKOU_ADDRESS_FAILURE_LIMIT", 20)

# Client address: the number of trusted reverse proxies in front of the app, whose
# X-Forwarded-For entries are believed (0 = use the socket address only).
RENKOU_TRUSTED_PROXY_COUNT = env_int("RENKOU_TRUSTED_PROXY_COUNT", 0)
# Tip-offs (renkou.tipoffs): days allowed to conclude one (its deadline, overdue on the to-do
# list after it); the public form's limits per client address and hour (submissions, progress
# look-ups) and the proof-of-work difficulty in leading zero bits (16: about 65,000 hashes,
# a second or two in a browser).
RENKOU_TIPOFF_DAYS = env_int("RENKOU_TIPOFF_DAYS", 30)
RENKOU_TIPOFF_SUBMITS_PER_HOUR = env_int("RENKOU_TIPOFF_SUBMITS_PER_HOUR", 5)
RENKOU_TIPOFF_LOOKUPS_PER_HOUR = env_int("RENKOU_TIPOFF_LOOKUPS_PER_HOUR", 20)
RENKOU_TIPOFF_POW_BITS = env_int("RENKOU_TIPOFF_POW_BITS", 16)
# “两非” cases (renkou.cases): days allowed for the investigation (its deadline, overdue on the
# case list after it).
RENKOU_CASE_DAYS = env_int("RENKOU_CASE_DAYS", 60)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["renkou.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm (package-lock.json) and are served from node_modules; only
# the built files each page uses are exposed, not whole packages.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("npm/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("npm/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("npm/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded import files, error reports and exports are deleted this many days after they were
# written (renkou.system.retention; daily on the worker and manage.py purge_files).
RENKOU_FILE_RETENTION_DAYS = env_int("RENKOU_FILE_RETENTION_DAYS", 30)
# Assessment score sheets are kept this long in the cache; an assessment or supervision write
# drops them at once (renkou.assessment.sheets; 0 turns the cache off).
RENKOU_SHEET_CACHE_SECONDS = env_int("RENKOU_SHEET_CACHE_SECONDS", 300)

# Content-Security-Policy: scripts only from the app itself with a per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("RENKOU_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("RENKOU_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_NAME = "__Host-csrftoken"

REST_FRAMEWORK = {
    # Token first: a request without valid credentials gets 401 with "WWW-Authenticate: Token"
    # (DRF takes the challenge from the first class; a session has none, so it answered 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["renkou.api.permissions.DenyAll"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "renkou.api.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "renkou.api.errors.exception_handler",
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Renkou API",
    "DESCRIPTION": "人口计生综合管理信息系统 API v1, scoped to the caller's unit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "renkou.api.schema.add_error_responses",
        "renkou.api.schema.add_period_pattern",
    ],
}

# Background jobs: django.tasks on the database backend (worker: manage.py db_worker).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "renkou.common.logging.ScrubPersonalData"}},
    "formatters": {
        # Django's own layout of the development server's request log.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["scrub"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("RENKOU_LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log of runserver carries each URL as typed: the filter sits on the logger,
        # so every handler of it gets the masked line (gunicorn's: gunicorn.conf.py).
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["scrub"],
            "level": "INFO",
            "propagate": False,
        },
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools log every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# axes.W006 asks for ip_address among the lockout parameters; the per-address limit is kept by
# accounts.services.address_locked (20 failures / 15 min across user names), separately from
# the per-user limit of 5, which one axes parameter list cannot express.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
