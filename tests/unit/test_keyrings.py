"""A keyring says of every key whether it signs (the active one) or only verifies (retired)."""

import json

import pytest

from sheqi.signing.keyrings import Keyring


def ring(**data) -> Keyring:
    return Keyring.from_json(json.dumps(data))


def test_the_active_key_signs_and_retired_keys_only_verify():
    rotated = ring(active="c2", keys={"c1": "a" * 32, "c2": "b" * 32}, retired=["c1"])
    assert (rotated.active, rotated.signing_key, rotated.retired) == ("c2", b"b" * 32, frozenset({"c1"}))
    assert rotated.keys["c1"] == b"a" * 32
    assert ring(active="c1", keys={"c1": "a" * 32}).retired == frozenset()


@pytest.mark.parametrize(
    "data, says",
    [
        ({"active": "c9", "keys": {"c1": "a" * 32}}, "not in the keyring"),
        ({"active": "c1", "keys": {"c1": "a" * 32}, "retired": ["c1"]}, "also listed as retired"),
        ({"active": "c2", "keys": {"c2": "b" * 32}, "retired": ["c1"]}, "have no secret"),
        ({"active": "c2", "keys": {"c1": "a" * 32, "c2": "b" * 32}}, "neither active nor retired"),
        ({"active": "c1", "keys": {"c1": "short"}}, "at least 32 bytes"),
    ],
)
def test_an_ambiguous_or_weak_keyring_is_refused_on_load(data, says):
    with pytest.raises(ValueError, match=says):
        Keyring.from_json(json.dumps(data))
