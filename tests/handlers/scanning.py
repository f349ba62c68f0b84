"""Scanning in, as the handler tests need it: a fixed clock (mid-June 2026), tasks, scans and visits."""

import json
import uuid
from datetime import datetime, timedelta

from local.demo_data import ENTERPRISES, MARKET
from sheqi.clock import CST
from sheqi.signing import codes
from sheqi.store.registers import Enterprise
from tests.helpers import call, sample_event

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=CST)
E1, E3, E4 = (ENTERPRISES[i]["enterprise_id"] for i in (0, 2, 3))  # good (Zhangbei), poor (Zhangbei), good (Huailai)
HERE = {"latitude": 41.1500, "longitude": 114.7000, "accuracy_m": 12.0}


def new_task(admin="admin-market", participants=None, targets=(E1,), days_back=9, **extra) -> str:
    spec = {
        "type": "routine",
        "method": "on_site",
        "targets": list(targets),
        "participants": participants
        or [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}],
        "window_start": (NOW - timedelta(days=days_back)).isoformat(),
        "window_end": (NOW + timedelta(hours=8)).isoformat(),
        **extra,
    }
    status, answer = call("POST", "/tasks", admin, spec)
    assert status == 201, answer
    return answer["task_id"]


def scan(who, task_id, enterprise=E1, at=None, rid=None, token=None, **extra):
    token = token or codes.code_url(codes.sign(enterprise, Enterprise.get(enterprise).code_version))
    body = {
        "token": token,
        "task_id": task_id,
        "client_request_id": rid or uuid.uuid4().hex[:16],
        "device_time": (at or NOW).isoformat(),
        "location": HERE,
        **extra,
    }
    return call("POST", "/scans", who, body)


def open_visit(task_id, enterprise=E1, at=None, pair=("market-wang", "market-li"), **extra):
    first = scan(pair[0], task_id, enterprise, at, **extra)
    assert first[0] == 202, first
    return scan(pair[1], task_id, enterprise, at, **extra)


def close_compliant(visit_id: str, who: str = "market-wang") -> None:
    """The market agency's food item found compliant and the visit closed without a violation."""
    call("POST", f"/visits/{visit_id}/findings", who, {"agency_id": MARKET, "item_id": "food-business", "result": "compliant"})
    status, answer = call(
        "POST",
        f"/visits/{visit_id}/close",
        who,
        {"ended_at": NOW.isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
    )
    assert status == 201, answer


def at_visit(sample: str, visit_id: str, body: dict | None = None) -> dict:
    """A sample event from events/, aimed at a real visit."""
    event = sample_event(sample)
    old = event["pathParameters"]["visit_id"]
    event["rawPath"] = event["requestContext"]["http"]["path"] = event["rawPath"].replace(old, visit_id)
    event["pathParameters"]["visit_id"] = visit_id
    if body is not None:
        event["body"] = json.dumps(body, ensure_ascii=False)
    return event
