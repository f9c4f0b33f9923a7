"""The dashboard's real settings for the dashboard processes the benchmark starts from the work tree: static
files served by WhiteNoise straight from the finders, with no collectstatic step (bench/load.py, which serves as
production does, collects them and runs dashboard.settings)."""

from dashboard.settings import *  # noqa: F403

STATIC_ROOT = None
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
