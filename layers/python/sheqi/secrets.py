"""Secrets, read at run time and never placed in the environment.

A deployed function is given the secret's name in `<NAME>_SECRET` (e.g. QR_SIGNING_KEYS_SECRET =
sheqi/<stage>/qr-signing-keys) and its role may read only that secret; the value is fetched from
Secrets Manager and cached for `MAX_AGE` seconds, so a rotated value reaches every container within
minutes and without a deploy. Locally no secret name is set and the value is the variable `<NAME>`
itself (local/config.py writes it).
"""

from __future__ import annotations

import os
import time
from functools import cache

MAX_AGE = 300
_read: dict[str, tuple[float, str]] = {}  # secret id -> (when read, value)


@cache
def _client():
    import boto3  # here, not at import: only a function that reads a secret loads the SDK, when it first does

    return boto3.client("secretsmanager")


def get(name: str) -> str:
    secret_id = os.environ.get(f"{name}_SECRET")
    if not secret_id:
        return os.environ[name]
    read_at, value = _read.get(secret_id, (None, ""))
    if read_at is None or time.monotonic() - read_at >= MAX_AGE:
        value = _client().get_secret_value(SecretId=secret_id)["SecretString"]
        _read[secret_id] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    """Forget the values read (what MAX_AGE passing does) and the client (tests point it elsewhere)."""
    _read.clear()
    _client.cache_clear()
