"""The package's exception family, and the one place an SDK call's failure becomes one of them:
every error carries Appwrite's status, type and a trimmed body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from appwrite.exception import AppwriteException
from django.core.exceptions import ImproperlyConfigured

from dashboard.appwrite import resilience

T = TypeVar("T")


class AppwriteNotConfigured(ImproperlyConfigured):
    """Appwrite was asked without an endpoint configured: a deployment mistake, never silenced."""


class AppwriteError(Exception):
    """Base of every failure the package reports; carries the HTTP status, type and a trimmed body."""

    def __init__(self, message: str, *, status: int = 0, type: str = "", body: str = ""):
        super().__init__(message)
        self.status = status
        self.type = type
        self.body = body[:500]


class AppwriteUnavailable(AppwriteError):
    """Appwrite could not be reached, timed out, or failed on its side (5xx). `type` is CIRCUIT_OPEN or
    BUDGET_SPENT when the dashboard did not ask at all (resilience.py)."""


CIRCUIT_OPEN = "dashboard_circuit_open"
BUDGET_SPENT = "dashboard_time_budget_spent"


class NotFound(AppwriteError):
    """The session (or the database/collection) does not exist."""


class StaleCursor(NotFound):
    """The row a page cursor points at is gone: start again from the first page."""


class Unauthorized(AppwriteError):
    """The API key is wrong or lacks a scope."""


class RateLimited(AppwriteError):
    """Appwrite answered 429."""


class BadAnswer(AppwriteError):
    """Appwrite answered something the dashboard cannot use (wrong shape, rejected query)."""


class Unconfirmed(AppwriteUnavailable):
    """A write whose outcome Appwrite could not confirm: it may or may not have happened."""


class AlreadyExists(AppwriteError):
    """A create call hit an existing resource (409)."""


def _translate(error: AppwriteException) -> AppwriteError:
    status = error.code if isinstance(error.code, int) else 0
    type_ = error.type or ""
    message = str(error.message)[:300]
    body = error.response if isinstance(error.response, str) else ""
    kwargs = {"status": status, "type": type_, "body": body}
    if status == 0:
        if message.startswith("Unable to parse response"):
            return BadAnswer(message, **kwargs)
        # The transport's own refusals (the SDK keeps the exception as the message) say which they are.
        if isinstance(error.message, resilience.CircuitOpen):
            kwargs["type"] = CIRCUIT_OPEN
        elif isinstance(error.message, resilience.BudgetSpent):
            kwargs["type"] = BUDGET_SPENT
        return AppwriteUnavailable(f"Appwrite is unreachable: {message}", **kwargs)
    if type_ in ("general_cursor_not_found", "database_query_order_null"):
        return StaleCursor(message, **kwargs)
    if status == 404:
        return NotFound(message, **kwargs)
    if status in (401, 403):
        return Unauthorized(message, **kwargs)
    if status == 409:
        return AlreadyExists(message, **kwargs)
    if status == 429:
        return RateLimited(message, **kwargs)
    if status >= 500 or status == 408:
        return AppwriteUnavailable(message, **kwargs)
    return BadAnswer(message, **kwargs)


def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs one SDK call; every failure leaves as one of this module's exceptions."""
    try:
        return function(*args, **kwargs)
    except AppwriteException as error:
        raise _translate(error) from error
    except Exception as error:  # the SDK trips over non-JSON or header-less answers
        raise BadAnswer(f"Appwrite answered something unreadable: {error!r}"[:300]) from error


class SignInRefused(AppwriteError):
    """Wrong email or password, a blocked user, or a user outside the agents team. `type` says
    which, for the log only: agents are shown one message for all of them."""
