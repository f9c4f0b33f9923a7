"""A request that fails with a server error is logged with its traceback while DEBUG is off (as in
production), through the escaping formatter: every line of the traceback, the exception's text included, is
indented under the line that announced it, so none can pass for a log line of its own."""

from __future__ import annotations

import io
import logging

import pytest
from django.http import HttpRequest
from django.test import override_settings
from django.urls import path

from dashboard.urls import urlpatterns as dashboard_urlpatterns


def failing_view(request: HttpRequest):
    raise RuntimeError("an odd row\nFORGED-LINE")


# This module is the URLconf of its tests: the dashboard's routes and one that fails.
urlpatterns = [*dashboard_urlpatterns, path("fails/", failing_view, name="fails")]


@pytest.fixture
def request_log():
    """What the `django.request` logger's handlers write, for the test."""
    logger = logging.getLogger("django.request")
    assert logger.handlers, "nothing handles django.request"
    stream = io.StringIO()
    saved = [handler.setStream(stream) for handler in logger.handlers]
    yield stream
    for handler, old in zip(logger.handlers, saved, strict=True):
        handler.setStream(old)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_logged_with_its_traceback_when_debug_is_off(client, request_log):
    client.raise_request_exception = False

    response = client.get("/fails/")

    assert response.status_code == 500
    lines = request_log.getvalue().splitlines()
    assert any(" ERROR django.request: Internal Server Error: /fails/" in line for line in lines)
    assert "    Traceback (most recent call last):" in lines
    assert "    RuntimeError: an odd row" in lines
    assert "    FORGED-LINE" in lines  # indented under the line that announced the error, never a line of its own
