"""The enterprise's side: rating each visit once (Art. 24, 27), service visits that leave a trace, and
complaints routed to the judicial bureau of its region."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from local.invoke import invoke
from sheqi.rules.articles import ART, SYSTEM_RULE
from sheqi.signing import codes
from sheqi.store.feedback import Rating, RatingAggregate
from sheqi.store.notices import Notice
from sheqi.store.registers import Enterprise
from sheqi.store.tallies import Tally
from tests.handlers.scanning import E1, E3, HERE, NOW, at_visit, new_task, open_visit, scan
from tests.helpers import call

FOOD = {"agency_id": "11130722000013072R", "item_id": "food-business"}
GOOD = {"conduct": 5, "procedure": 4, "efficiency": 5, "comment": "检查规范"}


def closed_visit() -> str:
    visit_id = open_visit(new_task())[1]["visit_id"]
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant"})
    status, answer = call(
        "POST",
        f"/visits/{visit_id}/close",
        "market-wang",
        {"ended_at": NOW.isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
    )
    assert status == 201, answer
    return visit_id


def test_one_rating_per_visit_by_the_inspected_enterprise_only(june):
    open_id = open_visit(new_task(targets=(E3,)), enterprise=E3)[1]["visit_id"]
    status, answer = call("POST", f"/visits/{open_id}/rating", "enterprise-3", GOOD)
    assert (status, answer["error"]["code"]) == (422, "visit_not_closed")
    visit_id = closed_visit()
    assert call("POST", f"/visits/{visit_id}/rating", "enterprise-4", GOOD)[1]["error"]["code"] == "not_inspected_enterprise"
    assert call("POST", f"/visits/{visit_id}/rating", "admin-market", GOOD)[0] == 403
    status, answer = call("POST", f"/visits/{visit_id}/rating", "enterprise-1", {**GOOD, "conduct": 6})
    assert (status, answer["error"]["field"]) == (422, "conduct")
    assert call("POST", f"/visits/{visit_id}/rating", "enterprise-1", GOOD)[0] == 201
    status, answer = call("POST", f"/visits/{visit_id}/rating", "enterprise-1", GOOD)
    assert (status, answer["error"]["code"], answer["error"]["article"]) == (409, "already_rated", SYSTEM_RULE)
    assert RatingAggregate.get(f"ratings#{FOOD['agency_id']}#2026Q2").count == 1


def test_phone_sample_event_rates_a_visit(june):
    visit_id = closed_visit()
    result = invoke("functions/ratings/handler.handler", "ratings", at_visit("http/rate_visit.json", visit_id))
    assert result["statusCode"] == 201, result
    assert Rating.get(visit_id).comment == "检查人员出示证件，程序规范"


def test_concurrent_ratings_leave_exactly_one(june):
    visit_id = closed_visit()
    bodies = [{**GOOD, "conduct": n % 5 + 1} for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(lambda b: call("POST", f"/visits/{visit_id}/rating", "enterprise-1", b)[0], bodies))
    assert statuses == [201] + [409] * 7
    aggregate = RatingAggregate.get(f"ratings#{FOOD['agency_id']}#2026Q2")
    assert aggregate.count == 1 and aggregate.conduct == Rating.get(visit_id).conduct


def test_rating_window_closes(june, monkeypatch):
    visit_id = closed_visit()
    monkeypatch.setattr("sheqi.clock.now", lambda: NOW + timedelta(days=30, minutes=1))
    status, answer = call("POST", f"/visits/{visit_id}/rating", "enterprise-1", GOOD)
    assert (status, answer["error"]["code"], answer["error"]["article"]) == (422, "rating_window_closed", SYSTEM_RULE)


def test_judicial_sees_each_rating_the_agency_only_safe_aggregates(june):
    visit_id = closed_visit()
    flagged = {**GOOD, "conduct": 2, "prohibited_practices": ["gifts_or_meals", "demanded_legal_representative"]}
    assert call("POST", f"/visits/{visit_id}/rating", "enterprise-1", flagged)[0] == 201
    status, page = call("GET", "/ratings", "judicial-zhangbei", query="region_code=130722")
    assert status == 200 and page["items"][0]["visit_id"] == visit_id and page["items"][0]["conduct"] == 2
    alert = Notice.get("judicial:130722", f"rating:{visit_id}")
    assert "索要或接受礼品" in alert.body and alert.article == ART[27]
    for who in ("admin-market", "market-wang", "judicial-huailai", "enterprise-1"):
        assert call("GET", "/ratings", who, query="region_code=130722")[0] == 403, who

    status, mine = call("GET", f"/agencies/{FOOD['agency_id']}/rating-summary/2026", "admin-market")
    assert status == 200 and all(not q["available"] for q in mine["quarters"])
    assert "ratings" not in str(mine["quarters"]) and "enterprise" not in str(mine["quarters"])
    status, supervised = call("GET", f"/agencies/{FOOD['agency_id']}/rating-summary/2026", "judicial-zhangbei")
    q2 = supervised["quarters"][1]
    assert q2["ratings"] == 1 and q2["prohibited_practices"] == {"demanded_legal_representative": 1, "gifts_or_meals": 1}
    assert call("GET", f"/agencies/{FOOD['agency_id']}/rating-summary/2026", "admin-police")[0] == 403


def test_service_visit_is_registered_uncounted_and_can_be_reported(june):
    body = {
        "token": codes.code_url(codes.sign(E1, Enterprise.get(E1).code_version)),
        "client_request_id": uuid.uuid4().hex[:16],
        "device_time": NOW.isoformat(),
        "purpose": "policy_briefing",
        "description": "宣讲2026年研发费用加计扣除政策",
        "location": HERE,
    }
    status, answer = call("POST", "/service-visits", "market-aux-sun", body)  # no certificate needed: not an inspection
    assert status == 201 and answer["outcome"] == "service", answer
    assert call("POST", "/service-visits", "market-aux-sun", body) == (201, answer)  # a retry: same answer
    assert call("POST", "/service-visits", "enterprise-1", body)[0] == 403
    listed = call("GET", f"/enterprises/{E1}/inspections", "enterprise-1")[1]["items"]
    assert [(r["outcome"], r["visit"]["kind"]) for r in listed] == [("service", "service")]
    assert not list(Tally.batch_get([f"count#{E1}#2026"]))
    notice = Notice.get(f"enterprise:{E1}", f"scan:{answer['scan_id']}")
    assert notice.kind == "service_visit" and "变相检查" in notice.body
    report = {**GOOD, "conduct": 1, "prohibited_practices": ["disguised_inspection"], "comment": "名为宣讲，实为检查台账"}
    assert call("POST", f"/visits/{answer['visit_id']}/rating", "enterprise-1", report)[0] == 201
    assert "变相检查" in Notice.get("judicial:130722", f"rating:{answer['visit_id']}").body


def test_complaints_reach_the_judicial_bureau_and_move_to_an_answer(june):
    visit_id = closed_visit()
    refused = scan("market-zhao", new_task(), at=NOW)[1]
    bodies = [
        {
            "subject": "visit",
            "visit_id": visit_id,
            "description": "检查人员要求法定代表人必须到场陪同",
            "prohibited_practices": ["demanded_legal_representative"],
        },
        {"subject": "refused_attempt", "scan_id": refused["scan_id"], "description": "执法证过期仍坚持入企检查"},
        {
            "subject": "unregistered_inspection",
            "agency_name": "张北县某局",
            "occurred_on": "2026-06-10",
            "description": "两名人员未扫码即进入车间检查",
        },
    ]
    ids = []
    for body in bodies:
        status, complaint = call("POST", "/complaints", "enterprise-1", body)
        assert status == 201 and complaint["status"] == "received" and complaint["region_code"] == "130722", complaint
        ids.append(complaint["complaint_id"])
    assert Notice.get("judicial:130722", f"complaint:{ids[0]}").article == ART[27]
    status, answer = call("POST", "/complaints", "enterprise-1", {"subject": "visit", "description": "没有写明检查编号的投诉"})
    assert status == 422 and "visit_id" in answer["error"]["message"]
    assert call("POST", "/complaints", "enterprise-4", bodies[0])[0] == 403  # not its visit
    assert call("POST", "/complaints", "enterprise-4", bodies[1])[1]["error"]["code"] == "scan_not_found"

    listed = call("GET", "/complaints", "judicial-zhangbei")[1]["items"]
    assert sorted(c["complaint_id"] for c in listed) == sorted(ids)
    assert call("GET", "/complaints", "judicial-city", query="region_code=130722")[0] == 200
    for who in ("judicial-huailai", "admin-market", "market-wang"):
        assert call("GET", f"/complaints/{ids[0]}", who)[0] == 403, who
    assert call("GET", "/complaints", "enterprise-4")[1]["items"] == []

    assert call("POST", f"/complaints/{ids[0]}/status", "judicial-huailai", {"status": "handling", "note": "受理"})[0] == 403
    assert (
        call("POST", f"/complaints/{ids[0]}/status", "judicial-zhangbei", {"status": "handling", "note": "已转办核查"})[0] == 200
    )
    status, answered = call(
        "POST",
        f"/complaints/{ids[0]}/status",
        "judicial-zhangbei",
        {"status": "answered", "note": "经核查属实，已责令该局整改并通报"},
    )
    assert status == 200 and [h["status"] for h in answered["history"]] == ["received", "handling", "answered"]
    status, answer = call("POST", f"/complaints/{ids[0]}/status", "judicial-zhangbei", {"status": "handling", "note": "再次"})
    assert (status, answer["error"]["code"]) == (409, "invalid_transition")
    assert Notice.get(f"enterprise:{E1}", f"complaint:{ids[0]}:answered").kind == "complaint_answered"
    assert call("GET", f"/complaints/{ids[0]}", "enterprise-1")[1]["answer"].startswith("经核查属实")
