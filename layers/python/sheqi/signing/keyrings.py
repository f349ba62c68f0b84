"""Signing keyrings: the scan-in codes' (QR_SIGNING_KEYS) and the visit chain's (CHAIN_SIGNING_KEYS),
separate so that rotating one never touches what the other signed.

JSON: {"active": kid, "keys": {kid: secret}, "retired": [kid, ...]}. The active key signs; a retired
key only verifies what it signed before; a key deleted from the ring verifies nothing any more. Every
key is said to be one or the other.
"""

from __future__ import annotations

import json
from functools import cache

from msgspec import Struct

from sheqi import secrets

MIN_KEY_BYTES = 32


class Keyring(Struct, frozen=True):
    active: str
    keys: dict[str, bytes]
    retired: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active key {self.active!r} is not in the keyring")
        if self.active in self.retired:
            raise ValueError(f"active key {self.active!r} is also listed as retired")
        if missing := sorted(self.retired - set(self.keys)):
            raise ValueError(f"retired keys {missing} have no secret in 'keys'")
        if unlisted := sorted(set(self.keys) - self.retired - {self.active}):
            raise ValueError(
                f"keys {unlisted} are neither active nor retired: list them in 'retired' to keep verifying with them"
            )
        if any(len(k) < MIN_KEY_BYTES for k in self.keys.values()):
            raise ValueError(f"every signing key needs at least {MIN_KEY_BYTES} bytes")

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        data = json.loads(text)
        return cls(
            active=data["active"],
            keys={kid: secret.encode() for kid, secret in data["keys"].items()},
            retired=frozenset(data.get("retired", [])),
        )

    @property
    def signing_key(self) -> bytes:
        return self.keys[self.active]


def load(variable: str) -> Keyring:
    """The keyring in the secret `variable`, as it is now (sheqi/secrets.py: read at run time and cached;
    locally the variable holds it). The one place keys are read."""
    return _parsed(secrets.get(variable))


@cache
def _parsed(text: str) -> Keyring:
    return Keyring.from_json(text)
