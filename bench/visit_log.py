"""Visit logging benchmark: open a visit with 20 items (two tasks of 10, merged by scan-in), record a finding with one photo for each, close
it, then read the record and verify its chain, through the local gateway over HTTP.

Prints, per step: store round trips (DynamoDB and S3 calls, counted with botocore's `before-call` hook)
and median latency, as a ratio to a raw GetItem+PutItem pair on the same moto server measured in the
same run (this machine is noisy; compare ratios across runs, not milliseconds).
"""

from __future__ import annotations

import hashlib
import logging
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
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
from sheqi.store import catalog, objects  # noqa: E402
from sheqi.store.tallies import Tally  # noqa: E402
from sheqi.store.visits import Visit  # noqa: E402

ITEMS, VISITS, RAW_PAIRS = 20, 5, 500
calls: Counter = Counter()


def setup() -> tuple[list[str], list[str]]:
    dynamo.start_server_process(DYNAMO)
    endpoint = f"http://127.0.0.1:{DYNAMO}"
    dynamo.create_tables(endpoint)
    dynamo.create_buckets(endpoint)
    # 18 more items in the market regulator's published list and its plan: 20 with the demo's two.
    demo_data.ITEMS += [
        (
            demo_data.MARKET,
            dict(
                item_id=f"bench-{n:02d}",
                name=f"基准测试检查事项{n}",
                legal_basis=f"《基准测试条例》第{n + 1}条",
                responsible_unit="综合股",
                frequency_caps=dict(good=50, average=50, poor=50),
            ),
        )
        for n in range(ITEMS - 2)
    ]
    demo_data.load()
    item_ids = [spec["item_id"] for agency, spec in demo_data.ITEMS if agency == demo_data.MARKET]
    enterprises = []
    for n in range(VISITS):
        first17 = f"91130722MC{n:07d}"
        enterprises.append(first17 + uscc.check_character(first17))
        registers.create_enterprise(
            parse(
                registers.EnterpriseIn,
                {
                    "enterprise_id": enterprises[-1],
                    "name": f"张北县基准测试企业{n}号有限公司",
                    "region_code": "130722",
                    "credit_tier": "poor",
                    "credit_source": "基准测试",
                },
                strict=False,
            )
        )
    today = clock.today().isoformat()
    # A task names at most 10 items: the second task's scan joins the visit the first opened (Art. 17).
    task_ids = [
        tasks.create(
            demo_data.IDENTITIES["admin-market"][1],
            parse(
                tasks.TaskIn,
                {
                    "type": "routine",
                    "method": "on_site",
                    "targets": enterprises,
                    "participants": [
                        {"agency_id": demo_data.MARKET, "item_ids": half, "inspector_ids": ["market-wang", "market-li"]}
                    ],
                    "window_start": f"{today}T00:00:00+08:00",
                    "window_end": f"{today}T23:59:00+08:00",
                    "announced": False,
                    "unannounced_reason": "基准测试，不发预告",
                },
                strict=False,
            ),
        ).task_id
        for half in (item_ids[:10], item_ids[10:])
    ]
    dynamo.count_calls(catalog.models(), calls)
    objects.client().meta.events.register("before-call.s3.*", lambda model, **_: calls.update([f"S3.{model.name}"]))
    return task_ids, enterprises


def main() -> None:
    task_ids, enterprises = setup()
    server = make_server("127.0.0.1", GATEWAY, gateway.create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = config.jwt_secret()
    headers = {
        name: {"Authorization": f"Bearer {auth.issue_token(demo_data.IDENTITIES[name][1], secret)}"}
        for name in ("market-wang", "market-li", "enterprise-1")
    }
    session, base = requests.Session(), f"http://127.0.0.1:{GATEWAY}"
    steps: dict[str, list[tuple[float, int]]] = {}

    def step(name: str, method: str, path: str, who: str, body=None) -> dict:
        before, sent = sum(calls.values()), time.perf_counter()
        response = session.request(method, f"{base}{path}", json=body, headers=headers[who], timeout=60)
        steps.setdefault(name, []).append((time.perf_counter() - sent, sum(calls.values()) - before))
        assert response.status_code < 300, response.text
        return response.json()

    def raw_pair_seconds() -> float:  # the baseline, on the same moto server
        return dynamo.raw_pair_seconds(f"http://127.0.0.1:{DYNAMO}", Tally.Meta.table_name, RAW_PAIRS)

    raw_before = raw_pair_seconds()
    for enterprise in enterprises:
        token = codes.code_url(codes.sign(enterprise, 1))
        answers = [
            step(
                name,
                "POST",
                "/scans",
                who,
                {
                    "token": token,
                    "task_id": task_id,
                    "client_request_id": uuid.uuid4().hex,
                    "device_time": clock.now_iso(),
                    "location": {"latitude": 41.15, "longitude": 114.7, "accuracy_m": 10},
                },
            )
            for name, who, task_id in (
                ("扫码：第一人（待第二人）", "market-wang", task_ids[0]),
                ("扫码：第二人（开始检查）", "market-li", task_ids[0]),
                ("扫码：第二项任务（并入）", "market-wang", task_ids[1]),
            )
        ]
        assert [a["outcome"] for a in answers] == ["pending", "opened", "joined"], answers
        visit_id = answers[1]["visit_id"]
        for item in Visit.get(visit_id).items:
            photo = f"{visit_id}/{item['item_id']}".encode() * 2000  # about 80 KB
            sha = hashlib.sha256(photo).hexdigest()
            grant = step(
                "申请证据上传地址",
                "POST",
                f"/visits/{visit_id}/evidence-uploads",
                "market-wang",
                {"kind": "photo", "content_type": "image/jpeg", "size": len(photo), "sha256": sha},
            )
            session.put(grant["upload_url"], data=photo, headers=grant["headers"], timeout=60).raise_for_status()
            step(
                "记录一项检查情况（含1张照片核验）",
                "POST",
                f"/visits/{visit_id}/findings",
                "market-wang",
                {
                    "agency_id": item["agency_id"],
                    "item_id": item["item_id"],
                    "result": "compliant",
                    "notes": "符合要求",
                    "evidence": [{"key": grant["key"], "kind": "photo", "size": len(photo), "sha256": sha}],
                },
            )
        step(
            "结束检查并告知结果",
            "POST",
            f"/visits/{visit_id}/close",
            "market-wang",
            {"ended_at": clock.now_iso(), "outcome": "no_violation", "summary": "20项均符合要求"},
        )
        chain = step("读取并核验记录链", "GET", f"/visits/{visit_id}/chain", "market-wang")
        assert chain["intact"] and chain["head"]["seq"] == ITEMS + 3, chain["head"]
        step("读取检查详情", "GET", f"/visits/{visit_id}", "market-wang")
    raw = (raw_before + raw_pair_seconds()) / 2

    print(f"现场检查记录基准（{VISITS} 次检查，每次 {ITEMS} 个事项，经本地网关 HTTP 顺序请求）")
    print(f"  基线：原始 GetItem+PutItem 一对 {raw * 1000:.2f} 毫秒（同一 moto 服务器，本次运行前后测得的平均）")
    for name, samples in steps.items():
        latency = statistics.median(s for s, _ in samples)
        trips = [t for _, t in samples]
        print(
            f"  {name:<20} {len(samples):>4} 次  存储往返 {min(trips)}–{max(trips)}  "
            f"中位耗时 {latency * 1000:7.1f} 毫秒 = 基线的 {latency / raw:5.1f} 倍"
        )
    total = sum(s for samples in steps.values() for s, _ in samples) / VISITS
    print(f"  一次完整检查（3次扫码 + 20项记录 + 结束 + 核验 + 详情）合计 {total:.2f} 秒 = 基线的 {total / raw:,.0f} 倍")
    print(f"  各操作调用次数：{dict(sorted(calls.items()))}")
    server.shutdown()


if __name__ == "__main__":
    main()
