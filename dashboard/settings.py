"""Settings of the sessions dashboard: every value comes from the environment (or `.env`),
parsed strictly so that a bad value stops the process at start with a clear message."""

import os
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from dashboard.appwrite import ids

BASE_DIR = Path(__file__).resolve().parent.parent

# Real environment variables win over the file.
load_dotenv(BASE_DIR / ".env", override=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def _env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}; got {value}")
    return value


def _env_seconds(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds; got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum} seconds; got {raw}")
    return value


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env_str(name, default) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _env_attribute_key(name: str) -> str:
    """An attribute (column) key as Appwrite accepts one, or '' when unset."""
    value = _env_str(name)
    if value and not ids.is_appwrite_id(value):
        raise ImproperlyConfigured(f"{name} is not a valid Appwrite attribute key: {value!r}")
    return value


def _env_words(name: str, default: str) -> list[str]:
    """Comma-separated values, compared without case (`User` is `user`); never an empty list."""
    values = [item.casefold() for item in _env_list(name, default.split(","))]
    if not values:
        raise ImproperlyConfigured(f"{name} must name at least one value (comma-separated); got {os.environ[name]!r}")
    return values


def _env_appwrite_id(name: str, default: str) -> str:
    value = _env_str(name, default) or default
    if not ids.is_appwrite_id(value):
        raise ImproperlyConfigured(f"{name} is not a valid Appwrite ID: {value!r}")
    return value


DEBUG = _env_bool("DJANGO_DEBUG", False)

SECRET_KEY = _env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required unless DJANGO_DEBUG=1")
    SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG"

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

HTTPS = _env_bool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only makes the host eligible: a preload list entry needs a manual submission of the apex domain.
    SECURE_HSTS_PRELOAD = True
    # Load balancers probe /healthz and /readyz over plain HTTP, and count a redirect as a failure.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# An agent's session ends after 12 hours without a request (each request re-signs the cookie,
# and the signature's age is checked on every read); see dashboard/middleware.py.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_SAMESITE = "Lax"
# Pages carry the token themselves (the form field and `hx-headers` on <body>); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
LOGIN_URL = "/login/"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and everything else from this origin only;
# htmx comes from static files and is configured (base.html) to inject no <style> and never eval.
# Swatches are SVG `fill` attributes, which style-src does not govern, so no 'unsafe-inline' anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every Appwrite call a request makes shares one time budget (dashboard/appwrite/resilience.py).
    "dashboard.middleware.AppwriteBudgetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: deny by default; every view but the public ones needs a signed-in agent.
    "dashboard.middleware.AgentMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# No SQL database: all data lives in Appwrite, sessions in signed cookies, encrypted (dashboard/session_cookie.py)
# so that what they carry (the agent's name and email, pending undos) cannot be read out of a copied cookie.
DATABASES: dict = {}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_SERIALIZER = "dashboard.session_cookie.EncryptedJSONSerializer"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

REDIS_URL = _env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dashboard",
        },
        # The sign-in throttle's counters (dashboard/sign_in_throttle.py), apart from the page cache: counted with
        # Redis's atomic INCR under keys of their own. Without Redis they are per-process counters, never a cache.
        "security": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dashboard-security",
        },
    }
else:
    # The shared session list keeps one small entry per session shown (its message count): room for
    # several 100-row views before the least recently used entries go.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` writes (`make serve` runs it before starting gunicorn).
STATIC_ROOT = Path(_env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Production serves what collectstatic wrote: names carrying a hash of the content (so WhiteNoise sends them
# cached for a year) and gzip copies. DEBUG (`make run`) serves the files as they are, straight from the
# finders, with no collectstatic step.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# STATIC_ROOT exists only after collectstatic; until then the finders serve everything.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Appwrite. Without an endpoint the settings still load (`make run` starts localappwrite first
# and sets it); dashboard/appwrite/ refuses to work without one.
APPWRITE_ENDPOINT = _env_str("APPWRITE_ENDPOINT").rstrip("/")
if APPWRITE_ENDPOINT and not APPWRITE_ENDPOINT.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"APPWRITE_ENDPOINT must start with http:// or https://; got {APPWRITE_ENDPOINT!r}")
APPWRITE_PROJECT_ID = _env_str("APPWRITE_PROJECT_ID")
APPWRITE_API_KEY = _env_str("APPWRITE_API_KEY")
if APPWRITE_ENDPOINT and not (APPWRITE_PROJECT_ID and APPWRITE_API_KEY):
    raise ImproperlyConfigured("APPWRITE_PROJECT_ID and APPWRITE_API_KEY are required with APPWRITE_ENDPOINT")
APPWRITE_DATABASE_ID = _env_appwrite_id("APPWRITE_DATABASE_ID", "support")
APPWRITE_SESSIONS_COLLECTION_ID = _env_appwrite_id("APPWRITE_SESSIONS_COLLECTION_ID", "sessions")
APPWRITE_MESSAGES_COLLECTION_ID = _env_appwrite_id("APPWRITE_MESSAGES_COLLECTION_ID", "messages")
APPWRITE_AGENTS_TEAM_ID = _env_appwrite_id("APPWRITE_AGENTS_TEAM_ID", "support-agents")
APPWRITE_API = _env_choice("APPWRITE_API", "tablesdb", ("tablesdb", "databases"))
APPWRITE_TIMEOUT_SECONDS = _env_seconds("APPWRITE_TIMEOUT_SECONDS", 5, minimum=0.1, maximum=120)
# The messages collection is the deployment's own: only `sessionId` is assumed. Its text and sender attributes
# are named here, or detected from the collection when unset (dashboard/appwrite/message_schema.py); sender
# values that are neither the visitor's nor an agent's count as a bot or the system.
APPWRITE_MESSAGE_TEXT_ATTRIBUTE = _env_attribute_key("APPWRITE_MESSAGE_TEXT_ATTRIBUTE")
APPWRITE_MESSAGE_SENDER_ATTRIBUTE = _env_attribute_key("APPWRITE_MESSAGE_SENDER_ATTRIBUTE")
APPWRITE_MESSAGE_VISITOR_VALUES = _env_words("APPWRITE_MESSAGE_VISITOR_VALUES", "user,visitor,customer")
APPWRITE_MESSAGE_AGENT_VALUES = _env_words("APPWRITE_MESSAGE_AGENT_VALUES", "agent,human,support")
if set(APPWRITE_MESSAGE_VISITOR_VALUES) & set(APPWRITE_MESSAGE_AGENT_VALUES):
    both = ", ".join(sorted(set(APPWRITE_MESSAGE_VISITOR_VALUES) & set(APPWRITE_MESSAGE_AGENT_VALUES)))
    raise ImproperlyConfigured(
        f"APPWRITE_MESSAGE_VISITOR_VALUES and APPWRITE_MESSAGE_AGENT_VALUES both name {both}: "
        "a sender is one or the other"
    )

DASHBOARD_POLL_SECONDS = _env_int("DASHBOARD_POLL_SECONDS", 5, minimum=1, maximum=3600)
DASHBOARD_IDLE_MINUTES = _env_int("DASHBOARD_IDLE_MINUTES", 10, minimum=1, maximum=60 * 24 * 30)
DASHBOARD_PAGE_SIZE = _env_int("DASHBOARD_PAGE_SIZE", 25, minimum=5, maximum=100)
# A CSV export stops after this many sessions and says so in its last line.
DASHBOARD_EXPORT_MAX_ROWS = _env_int("DASHBOARD_EXPORT_MAX_ROWS", 50_000, minimum=1, maximum=1_000_000)
# How often a signed-in agent's team membership (and that the user is not blocked) is checked again.
DASHBOARD_MEMBERSHIP_RECHECK_SECONDS = _env_int("DASHBOARD_MEMBERSHIP_RECHECK_SECONDS", 300, minimum=0, maximum=86400)
# How often each process asks Appwrite whether a sign-in's Appwrite session still exists: a sign-out (or a
# session deleted in Appwrite's console) reaches every process within this long. At most 30 s, as the README says.
DASHBOARD_SESSION_CHECK_SECONDS = _env_int("DASHBOARD_SESSION_CHECK_SECONDS", 30, minimum=0, maximum=30)
# How many proxies in front append the client's address to X-Forwarded-For: the sign-in throttle counts by the
# address the outermost of them saw (the Nth entry from the end); 0: the connection's own address.
DASHBOARD_TRUSTED_PROXIES = _env_int("DASHBOARD_TRUSTED_PROXIES", 0, minimum=0, maximum=10)

# One line per Appwrite call (operation, status, duration) at INFO, failures at WARNING, on the logger of the
# Appwrite package (dashboard.appwrite); `make run` sets WARNING so that the demo's own writes do not fill the
# terminal.
APPWRITE_CALL_LOG_LEVEL = _env_choice("APPWRITE_CALL_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Escaped: messages carry addresses, ids and answers from visitors and Appwrite (dashboard/log_lines.py).
    "formatters": {
        "plain": {
            "()": "dashboard.log_lines.EscapingFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "dashboard": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "dashboard.appwrite": {"level": APPWRITE_CALL_LOG_LEVEL},
        # A request that fails (a 500) is logged with its traceback, DEBUG or not: Django's own handlers
        # print it only with DEBUG on, and mail it to ADMINS, which this project has none of.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
