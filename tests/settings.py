"""Settings for the test suite: the real `dashboard.settings`, read with test-friendly environment defaults.

Tests run like production (DEBUG off, so the secret key is required and given here) but over plain
HTTP on the test client's and live server's host names. pyproject.toml points pytest-django here.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 32)
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from dashboard.settings import *  # noqa: E402,F403

# Nothing is collected for tests: plain static file names, served by WhiteNoise from the finders (and
# WhiteNoise need not warn). tests/serving/ runs the collected, hashed files under gunicorn.
STATIC_ROOT = None
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
