"""The one settings module. Every value comes from the environment with a safe
default for the embedded demo (SQLite, debug on, local file key)."""

import os
from pathlib import Path

import dj_database_url

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


SECRET_KEY = os.environ.get("JIUZHU_SECRET_KEY") or _local_secret("secret_key")
# Identifier encryption (AES-GCM) and lookup hashing (HMAC) use their own keys so
# that rotating the session secret never makes stored ID numbers unreadable.
FIELD_ENCRYPTION_KEY = os.environ.get("JIUZHU_FIELD_KEY") or _local_secret("field_key")
FIELD_HASH_KEY = os.environ.get("JIUZHU_HASH_KEY") or _local_secret("hash_key")

DEBUG = _env_bool("JIUZHU_DEBUG", True)
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
    "jiuzhu.regions",
    "jiuzhu.accounts",
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
        "transaction_mode": "IMMEDIATE",
    }

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

# One person, one file: refusing a duplicate ID number tells that the person is on
# file. More than this many refusals of numbers on file outside the user's regions
# within the window stop every ID check for that user until the window has passed.
DUPLICATE_ID_LIMIT = int(os.environ.get("JIUZHU_DUPLICATE_ID_LIMIT", "10"))
DUPLICATE_ID_WINDOW_MINUTES = int(os.environ.get("JIUZHU_DUPLICATE_ID_WINDOW_MINUTES", "30"))

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
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Session timeout: idle sessions end after 30 minutes (sliding window).
SESSION_COOKIE_AGE = int(os.environ.get("JIUZHU_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("JIUZHU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
API_TOKEN_HOURS = int(os.environ.get("JIUZHU_API_TOKEN_HOURS", "12"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# jiuzhu/ is a package, not an app, so its static/ must be listed explicitly.
STATICFILES_DIRS = [BASE_DIR / "jiuzhu" / "static"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIUZHU_LOG_LEVEL", "WARNING")},
}
