"""Obligations, the daily reminder run and delivery, on the moto server (DynamoDB, SQS, SNS, SES)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from local import queues
from local.demo_data import MARKET
from local.invoke import invoke
from sheqi import clock
from sheqi.auth import Identity
from sheqi.clock import CST
from sheqi.registry import registers
from sheqi.reminders import delivery, obligations
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from tests.helpers import as_function, call, reminder_run, sample_event


def at(day: date, monkeypatch, hour: int = 9) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(day.year, day.month, day.day, hour, 0, tzinfo=CST))


def deliver(now):
    """A delivery run, under the deliveryDispatch function's role."""
    with as_function("deliveryDispatch"):
        return delivery.run(now)


def reminders(recipient: str) -> list[str]:
    return sorted(n.notice_id for n in Notice.query(recipient, Notice.notice_id.startswith("reminder:")))


def contract(n: int, received_on: str = "2026-11-01") -> dict:
    return {
        "contract_id": f"HT-{n:04d}",
        "name": f"技术开发合同{n}",
        "applicant": "张北县风电设备制造有限公司",
        "region_code": "130722",
        "received_on": received_on,
    }


def test_provisional_deadline_recomputed_when_the_year_is_loaded(demo, monkeypatch):
    at(date(2026, 12, 24), monkeypatch)
    entries = call("GET", f"/agencies/{MARKET}/plans/2026", "admin-market")[1]["versions"][-1]["entries"]
    status, draft = call(
        "POST",
        f"/agencies/{MARKET}/plans",
        "admin-market",
        {"year": 2026, "entries": entries, "changed_on": "2026-12-24", "change_reason": "新增节前专项安排"},
    )
    assert status == 201, draft
    # 2027 is not in the calendar package: counted on weekends only, and said to be provisional.
    assert (draft["filing_due"], draft["filing_due_provisional"]) == ("2027-01-07", True)
    obligation_id = f"plan_refile:{MARKET}:2026#{draft['version']:04d}"
    assert Obligation.get(obligation_id).provisional_year == "2027"
    reminder_run("130722", date(2027, 1, 4))
    upcoming = Notice.get(f"agency:{MARKET}", f"reminder:{obligation_id}:upcoming")
    assert "尚未载入" in upcoming.body and "2027-01-07" in upcoming.body

    arrangement = {"notice": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）", "holidays": ["2027-01-01"]}
    assert call("PUT", "/calendars/2027", "platform", arrangement)[0] == 200
    record = Obligation.get(obligation_id)
    assert (record.due, record.provisional, record.provisional_year) == ("2027-01-08", False, None)
    version = call("GET", f"/agencies/{MARKET}/plans/2026", "admin-market")[1]["versions"][-1]
    assert (version["filing_due"], version["filing_due_provisional"]) == ("2027-01-08", False)
    assert record.next_stage_on == "2027-01-08"  # "upcoming" was sent; "due" is next, on the new date
    call("POST", f"/agencies/{MARKET}/plans/2026/{draft['version']}/file", "admin-market")
    assert Obligation.get(obligation_id).status == "done"


def test_deadline_stages_and_escalation_each_sent_once(demo, monkeypatch):
    at(date(2026, 11, 1), monkeypatch)
    status, registered = call("POST", "/science/contracts", "science-city", contract(1))
    assert status == 201 and registered["due"] == "2026-12-01", registered
    assert call("POST", "/science/contracts", "science-city", contract(1))[1]["error"]["code"] == "already_registered"
    oid = registered["obligation_id"]
    box = "science_bureau:130722"
    for day, expected in (
        (date(2026, 11, 27), []),
        (date(2026, 11, 28), ["upcoming"]),
        (date(2026, 12, 1), ["due", "upcoming"]),
        (date(2026, 12, 2), ["due", "overdue", "upcoming"]),
    ):
        assert reminder_run("130722", day)["region_code"] == "130722"
        assert reminders(box) == [f"reminder:{oid}:{s}" for s in expected], day
    reminder_run("130722", date(2026, 12, 8))  # 5 working days overdue: the city bureau hears
    assert reminders("science_bureau:130700") == [f"reminder:{oid}:escalated"]
    again = reminder_run("130722", date(2026, 12, 8))
    assert again["obligations_read"] == 0 and again["reminders_created"] == 0


def test_overlapping_runs_send_each_reminder_exactly_once(demo, monkeypatch):
    at(date(2026, 11, 1), monkeypatch)
    for n in range(30):
        call("POST", "/science/contracts", "science-city", contract(n))
    with ThreadPoolExecutor(6) as pool:
        runs = list(pool.map(lambda _: reminder_run("130722", date(2026, 12, 1)), range(6)))
    assert sum(r["reminders_created"] for r in runs) == 30
    assert len(reminders("science_bureau:130722")) == 30
    assert reminder_run("130722", date(2026, 12, 1))["reminders_created"] == 0


def test_year_end_campaign_reminds_until_published_then_lists_the_overdue(demo, monkeypatch):
    at(date(2026, 12, 1), monkeypatch)
    late = registers.create_agency(
        registers.AgencyIn(
            agency_id="11130722000013099H",
            name="张北县应急管理局",
            level="county",
            region_code="130722",
            kind="enforcement_agency",
        )
    )
    reminder_run("130722", date(2026, 12, 1))
    # The market regulator published its 2027 plan already: found done, never reminded.
    assert Obligation.get(f"plan_yearend:{MARKET}:2027").status == "done"
    assert not reminders(f"agency:{MARKET}")
    box = f"agency:{late.agency_id}"
    assert reminders(box) == [f"reminder:plan_yearend:{late.agency_id}:2027:remind-12-01"]
    reminder_run("130722", date(2026, 12, 20))
    assert len(reminders(box)) == 2
    reminder_run("130722", date(2027, 1, 1))
    assert reminders("judicial:130722") == [f"reminder:plan_yearend:{late.agency_id}:2027:overdue"]
    at(date(2027, 1, 2), monkeypatch)
    status, listed = call("GET", "/obligations", "judicial-zhangbei", query="overdue=true")
    assert status == 200 and [o["obligation_id"] for o in listed["items"]] == [f"plan_yearend:{late.agency_id}:2027"]
    assert listed["items"][0]["overdue_days"] == 2
    assert call("GET", "/obligations", "judicial-huailai", query="region_code=130722")[0] == 403


def test_daily_dispatch_fans_out_per_region_through_the_queue(demo, monkeypatch, tables):
    at(date(2026, 11, 1), monkeypatch)
    call("POST", "/science/contracts", "science-city", contract(7))
    call("POST", "/science/contracts", "science-city", {**contract(8), "region_code": "130730"})
    event = sample_event("schedule/reminder_dispatch.json")  # 2026-11-25: "upcoming" is 28 November
    event["time"] = "2026-11-28T00:00:00Z"
    result = invoke("functions/reminder_dispatch/handler.handler", "reminderDispatch", event)
    assert result["regions"] >= 2
    assert queues.drain(tables) >= 2
    assert len(reminders("science_bureau:130722")) == 1 and len(reminders("science_bureau:130730")) == 1


def test_recipient_sees_and_acknowledges_pending_reminders(demo, monkeypatch):
    at(date(2026, 11, 1), monkeypatch)
    call("POST", "/science/contracts", "science-city", contract(3))
    reminder_run("130722", date(2026, 11, 28))
    science_box = Identity("science-130722", "science_bureau", region_code="130722")
    status, page = call("GET", "/reminders", science_box)
    assert status == 200 and len(page["items"]) == 1
    notice_id = page["items"][0]["notice_id"]
    assert call("POST", f"/notices/{notice_id}/acknowledge", "market-wang")[0] == 404  # not in his box
    status, acknowledged = call("POST", f"/notices/{notice_id}/acknowledge", science_box)
    assert status == 200 and acknowledged["status"] == "acknowledged"
    assert call("GET", "/reminders", science_box)[1]["items"] == []
    status, done = call(
        "POST", "/science/contracts/130722/HT-0003/done", science_box, {"done_on": "2026-11-29", "note": "准予登记"}
    )
    assert status == 201 and done["status"] == "done"
    assert call("POST", "/science/contracts/130722/HT-0003/done", "science-city", {"done_on": "2026-11-29"})[0] == 409


@pytest.fixture
def log(env, tmp_path) -> Path:
    path = tmp_path / "deliveries.log"
    env(DELIVERY_LOG=str(path))
    return path


def enterprise_notice(n: int) -> Notice:
    notice = Notice(
        "enterprise:91130722MA0A1B2C3U", f"test:{n}", kind="test", title=f"测试通知{n}", body="正文", created_at=clock.now_iso()
    )
    notice.save()
    return notice


def test_delivery_by_sms_mail_and_log_once_each_even_with_overlapping_runs(demo, log):
    call("PUT", "/contacts/enterprise:91130722MA0A1B2C3U", "enterprise-1", {"sms": "+8613903130001", "email": "fin@example.cn"})
    for n in range(12):
        enterprise_notice(n)
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: deliver(clock.now() + timedelta(seconds=1)), range(4)))
    sent = [n for n in Notice.query("enterprise:91130722MA0A1B2C3U", Notice.notice_id.startswith("test:"))]
    assert {n.delivery for n in sent} == {"sent"} and sorted(sent[0].channels) == ["email", "sms"]
    lines = log.read_text().splitlines()
    # Once each, four runs notwithstanding (the demo's own notices to the enterprise go out too).
    assert len([line for line in lines if "测试通知" in line]) == 12
    assert sum(r.get("sent", 0) for r in runs) == len(lines)
    assert call("PUT", "/contacts/enterprise:91130722MA0A1B2C3U", "enterprise-4", {"sms": "+8613900000000"})[0] == 403


def test_failed_delivery_retries_with_backoff_then_is_a_dead_letter(demo, log, monkeypatch):
    now = clock.now().replace(microsecond=0) + timedelta(seconds=1)
    deliver(now)  # the demo's own notices first
    call("PUT", f"/contacts/agency:{MARKET}", "admin-market", {"sms": "+8613903131000"})
    monkeypatch.setitem(delivery.CHANNELS, "sms", lambda address, notice: (_ for _ in ()).throw(RuntimeError("短信网关超时")))
    notice = Notice(f"agency:{MARKET}", "test:dead", kind="test", title="测试", body="正文", created_at=clock.now_iso())
    notice.save()
    assert deliver(now) == {"retry": 1}
    waits = []
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        due = datetime.fromisoformat(Notice.get(notice.recipient, notice.notice_id).next_attempt_at)
        waits.append(due - now)
        assert deliver(due - timedelta(seconds=1)) == {}  # not yet
        now = due
        deliver(now)
    final = Notice.get(notice.recipient, notice.notice_id)
    assert final.delivery == "dead" and final.attempts == 5 and "短信网关超时" in final.last_error
    assert waits == [timedelta(minutes=2 * 2**n) for n in range(4)]
    status, dead = call("GET", "/deliveries/dead-letters", "platform")
    assert status == 200 and [d["notice_id"] for d in dead["items"]] == ["test:dead"]
    assert call("GET", "/deliveries/dead-letters", "admin-market")[0] == 403
    monkeypatch.setitem(delivery.CHANNELS, "sms", lambda address, notice: None)
    assert (
        call("POST", "/deliveries/dead-letters/retry", "platform", {"recipient": notice.recipient, "notice_id": "test:dead"})[0]
        == 200
    )
    assert deliver(clock.now() + timedelta(seconds=1)) == {"sent": 1}
    assert call("GET", "/deliveries/dead-letters", "platform")[1]["items"] == []


def test_no_address_leaves_the_notice_in_the_app(demo, log):
    notice = Notice("judicial:130700", "test:inapp", kind="test", title="测试", body="正文", created_at=clock.now_iso())
    notice.save()
    assert deliver(clock.now() + timedelta(seconds=1)).get("in_app", 0) >= 1
    assert Notice.get("judicial:130700", "test:inapp").delivery == "in_app"


def test_undelivered_result_notice_reminds_the_agency(june, log):
    from tests.handlers.scanning import E1, E3, NOW, close_compliant, new_task, open_visit

    call("PUT", f"/contacts/enterprise:{E3}", "platform", {})  # E3 left no SMS number nor mail address
    closed = []
    for enterprise in (E1, E3):
        visit_id = open_visit(new_task(targets=(enterprise,)), enterprise=enterprise)[1]["visit_id"]
        close_compliant(visit_id)
        closed.append(visit_id)
    deliver(NOW + timedelta(seconds=1))
    reminder_run("130722", date(2026, 6, 16))
    assert Obligation.get(f"result_notice:{closed[0]}").status == "done"  # sent by SMS: fulfilled
    assert reminders(f"agency:{MARKET}") == [f"reminder:result_notice:{closed[1]}:undelivered"]
    # The enterprise acknowledges the notice in the app: fulfilled too, nothing more is sent.
    assert call("POST", f"/notices/visit-result:{closed[1]}/acknowledge", "enterprise-3")[0] == 200
    assert reminder_run("130722", date(2026, 6, 24))["completed"] == 1  # the day it would escalate
    assert reminders("judicial:130722") == []


def test_regions_join_the_daily_run_where_they_come_into_being(demo):
    assert "130723" not in obligations.active_regions()
    status, _ = call(
        "POST",
        "/enterprises",
        "platform",
        {
            "enterprise_id": "91130723MA0R7T8U90",
            "name": "康保县草业有限公司",
            "region_code": "130723",
            "credit_tier": "good",
            "credit_source": "国家企业信用信息公示系统",
        },
    )
    assert status == 201
    assert "130723" in obligations.active_regions()  # its visits' deadlines will be reminded there


def test_an_emergency_campaigns_provisional_refiling_deadline_is_counted_again(demo, monkeypatch):
    """The amended plan an emergency campaign calls for (Art. 13, 16) names no plan version yet: loading the
    year its deadline fell in recounts the deadline and touches no version."""
    at(date(2026, 12, 24), monkeypatch)
    call("PUT", f"/agencies/{MARKET}/campaign-quota", "platform", {"year": 2026, "quota": 1})
    campaign = {
        "year": 2026,
        "title": "燃气安全专项检查",
        "item_ids": ["special-equipment"],
        "approving_authority": "张北县人民政府",
        "approving_level": "county_government",
        "approval_document": "张政字〔2026〕99号",
        "approved_on": "2026-12-24",
        "emergency": True,
    }
    status, filed = call("POST", f"/agencies/{MARKET}/campaigns", "admin-market", campaign)
    assert status == 201, filed
    obligation_id = f"plan_refile:{MARKET}:campaign:{filed['campaign_id']}"
    assert (Obligation.get(obligation_id).due, Obligation.get(obligation_id).provisional_year) == ("2027-01-07", "2027")
    arrangement = {"notice": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）", "holidays": ["2027-01-01"]}
    assert call("PUT", "/calendars/2027", "platform", arrangement)[0] == 200
    record = Obligation.get(obligation_id)
    assert (record.due, record.provisional, record.provisional_year) == ("2027-01-08", False, None)
