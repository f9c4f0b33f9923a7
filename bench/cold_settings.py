"""The dashboard's settings with a cache that keeps nothing: every page it serves is a cold page.
The benchmark measures cold pages on such a process (page size from DASHBOARD_PAGE_SIZE)."""

# tests.settings: the dashboard's settings serving static files without a collectstatic step.
from tests.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
