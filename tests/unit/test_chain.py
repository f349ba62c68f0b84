"""The visit's hash chain: intact when untouched; every alteration, removal, reordering or forgery found."""

from msgspec.structs import replace

from sheqi.signing import chain
from sheqi.signing.keyrings import Keyring

RING = Keyring("k1", {"k1": b"a" * 32})


def build(n: int = 4) -> list[chain.Event]:
    events, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        event = chain.seal(
            "v1",
            seq,
            "finding",
            "inspector:w",
            f"2026-06-15T10:0{seq}:00+08:00",
            {"item_id": f"i{seq}", "result": "compliant", "notes": "现场检查"},
            prev,
            RING,
        )
        events.append(event)
        prev = event.hash
    return events


def codes(problems):
    return [(p["seq"], p["code"]) for p in problems]


def test_intact_chain_verifies():
    events = build()
    assert chain.verify("v1", events, (4, events[-1].hash), RING) == []


def test_altered_payload_is_found_at_its_event():
    events = build()
    events[1] = replace(events[1], payload={**events[1].payload, "result": "violation"})
    assert codes(chain.verify("v1", events, (4, events[-1].hash), RING)) == [(2, "content_altered")]


def test_recomputed_hash_without_the_key_breaks_the_signature_and_the_next_link():
    events = build()
    forged = chain.seal(
        "v1", 2, "finding", "inspector:w", events[1].at, {"result": "violation"}, events[0].hash, Keyring("k1", {"k1": b"b" * 32})
    )
    events[1] = forged
    assert codes(chain.verify("v1", events, (4, events[-1].hash), RING)) == [(2, "signature_invalid"), (3, "link_broken")]


def test_removed_event_in_the_middle_and_at_the_end():
    events = build()
    assert "event_missing" in {c for _, c in codes(chain.verify("v1", events[:1] + events[2:], (4, events[-1].hash), RING))}
    assert codes(chain.verify("v1", events[:3], (4, events[-1].hash), RING)) == [(4, "event_missing")]


def test_head_that_does_not_match():
    events = build()
    assert codes(chain.verify("v1", events, (4, "f" * 64), RING)) == [(4, "head_mismatch")]


def test_event_of_another_visit():
    events = build()
    events[0] = replace(events[0], visit_id="v2")
    assert (1, "foreign_event") in codes(chain.verify("v1", events, None, RING))


def test_a_retired_key_verifies_what_it_signed_and_a_deleted_one_is_named():
    old = build(2)
    rotated = Keyring("k2", {"k1": b"a" * 32, "k2": b"c" * 32}, frozenset({"k1"}))
    new = chain.seal(
        "v1", 3, "closed", "inspector:w", "2026-06-15T11:00:00+08:00", {"outcome": "no_violation"}, old[-1].hash, rotated
    )
    events = old + [new]
    assert new.key_id == "k2" and chain.verify("v1", events, (3, new.hash), rotated) == []
    deleted = Keyring("k2", {"k2": b"c" * 32})
    problems = chain.verify("v1", events, (3, new.hash), deleted)
    assert codes(problems) == [(1, "signing_key_unknown"), (2, "signing_key_unknown")] and "“k1”" in problems[0]["message"]
