"""Settings, read from the environment. They fail closed: ``DEBUG`` is off unless set (``make run`` sets
``DEBUG=true`` for local use), and with ``DEBUG`` off a missing ``SECRET_KEY`` or ``ALLOWED_HOSTS`` stops start-up
with a clear message, so a deployment that forgets its environment never runs in debug mode with a public key.
The database is SQLite unless ``DATABASE_URL`` says otherwise (PostgreSQL).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Off unless asked for: a forgotten variable must not turn on debug pages and the public development key.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in the environment when DEBUG is off (a comma-separated list of host names)."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "asem_portal.apps.PortalAdminConfig",  # django.contrib.admin, with the portal's admin site as admin.site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.forms",  # its widget templates, found by the project's template engine (FORM_RENDERER below)
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as local static files: the docs work offline
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",  # time-based one-time passwords: two-factor sign-in for staff
    "mailer",  # django-mailer: the durable e-mail outbox
    "import_export",  # the admin's contacts import (stakeholders/contacts.py) and its templates
    "core",
    "actions",
    "stakeholders",
    "projects",
    "monitoring",
]

MIDDLEWARE = [
    # First, so that every response (redirects, lockouts) and every log line carries the request ID.
    "core.middleware.request_id_middleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.permissions_policy_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session gave a code from the account's authenticator app.
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.signed_in_no_store_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the "locked" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "asem_portal.urls"
# The branded CSRF-failure page (templates/403_csrf.html), which says what to do and nothing of why.
CSRF_FAILURE_VIEW = "asem_portal.views.csrf_failure"

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
                "asem_portal.context_processors.demo_data",
            ]
        },
    }
]

# Every form of the site (and the admin's widgets) renders through the project's templates: one layout, the
# GOV.UK design system's (label, hint, error, field, in one column; templates/forms/), written once.
FORM_RENDERER = "core.forms.PortalFormRenderer"

WSGI_APPLICATION = "asem_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A new PostgreSQL connection costs ~10 ms: keep connections, check them.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DB_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Covering indexes (Index(include=...)) serve PostgreSQL; elsewhere they are plain indexes, as intended.
SILENCED_SYSTEM_CHECKS = [] if DB_IS_POSTGRES else ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Judges nothing: its password_changed hook revokes the account's API tokens whenever a password is set.
    {"NAME": "stakeholders.security.RevokeTokensOnPasswordChange"},
]

# django-axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# The site's one format for dates and times in text ("7 December 2026", "7 December 2026, 14:05 UTC"), in place
# of the locale's (asem_portal/formats/en/formats.py): {{ value|date }} and formats.date_format() read it.
FORMAT_MODULE_PATH = ["asem_portal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# One cache: whole public pages (core.cache), a published report's rendering and the API's throttle counters.
# Local memory per process, or one shared Redis (REDIS_URL). CACHE_RELEASE (the deployed revision) is in every
# key: markup cached by the previous release is never served by the next.
CACHE_RELEASE = os.environ.get("CACHE_RELEASE", "")
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"default:{CACHE_RELEASE}",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "default",
            "KEY_PREFIX": CACHE_RELEASE,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "updates:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Token first: an unauthenticated API request is answered 401 with "WWW-Authenticate: Token".
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["core.api.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.AnonRateThrottle", "core.api.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
        "export": os.environ.get("API_THROTTLE_EXPORT", "20/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ASEM Education 2030 Action Plan API",
    "DESCRIPTION": (
        "The plan as open data (objectives, subgoals, actions, initiatives, organisations, countries, published "
        "progress updates) for everyone; progress updates for contributors and the Secretariat. "
        "Authenticate with `Authorization: Token <key>` (create the key on your profile page)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InitiativeStatusEnum": "projects.models.ProjectStatus",
        "UpdateStatusEnum": "monitoring.models.UpdateStatus",
        "MeetingKindEnum": "monitoring.models.MeetingKind",
        "MeetingStatusEnum": "monitoring.models.MeetingStatus",
        "DocumentKindEnum": "monitoring.models.DocumentKind",
        "CycleStatusEnum": "monitoring.models.CycleStatus",
        "ProgressRatingEnum": "monitoring.models.ProgressRating",
        "RegionEnum": "stakeholders.models.Region",
        "CountryRegionEnum": "stakeholders.models.CountryRegion",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.document_error_responses",
    ],
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# No 'unsafe-inline': scripts and styles come from files only (objective colours from /objectives.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Features the portal never uses, denied (core.middleware.permissions_policy_middleware). interest-cohort
# (FLoC) is superseded by browsing-topics but still understood by Chromium.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer autoplay browsing-topics camera display-capture encrypted-media geolocation gyroscope hid "
        "interest-cohort magnetometer microphone midi payment screen-wake-lock serial usb xr-spatial-tracking"
    ).split()
}

# django-axes: 5 failed sign-ins for one username from one IP address lock that pair out for 30 minutes, and
# SIGN_IN_FAILURES_PER_ADDRESS failures from one address, whatever the usernames, lock the address out as long
# (stakeholders.security.LockoutHandler). A locked-out account loses its API tokens and sessions.
# Unlock: delete the access attempts in the admin, or `manage.py axes_reset_username NAME` / `axes_reset_ip ADDR`.
AXES_HANDLER = "stakeholders.security.LockoutHandler"
AXES_FAILURE_LIMIT = 5
SIGN_IN_FAILURES_PER_ADDRESS = 20
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no start-up banner on every manage.py command; failures are still logged

# The site's own rate limits (core.ratelimit), counted in the default cache; the API has its throttles.
# Password reset: requests per client address and per e-mail address, whether or not the address has an account.
RATE_LIMITS = {
    "reset-per-client": "10/minute",
    "reset-per-email": "5/hour",
}

# E-mail goes through a durable outbox (django-mailer, see core/mail.py): every message is first a row
# in the database, committed with the change it announces, then delivered by `manage.py send_mail` (cron,
# every minute) or `manage.py runmailer`. A refused message is deferred with the error logged, and
# `manage.py retry_deferred` (cron) queues it again. The admin shows the queue and every attempt.
EMAIL_BACKEND = "core.mail.OutboxBackend"
# What delivers the queue: MAILER_EMAIL_BACKEND (or, as before, EMAIL_BACKEND), else SMTP with EMAIL_HOST set.
MAILER_EMAIL_BACKEND = (
    os.environ.get("MAILER_EMAIL_BACKEND")
    or os.environ.get("EMAIL_BACKEND")
    or f"django.core.mail.backends.{'smtp' if os.environ.get('EMAIL_HOST') else 'console'}.EmailBackend"
)
if MAILER_EMAIL_BACKEND in {EMAIL_BACKEND, "mailer.backend.DbBackend"}:
    raise ImproperlyConfigured("MAILER_EMAIL_BACKEND must deliver mail (e.g. SMTP), not queue it again.")
# Locally (no EMAIL_HOST) the queue is sent as soon as a transaction commits: `make run` needs no worker.
MAIL_SEND_ON_COMMIT = env_bool("MAIL_SEND_ON_COMMIT", not os.environ.get("EMAIL_HOST"))
MAILER_ERROR_HANDLER = "core.mail.defer_on_error"
# Senders on several hosts are kept apart by row locks (SELECT ... FOR UPDATE NOWAIT), not a lock file.
MAILER_USE_FILE_LOCK = False
# retry_deferred gives up on a message after this many retries (72 = a day at one retry every 20 minutes);
# it stays in the admin, deferred, where it can still be sent by hand.
MAILER_EMAIL_MAX_RETRIES = int(os.environ.get("MAILER_EMAIL_MAX_RETRIES", "72"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds the sender waits for the SMTP server: a hung server defers the message instead of blocking the queue.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ASEM Education Portal <noreply@localhost>")

ADMIN_URL = os.environ.get("ADMIN_URL", "admin/")
# With true, the admin lets staff in only once this session has given a code from their authenticator app (those
# without one are sent to set it up). Staff and the Secretariat can set one up on their profile page either way.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", False)
# django-otp: the name authenticator apps show, and no secrets in the admin's device pages.
OTP_TOTP_ISSUER = "ASEM Education Portal"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django-import-export (the contacts import): only who may add memberships imports them, inside one transaction.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_USE_TRANSACTIONS = True

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Shown on the contact and open-data pages where set, and said to be missing where not: the portal never makes
# up an address or a licence (asem_portal.views.SitePageView).
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
OPEN_DATA_LICENCE = os.environ.get("OPEN_DATA_LICENCE", "")
OPEN_DATA_LICENCE_URL = os.environ.get("OPEN_DATA_LICENCE_URL", "")

EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
NARRATIVE_MAX_CHARS = 20000

ACTION_PLAN_DIR = BASE_DIR / "fixtures" / "plan"

# To stdout, each line with the request ID; LOG_FORMAT=json writes one JSON object per line for a log shipper.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIDFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "core.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own default handlers would print django.* records a second time.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
