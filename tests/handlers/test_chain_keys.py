"""Rotating keys never breaks a visit's record (Art. 19): the chain has its own keyring, apart from the
scan-in codes'. A retired chain key keeps verifying what it signed and signs nothing new; dropping a
code key (how old posters are killed) leaves every chain intact; a chain whose key was deleted says so."""

import json

import pytest

from local.demo_data import MARKET
from sheqi.store.notices import Notice
from tests.handlers.scanning import E1, NOW, new_task, open_visit
from tests.helpers import call

FOOD = {"agency_id": MARKET, "item_id": "food-business"}
QR_OLD, QR_NEW, CHAIN_OLD, CHAIN_NEW = ("q" * 32, "r" * 32, "c" * 32, "d" * 32)


@pytest.fixture
def keys(monkeypatch):
    """Set a keyring as a rotation would (locally the variable holds the secret; it is read afresh)."""

    def use(variable: str, ring: dict):
        monkeypatch.setenv(variable, json.dumps(ring))

    return use


def chain(visit_id: str, who="enterprise-1") -> dict:
    status, answer = call("GET", f"/visits/{visit_id}/chain", who)
    assert status == 200, answer
    return answer


def test_rotating_either_keyring_keeps_old_chains_intact(june, keys):
    keys("QR_SIGNING_KEYS", {"active": "qr-1", "keys": {"qr-1": QR_OLD}})
    keys("CHAIN_SIGNING_KEYS", {"active": "chain-1", "keys": {"chain-1": CHAIN_OLD}})
    visit_id = open_visit(new_task())[1]["visit_id"]
    assert call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant"})[0] == 201
    before = chain(visit_id)
    assert before["intact"] and [e["key_id"] for e in before["events"]] == ["chain-1", "chain-1"]

    # Old posters are killed by deleting their code key: the visit's record is untouched by it.
    keys("QR_SIGNING_KEYS", {"active": "qr-2", "keys": {"qr-2": QR_NEW}})
    assert chain(visit_id)["intact"]

    # The chain's own key rotates: the old one only verifies, new events carry the new key id.
    keys(
        "CHAIN_SIGNING_KEYS", {"active": "chain-2", "keys": {"chain-1": CHAIN_OLD, "chain-2": CHAIN_NEW}, "retired": ["chain-1"]}
    )
    assert (
        call(
            "POST",
            f"/visits/{visit_id}/close",
            "market-wang",
            {"ended_at": NOW.isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
        )[0]
        == 201
    )
    after = chain(visit_id, "admin-market")
    assert after["intact"], after["problems"]
    assert [e["key_id"] for e in after["events"]] == ["chain-1", "chain-1", "chain-2"]
    assert after["events"][:2] == before["events"]
    assert after["head"]["hash"] in Notice.get(f"enterprise:{E1}", f"visit-result:{visit_id}").body

    # A key deleted outright: each event it signed is reported by name, the rest still verify.
    keys("CHAIN_SIGNING_KEYS", {"active": "chain-2", "keys": {"chain-2": CHAIN_NEW}})
    broken = chain(visit_id, "judicial-zhangbei")
    assert not broken["intact"]
    assert [(p["seq"], p["code"]) for p in broken["problems"]] == [(1, "signing_key_unknown"), (2, "signing_key_unknown")]
    assert "chain-1" in broken["problems"][0]["message"]
