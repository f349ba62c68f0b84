"""Every POST route of serverless.yml, sent twice with one Idempotency-Key: one effect and the same
answer; the key with another body: 409 idempotency_key_reused and nothing changed. Scans and service
visits carry their key in the body (`client_request_id`), which the header must equal. The key is
written in the same transaction as the request's effects (checked by watching the claim), and threads
racing one key leave one effect."""

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from local import serverless_config
from local.demo_data import MARKET, POLICE
from sheqi import clock, store
from sheqi.clock import CST
from sheqi.signing import codes
from sheqi.store.feedback import Complaint
from sheqi.store.idempotency import IdempotencyKey
from sheqi.store.notices import Notice
from sheqi.store.registers import Enterprise
from sheqi.store.supervision import Accountability, Letter
from sheqi.store.visits import VisitEvent
from tests.handlers.scanning import E1, E4, HERE, NOW, new_task, open_visit
from tests.handlers.test_hostile_input import tables_now
from tests.helpers import call, identity

FOOD = {"agency_id": MARKET, "item_id": "food-business"}
IDEMPOTENCY_TABLE = IdempotencyKey.Meta.table_name
# A draw's id is a digest of its inputs (seed, scope, pool): writing it again writes the same items, so its
# batch of entries carries no key; the key is kept after it.
UNKEYED_EFFECTS = {"POST /agencies/{agency_id}/draws"}


def open_visit_id() -> str:
    return open_visit(new_task())[1]["visit_id"]


def closed_visit_id(outcome="no_violation", result="compliant", **extra) -> str:
    visit_id = open_visit_id()
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": result})
    status, answer = call(
        "POST",
        f"/visits/{visit_id}/close",
        "market-wang",
        {"ended_at": NOW.isoformat(), "outcome": outcome, "summary": "检查完毕", **extra},
    )
    assert status == 201, answer
    return visit_id


def scan_body():
    return {
        "token": codes.sign(E1, Enterprise.get(E1).code_version),
        "task_id": new_task(),
        "client_request_id": uuid.uuid4().hex[:16],
        "device_time": NOW.isoformat(),
        "location": HERE,
    }


PLAN_2030 = {
    "year": 2030,
    "entries": [
        {
            "item_id": "food-business",
            "legal_basis": "《中华人民共和国食品安全法》第八十七条",
            "inspecting_body": "张北县市场监督管理局",
            "region_codes": ["130722"],
            "scope": "辖区食品经营者",
            "sampling_ratio": "0.20",
            "window_start": "2030-03-01",
            "window_end": "2030-11-30",
            "method": "on_site",
            "frequency": 1,
        }
    ],
}


def plan(action_before=()):
    status, draft = call("POST", f"/agencies/{MARKET}/plans", "admin-market", PLAN_2030)
    assert status == 201, draft
    path = f"/agencies/{MARKET}/plans/2030/{draft['version']}"
    for action, who in action_before:
        assert call("POST", f"{path}/{action}", who)[0] == 200
    return path


def campaign():
    call("PUT", f"/agencies/{MARKET}/campaign-quota", "platform", {"year": 2026, "quota": 5})
    return {
        "year": 2026,
        "title": "燃气安全专项检查",
        "item_ids": ["special-equipment"],
        "approving_authority": "张北县人民政府",
        "approving_level": "county_government",
        "approval_document": "张政字〔2026〕12号",
        "approved_on": "2026-03-01",
    }


def letter(**extra):
    status, issued = call(
        "POST",
        "/letters",
        "judicial-zhangbei",
        {"agency_id": MARKET, "findings": ["超频次检查"], "requirements": "核查并规范", "reply_working_days": 10, **extra},
    )
    assert status == 201, issued
    return issued["letter_id"]


def sample():
    closed_visit_id()
    status, drawn = call(
        "POST",
        "/return-visits",
        "judicial-zhangbei",
        {
            "region_code": "130722",
            "period_from": "2026-06-01",
            "period_to": "2026-06-30",
            "per_agency": 1,
            "seed": "幂等测试种子-2026",
        },
    )
    assert status == 201, drawn
    return drawn["sample_id"], drawn["entries"][0]["visit_id"]


def dead_letter():
    Notice(
        f"agency:{MARKET}",
        "test:dead",
        kind="test",
        title="测试",
        body="正文",
        created_at=clock.now_iso(),
        delivery="dead",
        dead_letter="dead",
        attempts=5,
    ).save()
    return {"recipient": f"agency:{MARKET}", "notice_id": "test:dead"}


def evidence(visit_id):
    content = b"photo"
    return {"kind": "photo", "content_type": "image/jpeg", "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def applicant():
    return {
        "applicant_id": E1,
        "applicant_kind": "enterprise",
        "name": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "facts": {"new_unicorn": True},
    }


TRANSFER = {
    "kind": "administrative",
    "matter": "仓库存放疑似未经许可的危险化学品",
    "to_authority": "张北县应急管理局",
    "basis": "《危险化学品安全管理条例》第六条：应急管理部门负责危险化学品安全监督管理",
}


def leader():
    return {
        "leader_id": "TD-01",
        "name": "风电材料创新团队",
        "kind": "team",
        "unit_name": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "period_start": "2024-06-01",
    }


def decision():
    """A decision letter the bureau requested on a suggestion the agency refused to correct (Art. 30)."""
    letter_id = letter()
    call(
        "POST",
        f"/letters/{letter_id}/reply",
        "admin-market",
        {"reply": "本机关认为该做法符合规定，不予纠正。", "corrected": False},
    )
    status, requested = call(
        "POST",
        f"/letters/{letter_id}/decision-request",
        "judicial-zhangbei",
        {"grounds": "答复拒不纠正", "requirements": "限期纠正，并报告处理结果"},
    )
    assert status == 201, requested
    return requested["letter_id"]


def joint_task():
    """Led by the competent 怀来 police; the 张北 market agency joins (Art. 8, 17), two inspectors each (Art. 19)."""
    return new_task(
        "admin-police",
        targets=(E4,),
        type="case",
        trigger={"kind": "complaint", "reference": "12345-2026-0615"},
        participants=[
            {"agency_id": POLICE, "item_ids": ["fire-safety"], "inspector_ids": ["police-zhang", "police-liu"]},
            {"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]},
        ],
    )


# route key -> () -> (caller, path, body): a request the route accepts, in the `june` world.
CASES = {
    "POST /enterprises": lambda: (
        "platform",
        "/enterprises",
        {
            "enterprise_id": "91130722MA0R7T8U9H",
            "name": "张北县光伏新能源有限公司",
            "region_code": "130722",
            "credit_tier": "good",
            "credit_source": "国家企业信用信息公示系统",
        },
    ),
    "POST /agencies": lambda: (
        "platform",
        "/agencies",
        {
            "agency_id": "11130722000013099H",
            "name": "张北县应急管理局",
            "level": "county",
            "region_code": "130722",
            "kind": "enforcement_agency",
        },
    ),
    "POST /agencies/{agency_id}/inspectors": lambda: (
        "admin-market",
        f"/agencies/{MARKET}/inspectors",
        {"name": "测试员", "staff_category": "formal", "inspector_id": "t-1"},
    ),
    "POST /inspectors/{inspector_id}/conflicts": lambda: (
        "admin-market",
        "/inspectors/market-wang/conflicts",
        {"enterprise_id": E1, "reason": "配偶在该企业担任财务负责人"},
    ),
    "POST /agencies/{agency_id}/items": lambda: (
        "admin-market",
        f"/agencies/{MARKET}/items",
        {
            "item_id": "price-check",
            "name": "明码标价检查",
            "legal_basis": "《中华人民共和国价格法》第十三条",
            "responsible_unit": "价格监督检查股",
            "frequency_caps": {"good": 1, "average": 2, "poor": 3},
        },
    ),
    "POST /agencies/{agency_id}/items/{item_id}/publish": lambda: (
        call("POST", f"/agencies/{MARKET}/items", "admin-market", CASES["POST /agencies/{agency_id}/items"]()[2])
        and ("admin-market", f"/agencies/{MARKET}/items/price-check/publish", None)
    ),
    "POST /agencies/{agency_id}/items/{item_id}/withdraw": lambda: (
        "admin-market",
        f"/agencies/{MARKET}/items/special-equipment/withdraw",
        None,
    ),
    "POST /enterprises/{enterprise_id}/code/reissue": lambda: ("enterprise-1", f"/enterprises/{E1}/code/reissue", None),
    "POST /tasks": lambda: (
        "admin-market",
        "/tasks",
        {
            "type": "routine",
            "method": "on_site",
            "targets": [E1],
            "participants": [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}],
            "window_start": "2026-12-01T09:00:00+08:00",
            "window_end": "2026-12-01T17:00:00+08:00",
        },
    ),
    "POST /tasks/{task_id}/approve": lambda: ("admin-market", f"/tasks/{joint_task()}/approve", None),
    "POST /tasks/{task_id}/withdraw": lambda: (
        "admin-market",
        f"/tasks/{new_task()}/withdraw",
        {"reason": "企业已停业，检查取消"},
    ),
    "POST /enterprises/{enterprise_id}/inspection-requests": lambda: (
        "enterprise-1",
        f"/enterprises/{E1}/inspection-requests",
        {"agency_id": MARKET, "description": "新建冷库，申请检查食品贮存条件"},
    ),
    "POST /tasks/{task_id}/offsite-results": lambda: (
        "admin-market",
        f"/tasks/{new_task(method='off_site')}/offsite-results",
        {"enterprise_id": E1, "item_id": "food-business", "checked_on": "2026-06-01", "violation_found": False},
    ),
    "POST /agencies/{agency_id}/plans": lambda: ("admin-market", f"/agencies/{MARKET}/plans", PLAN_2030),
    "POST /agencies/{agency_id}/plans/{year}/{version}/{action}": lambda: ("admin-market", plan() + "/file", None),
    "POST /agencies/{agency_id}/campaigns": lambda: ("admin-market", f"/agencies/{MARKET}/campaigns", campaign()),
    "POST /agencies/{agency_id}/campaigns/{campaign_id}/publish": lambda: (
        "admin-market",
        f"/agencies/{MARKET}/campaigns/"
        f"{call('POST', f'/agencies/{MARKET}/campaigns', 'admin-market', campaign())[1]['campaign_id']}/publish",
        None,
    ),
    "POST /agencies/{agency_id}/draws": lambda: (
        "admin-market",
        f"/agencies/{MARKET}/draws",
        {"year": 2026, "version": 1, "entry_index": 0, "seed": "2026年第138期福彩3D", "draw_date": "2026-06-15"},
    ),
    "POST /draws/{draw_id}/tasks": lambda: (
        "admin-market",
        f"/draws/{call('POST', f'/agencies/{MARKET}/draws', 'admin-market', CASES['POST /agencies/{agency_id}/draws']()[2])[1]['draw_id']}/tasks",
        {"window_start": "2026-06-15T09:00:00+08:00", "window_end": "2026-06-15T23:00:00+08:00"},
    ),
    "POST /scans": lambda: ("market-wang", "/scans", scan_body()),
    "POST /service-visits": lambda: (
        "market-wang",
        "/service-visits",
        {
            **{k: v for k, v in scan_body().items() if k != "task_id"},
            "purpose": "service_call",
            "description": "上门了解企业用地需求",
        },
    ),
    "POST /visits/{visit_id}/evidence-uploads": lambda: (
        "market-wang",
        f"/visits/{(v := open_visit_id())}/evidence-uploads",
        evidence(v),
    ),
    "POST /visits/{visit_id}/findings": lambda: (
        "market-wang",
        f"/visits/{open_visit_id()}/findings",
        {**FOOD, "result": "compliant"},
    ),
    "POST /visits/{visit_id}/close": lambda: (
        call("POST", f"/visits/{(v := open_visit_id())}/findings", "market-wang", {**FOOD, "result": "compliant"})
        and (
            "market-wang",
            f"/visits/{v}/close",
            {"ended_at": NOW.isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
        )
    ),
    "POST /visits/{visit_id}/corrections": lambda: (
        "market-wang",
        f"/visits/{closed_visit_id()}/corrections",
        {"reason": "录入错误", "findings": [{**FOOD, "result": "compliant", "notes": "冷藏柜 4℃"}]},
    ),
    "POST /visits/{visit_id}/transfer-completed": lambda: (
        "admin-market",
        f"/visits/{closed_visit_id(transfers=[TRANSFER])}/transfer-completed",
        {"transfer_no": 1, "transferred_on": "2026-06-18", "document_no": "张市监移〔2026〕12号"},
    ),
    "POST /visits/{visit_id}/rating": lambda: (
        "enterprise-1",
        f"/visits/{closed_visit_id()}/rating",
        {"conduct": 5, "procedure": 4, "efficiency": 5, "comment": "检查规范"},
    ),
    "POST /complaints": lambda: (
        "enterprise-1",
        "/complaints",
        {
            "subject": "unregistered_inspection",
            "agency_name": "某检查组",
            "occurred_on": "2026-06-10",
            "description": "未扫码即进入厂区检查消防设施",
        },
    ),
    "POST /complaints/{complaint_id}/status": lambda: (
        "judicial-zhangbei",
        f"/complaints/{call('POST', '/complaints', 'enterprise-1', CASES['POST /complaints']()[2])[1]['complaint_id']}/status",
        {"status": "handling", "note": "已受理，正在核查"},
    ),
    "POST /subsidies/what-if": lambda: (
        "science-city",
        "/subsidies/what-if",
        {"applicant_kind": "enterprise", "facts": {"new_unicorn": True}},
    ),
    "POST /subsidies/{year}/applicants": lambda: ("science-city", "/subsidies/2025/applicants", applicant()),
    "POST /subsidies/{year}/calculations": lambda: ("science-city", "/subsidies/2025/calculations", applicant()),
    "POST /subsidies/{year}/runs": lambda: ("science-city", "/subsidies/2025/runs", None),
    "POST /notices/{notice_id}/acknowledge": lambda: (
        "enterprise-1",
        f"/notices/visit-result:{closed_visit_id()}/acknowledge",
        None,
    ),
    "POST /deliveries/dead-letters/retry": lambda: ("platform", "/deliveries/dead-letters/retry", dead_letter()),
    "POST /science/projects": lambda: (
        "science-city",
        "/science/projects",
        {
            "project_id": "XM-1",
            "name": "风电叶片检测技术研发",
            "unit_name": "张北县风电设备制造有限公司",
            "region_code": "130722",
            "ended_on": "2026-10-31",
        },
    ),
    "POST /science/contracts": lambda: (
        "science-city",
        "/science/contracts",
        {
            "contract_id": "HT-1",
            "name": "技术开发合同",
            "applicant": "张北县风电设备制造有限公司",
            "region_code": "130722",
            "received_on": "2026-06-10",
        },
    ),
    "POST /science/registration-bodies": lambda: (
        "science-city",
        "/science/registration-bodies",
        {"body_id": "DJ-01", "name": "张北县技术合同登记站", "region_code": "130722", "year": 2026},
    ),
    "POST /science/spot-checks": lambda: (
        "science-city",
        "/science/spot-checks",
        {
            "population": "transfer_institutions",
            "region_code": "130722",
            "year": 2026,
            "seed": "2026年度技术转移机构抽查-公开种子",
            "candidates": [{"id": f"JG-{n:02d}", "name": f"技术转移机构{n}"} for n in range(1, 12)],
        },
    ),
    "POST /science/leaders": lambda: ("science-city", "/science/leaders", leader()),
    "POST /science/leaders/{region_code}/{key}/acceptance": lambda: (
        call("POST", "/science/leaders", "science-city", leader())
        and (
            "science-city",
            "/science/leaders/130722/TD-01-2024-06-01/acceptance",
            {"held_on": "2026-05-20", "result": "failed", "rectify_by": "2026-08-20"},
        )
    ),
    "POST /science/{collection}/{region_code}/{key}/done": lambda: (
        call("POST", "/science/contracts", "science-city", CASES["POST /science/contracts"]()[2])
        and ("science-city", "/science/contracts/130722/HT-1/done", {"done_on": "2026-06-12", "note": "准予登记"})
    ),
    "POST /return-visits": lambda: (
        closed_visit_id()
        and (
            "judicial-zhangbei",
            "/return-visits",
            {
                "region_code": "130722",
                "period_from": "2026-06-01",
                "period_to": "2026-06-30",
                "per_agency": 1,
                "seed": "幂等测试种子-2026",
            },
        )
    ),
    "POST /return-visits/{sample_id}/visits/{visit_id}": lambda: (
        "judicial-zhangbei",
        "/return-visits/{}/visits/{}".format(*sample()),
        {"reached": True, "showed_certificates": True, "scanned_in": True, "told_result": False, "satisfaction": 2},
    ),
    "POST /letters": lambda: (
        "judicial-zhangbei",
        "/letters",
        {"agency_id": MARKET, "findings": ["超频次检查"], "requirements": "核查并规范", "reply_working_days": 10},
    ),
    "POST /letters/{letter_id}/reply": lambda: (
        "admin-market",
        f"/letters/{letter()}/reply",
        {"reply": "已核查并纠正，整改报告附后。", "corrected": True},
    ),
    "POST /letters/{letter_id}/decision-request": lambda: (
        "judicial-zhangbei",
        f"/letters/{letter_id_overdue()}/decision-request",
        {"grounds": "经督促仍未说明超频次检查的依据", "requirements": "限期纠正，并报告处理结果", "reply_working_days": 10},
    ),
    "POST /letters/{letter_id}/issue": lambda: ("government-zhangbei", f"/letters/{decision()}/issue", None),
    "POST /letters/{letter_id}/decline": lambda: (
        "government-zhangbei",
        f"/letters/{decision()}/decline",
        {"reason": "已另行督办"},
    ),
    "POST /accountability": lambda: (
        "judicial-zhangbei",
        "/accountability",
        {
            "kind": "order",
            "agency_id": MARKET,
            "findings": ["未扫码即进入企业检查"],
            "requirements": "停止未登记检查",
            "correct_by": "2026-07-15",
        },
    ),
    "POST /agencies/{agency_id}/accountability/{measure_id}/correction-report": lambda: (
        "admin-market",
        f"/agencies/{MARKET}/accountability/{order_id()}/correction-report",
        {"report": "已组织执法人员学习扫码入企规定", "corrected_on": "2026-06-14"},
    ),
}


def order_id() -> str:
    """An order to correct the market regulator, recorded by its bureau."""
    who, path, body = CASES["POST /accountability"]()
    return call("POST", path, who, body)[1]["measure_id"]


def letter_id_overdue() -> str:
    letter_id = letter()
    clock.now = lambda: datetime(2026, 7, 1, 9, 0, tzinfo=CST)  # past the reply deadline (put back by the test)
    return letter_id


POSTS = sorted(r.route_key for r in serverless_config.routes() if r.method == "POST")


def test_every_post_route_has_a_case():
    assert set(CASES) == set(POSTS)


@pytest.fixture
def claims(monkeypatch):
    """The idempotency claim of each request: whether the request's effects carried the key."""
    made = []
    claiming = store.claiming

    @contextmanager
    def watched(record):
        with claiming(record) as claim:
            made.append(claim)
            yield claim

    monkeypatch.setattr(store, "claiming", watched)
    return made


def send(who, path, body, key):
    return call("POST", path, who, body, headers={"Idempotency-Key": key})


def changed(before: dict, after: dict) -> set:
    return {table for table in set(before) | set(after) if before.get(table) != after.get(table)}


@pytest.mark.parametrize("route_key", POSTS)
def test_a_retry_has_one_effect_and_the_first_answer(june, monkeypatch, claims, route_key):
    monkeypatch.setattr(clock, "now", clock.now)  # a case may move the clock on
    who, path, body = CASES[route_key]()
    key = body["client_request_id"] if body and "client_request_id" in body else uuid.uuid4().hex
    before = tables_now()
    first = send(who, path, body, key)
    assert first[0] < 300, (route_key, first)
    after = tables_now()
    effects = changed(before, after) - {IDEMPOTENCY_TABLE}
    if effects and route_key not in UNKEYED_EFFECTS and "client_request_id" not in (body or {}):
        assert claims[-1].consumed, f"{route_key}: its effects were written without the key"
        assert IdempotencyKey.get(IdempotencyKey.key(identity(who).subject, key)).status == first[0]

    assert send(who, path, body, key) == first, route_key
    assert tables_now() == after, route_key

    other = (
        {**body, "client_request_id": key, "device_time": (NOW - timedelta(minutes=1)).isoformat()}
        if body and "client_request_id" in body
        else {**(body or {}), "changed": True}
    )
    status, answer = send(who, path, other, key)
    assert (status, answer["error"]["code"]) == (409, "idempotency_key_reused"), (route_key, answer)
    assert tables_now() == after, route_key


@pytest.mark.parametrize(
    "route_key,model",
    [
        ("POST /complaints", Complaint),
        ("POST /visits/{visit_id}/findings", VisitEvent),
        ("POST /letters", Letter),
        ("POST /accountability", Accountability),
    ],
)
def test_threads_racing_one_key_leave_one_effect(june, route_key, model):
    who, path, body = CASES[route_key]()
    key = uuid.uuid4().hex
    before = len(tables_now()[model.Meta.table_name])
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: send(who, path, body, key), range(8)))
    won = [a for a in answers if a[0] < 300]
    assert won and all(a == won[0] for a in won), answers
    assert all(a in won or a[1]["error"]["code"] == "idempotency_key_in_progress" for a in answers), answers
    assert len(tables_now()[model.Meta.table_name]) == before + 1
    assert send(who, path, body, key) == won[0]


def test_a_bad_key_is_refused_and_a_scans_header_must_name_its_body_key(june):
    who, path, body = CASES["POST /complaints"]()
    status, answer = send(who, path, body, "short")
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (422, "invalid_idempotency_key", "Idempotency-Key")
    who, path, body = CASES["POST /scans"]()
    before = tables_now()
    status, answer = send(who, path, body, "another-key-1")
    assert (status, answer["error"]["code"]) == (422, "idempotency_key_mismatch") and tables_now() == before
    assert call("POST", path, who, body)[0] == 202  # the body's key alone, as before
