"""Wardwork settings: one module, every deployment difference comes from the environment.

See ``.env.example`` for the variables and ``docs/deployment.md`` for production.
"""

import json
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines of a local ``.env`` file; the real environment wins."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


# pytest imports itself before Django settings are read; the test run needs no secrets.
TESTING = "pytest" in sys.modules

if not TESTING:
    # `make setup` writes a development .env (DEBUG on, a random key); tests never read it.
    load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-local-development-only-never-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people open the app at: emails (reminders, notifications) link to it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "wardwork",
    "plans",
    "models_registry",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wardwork.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wardwork.middleware_sessions.SessionRefreshMiddleware",
    "wardwork.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wardwork.urls"
WSGI_APPLICATION = "wardwork.wsgi.application"

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
                "wardwork.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL in production and CI; a SQLite file when DATABASE_URL is unset (zero setup).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "wardwork.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "wardwork.backends.WardworkModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing with the production hasher makes every login in the suite take ~0.3 s.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# django-axes: lock out after repeated failures, per user name and per address, each with
# its own limit (a ward office shares one address: docs/security.md explains the numbers).
LOGIN_FAILURES_PER_USER = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))
AXES_FAILURE_LIMIT = "wardwork.security.login_failure_limit"
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
# Behind nginx every request comes from 127.0.0.1: count the address nginx saw instead
# (production runs behind one proxy, docs/deployment.md; runserver is reached directly).
# Behind a load balancer and nginx (docs/scaling.md, step 2) set TRUSTED_PROXY_COUNT=2.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0" if DEBUG else "1"))
AXES_CLIENT_IP_CALLABLE = "wardwork.security.client_ip_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Our own formats: dates are dd/mm/yyyy in both languages.
FORMAT_MODULE_PATH = ["wardwork.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded files: the local disk under MEDIA_ROOT, or an S3-compatible bucket, or any other
# Django storage, chosen by STORAGE_BACKEND (docs/scaling.md "Uploaded files on S3-compatible
# storage"). Static files stay with whitenoise whatever it says.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "").strip() or "filesystem"
STORAGE_OPTIONS: dict = {}
if STORAGE_BACKEND == "filesystem":
    STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
elif STORAGE_BACKEND == "s3":
    # Needs the package django-storages[s3] (not a default dependency).
    if not os.environ.get("MEDIA_BUCKET"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs MEDIA_BUCKET (see .env.example).")
    STORAGE_BACKEND = "storages.backends.s3.S3Storage"
    STORAGE_OPTIONS = {
        "bucket_name": os.environ["MEDIA_BUCKET"],
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,  # MinIO, a local cloud
        "region_name": os.environ.get("S3_REGION_NAME") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,  # None: boto3's own lookup
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": "path",  # what most S3-compatible servers expect
        "signature_version": "s3v4",
        "location": os.environ.get("S3_LOCATION", "media"),  # key prefix inside the bucket
        "default_acl": None,  # objects inherit the bucket's policy: keep the bucket private
        "querystring_auth": True,  # any URL the storage builds is signed ...
        "querystring_expire": 300,  # ... and short-lived
        "file_overwrite": False,  # a second "bien-ban.pdf" gets a new key, never replaces
    }
elif "." not in STORAGE_BACKEND:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use filesystem, s3 or a dotted class path."
    )
if os.environ.get("STORAGE_OPTIONS"):
    # A JSON object, merged over the options above (any backend's keyword arguments).
    try:
        extra_options = json.loads(os.environ["STORAGE_OPTIONS"])
    except ValueError as exc:
        raise ImproperlyConfigured(f"STORAGE_OPTIONS is not valid JSON: {exc}") from exc
    if not isinstance(extra_options, dict):
        raise ImproperlyConfigured("STORAGE_OPTIONS must be a JSON object.")
    STORAGE_OPTIONS = {**STORAGE_OPTIONS, **extra_options}
STORAGES = {
    "default": {"BACKEND": STORAGE_BACKEND, "OPTIONS": STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email: console by default --------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wardwork@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every script, style, font and image is served from static/ (vendored, no CDN), so the policy
# needs neither 'unsafe-inline' nor 'unsafe-eval'; data: images are Bootstrap's SVG icons.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The admin's third-party templates (django-simple-history) and list columns use style=""
# attributes: allowed there, attributes only; scripts stay strict.
CONTENT_SECURITY_POLICY_RELAXED = {"/admin/": {"style-src-attr": ["'unsafe-inline'"]}}
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    ]
}
# One cache for every app instance (docs/scaling.md), in the database like the sessions:
# its table is created by the migration wardwork 0004. The city view keeps its figures
# there for two minutes (meetings/city_selectors.py); nothing else is cached.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "wardwork_cache",
    }
}
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
# Inactivity expiry: the age restarts with use. Not by saving the session on every request
# (one UPDATE per page view): wardwork.middleware_sessions.SessionRefreshMiddleware saves
# it when its last refresh is SESSION_REFRESH_INTERVAL seconds old or more, so an idle
# session ends between SESSION_COOKIE_AGE - SESSION_REFRESH_INTERVAL and SESSION_COOKIE_AGE
# after the last request (docs/security.md).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = int(os.environ.get("SESSION_REFRESH_INTERVAL", "300"))
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not TESTING)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not TESTING)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if TESTING else "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# --- Logging: to stderr, the process manager keeps it -----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# benchmarks/pages.py sets it for its gunicorn: adds /bench/bare/, a trivial page behind every
# middleware, to compare the main pages with. Off (and the URL absent) everywhere else.
BENCHMARK_BARE_VIEW = env_bool("BENCHMARK_BARE_VIEW")

# Demo data: the one password shared by every demo login (printed by load_demo).
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "wardwork-demo-2021")

# Party committee terms, for document numbering (numbers restart at 01 each term).
PARTY_TERM_FIRST_YEAR = 2020
PARTY_TERM_YEARS = 5
PARTY_TERM_START = (7, 1)  # month, day
