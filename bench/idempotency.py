"""What an Idempotency-Key costs a POST: the same kinds of write sent with a key and without one, alternating,
through the handlers in this process (local.invoke.call: the v2.0 event the gateway makes) against one
moto server, and the key's retry (the first answer replayed, nothing written again).

Prints, per kind of write: store calls per request by operation, items written per request, and the median
time with a key as a ratio to the same write without one, measured in the same run (this machine is
noisy: compare ratios, not milliseconds). DynamoDB bills a transactional write at twice a standard one per
item, which the item counts below do not show: see the closing line.

    python bench/idempotency.py            200 requests of each kind and each way
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import config  # noqa: E402

DYNAMO, _ = config.configure_scratch("sheqi-bench-")

from local import demo_data, dynamo  # noqa: E402
from local.invoke import call  # noqa: E402
from sheqi.store import catalog  # noqa: E402

REQUESTS = 200
ENTERPRISE = demo_data.IDENTITIES["enterprise-1"][1]
calls: Counter = Counter()
written: Counter = Counter()

KINDS = {
    "企业申请检查（单条写入）": lambda n: (
        f"/enterprises/{ENTERPRISE.enterprise_id}/inspection-requests",
        {"agency_id": demo_data.MARKET, "description": f"新建冷库，申请检查食品贮存条件（第{n}次）"},
    ),
    "企业投诉（写入投诉并通知司法局）": lambda n: (
        "/complaints",
        {
            "subject": "unregistered_inspection",
            "agency_name": "某检查组",
            "occurred_on": "2026-06-10",
            "description": f"未扫码即进入厂区检查消防设施（第{n}次）",
        },
    ),
}


def count_items(params, **_) -> None:
    """Items a write puts or updates (a transaction's every action; the condition-only ones write nothing)."""
    if "TransactItems" in params:
        written.update(["items"] * sum(1 for action in params["TransactItems"] if "ConditionCheck" not in action))
    else:
        written.update(["items"])


def send(path: str, body: dict, key: str | None) -> tuple[float, Counter, int, int]:
    before_calls, before_items = calls.copy(), written["items"]
    started = time.perf_counter()
    status, answer = call("POST", path, ENTERPRISE, body, headers={"idempotency-key": key} if key else None)
    seconds = time.perf_counter() - started
    assert status == 201, answer
    return seconds, calls - before_calls, written["items"] - before_items, status


def main() -> None:
    dynamo.start_server_process(DYNAMO)
    endpoint = f"http://127.0.0.1:{DYNAMO}"
    dynamo.create_tables(endpoint)
    dynamo.create_buckets(endpoint)
    demo_data.load()
    models = catalog.models()
    dynamo.count_calls(models, calls)
    for model in models:
        client = model._get_connection().connection.client
        for operation in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"):
            client.meta.events.register(f"provide-client-params.dynamodb.{operation}", count_items)

    print(f"幂等键的代价（每类写入 {REQUESTS} 次带键、{REQUESTS} 次不带键，交替进行；同一 moto 服务器，本次运行测得）")
    for name, request in KINDS.items():
        plain, keyed, replayed = [], [], []
        for n in range(REQUESTS):
            path, body = request(f"a{n}")
            plain.append(send(path, body, None))
            key = str(uuid.uuid4())
            path, body = request(f"b{n}")
            keyed.append(send(path, body, key))
            replayed.append(send(path, body, key))
        print(f"  {name}")
        for label, runs in (("不带键", plain), ("带键", keyed), ("带键重试（重放首次应答）", replayed)):
            operations = sum((run[1] for run in runs), Counter())
            per_request = ", ".join(f"{op} {count / len(runs):.2f}" for op, count in sorted(operations.items()))
            items = sum(run[2] for run in runs) / len(runs)
            print(f"    {label:<14} 每次存储调用：{per_request}；每次写入条目 {items:.2f}")
        base = statistics.median(run[0] for run in plain)
        print(
            f"    中位耗时之比：带键 / 不带键 = {statistics.median(run[0] for run in keyed) / base:.2f}，"
            f"重试 / 不带键 = {statistics.median(run[0] for run in replayed) / base:.2f}"
        )
    print("  DynamoDB 按条目计费：事务写入每条计 2 个写入单位，标准写入每条 1 个（每 1 KB）。")


if __name__ == "__main__":
    main()
