"""The capacity model (bench/capacity.py, docs/capacity.md) runs on the store's key design as it is now,
and its figures hold together."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sheqi.store import catalog
from sheqi.store.tables import PREFIX

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def capacity() -> dict:
    run = subprocess.run([sys.executable, "bench/capacity.py", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (
        f"a key passes 10% of a partition at 10x, or the model failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}"
    )
    return json.loads(run.stdout)


def test_every_key_is_a_table_or_index_of_the_store(capacity):
    models = catalog.models()
    indexes = {(m.Meta.table_name.removeprefix(f"{PREFIX}-"), i) for m in models for i in [""] + list(m._indexes)}
    assert {tuple(row["table"].partition("/")[::2]) for row in capacity["keys"]} <= indexes
    # the scan's own transaction is in the model: the scan, the visit and its chain, the counts, the notice
    assert {"scans", "visits", "visit-events", "tallies", "notices"} <= {row["table"] for row in capacity["keys"]}


def test_province_wide_keys_grow_with_the_province_and_bounded_keys_do_not(capacity):
    assert capacity["peak_visits"]["10x"] == pytest.approx(10 * capacity["peak_visits"]["1x"], rel=0.01)
    for row in capacity["keys"]:
        for kind in ("write", "read"):
            one, ten = row[f"{kind}_1x"], row[f"{kind}_10x"]
            if row["by"] in ("region", "agency", "shard", "global"):
                assert ten == pytest.approx(10 * one, rel=0.01, abs=0.1), row
            else:
                assert one <= ten <= 10 * one + 0.01, row
        assert row["load_10x"] == pytest.approx(max(row["write_10x"] / 1000, row["read_10x"] / 3000)), row


def test_no_key_passes_a_tenth_of_a_partition_at_ten_times_hebei(capacity):
    assert max(row["load_10x"] for row in capacity["keys"]) <= 0.10
    region_keys = [row for row in capacity["keys"] if row["by"] == "region"]
    assert any(row["table"] == "visits/by_region" for row in region_keys)  # the index every visit write lands in


def test_lambda_and_cost_follow_the_traffic(capacity):
    lam = capacity["lambda"]
    assert lam["peak_concurrency"]["10x"] == pytest.approx(10 * lam["peak_concurrency"]["1x"], rel=0.01)
    assert lam["per_scan"]["store_requests"] >= 2  # at least the batched read and the transaction
    cost = lam["usd_per_million_scans"]
    assert cost["total"] == pytest.approx(cost["lambda"] + cost["api_gateway"] + cost["dynamodb"], abs=0.02)
    assert "bench/capacity.py" in (ROOT / "docs" / "capacity.md").read_text()
