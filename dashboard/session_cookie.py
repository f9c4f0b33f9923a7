"""The session cookie's content, encrypted: Django's signed-cookie sessions sign what they store, but anyone
holding the cookie can read it (base64), and it carries the agent's name and email and the pending undos.
This serializer encrypts it with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`), keyed from
DJANGO_SECRET_KEY (and SECRET_KEY_FALLBACKS, for a key rotation); Django still signs and dates the result."""

from __future__ import annotations

import base64
import functools
import json
import zlib
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

_KEY_SALT = "dashboard.session_cookie.EncryptedJSONSerializer"


@functools.lru_cache(maxsize=4)
def _fernet(secrets: tuple[str, ...]) -> MultiFernet:
    # 32 bytes derived from each secret, for this use only: half signs, half encrypts (Fernet's layout).
    keys = [salted_hmac(_KEY_SALT, "fernet-key", secret=secret, algorithm="sha256").digest() for secret in secrets]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys])


def _current() -> MultiFernet:
    return _fernet((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


class EncryptedJSONSerializer:
    """JSON, compressed, then encrypted (SESSION_SERIALIZER). A cookie that does not decrypt raises, and
    Django's signed-cookie backend then starts an empty session: the same as a tampered or expired one."""

    def dumps(self, obj: Any) -> bytes:
        return _current().encrypt(zlib.compress(json.dumps(obj, separators=(",", ":")).encode()))

    def loads(self, data: bytes) -> Any:
        return json.loads(zlib.decompress(_current().decrypt(data)))
