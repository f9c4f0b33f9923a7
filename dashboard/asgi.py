"""The dashboard as production serves it (gunicorn's asyncio worker, gunicorn.conf.py): the Django WSGI app in a
pool of threads, each request handed to a thread only once its headers and its whole body have arrived.

A slow client (headers or body trickling in) then holds a socket on the event loop, never a thread, so a few
dozen of them cannot stall the pages. Django's own ASGI handler is not used: it runs every sync view in one
thread per process, and the dashboard's views spend their time waiting on Appwrite.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from a2wsgi import WSGIMiddleware

from dashboard.wsgi import application as wsgi_application

# Validated by gunicorn.conf.py, which refuses to start otherwise; 8 when this module runs elsewhere.
THREADS = int(os.environ.get("GUNICORN_THREADS") or 8)
_threads = WSGIMiddleware(wsgi_application, workers=THREADS)

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _body_limit() -> int:
    """The largest body read before a thread is involved: Django refuses bigger (non-file) bodies anyway."""
    from django.conf import settings

    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


async def _refuse_too_large(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b"Request body too large.\n"})


async def application(scope: Message, receive: Receive, send: Send) -> None:
    """ASGI entry point: reads the request body whole on the event loop, then runs the WSGI app in a thread."""
    if scope["type"] != "http":
        await _threads(scope, receive, send)  # lifespan (acknowledged), websocket (closed)
        return
    limit = _body_limit()
    declared = dict(scope.get("headers") or []).get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        await _refuse_too_large(send)
        return
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return  # gone (or silent past gunicorn's timeout) before the request was complete: nothing to answer
        body += message.get("body", b"")
        if len(body) > limit:
            await _refuse_too_large(send)
            return
        if not message.get("more_body", False):
            break
    whole = [{"type": "http.request", "body": bytes(body), "more_body": False}]

    async def receive_buffered() -> Message:
        return whole.pop() if whole else await receive()

    await _threads(scope, receive_buffered, send)
