"""Scan-in benchmark, on the local stack's own parts (moto server + gateway) in one process run.

Prints
- store round trips per scan by outcome, counted with botocore's `before-call` event hook on every
  PynamoDB client (target for every outcome: 2, one BatchGetItem and one TransactWriteItems): at each
  enterprise one inspector's scan waits (pending), the second's opens the visit, and the first's again joins it;
- scans per second through the local gateway over HTTP, against the raw GetItem+PutItem pairs per
  second of the same moto server measured in the same run; the ratio is what to compare across runs;
- a burst of 50 simultaneous scans of one enterprise (issue 12): outcomes (none may be a 409), store
  round trips per scan, and its scans per second as a ratio to the raw baseline measured just before.
moto runs in its own process; the gateway and the handlers run in this one, as `make run` runs them.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import config  # noqa: E402

DYNAMO, GATEWAY = config.configure_scratch("sheqi-bench-")

import requests  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)

from local import demo_data, dynamo, gateway  # noqa: E402
from sheqi import auth, clock  # noqa: E402
from sheqi.inputs import parse  # noqa: E402
from sheqi.inspections import tasks  # noqa: E402
from sheqi.registry import registers  # noqa: E402
from sheqi.rules import uscc  # noqa: E402
from sheqi.signing import codes  # noqa: E402
from sheqi.store import catalog  # noqa: E402
from sheqi.store.tallies import Tally  # noqa: E402

ENTERPRISES = 200
RAW_PAIRS = 1000
BURST = 50

calls: Counter = Counter()


def setup() -> list[tuple[str, str]]:
    # moto in its own process, as in a deployment the store is not in the function's process.
    dynamo.start_server_process(DYNAMO)
    dynamo.create_tables(f"http://127.0.0.1:{DYNAMO}")
    demo_data.load()
    admin = demo_data.IDENTITIES["admin-market"][1]
    ids = []
    for n in range(ENTERPRISES):
        first17 = f"91130722MB{n:07d}"
        ids.append(first17 + uscc.check_character(first17))
        registers.create_enterprise(
            parse(
                registers.EnterpriseIn,
                {
                    "enterprise_id": ids[-1],
                    "name": f"张北县基准测试企业{n}号有限公司",
                    "region_code": "130722",
                    "credit_tier": "poor",
                    "credit_source": "基准测试",
                },
                strict=False,
            )
        )
    today = clock.today()
    pairs = []
    for chunk in range(0, ENTERPRISES, tasks.MAX_TARGETS):
        task = tasks.create(
            admin,
            parse(
                tasks.TaskIn,
                {
                    "type": "routine",
                    "method": "on_site",
                    "targets": ids[chunk : chunk + tasks.MAX_TARGETS],
                    "participants": [
                        {
                            "agency_id": demo_data.MARKET,
                            "item_ids": ["food-business"],
                            "inspector_ids": ["market-wang", "market-li"],
                        }
                    ],
                    "window_start": f"{today.isoformat()}T00:00:00+08:00",
                    "window_end": f"{today.isoformat()}T23:59:00+08:00",
                    "announced": False,
                    "unannounced_reason": "基准测试，不发预告",
                },
                strict=False,
            ),
        )
        pairs += [(task.task_id, e) for e in ids[chunk : chunk + tasks.MAX_TARGETS]]
    dynamo.count_calls(catalog.models(), calls)
    return pairs


def raw_rate() -> float:
    """GetItem+PutItem pairs a second on the same moto server."""
    return 1 / dynamo.raw_pair_seconds(f"http://127.0.0.1:{DYNAMO}", Tally.Meta.table_name, RAW_PAIRS)


def main() -> None:
    pairs = setup()
    server = make_server("127.0.0.1", GATEWAY, gateway.create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = config.jwt_secret()
    headers = {
        name: {"Authorization": f"Bearer {auth.issue_token(demo_data.IDENTITIES[name][1], secret)}"}
        for name in ("market-wang", "market-li")
    }
    session = requests.Session()
    base = f"http://127.0.0.1:{GATEWAY}"

    def post(who: str, task_id: str, enterprise: str, client=session) -> str:
        """One scan over HTTP, as the inspector's phone sends it."""
        body = {
            "token": codes.code_url(codes.sign(enterprise, 1)),
            "task_id": task_id,
            "client_request_id": uuid.uuid4().hex,
            "device_time": clock.now_iso(),
            "location": {"latitude": 41.15, "longitude": 114.7, "accuracy_m": 10},
        }
        response = client.post(f"{base}/scans", json=body, headers=headers[who], timeout=30)
        answer = response.json()
        if response.status_code not in (201, 202):
            return f"{response.status_code} {answer['error']['code']}"
        return "/".join([answer["outcome"], *(r["code"] for r in answer["reasons"])])

    raw_before = raw_rate()
    # The burst first: moto deep-copies the tables a transaction touches, so it slows as they grow (below).
    before, started = sum(calls.values()), time.perf_counter()
    with ThreadPoolExecutor(max_workers=BURST) as pool:  # requests' module-level post: one connection per thread
        burst = Counter(pool.map(lambda who: post(who, *pairs[-1], client=requests), ["market-wang", "market-li"] * (BURST // 2)))
    burst_rate, burst_trips = BURST / (time.perf_counter() - started), (sum(calls.values()) - before) / BURST
    pairs = pairs[:-1]
    per_outcome: dict[str, list[int]] = {}
    latencies = []
    started = time.perf_counter()
    for task_id, enterprise in pairs:
        for who in ("market-wang", "market-li", "market-wang"):  # pending, opened, joined
            before, sent = sum(calls.values()), time.perf_counter()
            outcome = post(who, task_id, enterprise)
            latencies.append(time.perf_counter() - sent)
            per_outcome.setdefault(outcome, []).append(sum(calls.values()) - before)
    elapsed = time.perf_counter() - started
    raw_after = raw_rate()  # moto slows as tables grow; measure the baseline on both sides
    raw = (raw_before + raw_after) / 2
    scans = 3 * len(pairs)
    rate = scans / elapsed
    print(f"扫码入企基准（{scans} 次扫码，{len(pairs)} 家企业，单客户端顺序请求）")
    for outcome, trips in sorted(per_outcome.items()):
        print(f"  {outcome:<8} {len(trips):>4} 次，每次存储往返 {min(trips)}–{max(trips)}（平均 {sum(trips) / len(trips):.2f}）")
    print(f"  各操作调用次数：{dict(calls)}")
    print(
        f"  原始 GetItem+PutItem：扫码前 {raw_before:,.0f} 对/秒，扫码后 {raw_after:,.0f} 对/秒（同一 moto 服务器，本次运行测得；取平均作基线）"
    )
    print(f"  经本地网关扫码：{rate:,.0f} 次/秒；与基线之比 {rate / raw:.3f}")
    print(
        f"  同一企业同时 {BURST} 次扫码（先于上面的顺序扫码测得）：结果 {dict(burst)}；每次存储往返平均 {burst_trips:.2f}；"
        f"{burst_rate:,.1f} 次/秒，与扫码前基线之比 {burst_rate / raw_before:.3f}"
    )
    tenth = len(latencies) // 10
    first, last = (sum(part) / len(part) * 1000 for part in (latencies[:tenth], latencies[-tenth:]))
    print(
        f"  单次扫码耗时：前10% 平均 {first:.1f} 毫秒，后10% 平均 {last:.1f} 毫秒（比值 {last / first:.2f}）。"
        "moto 的 TransactWriteItems 为回滚深拷贝所涉整表，耗时随表增大；DynamoDB 无此开销"
    )
    server.shutdown()


if __name__ == "__main__":
    main()
