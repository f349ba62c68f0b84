"""Summons, public reports and orders to correct (Art. 31): recorded by the bureau supervising the agency,
read by that bureau (a city bureau over its counties) and the platform, and by the agency itself, its own only."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from local.demo_data import MARKET, POLICE
from sheqi import clock
from sheqi.inputs import parse
from sheqi.rules.articles import ART
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.supervision import Accountability
from sheqi.supervision import accountability
from tests.handlers.test_hostile_input import tables_now
from tests.helpers import call, identity, reminder_run

ORDER = {
    "kind": "order",
    "agency_id": MARKET,
    "inspector_id": "market-wang",
    "findings": ["2026年6月未扫码即进入企业检查（第二十四条）"],
    "requirements": "停止未登记检查，组织执法人员学习扫码入企规定",
    "correct_by": "2026-07-15",
}


def listed(path, who, query=""):
    status, answer = call("GET", path, who, query=query)
    assert status == 200, answer
    return [m["measure_id"] for m in answer["items"]]


def test_an_order_against_an_inspector_is_recorded_notified_and_read_by_the_bureau_and_the_agency_only(june, monkeypatch):
    status, order = call("POST", "/accountability", "judicial-zhangbei", ORDER)
    assert status == 201, order
    assert (order["kind_label"], order["person_name"], order["issuer_name"]) == (
        "责令改正",
        "张北县市场监督管理局执法人员王建国",
        "张北县司法局",
    )
    assert order["article"] == ART[31] and order["correct_by"] == "2026-07-15"
    notice = Notice.get(f"agency:{MARKET}", f"accountability:{order['measure_id']}")
    assert notice.article == ART[31] and "责令改正" in notice.title and "2026-07-15" in notice.body
    inbox = call("GET", "/notices", "admin-market")[1]["items"]
    assert f"accountability:{order['measure_id']}" in [n["notice_id"] for n in inbox]

    monkeypatch.setattr(clock, "now", lambda: june + timedelta(hours=1))
    status, summons = call(
        "POST",
        "/accountability",
        "judicial-city",
        {
            "kind": "summons",
            "agency_id": MARKET,
            "findings": ["同一企业一年内检查超过频次上限"],
            "requirements": "说明超频次检查的依据并整改",
            "held_on": "2026-06-20",
        },
    )
    assert status == 201 and summons["person_name"] == "张北县市场监督管理局负责人", summons  # a city bureau covers its counties

    both = [summons["measure_id"], order["measure_id"]]  # newest first
    assert listed("/accountability", "judicial-zhangbei", "region_code=130722") == both
    assert listed("/accountability", "judicial-city", "region_code=130722") == both
    assert listed("/accountability", "platform", "region_code=130722") == both
    assert listed(f"/agencies/{MARKET}/accountability", "admin-market") == both
    assert listed(f"/agencies/{MARKET}/accountability", "judicial-zhangbei") == both
    assert listed(f"/agencies/{POLICE}/accountability", "admin-police") == []
    assert listed("/accountability", "judicial-huailai") == []  # its own region

    for who, path, query in (
        ("judicial-huailai", "/accountability", "region_code=130722"),
        ("judicial-huailai", f"/agencies/{MARKET}/accountability", ""),
        ("admin-police", f"/agencies/{MARKET}/accountability", ""),
        ("admin-market", "/accountability", "region_code=130722"),
        ("market-wang", f"/agencies/{MARKET}/accountability", ""),
        ("market-wang", "/accountability", "region_code=130722"),
        ("enterprise-1", f"/agencies/{MARKET}/accountability", ""),
        ("enterprise-1", "/accountability", "region_code=130722"),
        ("government-zhangbei", "/accountability", "region_code=130722"),
    ):
        assert call("GET", path, who, query=query)[0] == 403, (who, path)


def test_only_the_supervising_bureau_records_and_a_refusal_changes_nothing(june):
    before = tables_now()
    for who in ("judicial-huailai", "admin-market", "market-wang", "enterprise-1", "platform", "government-zhangbei"):
        assert call("POST", "/accountability", who, ORDER)[0] == 403, who
    refusals = [
        ({**ORDER, "correct_by": None}, 422, "correct_by"),  # an order names its deadline
        ({**ORDER, "kind": "summons", "held_on": "2026-06-20"}, 422, "correct_by"),  # a summons has none
        ({**ORDER, "kind": "report"}, 422, "scope"),
        ({**ORDER, "kind": "warning"}, 422, "kind"),
        ({**ORDER, "findings": []}, 422, "findings"),
        ({**ORDER, "correct_by": "2026-06-01"}, 422, "correct_by"),  # in the past
        ({**ORDER, "inspector_id": "police-zhang"}, 422, "inspector_id"),  # not the agency's inspector
        ({**ORDER, "agency_id": "11130722000099999X"}, 404, None),
    ]
    for body, status, field in refusals:
        got, answer = call("POST", "/accountability", "judicial-zhangbei", body)
        assert got == status and answer["error"].get("field") == field, (body, answer)
        assert "message" in answer["error"]
    assert (
        call("POST", "/accountability", "judicial-zhangbei", {**ORDER, "inspector_id": "police-zhang"})[1]["error"]["article"]
        == ART[31]
    )
    assert tables_now() == before


def test_a_report_is_stored_under_its_agency_and_in_the_regions_index(june):
    measure = accountability.record(
        identity("judicial-zhangbei"),
        parse(
            accountability.MeasureIn,
            {
                "kind": "report",
                "agency_id": MARKET,
                "findings": ["以检查名义要求企业购买指定产品（第二十七条）"],
                "requirements": "全面清理，并向企业道歉",
                "scope": "全县行政执法机关",
            },
        ),
    )
    assert measure.pk == f"agency#{MARKET}" and measure.sk.startswith(f"measure#{measure.created_at}#")
    partition, condition = Accountability.of_agency(MARKET)
    assert [m.measure_id for m in Accountability.query(partition, condition)] == [measure.measure_id]
    in_region = [m for m in Accountability.by_region.query("130722") if m.record_kind == "measure"]
    assert [m.measure_id for m in in_region] == [measure.measure_id]
    view = accountability.view(measure)
    assert (view["kind_label"], view["scope"], view["held_on"], view["correct_by"]) == ("通报", "全县行政执法机关", None, None)


def at(monkeypatch, day: str) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat(f"{day}T09:00:00+08:00"))


def reminders_of(recipient: str, measure_id: str) -> list[str]:
    prefix = f"reminder:correction_order:{measure_id}:"
    return sorted(n.notice_id.removeprefix(prefix) for n in Notice.query(recipient, Notice.notice_id.startswith(prefix)))


def test_an_order_is_reminded_until_the_agency_reports_it_corrected_once(june, monkeypatch):
    order = call("POST", "/accountability", "judicial-zhangbei", ORDER)[1]
    measure_id = order["measure_id"]
    obligation = Obligation.get(f"correction_order:{measure_id}")
    assert (obligation.owner, obligation.due, obligation.status) == (f"agency:{MARKET}", "2026-07-15", "open")
    todo = call("GET", "/obligations", "admin-market")[1]["items"]
    assert [o["article"] for o in todo if o["kind"] == "correction_order"] == [ART[31]]

    reminder_run("130722", date(2026, 7, 12))  # three days before the deadline
    assert reminders_of(f"agency:{MARKET}", measure_id) == ["upcoming"]

    at(monkeypatch, "2026-07-14")
    path = f"/agencies/{MARKET}/accountability/{measure_id}/correction-report"
    report = {"report": "已组织全体执法人员学习扫码入企规定，王建国已作书面检查", "corrected_on": "2026-07-13"}
    before = tables_now()
    for who in ("admin-police", "judicial-zhangbei", "market-wang", "enterprise-1", "platform"):
        assert call("POST", path, who, report)[0] == 403, who
    status, answer = call("POST", path, "admin-market", {**report, "corrected_on": "2026-07-15"})
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (422, "corrected_on_future", "corrected_on")
    assert call("POST", f"/agencies/{MARKET}/accountability/{'0' * 32}/correction-report", "admin-market", report)[0] == 404
    assert tables_now() == before

    status, reported = call("POST", path, "admin-market", report)
    assert status == 200, reported
    assert (reported["correction_report"], reported["corrected_on"], reported["reported_late"]) == (
        report["report"],
        "2026-07-13",
        False,
    )
    assert Obligation.get(f"correction_order:{measure_id}").status == "done"
    bureau = Notice.get("judicial:130722", f"accountability-report:{measure_id}")
    assert bureau.article == ART[31] and report["report"] in bureau.body and "2026-07-15" in bureau.body
    status, again = call("POST", path, "admin-market", {**report, "report": "再次报告改正情况"})
    assert (status, again["error"]["code"], again["error"]["article"]) == (409, "correction_already_reported", ART[31])
    assert [
        m["correction_report"] for m in call("GET", f"/agencies/{MARKET}/accountability", "judicial-zhangbei")[1]["items"]
    ] == [report["report"]]

    reminder_run("130722", date(2026, 7, 30))  # long past the deadline: nothing more, to anyone
    assert reminders_of(f"agency:{MARKET}", measure_id) == ["upcoming"]
    assert reminders_of("judicial:130722", measure_id) == []


def test_an_order_not_reported_escalates_to_the_bureau_and_a_late_report_says_so(june, monkeypatch):
    measure_id = call("POST", "/accountability", "judicial-zhangbei", ORDER)[1]["measure_id"]
    reminder_run("130722", date(2026, 7, 16))
    assert reminders_of(f"agency:{MARKET}", measure_id) == ["overdue"]
    reminder_run("130722", date(2026, 7, 22))  # 5 working days overdue
    assert reminders_of("judicial:130722", measure_id) == ["escalated"]

    at(monkeypatch, "2026-07-23")
    path = f"/agencies/{MARKET}/accountability/{measure_id}/correction-report"
    status, reported = call("POST", path, "admin-market", {"report": "已整改完毕", "corrected_on": "2026-07-21"})
    assert status == 200 and reported["reported_late"] is True


def test_only_an_order_takes_a_correction_report(june):
    summons = {**ORDER, "kind": "summons", "correct_by": None, "held_on": "2026-06-20"}
    measure_id = call("POST", "/accountability", "judicial-zhangbei", summons)[1]["measure_id"]
    assert not list(Obligation.query(f"correction_order:{measure_id}"))
    path = f"/agencies/{MARKET}/accountability/{measure_id}/correction-report"
    status, answer = call("POST", path, "admin-market", {"report": "已整改完毕", "corrected_on": "2026-06-10"})
    assert (status, answer["error"]["code"], answer["error"]["article"]) == (422, "measure_not_an_order", ART[31])


def test_racing_reports_leave_one(june, monkeypatch):
    measure_id = call("POST", "/accountability", "judicial-zhangbei", ORDER)[1]["measure_id"]
    at(monkeypatch, "2026-07-01")
    path = f"/agencies/{MARKET}/accountability/{measure_id}/correction-report"
    bodies = [{"report": f"改正情况报告第{n}稿", "corrected_on": "2026-06-30"} for n in range(6)]
    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(lambda body: call("POST", path, "admin-market", body)[0], bodies))
    assert statuses == [200] + [409] * 5
    assert len([n for n in Notice.query("judicial:130722") if n.notice_id == f"accountability-report:{measure_id}"]) == 1
