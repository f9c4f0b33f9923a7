"""The benchmark's dashboard settings with a cache that keeps nothing: every page it serves is a cold page.
The benchmark measures cold pages on such a process (page size from DASHBOARD_PAGE_SIZE)."""

from bench.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
