"""Every endpoint x every role: who may do what (and a refused call changes nothing).

Identities: the platform admin; the city and Zhangbei county judicial bureaus; the city science
bureau; 张北县人民政府 (government); the admins of 张北县市场监督管理局 (MARKET, Zhangbei) and 怀来县公安局 (POLICE, Huailai);
an inspector of each; enterprise-1 (Zhangbei, the target) and enterprise-4 (Huailai); anonymous.
"""

import json
from datetime import timedelta

from local import serverless_config
from local.demo_data import ENTERPRISES, MARKET, demo_task_id
from sheqi import clock
from sheqi.signing import codes
from sheqi.store.registers import Enterprise
from tests.helpers import call

E1 = ENTERPRISES[0]["enterprise_id"]
WHO = [
    "platform",
    "judicial-city",
    "judicial-zhangbei",
    "science-city",
    "government-zhangbei",
    "admin-market",
    "admin-police",
    "market-wang",
    "police-zhang",
    "enterprise-1",
    "enterprise-4",
    None,
]
ALL = {w: 200 for w in WHO if w}


def new_inspector(who):
    return {"name": "测试员", "staff_category": "formal", "inspector_id": f"t-{who}"}


def new_item(who):
    return {
        "item_id": f"t-{who}",
        "name": "测试事项",
        "legal_basis": "《测试条例》第一条",
        "responsible_unit": "综合股",
        "frequency_caps": {"good": 1, "average": 1, "poor": 2},
    }


def new_agency(who):
    return {
        "agency_id": "11130722000013099H",
        "name": "张北县应急管理局",
        "level": "county",
        "region_code": "130722",
        "kind": "enforcement_agency",
    }


def new_enterprise(who):
    return {
        "enterprise_id": "91130722MA0R7T8U9H",
        "name": "张北县光伏新能源有限公司",
        "region_code": "130722",
        "credit_tier": "good",
        "credit_source": "国家企业信用信息公示系统",
    }


TASK = demo_task_id("market-routine")


def new_task(who):
    return {
        "type": "routine",
        "method": "on_site",
        "targets": [E1],
        "participants": [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}],
        "window_start": "2026-12-01T09:00:00+08:00",
        "window_end": "2026-12-01T17:00:00+08:00",
    }


def new_scan(who):
    return {
        "token": codes.sign(E1, Enterprise.get(E1).code_version),
        "task_id": TASK,
        "client_request_id": f"matrix-{who}",
        "device_time": clock.now_iso(),
    }


def new_plan(who):
    return {
        "year": 2030,
        "entries": [
            {
                "item_id": "food-business",
                "legal_basis": "《中华人民共和国食品安全法》第八十七条",
                "inspecting_body": "张北县市场监督管理局",
                "region_codes": ["130722"],
                "scope": "辖区食品经营者",
                "window_start": "2030-03-01",
                "window_end": "2030-11-30",
                "method": "on_site",
                "frequency": 1,
            }
        ],
    }


def new_service_visit(who):
    return {
        **{k: v for k, v in new_scan(who).items() if k != "task_id"},
        "client_request_id": f"matrix-service-{who}",
        "purpose": "service_call",
        "description": "上门了解企业用地需求",
    }


def new_complaint(who):
    return {
        "subject": "unregistered_inspection",
        "agency_name": "某检查组",
        "occurred_on": "2026-11-20",
        "description": "未扫码即进入厂区检查消防设施",
    }


def new_project(who):
    return {
        "project_id": f"XM-{who}",
        "name": "风电叶片检测技术研发",
        "unit_name": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "ended_on": "2026-10-31",
    }


def new_body(who):
    return {"body_id": f"DJ-{who}", "name": "张北县技术合同登记站", "region_code": "130722", "year": 2026}


def new_spot_check(who):
    # One draw a year: each caller allowed to draw draws its own year.
    return {
        "population": "projects",
        "region_code": "130722",
        "year": 2027 if who == "platform" else 2026,
        "ratio": "0.5",
        "seed": f"课题抽查种子-{who}",
        "candidates": [{"id": "KJ-1", "name": "课题一"}, {"id": "KJ-2", "name": "课题二"}],
    }


def new_leader(who):
    return {
        "leader_id": f"LJ-{who}",
        "name": "风电材料创新团队",
        "kind": "team",
        "unit_name": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "period_start": "2025-06-01",
    }


def new_contract(who):
    return {
        "contract_id": f"HT-{who}",
        "name": "技术开发合同",
        "applicant": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "received_on": "2026-11-20",
    }


def new_sample(who):
    return {
        "region_code": "130722",
        "period_from": "2026-01-01",
        "period_to": "2026-12-31",
        "per_agency": 2,
        "seed": "访问矩阵测试种子",
    }


def new_letter(who):
    return {"agency_id": MARKET, "findings": ["测试发现的问题"], "requirements": "测试整改要求"}


def new_measure(who):
    return {
        "kind": "order",
        "agency_id": MARKET,
        "findings": ["测试发现的问题"],
        "requirements": "测试整改要求",
        "correct_by": (clock.today() + timedelta(days=30)).isoformat(),
    }


def applicant(who):
    return {
        "applicant_id": E1,
        "applicant_kind": "enterprise",
        "name": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "facts": {"new_unicorn": True},
    }


# (method, path, body or body factory, {identity: expected status}); anyone not listed gets 403,
# anonymous gets 401 on every route behind the authoriser.
MATRIX = [
    (
        "GET",
        f"/enterprises/{E1}",
        None,
        {
            "platform": 200,
            "judicial-city": 200,
            "judicial-zhangbei": 200,
            "science-city": 200,
            "admin-market": 200,
            "market-wang": 200,
            "enterprise-1": 200,
        },
    ),
    ("PATCH", f"/enterprises/{E1}", {"contact_name": "周明"}, {"platform": 200}),
    ("POST", "/enterprises", new_enterprise, {"platform": 201}),
    (
        "GET",
        "/enterprises?region_code=130722",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "science-city": 200, "admin-market": 200},
    ),
    (
        "GET",
        f"/agencies/{MARKET}",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200, "market-wang": 200},
    ),
    ("GET", "/agencies?region_code=130722", None, {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200}),
    ("POST", "/agencies", new_agency, {"platform": 201}),
    ("POST", f"/agencies/{MARKET}/inspectors", new_inspector, {"platform": 201, "admin-market": 201}),
    ("GET", f"/agencies/{MARKET}/inspectors", None, {"platform": 200, "admin-market": 200}),
    (
        "GET",
        "/inspectors/market-wang",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200, "market-wang": 200},
    ),
    (
        "PATCH",
        "/inspectors/market-aux-sun",
        {"status": "suspended", "reason": "测试暂停"},
        {"platform": 200, "admin-market": 200},
    ),
    ("GET", "/certificates/13072201001", None, ALL),
    ("POST", f"/agencies/{MARKET}/items", new_item, {"platform": 201, "admin-market": 201}),
    ("GET", f"/agencies/{MARKET}/items", None, {"platform": 200, "admin-market": 200}),
    ("GET", f"/public/agencies/{MARKET}/items", None, {**ALL, None: 200}),
    ("GET", "/public/items?region_code=130722", None, {**ALL, None: 200}),
    ("GET", f"/enterprises/{E1}/code", None, {"platform": 200, "enterprise-1": 200}),
    ("POST", f"/enterprises/{E1}/code/reissue", None, {"platform": 201, "enterprise-1": 201}),
    ("GET", "/notices", None, ALL),
    ("POST", "/tasks", new_task, {"admin-market": 201}),
    (
        "POST",
        f"/enterprises/{E1}/inspection-requests",
        {"agency_id": MARKET, "description": "申请复查整改情况"},
        {"enterprise-1": 201},
    ),
    ("GET", "/tasks?mine=true", None, {"market-wang": 200, "police-zhang": 200}),
    ("GET", "/tasks?status=pending_approval", None, {"admin-market": 200, "admin-police": 200}),
    ("GET", "/me", None, ALL),
    (
        "GET",
        f"/tasks/{TASK}",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200, "market-wang": 200},
    ),
    ("POST", f"/tasks/{TASK}/approve", None, {"admin-market": 409}),
    (
        "POST",
        f"/tasks/{TASK}/offsite-results",
        {"enterprise_id": E1, "item_id": "food-business", "checked_on": "2026-11-20", "violation_found": False},
        {"admin-market": 422, "market-wang": 422},
    ),
    ("POST", f"/agencies/{MARKET}/plans", new_plan, {"platform": 201, "admin-market": 409}),  # one open draft a year
    (
        "GET",
        f"/agencies/{MARKET}/plans/2027",
        None,
        {"platform": 200, "admin-market": 200, "judicial-city": 200, "judicial-zhangbei": 200},
    ),
    ("GET", f"/public/agencies/{MARKET}/plans/2027", None, {**ALL, None: 200}),
    ("PUT", f"/agencies/{MARKET}/campaign-quota", {"year": 2027, "quota": 2}, {"platform": 200}),
    # Any inspector's scan is registered (Art. 24): the police officer's is refused, not forbidden.
    ("POST", "/scans", new_scan, {"market-wang": 202, "police-zhang": 201}),
    ("POST", "/service-visits", new_service_visit, {"market-wang": 201, "police-zhang": 201}),
    (
        "GET",
        f"/enterprises/{E1}/inspections",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "enterprise-1": 200},
    ),
    (
        "GET",
        f"/enterprises/{E1}/visits",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200, "market-wang": 200},
    ),
    ("GET", "/ratings?region_code=130722", None, {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200}),
    (
        "GET",
        f"/agencies/{MARKET}/rating-summary/2026",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200},
    ),
    ("POST", "/complaints", new_complaint, {"enterprise-1": 201, "enterprise-4": 201}),
    (
        "GET",
        "/complaints?region_code=130722",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "enterprise-1": 200, "enterprise-4": 200},
    ),
    ("GET", "/reminders", None, ALL),
    (
        "GET",
        "/obligations",
        None,
        {
            "platform": 422,
            "judicial-city": 200,
            "judicial-zhangbei": 200,
            "science-city": 200,
            "admin-market": 200,
            "admin-police": 200,
            "enterprise-1": 200,
            "enterprise-4": 200,
        },
    ),
    ("PUT", f"/contacts/agency:{MARKET}", {"sms": "+8613903131000"}, {"platform": 200, "admin-market": 200}),
    ("PUT", "/contacts/government:130722", {"sms": "+8613903131300"}, {"platform": 200, "government-zhangbei": 200}),
    ("GET", "/deliveries/dead-letters", None, {"platform": 200}),
    ("POST", "/deliveries/dead-letters/retry", {"recipient": f"agency:{MARKET}", "notice_id": "none"}, {"platform": 404}),
    ("POST", "/science/projects", new_project, {"platform": 201, "science-city": 201}),
    ("POST", "/science/contracts", new_contract, {"platform": 201, "science-city": 201}),
    ("POST", "/science/registration-bodies", new_body, {"platform": 201, "science-city": 201}),
    ("POST", "/science/spot-checks", new_spot_check, {"platform": 201, "science-city": 201}),
    ("POST", "/science/leaders", new_leader, {"platform": 201, "science-city": 201}),
    (
        "GET",
        "/supervision/watch/frequency?region_code=130722",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200},
    ),
    (
        "GET",
        "/supervision/watch/plans?region_code=130722",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200, "admin-police": 200},
    ),
    (
        "GET",
        "/supervision/stats?region_code=130722",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200, "admin-police": 200},
    ),
    ("GET", "/supervision/cases?region_code=130722", None, {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200}),
    ("POST", "/return-visits", new_sample, {"platform": 201, "judicial-city": 201, "judicial-zhangbei": 201}),
    ("POST", "/letters", new_letter, {"judicial-city": 201, "judicial-zhangbei": 201}),
    (
        "GET",
        "/letters?region_code=130722",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "government-zhangbei": 200},
    ),
    ("POST", "/accountability", new_measure, {"judicial-city": 201, "judicial-zhangbei": 201}),
    ("GET", "/accountability?region_code=130722", None, {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200}),
    (
        "GET",
        f"/agencies/{MARKET}/accountability",
        None,
        {"platform": 200, "judicial-city": 200, "judicial-zhangbei": 200, "admin-market": 200},
    ),
    ("PUT", "/calendars/2027", {"notice": "测试用2027年节假日安排（非官方）", "holidays": ["2027-01-01"]}, {"platform": 200}),
    ("GET", "/calendars/2027", None, ALL),
    (
        "POST",
        "/subsidies/what-if",
        {"applicant_kind": "enterprise", "facts": {"new_unicorn": True}},
        {"platform": 200, "science-city": 200, "enterprise-1": 200, "enterprise-4": 200},
    ),
    ("POST", "/subsidies/2025/applicants", applicant, {"platform": 201, "science-city": 201}),
    ("POST", "/subsidies/2025/calculations", applicant, {"platform": 201, "science-city": 201}),
    ("POST", "/subsidies/2025/runs", None, {"platform": 202, "science-city": 202}),
    ("GET", "/subsidies/results", None, {"enterprise-1": 200, "enterprise-4": 200}),
]


def ordered(expected: dict) -> list:
    # Refused callers first: a write that is then allowed must not make a later refusal look like a 409.
    return sorted(WHO, key=lambda w: expected.get(w, 401 if w is None else 403) not in (401, 403))


def test_access_matrix(demo):
    wrong = []
    for method, target, body, expected in MATRIX:
        path, _, query = target.partition("?")
        for who in ordered(expected):
            want = expected.get(who, 401 if who is None else 403)
            payload = body(who) if callable(body) else body
            status, answer = call(method, path, who, payload, query=query)
            if status != want:
                wrong.append(f"{method} {target} as {who}: {status} (want {want}) {json.dumps(answer, ensure_ascii=False)[:120]}")
    assert not wrong, "\n".join(wrong)


def test_matrix_covers_every_json_route():
    covered = {(m, serverless_config.resolve(m, t.partition("?")[0])[0].path) for m, t, _, _ in MATRIX}
    declared = {(r.method, r.path) for r in serverless_config.routes()}
    binary_or_stateful = {
        ("GET", "/enterprises/{enterprise_id}/code.png"),
        ("GET", "/enterprises/{enterprise_id}/poster"),
        ("POST", "/agencies/{agency_id}/items/{item_id}/publish"),
        ("POST", "/agencies/{agency_id}/items/{item_id}/withdraw"),
        ("GET", "/public/codes/{token}"),
        ("GET", "/c/{token}"),  # test_enterprise_codes, test_door_page
        # need a run made first: tests/handlers/test_subsidies.py checks who reads them
        ("GET", "/subsidies/runs/{run_id}"),
        ("GET", "/subsidies/runs/{run_id}/results/{applicant_id}"),
        # plan versions, campaigns and draws: tests/handlers/test_plans.py walks their life cycles
        ("PUT", "/agencies/{agency_id}/plans/{year}/{version}"),
        ("POST", "/agencies/{agency_id}/plans/{year}/{version}/{action}"),
        ("POST", "/agencies/{agency_id}/campaigns"),
        ("POST", "/agencies/{agency_id}/campaigns/{campaign_id}/publish"),
        ("POST", "/agencies/{agency_id}/draws"),
        ("POST", "/inspectors/{inspector_id}/conflicts"),
        ("GET", "/draws/{draw_id}"),
        ("GET", "/public/draws/{draw_id}"),
        ("POST", "/draws/{draw_id}/tasks"),
        # need a visit (and for some a closed one, a rating or a complaint) made first:
        # tests/handlers/test_visits.py and test_ratings_complaints.py check who may
        ("GET", "/visits/{visit_id}"),
        ("GET", "/visits/{visit_id}/chain"),
        ("POST", "/visits/{visit_id}/evidence-uploads"),
        ("POST", "/visits/{visit_id}/findings"),
        ("POST", "/visits/{visit_id}/close"),
        ("POST", "/visits/{visit_id}/corrections"),
        ("POST", "/visits/{visit_id}/rating"),
        ("GET", "/complaints/{complaint_id}"),
        ("POST", "/complaints/{complaint_id}/status"),
        ("POST", "/visits/{visit_id}/transfer-completed"),
        # need a notice or a registered science deadline first: tests/handlers/test_reminders.py
        ("POST", "/notices/{notice_id}/acknowledge"),
        # withdrawing a task ends it: tests/handlers/test_task_lists.py checks who may
        ("POST", "/tasks/{task_id}/withdraw"),
        ("POST", "/science/{collection}/{region_code}/{key}/done"),
        ("POST", "/science/leaders/{region_code}/{key}/acceptance"),
        # need a sample or a letter first: tests/handlers/test_supervision.py
        ("GET", "/return-visits/{sample_id}"),
        ("POST", "/return-visits/{sample_id}/visits/{visit_id}"),
        ("GET", "/letters/{letter_id}"),
        ("GET", "/letters/{letter_id}/document"),
        ("POST", "/letters/{letter_id}/reply"),
        ("POST", "/letters/{letter_id}/decision-request"),
        ("POST", "/letters/{letter_id}/issue"),
        ("POST", "/letters/{letter_id}/decline"),
        # needs an order to correct first: tests/handlers/test_accountability.py checks who may report
        ("POST", "/agencies/{agency_id}/accountability/{measure_id}/correction-report"),
    }
    assert declared - covered == binary_or_stateful
