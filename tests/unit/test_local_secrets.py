"""Local data made before the chain had its own keys keeps intact chains: its events were signed with
the code keys, which the new chain keyring keeps as retired."""

import json

from local import config
from sheqi.signing import chain
from sheqi.signing.keyrings import Keyring


def test_old_local_secrets_gain_a_chain_keyring_that_verifies_old_events(tmp_path, monkeypatch):
    code_keys = {"active": "k1", "keys": {"k1": "s" * 43}}
    (tmp_path / "secrets.json").write_text(json.dumps({"jwt_secret": "j" * 43, "qr_signing_keys": code_keys}))
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    old_event = chain.seal(
        "v1", 1, "opened", "inspector:w", "2026-06-15T10:00:00+08:00", {}, chain.GENESIS, Keyring.from_json(json.dumps(code_keys))
    )

    ring = Keyring.from_json(json.dumps(config._secrets()["chain_signing_keys"]))
    assert ring.active == "chain-1" and ring.retired == {"k1"} and ring.signing_key != b"s" * 43
    assert chain.verify("v1", [old_event], (1, old_event.hash), ring) == []
    assert json.loads((tmp_path / "secrets.json").read_text())["chain_signing_keys"] == config._secrets()["chain_signing_keys"]
    assert json.loads((tmp_path / "secrets.json").read_text())["qr_signing_keys"] == code_keys
