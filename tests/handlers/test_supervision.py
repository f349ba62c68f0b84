"""The judicial bureau's supervision through the handlers: watch lists, figures, return visits,
cases and letters (Art. 12, 16, 24, 27, 28, 30)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from local.demo_data import MARKET
from sheqi import clock
from sheqi.auth import Identity
from sheqi.clock import CST
from sheqi.registry import registers
from sheqi.rules.articles import ART
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.supervision import Letter
from sheqi.supervision import return_visits, watchlists
from tests.handlers.scanning import E1, NOW, new_task, open_visit, scan
from tests.helpers import call, pdf_text

FOOD = {"agency_id": MARKET, "item_id": "food-business"}


def closed_visit(at=None, **task) -> str:
    visit_id = open_visit(new_task(**task), at=at, **({"late_reason": "no_network"} if at else {}))[1]["visit_id"]
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant"})
    assert (
        call(
            "POST",
            f"/visits/{visit_id}/close",
            "market-wang",
            {"ended_at": (at or NOW).isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
        )[0]
        == 201
    )
    return visit_id


def three_visits() -> list[str]:
    """E1 (credit "good": watched from 3 a year) inspected three times, twice over its cap under Art. 12."""
    exception = {"exception": {"reason": 1, "ground": {"kind": "complaint", "reference": "12345热线 ZJK-2026-0611"}}}
    return [
        closed_visit(at=NOW - timedelta(days=3)),
        closed_visit(at=NOW - timedelta(days=2), **exception),
        closed_visit(**exception),
    ]


def watch(name, who="judicial-zhangbei", query="year=2026"):
    status, answer = call("GET", f"/supervision/watch/{name}", who, query=query)
    assert status == 200, answer
    return answer["items"]


def test_frequency_and_exceptions_watch_lists_and_the_daily_job(june):
    visits = three_visits()
    rows = watch("frequency")
    assert [(r["enterprise_id"], r["total"], r["threshold"], r["exceptions"]) for r in rows] == [(E1, 3, 3, 2)]
    assert rows[0]["by_agency"] == [{"agency_id": MARKET, "name": "张北县市场监督管理局", "count": 3}]
    listed = watch("exceptions")
    assert sorted(v["visit_id"] for v in listed) == sorted(visits[1:])
    assert {v["reason_label"] for v in listed} == {"涉及投诉举报、媒体曝光等情形"} and listed[0][
        "reference"
    ] == "12345热线 ZJK-2026-0611"
    assert watch("frequency", "judicial-city", "region_code=130700&year=2026") == rows  # the city gathers its counties
    assert call("GET", "/supervision/watch/frequency", "judicial-huailai", query="region_code=130722")[0] == 403
    assert call("GET", "/supervision/watch/frequency", "admin-market")[0] == 403
    assert watchlists.daily(NOW.date())["notices_created"] == 1
    assert watchlists.daily(NOW.date())["notices_created"] == 0  # once each
    assert "3次" in Notice.get("judicial:130722", f"watch:frequency:{E1}:2026:3").body


def test_refusals_ratings_and_complaints_lists(june):
    assert scan("market-zhao", new_task())[1]["outcome"] == "refused"  # lapsed certificate
    visit_id = closed_visit()
    call(
        "POST",
        f"/visits/{visit_id}/rating",
        "enterprise-1",
        {"conduct": 2, "procedure": 4, "efficiency": 4, "prohibited_practices": ["gifts_or_meals"]},
    )
    call(
        "POST",
        "/complaints",
        "enterprise-1",
        {
            "subject": "unregistered_inspection",
            "agency_name": "某执法队",
            "occurred_on": "2026-06-10",
            "description": "两人未扫码进入车间检查",
        },
    )
    refused = watch("refusals")
    by_reason = {r["reason"]: r for r in refused if r["kind"] == "refused_scan"}
    assert (by_reason["certificate_expired"]["agency_id"], by_reason["certificate_expired"]["count"]) == (MARKET, 1)
    assert refused[-1]["kind"] == "unregistered_inspection" and refused[-1]["agency_name"] == "某执法队"
    assert watch("ratings")[0]["prohibited_practices"] == ["索要或接受礼品、宴请等"]
    open_complaints = watch("complaints")
    assert open_complaints[0]["subject"] == "未扫码登记即实施检查" and open_complaints[0]["age_days"] == 0


def test_plan_board_and_figures(june, monkeypatch):
    registers.create_agency(
        registers.AgencyIn(
            agency_id="11130722000013099H",
            name="张北县应急管理局",
            level="county",
            region_code="130722",
            kind="enforcement_agency",
        )
    )
    board = {r["name"]: r for r in watch("plans")}
    assert board["张北县市场监督管理局"]["status_label"] == "已公布" and not board["张北县市场监督管理局"]["overdue"]
    assert board["张北县应急管理局"]["status_label"] == "未起草" and board["张北县应急管理局"]["overdue"]
    assert [r["name"] for r in watch("plans", "admin-market")] == ["张北县市场监督管理局"]  # its own row only
    closed_visit()
    status, figures = call("GET", "/supervision/stats", "judicial-zhangbei", query="year=2026")
    assert status == 200 and figures["inspections_by_month"][0]["months"][5] == 1
    assert call("GET", "/supervision/stats", "admin-police", query="year=2026")[1]["inspections_by_month"] == []


def test_return_visits_are_reproducible_and_open_cases(june):
    visits = three_visits()
    body = {
        "region_code": "130722",
        "period_from": "2026-06-01",
        "period_to": "2026-06-30",
        "per_agency": 2,
        "seed": "2026年第二季度回访-公开种子",
    }
    status, drawn = call("POST", "/return-visits", "judicial-zhangbei", body)
    assert status == 201 and len(drawn["entries"]) == 2
    assert call("POST", "/return-visits", "judicial-zhangbei", body)[1] == drawn  # same inputs, same sample
    assert drawn["strata"] == return_visits.draw({MARKET: visits}, 2, body["seed"])  # anyone can redraw it
    other = call("POST", "/return-visits", "judicial-zhangbei", {**body, "seed": "另一个公开种子-2026"})[1]
    assert other["sample_id"] != drawn["sample_id"]
    assert call("POST", "/return-visits", "judicial-huailai", body)[0] == 403

    sample_id, visit_id = drawn["sample_id"], drawn["entries"][0]["visit_id"]
    answers = {
        "reached": True,
        "showed_certificates": True,
        "scanned_in": True,
        "told_result": False,
        "prohibited_practices": ["costs_passed_on"],
        "satisfaction": 2,
        "notes": "检查后未告知结果，要求企业承担检测费",
    }
    status, recorded = call("POST", f"/return-visits/{sample_id}/visits/{visit_id}", "judicial-zhangbei", answers)
    assert status == 201 and recorded["case_id"]
    assert call("POST", f"/return-visits/{sample_id}/visits/{visit_id}", "judicial-zhangbei", answers)[0] == 409
    clean = {"reached": True, "showed_certificates": True, "scanned_in": True, "told_result": True, "satisfaction": 5}
    assert (
        call("POST", f"/return-visits/{sample_id}/visits/{drawn['entries'][1]['visit_id']}", "judicial-zhangbei", clean)[1][
            "case_id"
        ]
        is None
    )
    cases = call("GET", "/supervision/cases", "judicial-zhangbei", query="region_code=130722")[1]["items"]
    assert [c["case_id"] for c in cases] == [recorded["case_id"]]
    assert cases[0]["findings"] == ["未告知检查结果（第十九条）", "将检查费用转嫁给企业（第二十七条）"]
    assert Notice.get("judicial:130722", f"case:{recorded['case_id']}").article == ART[28]


def test_suggestion_then_a_decision_requested_by_the_bureau_and_issued_by_the_government(june, monkeypatch):
    body = {
        "agency_id": MARKET,
        "findings": ["2026年6月对同一企业检查3次，其中2次以投诉为由超出频次"],
        "requirements": "核查超频次检查的依据，规范例外情形的适用",
        "reply_working_days": 10,
    }
    assert call("POST", "/letters", "judicial-huailai", body)[0] == 403
    status, letter = call("POST", "/letters", "judicial-zhangbei", body)
    assert status == 201 and letter["number"] == "张北县司法监建〔2026〕2号" and letter["reply_due"] == "2026-06-30"
    assert letter["issuer_name"] == "张北县司法局"
    assert "不属行政检查文书" in letter["document"]["follows"]  # Art. 22: no inspection form for a supervision letter
    assert Obligation.get(f"letter_reply:{letter['letter_id']}").owner == f"agency:{MARKET}"
    status, pdf = call("GET", f"/letters/{letter['letter_id']}/document", "admin-market")
    assert status == 200 and pdf.startswith(b"%PDF") and len(pdf) < 48_000
    text = pdf_text(pdf)
    assert "张北县司法监建〔2026〕2号" in text and "核查超频次检查的依据，规范例外情形的适用" in text and "张北县司法局" in text
    assert call("GET", f"/letters/{letter['letter_id']}", "admin-police")[0] == 403
    request = {"grounds": "经督促仍未说明超频次检查的依据", "requirements": "限期纠正，并报告处理结果", "reply_working_days": 10}
    path = f"/letters/{letter['letter_id']}/decision-request"
    status, answer = call("POST", path, "judicial-zhangbei", request)
    assert (status, answer["error"]["code"], answer["error"]["article"]) == (422, "reply_not_overdue", ART[30])

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 7, 1, 9, 0, tzinfo=CST))  # the deadline passed unanswered
    assert call("POST", path, "admin-market", request)[0] == 403
    status, decision = call("POST", path, "judicial-zhangbei", request)
    assert status == 201 and (decision["kind"], decision["status"], decision["number"]) == ("decision", "requested", None)
    assert decision["issuer_name"] == "张北县人民政府" and decision["request_grounds"].startswith(
        "答复期限（2026-06-30）届满未答复"
    )
    assert Obligation.get(f"letter_reply:{letter['letter_id']}").status == "lapsed"
    assert call("GET", f"/letters/{letter['letter_id']}", "judicial-zhangbei")[1]["status"] == "escalated"
    assert call("POST", path, "judicial-zhangbei", request)[1]["error"]["code"] == "not_escalatable"  # once
    assert Notice.get("government:130722", f"decision-request:{decision['letter_id']}").article == ART[30]
    # Before the government issues it, the agency neither reads it nor answers it, and it does not print.
    assert call("GET", f"/letters/{decision['letter_id']}", "admin-market")[0] == 403
    assert call("GET", f"/letters/{decision['letter_id']}/document", "judicial-zhangbei")[0] == 409
    # The bureau cannot issue it; nor can another government; the same-level government does.
    assert call("POST", f"/letters/{decision['letter_id']}/issue", "judicial-zhangbei")[0] == 403
    huailai = Identity("government-130730", "government", region_code="130730")
    assert call("POST", f"/letters/{decision['letter_id']}/issue", huailai)[0] == 403
    status, issued = call("POST", f"/letters/{decision['letter_id']}/issue", "government-zhangbei")
    assert status == 200 and issued["status"] == "issued" and issued["number"] == "张北县政府监决〔2026〕1号"
    assert issued["reply_due"] == "2026-07-15"
    assert call("POST", f"/letters/{decision['letter_id']}/issue", "government-zhangbei")[1]["error"]["code"] == "not_requested"
    assert (
        Notice.get(f"agency:{MARKET}", f"letter:{decision['letter_id']}").title
        == "收到行政执法监督决定书：张北县政府监决〔2026〕1号"
    )
    assert Notice.get("judicial:130722", f"decision-issued:{decision['letter_id']}").kind == "letter_decision_issued"
    text = pdf_text(call("GET", f"/letters/{decision['letter_id']}/document", "admin-market")[1])
    assert "张北县政府监决〔2026〕1号" in text and text.endswith("张北县人民政府2026-07-01") and "应该局请求" in text
    assert (
        call(
            "POST",
            f"/letters/{decision['letter_id']}/reply",
            "admin-police",
            {"reply": "与本机关无关的答复内容", "corrected": True},
        )[0]
        == 403
    )
    status, replied = call(
        "POST",
        f"/letters/{decision['letter_id']}/reply",
        "admin-market",
        {"reply": "已核查并纠正，相关人员已作检讨，整改报告附后。", "corrected": True},
    )
    assert status == 200 and (replied["status"], replied["corrected"]) == ("replied", True)
    assert Obligation.get(f"letter_reply:{decision['letter_id']}").status == "done"
    listed = call("GET", "/letters", "judicial-zhangbei", query="region_code=130722")[1]["items"]
    assert {item["kind"] for item in listed} == {"suggestion", "decision"}
    assert call("GET", "/letters", "government-zhangbei", query="region_code=130722")[0] == 200


def test_a_reply_that_refuses_is_not_correcting_in_time(june):
    """Art. 30 不及时纠正: a reply refusing to correct opens the request at once; a reply that corrects
    blocks it unless the bureau records that the correction did not happen."""
    body = {"agency_id": MARKET, "findings": ["要求企业法定代表人到场配合检查"], "requirements": "停止要求法定代表人到场的做法"}
    refused = call("POST", "/letters", "judicial-zhangbei", body)[1]
    corrected = call("POST", "/letters", "judicial-zhangbei", body)[1]
    call(
        "POST",
        f"/letters/{refused['letter_id']}/reply",
        "admin-market",
        {"reply": "本机关认为该做法符合规定，不予纠正。", "corrected": False},
    )
    call(
        "POST",
        f"/letters/{corrected['letter_id']}/reply",
        "admin-market",
        {"reply": "已停止该做法，并通知全体执法人员。", "corrected": True},
    )
    request = {"grounds": "答复拒不纠正", "requirements": "立即停止要求法定代表人到场的做法"}
    status, decision = call("POST", f"/letters/{refused['letter_id']}/decision-request", "judicial-zhangbei", request)
    assert status == 201 and decision["request_grounds"].startswith("被监督机关答复拒不纠正")
    status, answer = call("POST", f"/letters/{corrected['letter_id']}/decision-request", "judicial-zhangbei", request)
    assert (status, answer["error"]["code"]) == (422, "agency_corrected")
    status, decision = call(
        "POST",
        f"/letters/{corrected['letter_id']}/decision-request",
        "judicial-zhangbei",
        {**request, "reply_insufficient": True, "grounds": "回访两家企业，仍被要求法定代表人到场"},
    )
    assert status == 201 and decision["request_grounds"] == "答复称已纠正，经核查未纠正。回访两家企业，仍被要求法定代表人到场"
    status, declined = call("POST", f"/letters/{decision['letter_id']}/decline", "government-zhangbei", {"reason": "已另行督办"})
    assert status == 200 and declined["status"] == "declined"
    assert Notice.get("judicial:130722", f"decision-declined:{decision['letter_id']}").body.endswith("已另行督办")
    assert call("POST", f"/letters/{decision['letter_id']}/issue", "government-zhangbei")[0] == 409


def test_concurrent_requests_and_replies_make_one_outcome(june):
    """A reply and a request, or two requests, racing on one suggestion: exactly one wins."""
    body = {"agency_id": MARKET, "findings": ["检查后未告知企业检查结果"], "requirements": "限期告知并说明原因"}
    letter = call("POST", "/letters", "judicial-zhangbei", body)[1]
    call(
        "POST", f"/letters/{letter['letter_id']}/reply", "admin-market", {"reply": "不予纠正，理由另函说明。", "corrected": False}
    )
    request = {"grounds": "答复拒不纠正", "requirements": "限期告知企业检查结果"}
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda _: call("POST", f"/letters/{letter['letter_id']}/decision-request", "judicial-zhangbei", request)[0],
                range(4),
            )
        )
    assert sorted(answers) == [201, 409, 409, 409]
    decisions = [r for r in Letter.by_region.query("130722", filter_condition=Letter.parent_id == letter["letter_id"])]
    assert len(decisions) == 1
    with ThreadPoolExecutor(3) as pool:
        answers = list(
            pool.map(lambda _: call("POST", f"/letters/{decisions[0].record_id}/issue", "government-zhangbei")[0], range(3))
        )
    assert sorted(answers) == [200, 409, 409]


def test_a_letter_follows_up_the_cases_it_names(june):
    visit_id = closed_visit()
    body = {
        "region_code": "130722",
        "period_from": "2026-06-01",
        "period_to": "2026-06-30",
        "per_agency": 1,
        "seed": "2026年第二季度回访-公开种子",
    }
    sample_id = call("POST", "/return-visits", "judicial-zhangbei", body)[1]["sample_id"]
    case_id = call(
        "POST", f"/return-visits/{sample_id}/visits/{visit_id}", "judicial-zhangbei", {"reached": True, "told_result": False}
    )[1]["case_id"]
    status, letter = call(
        "POST",
        "/letters",
        "judicial-zhangbei",
        {
            "agency_id": MARKET,
            "case_ids": [case_id],
            "findings": ["检查后未告知企业检查结果"],
            "requirements": "限期告知并说明原因",
        },
    )
    assert status == 201 and letter["case_ids"] == [case_id]
    case = call("GET", "/supervision/cases", "judicial-zhangbei", query="region_code=130722")[1]["items"][0]
    assert (case["case_id"], case["status"], case["letter_ids"]) == (case_id, "letter_issued", [letter["letter_id"]])


def test_sampling_is_a_pure_function_of_its_inputs():
    candidates = {"A": [f"v{n}" for n in range(10)], "B": ["w1", "w2"]}
    first = return_visits.draw(candidates, 3, "seed-2026-Q2")
    assert first == return_visits.draw({k: list(reversed(v)) for k, v in reversed(candidates.items())}, 3, "seed-2026-Q2")
    assert len(first["A"]) == 3 and sorted(first["B"]) == ["w1", "w2"]
    assert first != return_visits.draw(candidates, 3, "another-seed")
    assert return_visits.revealed(return_visits.AnswersIn(reached=True, scanned_in=False)) == ["未扫码入企登记（第二十四条）"]


def test_the_demo_has_a_decision_request_waiting_for_its_government(june):
    listed = call("GET", "/letters", "government-zhangbei", query="region_code=130722")[1]["items"]
    waiting = [item for item in listed if item["status"] == "requested"]
    assert [(w["kind"], w["agency_id"], w["issuer_name"]) for w in waiting] == [("decision", MARKET, "张北县人民政府")]
    assert waiting[0]["request_grounds"].startswith("被监督机关答复拒不纠正")
    assert call("POST", f"/letters/{waiting[0]['letter_id']}/issue", "government-zhangbei")[0] == 200
