"""What an inspector's phone learns without knowing any id: the approved tasks naming them (`GET
/tasks?mine=true`), a notice when one is approved or withdrawn; and the agency admin's list by status."""

import json
import threading
from datetime import datetime

from local.demo_data import ENTERPRISES, MARKET, POLICE
from local.invoke import invoke
from sheqi import clock
from sheqi.clock import CST
from sheqi.store.tasks import Assignment, Task
from tests.handlers.scanning import E1, E4, new_task, scan
from tests.helpers import call, sample_event

TEAM = ("market-wang", "market-li")
# The 怀来 police lead at a 怀来 enterprise; the 张北 market agency joins from its county (Art. 8, 17).
JOINT = [
    {"agency_id": POLICE, "item_ids": ["fire-safety"], "inspector_ids": ["police-zhang", "police-liu"]},
    {"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": list(TEAM)},
]


def joint_task() -> str:
    return new_task(
        "admin-police", JOINT, targets=(E4,), type="case", trigger={"kind": "complaint", "reference": "12345-2026-0615"}
    )


def mine(who: str, query: str = "") -> list[dict]:
    status, page = call("GET", "/tasks", who, query="mine=true" + query)
    assert status == 200, page
    return page["items"]


def box(who: str, prefix: str) -> list[dict]:
    status, page = call("GET", "/notices", who, query="limit=100")
    assert status == 200
    return [n for n in page["items"] if n["notice_id"].startswith(prefix)]


def test_an_inspector_lists_the_tasks_naming_them_with_what_the_door_needs(june):
    task_id = new_task(targets=(E1, ENTERPRISES[1]["enterprise_id"]))
    listed = {t["task_id"]: t for t in mine("market-wang")}
    task = listed[task_id]
    assert task["status"] == "approved" and task["current"] is True and task["method"] == "on_site"
    assert task["lead_agency"] == {"agency_id": MARKET, "name": "张北县市场监督管理局"}
    assert [(i["item_id"], bool(i["legal_basis"]), i["agency_name"]) for i in task["items"]] == [
        ("food-business", True, "张北县市场监督管理局")
    ]
    assert [m["inspector_id"] for m in task["other_inspectors"]] == ["market-li"]
    assert [e["enterprise_id"] for e in task["enterprises"]] == [E1, ENTERPRISES[1]["enterprise_id"]]
    first = task["enterprises"][0]
    assert first["name"] == ENTERPRISES[0]["name"] and first["address"]
    assert "credit_tier" not in json.dumps(task)
    # Announced: the advance notice is written, not yet sent; the enterprise acknowledging it counts as told.
    assert first["notice"]["delivery"] == "pending" and first["notified"] is False
    assert call("POST", f"/notices/task-announced:{task_id}/acknowledge", "enterprise-1")[0] == 200
    assert next(t for t in mine("market-wang") if t["task_id"] == task_id)["enterprises"][0]["notified"] is True
    # Another agency's inspectors never see it; an admin's list is by status, not mine.
    assert task_id not in {t["task_id"] for t in mine("police-zhang")}
    status, body = call("GET", "/tasks", "admin-market", query="mine=true")
    assert status == 403 and body["error"]["code"] == "role_not_allowed"
    status, body = call("GET", "/tasks", "market-wang")
    assert status == 403 and body["error"]["code"] == "out_of_scope"


def test_tasks_over_are_left_out_and_the_rest_come_soonest_ending_first(june, monkeypatch):
    short = new_task()  # ends tonight (NOW + 8 hours)
    listed = [t["task_id"] for t in mine("market-wang")]
    assert listed[0] == short and len(listed) > 1  # then the demo's year-long tasks
    assert [t["window_end"] for t in mine("market-wang")] == sorted(t["window_end"] for t in mine("market-wang"))
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 16, 9, 0, tzinfo=CST))
    assert short not in {t["task_id"] for t in mine("market-wang")}


def test_the_list_pages_by_cursor_and_refuses_anothers_cursor(june):
    for _ in range(3):
        new_task()
    seen, cursor = [], ""
    while True:
        status, page = call("GET", "/tasks", "market-wang", query=f"mine=true&limit=2{cursor}")
        assert status == 200 and len(page["items"]) <= 2
        seen += [t["task_id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == len(mine("market-wang", "&limit=100")) >= 3
    status, body = call("GET", "/tasks", "market-li", query=f"mine=true&limit=2{cursor}")
    assert status == 400 and body["error"]["code"] == "invalid_cursor"


def test_a_joint_task_reaches_the_phones_once_every_agency_approved(june):
    joint = joint_task()
    assert joint not in {t["task_id"] for t in mine("market-wang")}
    assert box("market-wang", f"task-assigned:{joint}") == []
    assert call("POST", f"/tasks/{joint}/approve", "admin-market")[0] == 200
    for who in (*TEAM, "police-zhang", "police-liu"):
        assert joint in {t["task_id"] for t in mine(who)}
        [notice] = box(who, f"task-assigned:{joint}")
        assert notice["kind"] == "task_assigned" and notice["article"]
    task = next(t for t in mine("police-liu") if t["task_id"] == joint)
    assert {m["inspector_id"] for m in task["other_inspectors"]} == {*TEAM, "police-zhang"}
    assert {i["agency_id"] for i in task["items"]} == {MARKET, POLICE}


def test_a_withdrawn_task_leaves_the_phones_tells_everyone_and_refuses_scans(june):
    task_id = new_task()
    status, answer = call("POST", f"/tasks/{task_id}/withdraw", "admin-market", {"reason": "企业已停业，检查取消"})
    assert status == 200 and answer["status"] == "withdrawn" and answer["withdrawn"]["reason"] == "企业已停业，检查取消"
    for who in TEAM:
        assert task_id not in {t["task_id"] for t in mine(who)}
        [notice] = box(who, f"task-withdrawn:{task_id}")
        assert "企业已停业" in notice["body"]
    assert [n["kind"] for n in box("enterprise-1", f"task-withdrawn:{task_id}")] == ["inspection_withdrawn"]
    status, body = call("POST", f"/tasks/{task_id}/withdraw", "admin-market", {"reason": "再次撤回"})
    assert status == 409 and body["error"]["code"] == "task_withdrawn"
    status, refused = scan("market-wang", task_id)
    assert refused["outcome"] == "refused" and "task_withdrawn" in {r["code"] for r in refused["reasons"]}


def test_only_the_lead_agencys_admin_withdraws_and_with_a_reason(june):
    joint = joint_task()
    assert call("POST", f"/tasks/{joint}/withdraw", "admin-market", {"reason": "不是牵头机关"})[0] == 403
    assert call("POST", f"/tasks/{joint}/withdraw", "police-zhang", {"reason": "执法人员不能撤回"})[0] == 403
    status, body = call("POST", f"/tasks/{joint}/withdraw", "admin-police", {})
    assert status == 422 and body["error"]["field"] == "reason"
    assert Task.get(joint).status == "pending_approval"
    # Withdrawn before every agency approved: nobody was told of it, so nobody is told it is withdrawn.
    assert call("POST", f"/tasks/{joint}/withdraw", "admin-police", {"reason": "联合检查取消"})[0] == 200
    assert box("market-wang", f"task-withdrawn:{joint}") == [] and box("police-zhang", f"task-withdrawn:{joint}") == []
    assert call("POST", f"/tasks/{joint}/approve", "admin-market")[1]["error"]["code"] == "task_withdrawn"


def test_an_agency_admin_lists_its_tasks_by_status_newest_first(june):
    joint = joint_task()
    single = new_task()
    withdrawn = new_task()
    call("POST", f"/tasks/{withdrawn}/withdraw", "admin-market", {"reason": "计划调整，取消检查"})

    def listed(status: str, who: str = "admin-market") -> list[str]:
        code, page = call("GET", "/tasks", who, query=f"status={status}&limit=100")
        assert code == 200, page
        created = [t["created_at"] for t in page["items"]]
        assert created == sorted(created, reverse=True)
        return [t["task_id"] for t in page["items"]]

    assert listed("pending_approval", "admin-police") == [joint]
    approved = listed("approved")
    assert single in approved and joint not in approved and withdrawn not in approved
    assert listed("withdrawn") == [withdrawn]
    assert listed("pending_approval") == []  # a participant, not the lead
    status, body = call("GET", "/tasks", "admin-market", query="status=finished")
    assert status == 422 and body["error"]["field"] == "status"


def test_the_sample_event_lists_my_tasks(june):
    event = sample_event("http/list_my_tasks.json")
    result = invoke("functions/tasks/handler.handler", "tasks", event)
    assert result["statusCode"] == 200 and result["headers"]["X-Request-Id"] == event["requestContext"]["requestId"]
    assert {t["lead_agency"]["agency_id"] for t in json.loads(result["body"])["items"]} == {MARKET}


def _race(n: int, attempt) -> list[int]:
    barrier, statuses = threading.Barrier(n), []

    def run():
        barrier.wait()
        statuses.append(attempt()[0])

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_simultaneous_approvals_tell_each_inspector_once(june):
    joint = joint_task()
    statuses = _race(6, lambda: call("POST", f"/tasks/{joint}/approve", "admin-market"))
    assert sorted(statuses) == [200] + [409] * 5
    for who in (*TEAM, "police-zhang", "police-liu"):
        assert len(box(who, f"task-assigned:{joint}")) == 1
        assert [t["task_id"] for t in mine(who)].count(joint) == 1


def test_simultaneous_withdrawals_tell_each_inspector_once(june):
    task_id = new_task()
    statuses = _race(6, lambda: call("POST", f"/tasks/{task_id}/withdraw", "admin-market", {"reason": "计划调整，取消检查"}))
    assert sorted(statuses) == [200] + [409] * 5
    for who in TEAM:
        assert len(box(who, f"task-withdrawn:{task_id}")) == 1
    assert len(box("enterprise-1", f"task-withdrawn:{task_id}")) == 1
    [kept] = [a for a in Assignment.query("market-wang") if a.task_id == task_id]
    assert kept.withdrawn_at  # kept as a record, out of the list


def test_a_page_of_my_tasks_costs_three_store_round_trips_however_long(june, monkeypatch):
    """One Query of the assignments, one BatchGetItem of the tasks, one of all they name."""
    from botocore.client import BaseClient

    made = BaseClient._make_api_call
    calls: list[str] = []

    def counted(client, operation, params):
        calls.append(operation)
        return made(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    for extra in (0, 3):
        for _ in range(extra):
            new_task(targets=(E1, ENTERPRISES[1]["enterprise_id"]))
        calls.clear()
        assert len(mine("market-wang", "&limit=20")) >= 2 + extra
        assert sorted(calls) == ["BatchGetItem", "BatchGetItem", "Query"]
