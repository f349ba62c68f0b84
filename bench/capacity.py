"""Capacity on paper: peak DynamoDB traffic per partition key and index key at 1x and 10x Hebei, against
DynamoDB's per-partition limits, and Lambda concurrency and cost per million scans (docs/capacity.md).

The key design is not copied by hand. Each everyday operation (the two scans that open a visit, a
refused scan, a service visit, a finding, the close, the enterprise's rating, the delivery of the
notices they made, the enterprise and the inspector reading) runs once through its handler against moto,
and every DynamoDB request the server receives is recorded. Written items are read back for their size
and for the indexes they land in (the GlobalSecondaryIndexes of the PynamoDB models in sheqi.store); key
values become key shapes by naming the identifiers the operation used ({enterprise}, {region}, ...). The
most specific identifier in a shape decides how much of the province's traffic its busiest value takes
(CONCENTRATION). Prints the figures docs/capacity.md explains; exits 1 if a key passes 10% of a
partition's limit at 10x.
Usage: bench/capacity.py [--json]
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import config  # noqa: E402

STORE_PORT, _ = config.configure_scratch("sheqi-capacity-")

import boto3  # noqa: E402
from werkzeug.wsgi import get_input_stream  # noqa: E402

from local import demo_data, dynamo, invoke, serverless_config  # noqa: E402
from sheqi import clock  # noqa: E402
from sheqi.clock import CST  # noqa: E402
from sheqi.inspections import tasks  # noqa: E402
from sheqi.reminders import delivery  # noqa: E402
from sheqi.store import catalog  # noqa: E402
from sheqi.store.notices import DELIVERY_SHARDS  # noqa: E402
from sheqi.store.registers import Enterprise  # noqa: E402

# --- the traffic model (docs/capacity.md says why) -------------------------------------------------
ENTITIES = 8_000_000  # market entities in Hebei (1x)
INSPECTIONS_PER_ENTITY_YEAR = 0.3  # on-site inspections a year per entity: 2.4 million at 1x
WORKING_DAYS = 250
PEAK_SHARE, PEAK_SECONDS = 0.4, 1800  # 40% of a day's scans in the half hour after teams set out (9:00-9:30)
PER_VISIT = {  # each operation, per inspection visit
    "scan (first inspector, pending)": 1,
    "scan (second inspector, opens the visit)": 1,
    "refused scan": 0.05,
    "service visit": 0.1,
    "finding": 3,
    "close": 1,
    "rating by the enterprise": 0.3,
    "notice delivery run": 1,
    "enterprise reads its inspections": 1,
    "inspector reads the visit": 4,
}
SCAN_OPERATIONS = ("scan (first inspector, pending)", "scan (second inspector, opens the visit)", "refused scan", "service visit")
# The busiest value of a key takes a share of the province's traffic (a county-level region, an agency:
# the bigger the province, the more), or is bounded by what can happen at one thing at once.
REGION_SHARE = 0.03  # the largest of Hebei's 167 county-level regions: ~3% of its entities
SHARE = {
    "global": 1.0,
    "shard": 1 / DELIVERY_SHARDS,
    "region": REGION_SHARE,
    "agency": REGION_SHARE,
}  # an agency works within its region
BURST = {  # identifier -> (visits opened a second at one value, other operations a second)
    "enterprise": (5.0, 1.0),  # a joint inspection: five agencies' pairs scanning at the same door at once
    "task": (tasks.MAX_TARGETS / 60, 1.0),  # every target of the largest task visited within one minute
    "inspector": (0.5, 1.0),
    "visit": (1.0, 1.0),
    "scan": (1.0, 1.0),
    "id": (1.0, 1.0),
}
SPECIFIC_FIRST = ("scan", "visit", "id", "enterprise", "inspector", "task", "agency", "region", "shard")
PARTITION_WCU, PARTITION_RCU, HOT = 1000, 3000, 0.10
# Lambda and prices: list prices of us-east-1 (USD, 2025); AWS China (cn-north-1) bills in CNY from its own list.
HANDLER_SECONDS = {"scans": 0.25, "visits": 0.2, "ratings": 0.2}  # warm, per invocation
LAMBDA_REQUEST, LAMBDA_GB_SECOND = 0.20 / 1e6, 0.0000166667
DDB_WRU, DDB_RRU, HTTP_API_REQUEST = 0.625 / 1e6, 0.125 / 1e6, 1.00 / 1e6


def peak_visits_per_second(scale: float) -> float:
    return ENTITIES * scale * INSPECTIONS_PER_ENTITY_YEAR / WORKING_DAYS * PEAK_SHARE / PEAK_SECONDS


def busiest(kind: str, operation: str, scale: float) -> float:
    """How often `operation` reaches the busiest value of a key concentrated by `kind`, at the peak."""
    province = peak_visits_per_second(scale) * PER_VISIT[operation]
    if kind in SHARE:
        return province * SHARE[kind]
    visits, others = BURST[kind]
    return min(province, visits * PER_VISIT[operation] if operation in SCAN_OPERATIONS else others)


# --- recording -----------------------------------------------------------------------------------------
class Recorder:
    """WSGI middleware in front of moto: keeps each DynamoDB request and its answer, by operation."""

    def __init__(self, app):
        self.app, self.operation, self.calls = app, None, defaultdict(list)

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_") or self.operation is None:
            return self.app(environ, start_response)
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        answer = b"".join(self.app(environ, start_response))
        self.calls[self.operation].append((target.rpartition(".")[2], json.loads(body), json.loads(answer or b"{}")))
        return [answer]


def item_size(item: dict) -> int:
    """DynamoDB's item size, near enough: attribute names plus their values' lengths."""

    def value(v: dict) -> int:
        ((kind, raw),) = v.items()
        if kind == "M":
            return 3 + sum(len(k.encode()) + value(x) for k, x in raw.items())
        if kind == "L":
            return 3 + sum(1 + value(x) for x in raw)
        if kind in ("SS", "NS"):
            return sum(len(str(x).encode()) for x in raw)
        return 1 if kind in ("BOOL", "NULL") else len(str(raw).encode())

    return sum(len(k.encode()) + value(v) for k, v in item.items())


def indexes_by_table() -> dict[str, dict[str, str]]:
    """table name -> {index name: its hash key attribute}, from every model of the table."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for model in catalog.models():
        for index in model._indexes.values():
            found[model.Meta.table_name][index.Meta.index_name] = index._hash_key_attribute().attr_name
    return found


def key_schemas() -> dict[str, str]:
    """table name -> its hash key attribute."""
    return {model.Meta.table_name: model._hash_key_attribute().attr_name for model in catalog.models()}


def units(size: int, per: int) -> int:
    return max(1, math.ceil(size / per))


class _Units:
    """The capacity each call uses, item by item, in `out`."""

    def __init__(self, client, indexes: dict, hashes: dict):
        self.client, self.indexes, self.hashes = client, indexes, hashes
        self.out: list[tuple[str, str, str, float]] = []

    def write(self, table: str, key: dict | None, item: dict | None, factor: int, indexed: bool = True) -> None:
        if item is None:  # an update or delete: its size and index keys as it stands after the operation
            item = self.client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", key)
        size = item_size(item)
        self.out.append((table, _text(item[self.hashes[table]]), "write", factor * units(size, 1024)))
        for index, attribute in self.indexes.get(table, {}).items() if indexed else ():
            if attribute in item:  # every index projects all attributes: the item's size again
                self.out.append((f"{table}/{index}", _text(item[attribute]), "write", units(size, 1024)))

    def read(self, table: str, items: list, consistent: bool, index: str | None = None, hash_value: str | None = None) -> None:
        per_item = index is None and hash_value is None  # GetItem / BatchGetItem round each item up
        sizes = [item_size(i) for i in items] or [1]
        rate = 1 if consistent else 0.5
        if per_item:
            for item in items:
                self.out.append((table, _text(item[self.hashes[table]]), "read", rate * units(item_size(item), 4096)))
        else:
            self.out.append((f"{table}/{index}" if index else table, hash_value, "read", rate * units(sum(sizes), 4096)))

    def call(self, operation: str, request: dict, answer: dict) -> None:
        if operation == "PutItem":
            self.write(request["TableName"], None, request["Item"], 1)
        elif operation in ("UpdateItem", "DeleteItem"):
            self.write(request["TableName"], request["Key"], None, 1)
        elif operation == "BatchWriteItem":
            for table, requests in request["RequestItems"].items():
                for r in requests:
                    self.write(table, r.get("DeleteRequest", {}).get("Key"), r.get("PutRequest", {}).get("Item"), 1)
        elif operation == "TransactWriteItems":  # transactional: 2 WCU per KB, condition checks included
            for action in request["TransactItems"]:
                ((kind, spec),) = action.items()
                self.write(spec["TableName"], spec.get("Key"), spec.get("Item"), 2, indexed=kind != "ConditionCheck")
        elif operation == "GetItem":
            self.read(request["TableName"], [answer["Item"]] if "Item" in answer else [], request.get("ConsistentRead", False))
        elif operation == "BatchGetItem":
            for table, items in answer.get("Responses", {}).items():
                self.read(table, items, request["RequestItems"][table].get("ConsistentRead", False))
        elif operation == "Query":
            values = request.get("ExpressionAttributeValues", {})
            hash_value = _query_hash(request, self.indexes, self.hashes)
            self.read(
                request["TableName"],
                answer.get("Items", []),
                request.get("ConsistentRead", False),
                request.get("IndexName"),
                _text(values[hash_value]) if hash_value else "?",
            )
        elif operation in ("Scan", "TransactGetItems", "ExecuteStatement"):
            raise SystemExit(f"{operation} 出现在日常操作中：热路径不得 {operation}")


def accesses(calls: list, client, indexes: dict, hashes: dict) -> list[tuple[str, str, str, float]]:
    """(table[/index], partition key value, "write" or "read", capacity units) for each item touched."""
    tally = _Units(client, indexes, hashes)
    for operation, request, answer in calls:
        tally.call(operation, request, answer)
    return tally.out


def _text(value: dict) -> str:
    return str(next(iter(value.values())))


def _query_hash(request: dict, indexes: dict, hashes: dict) -> str | None:
    """The placeholder (":v") the key condition compares the partition key with."""
    table, index = request["TableName"], request.get("IndexName")
    attribute = indexes[table][index] if index else hashes[table]
    names = {v: k for k, v in request.get("ExpressionAttributeNames", {}).items()}
    condition = request["KeyConditionExpression"]
    for placeholder, name in ((p, n) for n, p in names.items()):
        if name == attribute:
            match = re.search(rf"{re.escape(placeholder)}\s*=\s*(:\w+)", condition)
            if match:
                return match.group(1)
    match = re.search(rf"\b{attribute}\s*=\s*(:\w+)", condition)
    return match.group(1) if match else None


# --- the operations, once each -------------------------------------------------------------------
def everyday(recorder: Recorder) -> dict[str, dict[str, str]]:
    """Run each operation once, recorded; returns the identifiers each used, by kind."""
    june = datetime(2026, 6, 15, 9, 15, tzinfo=CST)
    clock.now = lambda: june
    demo_data.load()
    who = {name: spec[1] for name, spec in demo_data.IDENTITIES.items()}
    enterprise = demo_data.ENTERPRISES[0]
    status, task = invoke.call(
        "POST",
        "/tasks",
        who["admin-market"],
        {
            "type": "routine",
            "method": "on_site",
            "targets": [enterprise["enterprise_id"]],
            "participants": [
                {"agency_id": demo_data.MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}
            ],
            "window_start": "2026-06-15T08:00:00+08:00",
            "window_end": "2026-06-15T18:00:00+08:00",
        },
    )
    assert status == 201, task
    code = Enterprise.get(enterprise["enterprise_id"]).code_version
    from sheqi.signing import codes

    token = codes.code_url(codes.sign(enterprise["enterprise_id"], code))
    place = {"latitude": enterprise["latitude"], "longitude": enterprise["longitude"], "accuracy_m": 10}

    def scan(inspector: str, request_id: str) -> dict:
        return invoke.call(
            "POST",
            "/scans",
            who[inspector],
            {
                "token": token,
                "task_id": task["task_id"],
                "client_request_id": request_id,
                "device_time": june.isoformat(),
                "location": place,
            },
        )[1]

    def run(name: str, action):
        recorder.operation = name
        try:
            return action()
        finally:
            recorder.operation = None

    pending = run("scan (first inspector, pending)", lambda: scan("market-wang", "capacity-1"))
    opened = run("scan (second inspector, opens the visit)", lambda: scan("market-li", "capacity-2"))
    assert (pending["outcome"], opened["outcome"]) == ("pending", "opened"), (pending, opened)
    visit = opened["visit_id"]
    refused = run("refused scan", lambda: scan("market-zhao", "capacity-3"))
    assert refused["outcome"] == "refused", refused
    service = run(
        "service visit",
        lambda: invoke.call(
            "POST",
            "/service-visits",
            who["market-wang"],
            {
                "token": token,
                "client_request_id": "capacity-4",
                "device_time": june.isoformat(),
                "purpose": "policy_briefing",
                "description": "宣讲新出台的惠企政策",
                "location": place,
            },
        )[1],
    )
    food = {"agency_id": demo_data.MARKET, "item_id": "food-business"}
    run(
        "finding",
        lambda: invoke.call(
            "POST",
            f"/visits/{visit}/findings",
            who["market-wang"],
            {**food, "result": "violation", "notes": "冷藏柜温度 9℃，超过要求"},
        ),
    )
    run(
        "close",
        lambda: invoke.call(
            "POST",
            f"/visits/{visit}/close",
            who["market-wang"],
            {
                "ended_at": june.isoformat(),
                "outcome": "correction_ordered",
                "summary": "责令改正",
                "correction_deadline": "2026-06-25",
            },
        ),
    )
    run(
        "rating by the enterprise",
        lambda: invoke.call(
            "POST", f"/visits/{visit}/rating", who["enterprise-1"], {"conduct": 5, "procedure": 5, "efficiency": 4}
        ),
    )
    run("notice delivery run", lambda: delivery.run(june))
    run(
        "enterprise reads its inspections",
        lambda: invoke.call("GET", f"/enterprises/{enterprise['enterprise_id']}/inspections", who["enterprise-1"]),
    )
    run("inspector reads the visit", lambda: invoke.call("GET", f"/visits/{visit}", who["market-wang"]))
    return {
        "scan": {f"market-{n}:capacity-{i}" for n, i in (("wang", 1), ("li", 2), ("zhao", 3), ("wang", 4))},
        "visit": {visit, service["visit_id"]},
        "task": {task["task_id"]},
        "enterprise": {e["enterprise_id"] for e in demo_data.ENTERPRISES},
        "inspector": {spec["inspector_id"] for _, spec in demo_data._inspectors(june.date())},
        "agency": {a["agency_id"] for a in demo_data.AGENCIES},
        "region": {demo_data.CITY, demo_data.ZHANGBEI, demo_data.HUAILAI},
    }


def shape(value: str, ids: dict[str, set[str]]) -> tuple[str, str]:
    """A key value as a key shape, and the identifier that decides its concentration."""
    if re.fullmatch(r"s\d+", value):
        return f"s{{0..{DELIVERY_SHARDS - 1}}}", "shard"
    text = value
    for kind in SPECIFIC_FIRST:
        for identifier in sorted(ids.get(kind, ()), key=len, reverse=True):
            text = text.replace(identifier, f"{{{kind}}}")
    text = re.sub(r"[0-9a-f]{32}", "{id}", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}", "{date}", text)
    text = re.sub(r"(?<![\d{])20\d{2}(Q[1-4])?(?!\d)", "{year}", text)
    kind = next((k for k in SPECIFIC_FIRST if f"{{{k}}}" in text), "global")
    return text, kind


def model() -> dict:
    server, endpoint = dynamo.start_server(STORE_PORT)
    dynamo.create_tables(endpoint)
    dynamo.create_queues(endpoint)
    dynamo.create_buckets(endpoint)
    dynamo.verify_sender(endpoint)
    recorder = Recorder(server.app.app)
    server.app.app = recorder
    ids = everyday(recorder)
    client = boto3.client("dynamodb", endpoint_url=endpoint)
    indexes, hashes = indexes_by_table(), key_schemas()
    prefix = f"{config.TABLE_PREFIX}-"
    keys: dict[tuple[str, str], dict] = {}
    units_per_operation: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for operation, calls in recorder.calls.items():
        for table, value, kind, amount in accesses(calls, client, indexes, hashes):
            key_shape, concentration = shape(value, ids)
            entry = keys.setdefault(
                (table.removeprefix(prefix), key_shape), {"by": concentration, "units": defaultdict(lambda: defaultdict(float))}
            )
            entry["units"][operation][kind] += amount
            units_per_operation[operation][kind] += amount
    server.shutdown()
    rows = []
    for (table, key_shape), entry in sorted(keys.items()):
        row = {"table": table, "key": key_shape, "by": entry["by"], "operations": sorted(entry["units"])}
        for scale in (1, 10):
            for kind in ("write", "read"):
                row[f"{kind}_{scale}x"] = round(
                    sum(units[kind] * busiest(entry["by"], operation, scale) for operation, units in entry["units"].items()), 2
                )
        row["load_10x"] = max(row["write_10x"] / PARTITION_WCU, row["read_10x"] / PARTITION_RCU)
        rows.append(row)
    return {
        "peak_visits": {f"{s}x": round(peak_visits_per_second(s), 2) for s in (1, 10)},
        "keys": rows,
        "lambda": lambda_model(recorder.calls, units_per_operation),
    }


def lambda_model(calls: dict, units_per_operation: dict) -> dict:
    """Concurrency at the peak, and cost per million scans (memory from serverless.yml; the DynamoDB
    request units the scans were recorded using)."""
    config_ = serverless_config.load()
    memory = {name: config_["functions"][name].get("memorySize") or config_["provider"]["memorySize"] for name in HANDLER_SECONDS}
    per_visit = {
        "scans": sum(PER_VISIT[o] for o in SCAN_OPERATIONS),
        "visits": sum(
            PER_VISIT[o] for o in ("finding", "close", "inspector reads the visit", "enterprise reads its inspections")
        ),
        "ratings": PER_VISIT["rating by the enterprise"],
    }
    concurrency = {
        f"{s}x": round(sum(peak_visits_per_second(s) * n * HANDLER_SECONDS[f] for f, n in per_visit.items()), 1) for s in (1, 10)
    }
    scans = per_visit["scans"]
    wru = sum(PER_VISIT[o] * units_per_operation[o]["write"] for o in SCAN_OPERATIONS) / scans
    rru = sum(PER_VISIT[o] * units_per_operation[o]["read"] for o in SCAN_OPERATIONS) / scans
    requests = sum(PER_VISIT[o] * len(calls[o]) for o in SCAN_OPERATIONS) / scans
    cost = {
        "lambda": 1e6 * (LAMBDA_REQUEST + memory["scans"] / 1024 * HANDLER_SECONDS["scans"] * LAMBDA_GB_SECOND),
        "api_gateway": 1e6 * HTTP_API_REQUEST,
        "dynamodb": 1e6 * (wru * DDB_WRU + rru * DDB_RRU),
    }
    return {
        "memory_mb": memory,
        "handler_seconds": HANDLER_SECONDS,
        "peak_concurrency": concurrency,
        "per_scan": {"store_requests": round(requests, 2), "write_units": round(wru, 1), "read_units": round(rru, 1)},
        "usd_per_million_scans": {k: round(v, 2) for k, v in {**cost, "total": sum(cost.values())}.items()},
    }


def main() -> int:
    result = model()
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(report(result))
    return 1 if any(r["load_10x"] > HOT for r in result["keys"]) else 0


def report(result: dict) -> str:
    peak, lam = result["peak_visits"], result["lambda"]
    lines = [
        f"模型：{ENTITIES:,} 户市场主体 × 每年 {INSPECTIONS_PER_ENTITY_YEAR} 次检查，{WORKING_DAYS} 个工作日，"
        f"{PEAK_SHARE:.0%} 的扫码在 {PEAK_SECONDS // 60} 分钟早高峰内",
        f"早高峰：1x 每秒开启 {peak['1x']} 次检查，10x {peak['10x']} 次；单分区上限 {PARTITION_WCU} WCU/s、{PARTITION_RCU} RCU/s",
        "",
        f"{'表/索引':<28}{'分区键形态':<58}{'集中于':<12}{'1x 写':>7}{'1x 读':>7}{'10x 写':>8}{'10x 读':>8}{'10x 占上限':>9}",
    ]
    for row in sorted(result["keys"], key=lambda r: -r["load_10x"]):
        flag = "  热点" if row["load_10x"] > HOT else ""
        lines.append(
            f"{row['table']:<30}{row['key']:<62}{row['by']:<13}{row['write_1x']:>8}{row['read_1x']:>8}"
            f"{row['write_10x']:>9}{row['read_10x']:>9}{row['load_10x']:>11.2%}{flag}"
        )
    per_scan, cost = lam["per_scan"], lam["usd_per_million_scans"]
    lines += [
        "",
        f"每次扫码：存储请求 {per_scan['store_requests']} 次，写入单位 {per_scan['write_units']}，读取单位 {per_scan['read_units']}",
        f"Lambda 峰值并发：1x {lam['peak_concurrency']['1x']}，10x {lam['peak_concurrency']['10x']}"
        f"（内存 {lam['memory_mb']} MB，每次调用 {lam['handler_seconds']} 秒）",
        "每百万次扫码费用（美元，us-east-1 标价）：" + "，".join(f"{k} {v}" for k, v in cost.items()),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
