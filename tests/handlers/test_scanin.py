"""Scan-in through the handler, against the moto server, on a fixed clock (mid-June 2026)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from botocore.client import BaseClient

from local.demo_data import IDENTITIES, LAB, MARKET, POLICE
from local.invoke import current_function
from sheqi.inputs import parse
from sheqi.inspections import scanin
from sheqi.plans import filing
from sheqi.registry import registers
from sheqi.rules.articles import ART
from sheqi.signing import codes
from sheqi.store.notices import Notice
from sheqi.store.registers import Enterprise
from sheqi.store.tallies import RefusalTally, Tally
from sheqi.store.tasks import Task
from sheqi.store.visits import LastVisit, PendingScans, Scan, Visit, VisitSlot
from tests.handlers.scanning import E1, E3, E4, NOW, new_task, open_visit, scan
from tests.helpers import call


def tally(*parts) -> int:
    try:
        return Tally.get("#".join(["count", *parts])).count
    except Tally.DoesNotExist:
        return 0


def test_two_inspectors_open_a_visit_counted_once(june):
    task = new_task()
    status, first = scan("market-wang", task)
    assert status == 202 and first["outcome"] == "pending"
    status, second = scan("market-li", task)
    assert status == 201 and second["outcome"] == "opened"
    # HERE is about 1.6 km from E1's registered premises: accepted, and flagged.
    assert 1500 < second["distance_m"] < 1800 and "far_from_premises" in {f["code"] for f in second["flags"]}
    visit = Visit.get(second["visit_id"])
    assert [i["certificate_no"] for i in visit.inspectors] == ["13072201001", "13072201002"]
    assert visit.items[0]["legal_basis"].startswith("《中华人民共和国食品安全法》")
    assert (tally(E1, "2026", MARKET, "food-business"), tally(E1, "2026", MARKET), tally(E1, "2026")) == (1, 1, 1)
    notices = {n.kind: n for n in Notice.query(f"enterprise:{E1}")}
    opened = notices["scan_opened"].body
    assert "王建国" in opened and "13072201002" in opened and "食品安全法" in opened and "有效期至" in opened


def test_retry_returns_the_first_answer_and_writes_nothing(june):
    task = new_task()
    scan("market-wang", task)
    first = scan("market-li", task, rid="retry-000001")
    scans_before = len(list(Scan.by_enterprise.query(E1)))
    again = scan("market-li", task, rid="retry-000001")
    assert again == first
    assert len(list(Scan.by_enterprise.query(E1))) == scans_before
    assert tally(E1, "2026", MARKET, "food-business") == 1


def test_refused_scan_is_registered_and_never_counts(june):
    task = new_task()
    status, answer = scan("market-aux-sun", task)
    assert status == 201 and answer["outcome"] == "refused"
    assert {r["code"] for r in answer["reasons"]} == {"not_formal_staff", "no_certificate", "not_on_task_team"}
    assert Scan.get(answer["scan_id"]).outcome == "refused"
    assert tally(E1, "2026") == 0
    refusal = next(n for n in Notice.query(f"enterprise:{E1}") if n.kind == "scan_refused")
    assert "有权拒绝接受检查" in refusal.body and "投诉举报" in refusal.body and "孙小明（无执法证件）" in refusal.body


def test_same_agency_same_day_joins_and_counts_only_new_items(june):
    food = new_task()
    equipment = new_task(
        participants=[{"agency_id": MARKET, "item_ids": ["special-equipment"], "inspector_ids": ["market-wang", "market-li"]}]
    )
    visit_id = open_visit(food)[1]["visit_id"]
    status, joined = scan("market-wang", equipment)
    assert status == 201 and joined["outcome"] == "joined" and joined["visit_id"] == visit_id
    visit = Visit.get(visit_id)
    assert {i["item_id"] for i in visit.items} == {"food-business", "special-equipment"}
    assert visit.task_ids == [food, equipment] and len(visit.inspectors) == 2
    assert tally(E1, "2026", MARKET, "special-equipment") == 1
    assert (tally(E1, "2026", MARKET), tally(E1, "2026")) == (1, 1)  # one visit (Art. 17)


def test_every_outcome_costs_one_read_and_one_write(june, monkeypatch):
    """The visit a scan may join is read in the same batch as its slot (the day's first visit's id derives
    from the slot): pending, opened, joined (with and without changes) and refused, one BatchGetItem and one
    TransactWriteItems each. Only a later visit of the day, after the first closed, is read apart."""
    calls = []
    real = BaseClient._make_api_call

    def counted(client, operation, params):
        if current_function.get() == "scans" and client.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    food = new_task(targets=(E3,))  # a poor credit tier: a second visit the same day is within the caps
    equipment = new_task(
        targets=(E3,),
        participants=[{"agency_id": MARKET, "item_ids": ["special-equipment"], "inspector_ids": ["market-wang", "market-li"]}],
    )
    trips, visits = [], set()
    for who, task in (
        ("market-wang", food),
        ("market-li", food),
        ("market-wang", food),
        ("market-wang", equipment),
        ("market-aux-sun", food),
    ):
        calls.clear()
        answer = scan(who, task, E3)[1]
        trips.append((answer["outcome"], calls[:]))
        visits.add(answer["visit_id"])
    assert trips == [
        (outcome, ["BatchGetItem", "TransactWriteItems"]) for outcome in ("pending", "opened", "joined", "joined", "refused")
    ]
    first = scanin.first_visit_id(VisitSlot.key(E3, MARKET, NOW.date()))
    assert visits == {None, first}
    for item in ("food-business", "special-equipment"):
        call("POST", f"/visits/{first}/findings", "market-wang", {"agency_id": MARKET, "item_id": item, "result": "compliant"})
    assert (
        call(
            "POST",
            f"/visits/{first}/close",
            "market-wang",
            {"ended_at": NOW.isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
        )[0]
        == 201
    )
    scan("market-wang", food, E3)
    second = scan("market-li", food, E3)[1]
    assert second["outcome"] == "opened" and second["visit_id"] != first
    calls.clear()
    assert scan("market-li", food, E3)[1]["visit_id"] == second["visit_id"]
    assert calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]  # the day's second visit: read apart


def test_repeated_scans_by_the_team_are_registered_without_rewriting_the_visit(june):
    """A member scanning again while waiting, or after joining, is registered, but changes neither the
    pending list (the pairing window runs from the first scan) nor the visit and its chain."""
    task = new_task()
    scan("market-wang", task, at=NOW - timedelta(minutes=10))
    assert scan("market-wang", task)[1]["outcome"] == "pending"
    waiting = PendingScans.get(PendingScans.key(task, E1, NOW.date()))
    assert waiting.version == 1 and waiting.members[0]["device_time"] == (NOW - timedelta(minutes=10)).isoformat()
    visit_id = scan("market-li", task)[1]["visit_id"]
    head = Visit.get(visit_id).head_seq
    status, again = scan("market-li", task)
    assert status == 201 and again["outcome"] == "joined" and again["visit_id"] == visit_id
    assert Visit.get(visit_id).head_seq == head and Scan.get(again["scan_id"]).outcome == "joined"
    assert tally(E1, "2026") == 1


def test_cap_reached_is_refused_by_the_write_condition(june):
    task = new_task()
    assert open_visit(task, at=NOW - timedelta(days=2), late_reason="no_network")[1]["outcome"] == "opened"
    status, answer = open_visit(task)  # E1 is "good": one food-business check a year
    assert answer["outcome"] == "refused"
    assert [r["code"] for r in answer["reasons"]] == ["frequency_cap_reached"]
    assert tally(E1, "2026", MARKET, "food-business") == 1 and tally(E1, "2026") == 1


def test_art12_exception_exceeds_the_cap_flagged_for_the_judicial_bureau(june):
    open_visit(new_task(), at=NOW - timedelta(days=2), late_reason="no_network")
    urgent = new_task(
        type="case",
        trigger={"kind": "complaint", "reference": "12345-2026-0615"},
        exception={"reason": 1, "ground": {"kind": "complaint", "reference": "12345-2026-0615"}},
    )
    status, answer = open_visit(urgent)
    assert answer["outcome"] == "opened"
    assert "over_cap_exception" in {f["code"] for f in answer["flags"]}
    assert tally(E1, "2026", MARKET, "food-business") == 2
    judicial = list(Notice.query("judicial:130722"))
    assert len(judicial) == 1 and "第1项" in judicial[0].body and "投诉举报（编号） 12345-2026-0615" in judicial[0].body
    assert "已检查1次，达到上限1次" in judicial[0].body and judicial[0].article == ART[12]


def test_clean_offsite_check_blocks_a_routine_visit(june):
    offsite = new_task(method="off_site")
    status, _ = call(
        "POST",
        f"/tasks/{offsite}/offsite-results",
        "admin-market",
        {"enterprise_id": E1, "item_id": "food-business", "checked_on": "2026-06-01", "violation_found": False},
    )
    assert status == 201
    status, answer = open_visit(new_task())
    assert [r["code"] for r in answer["reasons"]] == ["offsite_check_sufficed"]
    assert tally(E1, "2026") == 0


def test_item_withdrawn_after_approval_is_not_inspected(june):
    task = new_task()
    registers.set_item_status(registers.get_item(MARKET, "food-business"), "withdrawn", NOW.date())
    status, answer = open_visit(task)
    assert [r["code"] for r in answer["reasons"]] == ["item_not_published"]
    assert tally(E1, "2026") == 0


def test_old_poster_and_business_licence_codes(june):
    task = new_task()
    old = codes.sign(E1, 1)
    call("POST", f"/enterprises/{E1}/code/reissue", "enterprise-1")
    status, answer = scan("market-wang", task, token=old)
    assert answer["outcome"] == "refused" and answer["reasons"][0]["code"] == "code_superseded"
    # the copied poster altered into another scheme no longer passes for a business licence
    status, answer = scan("market-wang", task, token=codes.code_url("2" + old[1:]))
    assert status == 201 and answer["outcome"] == "refused" and answer["enterprise"] is None
    assert [r["code"] for r in answer["reasons"]] == ["code_not_licence"] and "伪造" in answer["reasons"][0]["message"]
    assert Scan.get(answer["scan_id"]).outcome == "refused"
    # the licence's own QR is accepted, flagged, and the enterprise is told it was used
    licence = f"http://www.gsxt.gov.cn/index.html?uniscid={E1}"
    status, answer = scan("market-wang", task, token=licence)
    assert answer["outcome"] == "pending" and answer["identified_by"] == "business_licence"
    assert "identified_by_business_licence" in {f["code"] for f in answer["flags"]}
    status, answer = scan("market-li", task, token=licence)
    assert answer["outcome"] == "opened" and "identified_by_business_licence" in {f["code"] for f in answer["flags"]}
    notice = Notice.get(f"enterprise:{E1}", f"scan:{answer['scan_id']}")
    assert notice.kind == "scan_opened" and "以营业执照二维码识别贵单位" in notice.body


JOINT = dict(
    targets=(E4,),
    admin="admin-police",
    type="case",
    trigger={"kind": "complaint", "reference": "12345-HL-0615"},
    participants=[
        {"agency_id": POLICE, "item_ids": ["fire-safety"], "inspector_ids": ["police-zhang", "police-liu"]},
        {"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]},
    ],
)


def test_joint_task_needs_every_agency_two_inspectors_each_and_counts_once_per_agency(june):
    """Led by the competent 怀来 police, the 张北 market agency joins outside its county (Art. 8, 17);
    one officer of each agency makes two for neither (Art. 19)."""
    joint = new_task(**JOINT)
    assert call("GET", f"/tasks/{joint}", "admin-police")[1]["status"] == "pending_approval"
    status, early = scan("market-wang", joint, E4)
    assert early["outcome"] == "refused" and early["reasons"][0]["code"] == "task_not_approved"
    assert call("POST", f"/tasks/{joint}/approve", "admin-market")[1]["status"] == "approved"
    for who in ("market-wang", "police-zhang", "market-li"):
        status, answer = scan(who, joint, E4)
        assert (status, answer["outcome"]) == (202, "pending"), who
    assert POLICE in answer["flags"][-1]["message"] and answer["flags"][-1]["article"] == ART[19]
    status, answer = scan("police-liu", joint, E4)
    assert answer["outcome"] == "opened" and len(answer["inspectors"]) == 4
    assert (tally(E4, "2026", MARKET), tally(E4, "2026", POLICE), tally(E4, "2026")) == (1, 1, 1)
    pending = [n for n in Notice.query(f"enterprise:{E4}") if n.kind == "scan_pending"]
    assert len(pending) == 3 and "等待同一机关的第二名执法人员" in pending[0].body  # Art. 24: seen at the door
    # Art. 24: the enterprise sees each agency's approval of the joint task, the lead's first
    approvals = call("GET", f"/visits/{answer['visit_id']}", "enterprise-4")[1]["tasks"][0]["approvals"]
    assert [(a["agency_id"], a["approved_by"], bool(a["approved_at"])) for a in approvals] == [
        (POLICE, "admin-police", True),
        (MARKET, "admin-market", True),
    ]


def test_a_joint_visit_records_itself_as_every_agencys_latest_at_the_enterprise(june):
    """Art. 17: each agency of a joint task has its latest visit at the enterprise kept, the scanner's agency's
    and the others' alike, each written under the version read, over the visits of an earlier day."""

    def open_joint(at=None, **late) -> str:
        over_cap = {"reason": 1, "ground": {"kind": "complaint", "reference": "12345-HL-0615"}}  # E4: once a year
        joint = new_task(**JOINT, **({} if late else {"exception": over_cap}))
        call("POST", f"/tasks/{joint}/approve", "admin-market")
        for who in ("market-wang", "police-zhang", "market-li"):
            assert scan(who, joint, E4, at=at, **late)[1]["outcome"] == "pending", who
        answer = scan("police-liu", joint, E4, at=at, **late)[1]
        assert answer["outcome"] == "opened", answer["reasons"]
        return answer["visit_id"]

    earlier = open_joint(NOW - timedelta(days=3), late_reason="no_network")
    assert {a: LastVisit.get(LastVisit.key(E4, a)).visit_id for a in (MARKET, POLICE)} == {MARKET: earlier, POLICE: earlier}
    today = open_joint()
    latest = {a: LastVisit.get(LastVisit.key(E4, a)) for a in (MARKET, POLICE)}
    assert {a: (r.visit_id, r.visit_date) for a, r in latest.items()} == {
        MARKET: (today, NOW.date().isoformat()),
        POLICE: (today, NOW.date().isoformat()),
    }


@pytest.mark.parametrize(
    "change,code,article",
    [
        (
            {"participants": [{"agency_id": MARKET, "item_ids": ["price-check"], "inspector_ids": ["market-wang", "market-li"]}]},
            "item_not_published",
            "第十四条",
        ),
        ({"type": "special", "campaign_id": "0" * 32}, "campaign_not_approved", "第十三条"),
        (
            {
                "participants": [
                    {"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]},
                    {"agency_id": LAB, "item_ids": ["food-business"], "inspector_ids": ["lab-chen", "market-zhao"]},
                ]
            },
            "agency_without_enforcement_power",
            "第四条",
        ),
        (
            {
                "participants": [
                    {"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "police-liu"]}
                ]
            },
            "inspector_not_of_agency",
            "第四条",
        ),
    ],
)
def test_task_approval_refusals_cite_the_article(june, change, code, article):
    spec = {
        "type": "routine",
        "method": "on_site",
        "targets": [E1],
        "participants": [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}],
        "window_start": NOW.isoformat(),
        "window_end": (NOW + timedelta(hours=4)).isoformat(),
        **change,
    }
    status, answer = call("POST", "/tasks", "admin-market", spec)
    assert status == 422 and answer["error"]["code"] == code and answer["error"]["article"].endswith(article)
    assert list(Task.by_agency.query(MARKET, Task.created_at.startswith("2026-06"))) == []


def test_item_outside_the_plan_is_refused(june):
    admin, judicial = IDENTITIES["admin-market"][1], IDENTITIES["judicial-zhangbei"][1]
    amended = filing.draft(
        admin,
        MARKET,
        parse(
            filing.PlanIn,
            {
                "year": 2026,
                "changed_on": "2026-06-10",
                "change_reason": "食品经营检查改由县级综合执法统一实施",
                "entries": [
                    {
                        "item_id": "special-equipment",
                        "legal_basis": "《中华人民共和国特种设备安全法》第五十七条",
                        "inspecting_body": "张北县市场监督管理局",
                        "region_codes": ["130722"],
                        "scope": "辖区特种设备使用单位",
                        "window_start": "2026-01-01",
                        "window_end": "2026-12-31",
                        "method": "on_site",
                        "frequency": 1,
                    }
                ],
            },
            strict=False,
        ),
    )
    filing.acknowledge(judicial, filing.file(admin, amended))
    status, answer = call(
        "POST",
        "/tasks",
        "admin-market",
        {
            "type": "routine",
            "method": "on_site",
            "targets": [E1],
            "window_start": NOW.isoformat(),
            "window_end": (NOW + timedelta(hours=4)).isoformat(),
            "participants": [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}],
        },
    )
    assert status == 422 and answer["error"]["code"] == "not_in_plan" and answer["error"]["article"].endswith("第十六条")


def test_announced_task_tells_each_target_in_advance(june):
    task = new_task(targets=(E1, E3))
    for enterprise in (E1, E3):
        assert f"task-announced:{task}" in {n.notice_id for n in Notice.query(f"enterprise:{enterprise}")}
    quiet = new_task(announced=False, unannounced_reason="举报线索显示存在隐匿证据风险")
    assert f"task-announced:{quiet}" not in {n.notice_id for n in Notice.query(f"enterprise:{E1}")}


def test_parallel_scans_admit_exactly_the_remaining_cap(june):
    """E3 is "poor": four food-business checks a year. Eight visits open in parallel on eight days
    (late scans); exactly four are admitted, and the count ends at four."""
    task = new_task(targets=(E3,))
    days = [NOW - timedelta(days=d) for d in range(1, 9)]
    for day in days:
        assert scan("market-wang", task, E3, at=day, late_reason="no_network")[1]["outcome"] == "pending"
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda day: scan("market-li", task, E3, at=day, late_reason="no_network")[1], days))
    assert all("outcome" in a for a in answers), answers
    outcomes = sorted(a["outcome"] for a in answers)
    assert outcomes == ["opened"] * 4 + ["refused"] * 4
    assert all(a["reasons"][0]["code"] == "frequency_cap_reached" for a in answers if a["outcome"] == "refused")
    assert tally(E3, "2026", MARKET, "food-business") == 4 and tally(E3, "2026") == 4
    assert len(list(Visit.by_enterprise.query(E3))) == 4


def test_parallel_visits_of_one_agency_for_other_items_are_flagged_once(june):
    """Art. 17: two visits of the market agency at E3 on consecutive days, for different items, open at the
    same moment (late scans). Each is judged against the agency's last visit as the other left it (the
    record is written under its version), so exactly one of them is flagged, and the record keeps the later."""
    food, equipment = (
        new_task(targets=(E3,)),
        new_task(
            targets=(E3,),
            participants=[
                {"agency_id": MARKET, "item_ids": ["special-equipment"], "inspector_ids": ["market-wang", "market-li"]}
            ],
        ),
    )
    plan = [(food, NOW - timedelta(days=2)), (equipment, NOW - timedelta(days=1))]
    for task, day in plan:
        assert scan("market-wang", task, E3, at=day, late_reason="no_network")[1]["outcome"] == "pending"
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda p: scan("market-li", p[0], E3, at=p[1], late_reason="no_network")[1], plan))
    assert [a["outcome"] for a in answers] == ["opened", "opened"], answers
    flagged = [a for a in answers if "revisit_other_items" in {f["code"] for f in a["flags"]}]
    assert len(flagged) == 1
    last = LastVisit.get(LastVisit.key(E3, MARKET))
    assert (last.visit_id, last.visit_date) == (answers[1]["visit_id"], (NOW - timedelta(days=1)).date().isoformat())


def test_parallel_retries_leave_one_record(june):
    task = new_task()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: scan("market-wang", task, rid="same-request-01"), range(8)))
    assert all(a == answers[0] for a in answers)
    assert len([s for s in Scan.by_enterprise.query(E1) if s.scan_id == "market-wang:same-request-01"]) == 1


def test_fifty_simultaneous_scans_are_all_registered(june, monkeypatch):
    """Art. 24's register is compulsory: 50 scans of one enterprise at once (both team members, each
    from many requests) contend on its pending list, day slot and open visit; every one is stored with
    the outcome the rules decide, the item is counted once, one visit is open, and none is a 409. (The
    time budget is the next test's business: here it is wide, so the test does not depend on the
    machine's speed.)"""
    monkeypatch.setattr(scanin, "CONTENTION_SECONDS", 120)
    task = new_task()
    who = ["market-wang", "market-li"] * 25
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda w: scan(w, task), who))
    assert [status for status, _ in answers if status not in (201, 202)] == []
    outcomes = [a["outcome"] for _, a in answers]
    assert set(outcomes) <= {"pending", "opened", "joined"} and outcomes.count("opened") == 1, outcomes
    stored = [s for s in Scan.by_enterprise.query(E1) if s.task_id == task]
    assert sorted(s.scan_id for s in stored) == sorted(a["scan_id"] for _, a in answers)
    assert len({a["visit_id"] for _, a in answers if a["visit_id"]}) == 1
    visit = Visit.get(next(a["visit_id"] for _, a in answers if a["visit_id"]))
    assert visit.status == "open" and [v.visit_id for v in Visit.by_enterprise.query(E1)] == [visit.visit_id]
    assert sorted(i["inspector_id"] for i in visit.inspectors) == ["market-li", "market-wang"]
    assert (tally(E1, "2026", MARKET, "food-business"), tally(E1, "2026", MARKET), tally(E1, "2026")) == (1, 1, 1)


def test_a_scan_still_contended_after_the_budget_is_stored_refused(june, monkeypatch):
    """Past the time budget the scan is not admitted unverified, nor lost: it is stored, refused for
    `scan_contention`, the enterprise is told, and nothing is counted (not even against the agency)."""
    task = new_task()
    scan("market-wang", task)
    monkeypatch.setattr(scanin, "CONTENTION_SECONDS", 0)
    real = scanin._write
    token = codes.code_url(codes.sign(E1, Enterprise.get(E1).code_version))

    def overtaken(facts, decision, config):  # another scan of li's opens the visit while this one is in flight
        monkeypatch.setattr(scanin, "_write", real)
        assert scan("market-li", task, token=token)[1]["outcome"] == "opened"
        return real(facts, decision, config)

    monkeypatch.setattr(scanin, "_write", overtaken)
    status, answer = scan("market-li", task, rid="overtaken-01")
    assert status == 201 and answer["outcome"] == "refused"
    assert [r["code"] for r in answer["reasons"]] == ["scan_contention"] and answer["visit_id"] is None
    assert Scan.get("market-li:overtaken-01").outcome == "refused"
    assert (tally(E1, "2026", MARKET, "food-business"), tally(E1, "2026")) == (1, 1)
    assert not [t for t in RefusalTally.scan() if t.reason == "scan_contention"]
    notice = Notice.get(f"enterprise:{E1}", "scan:market-li:overtaken-01")
    assert notice.kind == "scan_refused" and "未能在时限内完成核验" in notice.body


def test_the_contention_budget_leaves_the_function_time_to_store_the_scan():
    spec = yaml.safe_load(Path("serverless.yml").read_text())
    timeout = spec["functions"]["scans"].get("timeout", spec["provider"]["timeout"])
    assert scanin.CONTENTION_SECONDS <= timeout / 2  # the last read and the stored refusal fit in the rest
