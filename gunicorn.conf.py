"""gunicorn's settings for serving the dashboard in production (`make serve`; gunicorn reads this file from the
working directory by default). Values come from the environment; the Django settings are loaded here once, in
the master, so that a missing or bad setting stops the start with its message instead of failing every worker.

    WEB_CONCURRENCY    worker processes (default 2)
    GUNICORN_THREADS   threads per worker that run the Django app (default 8)
    BIND_ADDRESS       address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 or :: for every
                       interface); `--bind` on the command line wins
    PORT               port to listen on (default 8000)
"""

import ipaddress
import math
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from gunicorn import glogging

from dashboard.log_lines import EscapingFormatter


def _whole(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise SystemExit(f"{name} must be a whole number from {minimum} to {maximum}; got {raw!r}")
    return int(raw)


def _django_settings():
    """The dashboard's settings, checked for what production serving needs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    from django.conf import settings

    try:
        settings.DEBUG  # noqa: B018 (loads and validates the settings module)
    except ImproperlyConfigured as error:
        raise SystemExit(f"Cannot serve: {error}") from None
    if settings.DEBUG:
        raise SystemExit("Cannot serve with DJANGO_DEBUG=1: it shows tracebacks to anyone. Unset it.")
    if not settings.ALLOWED_HOSTS:
        raise SystemExit("Cannot serve: set DJANGO_ALLOWED_HOSTS to the host names the dashboard is reached by.")
    if not settings.APPWRITE_ENDPOINT:
        raise SystemExit("Cannot serve: set APPWRITE_ENDPOINT, APPWRITE_PROJECT_ID and APPWRITE_API_KEY.")
    from django.core.checks.security.base import check_secret_key

    if check_secret_key(None):  # Django's own deploy check (security.W009)
        raise SystemExit(
            "Cannot serve: DJANGO_SECRET_KEY is too weak; it signs every agent's session cookie, so it must have "
            "at least 50 characters, at least 5 of them different, and not start with 'django-insecure-'. "
            "Generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return settings


def _bind_address() -> str:
    raw = os.environ.get("BIND_ADDRESS", "").strip() or "127.0.0.1"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        raise SystemExit(f"BIND_ADDRESS must be an IP address (127.0.0.1, 0.0.0.0, ::); got {raw!r}") from None
    return f"[{address}]" if address.version == 6 else str(address)


_settings = _django_settings()


def on_starting(server) -> None:
    """Refuses to start before collectstatic ran: every page links the hashed names its manifest holds.
    (A hook, not a check at import, so that `gunicorn --check-config` can vet the settings before collecting.)"""
    manifest = Path(_settings.STATIC_ROOT or "") / "staticfiles.json"
    if _settings.STORAGES["staticfiles"]["BACKEND"].endswith("ManifestStaticFilesStorage") and not manifest.exists():
        raise SystemExit(f"Cannot serve: no {manifest}; run `manage.py collectstatic --noinput` first.")


# This machine only unless told otherwise: on the open internet a proxy in front adds what gunicorn does not
# (README, "Production: `make serve`").
bind = [f"{_bind_address()}:{_whole('PORT', 8000, minimum=1, maximum=65535)}"]

# An asyncio front end reads each request whole, headers and body, and only then hands it to one of the
# worker's threads (dashboard/asgi.py): a client that sends slowly holds a socket, never a thread, so slow or
# many clients do not stall the pages. Threads, because a page waits on Appwrite most of its time (and runs its
# own Appwrite calls side by side), and every agent polls every few seconds: a few processes with several
# threads each serve many agents. (gthread hands a connection to a thread at its first byte; gevent's workers
# take no thread but run one request at a time until it yields, so a page being rendered delays /healthz.)
wsgi_app = "dashboard.asgi:application"
worker_class = "asgi"
workers = _whole("WEB_CONCURRENCY", 2, minimum=1, maximum=64)
# Read by dashboard/asgi.py in each worker (gunicorn's own `threads` setting is for its thread workers only).
os.environ["GUNICORN_THREADS"] = str(_whole("GUNICORN_THREADS", 8, minimum=1, maximum=256))
# gunicorn's asyncio worker sets no cap on open connections (slow or idle ones): each costs a socket and a few
# KiB, and the process's open-file limit (`ulimit -n`) bounds them. A proxy in front caps them per client.

# A request's Appwrite calls share 2 × APPWRITE_TIMEOUT_SECONDS (dashboard/appwrite/resilience.py), so a page answers
# within that plus 2 s whatever Appwrite does. A stopping worker gets that long, and a little more, to finish
# the requests it holds; a worker is only taken for hung when it is silent for well beyond it. A request body
# that stops arriving for `timeout` seconds ends the request (no thread waits on it meanwhile).
_request_ceiling = 2 * _settings.APPWRITE_TIMEOUT_SECONDS + 2
graceful_timeout = math.ceil(_request_ceiling + 3)
timeout = max(30, math.ceil(2 * _request_ceiling))
# Longer than the idle timeout of common load balancers (60 s), so the balancer, not gunicorn, closes an idle
# connection: otherwise a request may race a close and come back as a 502. Polling agents reuse theirs.
keepalive = 75


class EscapingLogger(glogging.Logger):
    """gunicorn's logger, with control characters escaped: the access log writes the decoded path and a
    header, and the error log quotes what a client sent, so a line must not end where the visitor chose."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(EscapingFormatter(self.error_fmt, self.datefmt))
        for handler in self.access_log.handlers:
            handler.setFormatter(EscapingFormatter(self.access_fmt))


# One line per request on stdout: the path without its query string (searches and visitor metadata filters
# live there), never a cookie or a header that carries a secret; the client behind a proxy in `xff`.
logger_class = EscapingLogger
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s xff="%({x-forwarded-for}i)s"'
errorlog = "-"
proc_name = "support-dashboard"

# Worker heartbeats go to memory, not to a disk that may stall (containers often have /tmp on overlay disks).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The control socket sits at one fixed path per user: several servers on one machine would fight over it.
control_socket_disable = True
