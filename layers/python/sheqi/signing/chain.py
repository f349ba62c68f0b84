"""Tamper evidence for the visit record (现场检查笔录, Art. 19): every change to a visit is an event,
and each event's hash covers the previous one's, so altering or removing a stored event breaks
the chain from there on. The enterprise is sent the head hash when the visit opens and closes, so
it holds a copy of the head that no one with access to the store can change.

Each hash is also signed with the platform's chain key (HMAC; its own keyring, CHAIN_SIGNING_KEYS,
kept in the secret store): recomputing a whole altered chain needs the key as well as write access.
The key rotates by key id: each event names the key that signed it, a retired key keeps verifying
the events it signed, and rotating the scan-in code keys never touches a chain. Pure functions; no AWS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from msgspec import Struct

from sheqi.signing.keyrings import Keyring, load

GENESIS = "0" * 64
# Domain separation: a chain keyring may keep, retired, the code keys that signed events before the
# chain had keys of its own; no event signature is ever a valid code signature, or the reverse.
_PURPOSE = b"sheqi-visit-event:"


def keyring() -> Keyring:
    """The chain keyring, from CHAIN_SIGNING_KEYS (see keyrings.py)."""
    return load("CHAIN_SIGNING_KEYS")


class Event(Struct, frozen=True):
    visit_id: str
    seq: int
    kind: str
    actor: str
    at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str = ""
    key_id: str = ""
    signature: str = ""

    def content(self) -> bytes:
        fields = {
            "visit_id": self.visit_id,
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor,
            "at": self.at,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _mac(key: bytes, digest: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, _PURPOSE + digest.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def seal(
    visit_id: str, seq: int, kind: str, actor: str, at: str, payload: dict[str, Any], prev_hash: str, ring: Keyring | None = None
) -> Event:
    """The next event of a visit, hashed over its content and its predecessor, and signed."""
    ring = ring or keyring()
    draft = Event(visit_id, seq, kind, actor, at, payload, prev_hash)
    digest = hashlib.sha256(draft.content()).hexdigest()
    return Event(visit_id, seq, kind, actor, at, payload, prev_hash, digest, ring.active, _mac(ring.signing_key, digest))


def verify(visit_id: str, events: list[Event], head: tuple[int, str] | None, ring: Keyring | None = None) -> list[dict[str, Any]]:
    """Every way the stored events fail to form the visit's unbroken chain up to `head` (seq, hash):
    a changed event, a missing or reordered one, a forged signature, a head that does not match.
    Empty when the record is intact."""
    ring = ring or keyring()
    problems = []

    def problem(seq: int | None, code: str, message: str) -> None:
        problems.append({"seq": seq, "code": code, "message": message})

    prev_hash, expected_seq = GENESIS, 1
    for event in sorted(events, key=lambda e: e.seq):
        if event.visit_id != visit_id:
            problem(event.seq, "foreign_event", f"第 {event.seq} 条记录不属于本次检查")
        if event.seq != expected_seq:
            problem(expected_seq, "event_missing", f"缺少第 {expected_seq} 至 {event.seq - 1} 条记录")
        if event.prev_hash != prev_hash:
            problem(event.seq, "link_broken", f"第 {event.seq} 条记录与前一条记录的哈希不相连")
        digest = hashlib.sha256(event.content()).hexdigest()
        if digest != event.hash:
            problem(event.seq, "content_altered", f"第 {event.seq} 条记录的内容与其哈希不符：记录已被改动")
        key = ring.keys.get(event.key_id)
        if key is None:
            problem(
                event.seq,
                "signing_key_unknown",
                f"第 {event.seq} 条记录由密钥“{event.key_id}”签名，该密钥已不在平台密钥环中，"
                "无法核验其签名；须将其作为停用密钥（retired）放回密钥环",
            )
        elif not hmac.compare_digest(_mac(key, event.hash), event.signature):
            problem(event.seq, "signature_invalid", f"第 {event.seq} 条记录的平台签名无效")
        prev_hash, expected_seq = event.hash, event.seq + 1
    if head is not None:
        last = (expected_seq - 1, prev_hash)
        if last[0] < head[0]:
            problem(last[0] + 1, "event_missing", f"链头为第 {head[0]} 条，但只存有 {last[0]} 条记录：记录被删除")
        elif last != tuple(head):
            problem(last[0], "head_mismatch", "最后一条记录的哈希与本次检查登记的链头不符")
    return problems
