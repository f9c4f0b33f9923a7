"""The overview page's figures: sessions by status, active now, sessions started in each of the last 24
hours, and the median duration of recently closed sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from appwrite.query import Query
from django.conf import settings
from django.utils import timezone

from dashboard.appwrite import counting, database, transport
from dashboard.appwrite.counting import StatusCounts
from dashboard.appwrite.records import ChatSession, Count

# Closed sessions whose durations make the overview's median.
DURATION_SAMPLE = 500


@dataclass(frozen=True)
class HourOfStarts:
    """Sessions started in the hour from `start`."""

    start: datetime
    count: Count


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows, as Appwrite answered at `loaded_at`."""

    counts: StatusCounts
    active_now: Count  # active and seen within DASHBOARD_IDLE_MINUTES
    starts_per_hour: tuple[HourOfStarts, ...]  # the last 24 hours, oldest first, the current hour last
    median_duration: timedelta | None
    duration_sample: int  # closed sessions the median was taken over
    loaded_at: datetime


def _closed_durations() -> list[timedelta]:
    queries = [
        Query.equal("status", ["closed"]),
        Query.select(["startTime", "lastSeen"]),
        Query.order_desc("lastSeen"),
        Query.limit(DURATION_SAMPLE),
    ]
    rows = database.list_rows(settings.APPWRITE_SESSIONS_COLLECTION_ID, queries, total=False).rows
    return [d for d in (ChatSession.from_row(row).duration for row in rows) if d is not None]


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def load_overview() -> Overview:
    """Counts by status, active now, sessions started in each of the last 24 hours (one `limit(1)`
    total per hour, side by side on the pool) and the median duration of recently closed sessions."""
    now = timezone.now()
    cutoff = (now - timedelta(minutes=settings.DASHBOARD_IDLE_MINUTES)).isoformat()
    first_hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    hours = [first_hour + timedelta(hours=h) for h in range(24)]
    calls: list[Callable[[], Any]] = [
        lambda: counting.total([Query.equal("status", ["active"]), Query.greater_than_equal("lastSeen", cutoff)]),
        _closed_durations,
    ]
    calls += [
        lambda h=h: counting.total(
            [
                Query.greater_than_equal("startTime", h.isoformat()),
                Query.less_than("startTime", (h + timedelta(hours=1)).isoformat()),
            ]
        )
        for h in hours
    ]
    # Queued on the pool first; counting.status_counts() below waits on the same pool from this thread.
    futures = transport.start_concurrently(*calls)
    counts = counting.status_counts()
    active_now, durations, *per_hour = [future.result() for future in futures]
    return Overview(
        counts=counts,
        active_now=active_now,
        starts_per_hour=tuple(HourOfStarts(h, c) for h, c in zip(hours, per_hour, strict=True)),
        median_duration=_median(durations),
        duration_sample=len(durations),
        loaded_at=now,
    )
