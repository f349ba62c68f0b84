import json

import pytest

from sheqi.rules import codes

RING = codes.Keyring.from_json(json.dumps({"active": "k1", "keys": {"k1": "a" * 32}}))
ROTATED = codes.Keyring.from_json(json.dumps({"active": "k2", "keys": {"k1": "a" * 32, "k2": "b" * 32}, "retired": ["k1"]}))
DELETED = codes.Keyring.from_json(json.dumps({"active": "k2", "keys": {"k2": "b" * 32}}))
ENTERPRISE = "91130722MA0A1B2C3U"


def rejection(token, ring=RING):
    with pytest.raises(codes.CodeRejected) as raised:
        codes.verify(token, ring)
    return raised.value.code


def test_round_trip():
    token = codes.sign(ENTERPRISE, 3, RING)
    assert codes.verify(token, RING) == codes.CodeClaim(ENTERPRISE, 3, "k1")
    assert len(token) < 60  # stays a low-density QR


def test_tampered_parts_fail_the_signature():
    token = codes.sign(ENTERPRISE, 1, RING)
    other = "91130722MA0D4E5F6Q"
    assert rejection(token.replace(ENTERPRISE, other)) == "code_signature_invalid"
    assert rejection(token.replace(".1.k1.", ".2.k1.")) == "code_signature_invalid"
    sig = token.rsplit(".", 1)[1]
    flipped = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    assert rejection(token[: -len(sig)] + flipped) == "code_signature_invalid"


def test_a_key_that_signs_for_another_ring_is_not_trusted():
    foreign = codes.Keyring.from_json(json.dumps({"active": "k1", "keys": {"k1": "z" * 32}}))
    assert rejection(codes.sign(ENTERPRISE, 1, foreign)) == "code_signature_invalid"


def test_rotation_keeps_old_codes_valid_until_their_key_is_deleted():
    old = codes.sign(ENTERPRISE, 1, RING)
    new = codes.sign(ENTERPRISE, 1, ROTATED)
    assert new.split(".")[3] == "k2"
    assert codes.verify(old, ROTATED).key_id == "k1"
    assert rejection(old, DELETED) == "code_key_unknown"
    assert codes.verify(new, DELETED).key_id == "k2"


@pytest.mark.parametrize("token", ["", "hello", "2.X.1.k1.sig", "1.X.one.k1.sig", "1.a.b.c"])
def test_malformed(token):
    assert rejection(token) == "code_malformed"


def test_superseded_and_revoked_codes():
    claim = codes.CodeClaim(ENTERPRISE, 1, "k1")
    codes.check_current(claim, current_version=1, status="active")
    with pytest.raises(codes.CodeRejected) as raised:
        codes.check_current(claim, current_version=2, status="active")
    assert raised.value.code == "code_superseded"
    with pytest.raises(codes.CodeRejected) as raised:
        codes.check_current(claim, current_version=1, status="revoked")
    assert raised.value.code == "code_revoked"
