"""The one settings module. Every value comes from the environment with a safe
default for the embedded demo (SQLite, local file keys, debug off as in production).
Production mode (JIUZHU_PRODUCTION=1, set by `make serve`) refuses to start without
its keys and database: see jiuzhu/production.py and docs/deploy.md."""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from jiuzhu import production

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIUZHU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _local_secret(name: str) -> str:
    """Read or create a random secret kept under var/ (demo only, never in git)."""
    path = VAR_DIR / name
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


PRODUCTION = _env_bool("JIUZHU_PRODUCTION", False)
if PRODUCTION and (_problems := production.problems(os.environ)):
    sys.exit(production.message(_problems))

SECRET_KEY = os.environ.get("JIUZHU_SECRET_KEY") or _local_secret("secret_key")
# Identifier encryption (AES-GCM) and lookup hashing (HMAC) use their own keys so
# that rotating the session secret never makes stored ID numbers unreadable.
FIELD_ENCRYPTION_KEY = os.environ.get("JIUZHU_FIELD_KEY") or _local_secret("field_key")
FIELD_HASH_KEY = os.environ.get("JIUZHU_HASH_KEY") or _local_secret("hash_key")

# Off unless asked for: with it on, a 404 lists every URL pattern and a 500 shows a
# traceback with local variables. The demo runs with it off too.
DEBUG = _env_bool("JIUZHU_DEBUG", False)
ALLOWED_HOSTS = os.environ.get(
    "JIUZHU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"
).split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIUZHU_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jiuzhu.regions",
    "jiuzhu.accounts",
    "jiuzhu.jobs",
    "jiuzhu.households",
    "jiuzhu.assessment",
    "jiuzhu.policies",
    "jiuzhu.cases",
    "jiuzhu.referrals",
    "jiuzhu.reviews",
    "jiuzhu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before sessions and the database: an asset costs no query.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "jiuzhu.middleware.QueryTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiuzhu.urls"
WSGI_APPLICATION = "jiuzhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiuzhu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiuzhu.accounts.context.ui",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiuzhu.sqlite3'}"),
        conn_max_age=int(os.environ.get("JIUZHU_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # Writers take the lock at BEGIN and wait for it (busy timeout, seconds)
        # instead of failing with "database is locked" while a job commits a batch.
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("JIUZHU_SQLITE_BUSY_SECONDS", "30")),
    }

# Background jobs (docs/decisions/0005-background-jobs.md): django-tasks with its
# database backend, so the queue lives in the same database and needs no broker.
# `manage.py jobs_worker` runs them; JIUZHU_JOBS_IMMEDIATE=1 runs each job inside
# the request that starts it (tests, or a demo without a worker).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _env_bool("JIUZHU_JOBS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JIUZHU_JOBS_HEARTBEAT_SECONDS", "5"))
# A running job whose heartbeat is older than this lost its worker and is failed.
JOBS_STALE_SECONDS = float(os.environ.get("JIUZHU_JOBS_STALE_SECONDS", "60"))
# Files a job wrote (exports, with personal data) are deleted after this.
JOBS_FILE_TTL_SECONDS = int(os.environ.get("JIUZHU_JOBS_FILE_TTL_SECONDS", str(4 * 3600)))
# The worker runs housekeeping (expired uploads and files, dead jobs) this often.
HOUSEKEEPING_SECONDS = int(os.environ.get("JIUZHU_HOUSEKEEPING_SECONDS", "600"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# 公示期: days a county-approved case is publicised in its village before help starts
# (最低生活保障审核确认办法: 公示期为7天).
PUBLICITY_DAYS = int(os.environ.get("JIUZHU_PUBLICITY_DAYS", "7"))
# A quarterly push writing at least this many referrals locks the referral tables and their
# parents while it writes, with its foreign keys proven set-based (fast, but pages reading
# households wait for the write); a smaller one keeps the per-row checks and locks nothing
# (decision 0008). 0: always the locked write.
PUSH_LOCKED_WRITE_ROWS = int(os.environ.get("JIUZHU_PUSH_LOCKED_WRITE_ROWS", "1000000"))

# One person, one file: refusing a duplicate ID number tells that the person is on
# file. More than this many refusals of numbers on file outside the user's regions
# within the window stop every ID check for that user until the window has passed.
DUPLICATE_ID_LIMIT = int(os.environ.get("JIUZHU_DUPLICATE_ID_LIMIT", "10"))
DUPLICATE_ID_WINDOW_MINUTES = int(os.environ.get("JIUZHU_DUPLICATE_ID_WINDOW_MINUTES", "30"))
# A case's legal limits, in working days (最低生活保障审核确认办法, 民发〔2021〕57号): the
# household survey starts within 3 of accepting the application, the county decides
# within 10 of the township's submission, the whole process takes at most 30 (45 for a
# case county staff mark complex). A county that differs sets its own.
CASE_SURVEY_DAYS = int(os.environ.get("JIUZHU_CASE_SURVEY_DAYS", "3"))
CASE_COUNTY_DAYS = int(os.environ.get("JIUZHU_CASE_COUNTY_DAYS", "10"))
CASE_TOTAL_DAYS = int(os.environ.get("JIUZHU_CASE_TOTAL_DAYS", "30"))
CASE_COMPLEX_DAYS = int(os.environ.get("JIUZHU_CASE_COMPLEX_DAYS", "45"))
# Which days are working days: China's public holidays and adjusted working days (the
# chinesecalendar package, weekends only for years it does not know yet), or any class
# with is_workday(date), e.g. jiuzhu.core.workdays.WeekendCalendar.
WORKDAY_CALENDAR = os.environ.get("JIUZHU_WORKDAY_CALENDAR", "jiuzhu.core.workdays.ChineseCalendar")

# Lockout: 5 failures lock the username (from any address) for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("JIUZHU_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("JIUZHU_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_LOCKOUT_CALLABLE = "jiuzhu.accounts.views.lockout_response"  # JSON for /api/
AXES_VERBOSE = False
# A whole township office often shares one NAT address: locking by address would
# lock every clerk out, so we lock the attacked username only.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # HSTS for subdomains and the browsers' preload list: deliberately off (see HTTPS below).
    "security.W005",
    "security.W021",
]

# Session timeout: idle sessions end after 30 minutes (sliding window).
SESSION_COOKIE_AGE = int(os.environ.get("JIUZHU_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# The CSRF token reaches htmx through the page (hx-headers), never through a script
# reading the cookie, so the cookie can be hidden from scripts too.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "jiuzhu.errors.csrf_failure"
API_TOKEN_HOURS = int(os.environ.get("JIUZHU_API_TOKEN_HOURS", "12"))

# --- HTTPS and security headers --------------------------------------------------
# JIUZHU_HTTPS=1 when users reach the site over HTTPS (usually nginx in front, see
# docs/deploy.md): cookies only over HTTPS, HSTS, and http:// redirected to https://.
# The proxy must set X-Forwarded-Proto (and overwrite one sent by the client).
HTTPS = _env_bool("JIUZHU_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JIUZHU_HSTS_SECONDS", str(365 * 24 * 3600)))
    # An intranet host name is not a registrable domain: no subdomains, no preload.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    SECURE_HSTS_PRELOAD = False
# Always on (Django's SecurityMiddleware and XFrameOptionsMiddleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): every script, style, image and font comes
# from this site. No inline script or event handler (behaviour lives in static/js),
# no inline style attribute (classes in static/css), no eval, no other host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` puts the assets for production (the demo serves them from
# the source folders and needs none).
STATIC_ROOT = (
    Path(os.environ.get("JIUZHU_STATIC_ROOT", BASE_DIR / "staticfiles"))
    if PRODUCTION or os.environ.get("JIUZHU_STATIC_ROOT")
    else None
)
# jiuzhu/ is a package, not an app, so its static/ must be listed explicitly.
STATICFILES_DIRS = [BASE_DIR / "jiuzhu" / "static"]
# WhiteNoise serves the assets with DEBUG off. In production from STATIC_ROOT, filled
# by `collectstatic` (make serve runs it): names carry a content hash, so browsers
# cache them for a year, and gzip/brotli copies are made once. The demo and the
# tests serve straight from the source folders, with no collect step to forget.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Every handler masks identity numbers (jiuzhu/logfilters.py). Django's own
# loggers are listed so that none keeps a handler of Django's default config
# (django.server's request lines would otherwise bypass the filter).
LOG_LEVEL = os.environ.get("JIUZHU_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "jiuzhu.logfilters.MaskIdNumbers"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_id_numbers"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_id_numbers"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
