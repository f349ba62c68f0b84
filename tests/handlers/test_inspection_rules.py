"""Jurisdiction (Art. 4, 8), plan entries (Art. 16), two inspectors per agency (Art. 19), exception
grounds (Art. 12), campaigns (Art. 13) and scope (Art. 3) through the handlers, on real-shaped events."""

from datetime import timedelta

from local.demo_data import ENTERPRISES, IDENTITIES, MARKET, POLICE
from sheqi import settings
from sheqi.inputs import parse
from sheqi.plans import filing
from sheqi.rules.articles import ART
from sheqi.store.notices import Notice
from sheqi.store.registers import Enterprise
from sheqi.store.tallies import Tally
from sheqi.store.tasks import Task
from sheqi.store.visits import LastVisit, Visit
from tests.handlers.scanning import E1, E3, E4, NOW, new_task, open_visit, scan
from tests.helpers import call

FOOD = [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}]


def task_body(**changes) -> dict:
    return {
        "type": "routine",
        "method": "on_site",
        "targets": [E1],
        "participants": FOOD,
        "window_start": NOW.isoformat(),
        "window_end": (NOW + timedelta(hours=4)).isoformat(),
        **changes,
    }


def refused(body, admin="admin-market") -> tuple[str, str, str | None]:
    before = len(list(Task.by_agency.query(MARKET)))
    status, answer = call("POST", "/tasks", admin, body)
    assert status == 422, answer
    assert len(list(Task.by_agency.query(MARKET))) == before  # nothing written
    return answer["error"]["code"], answer["error"]["article"], answer["error"].get("field")


def test_a_county_agency_does_not_inspect_another_county(june):
    """The 张北 market agency, alone or leading a joint task, may not inspect a 怀来 enterprise (Art. 4, 8)."""
    assert refused(task_body(targets=[E4])) == ("outside_jurisdiction", ART[8], "targets")
    joint = FOOD + [{"agency_id": POLICE, "item_ids": ["fire-safety"], "inspector_ids": ["police-zhang", "police-liu"]}]
    assert (
        refused(task_body(targets=[E4], type="case", trigger={"kind": "complaint", "reference": "12345-01"}, participants=joint))[
            0
        ]
        == "outside_jurisdiction"
    )


def test_jurisdiction_is_checked_again_at_the_scan(june):
    task = new_task()
    enterprise = Enterprise.get(E1)
    enterprise.region_code = "130730"  # re-registered in 怀来 after the task was approved
    enterprise.save()
    status, answer = scan("market-wang", task)
    assert answer["outcome"] == "refused" and "outside_jurisdiction" in {r["code"] for r in answer["reasons"]}
    notice = next(n for n in Notice.query(f"enterprise:{E1}") if n.kind == "scan_refused")
    assert "不在本机关辖区" in notice.body  # the enterprise is told it was not a lawful inspection


def amend_plan(entry: dict) -> None:
    """The 张北 market agency's 2026 plan amended to this one food-business entry, acknowledged today."""
    admin, judicial = IDENTITIES["admin-market"][1], IDENTITIES["judicial-zhangbei"][1]
    full = {
        "item_id": "food-business",
        "legal_basis": "《中华人民共和国食品安全法》第八十七条",
        "inspecting_body": "张北县市场监督管理局",
        "region_codes": ["130722"],
        "scope": "辖区食品经营者",
        "window_start": "2026-01-01",
        "window_end": "2026-12-31",
        "method": "on_site",
        "frequency": 4,
        **entry,
    }
    amended = filing.draft(
        admin,
        MARKET,
        parse(
            filing.PlanIn,
            {"year": 2026, "changed_on": "2026-06-10", "change_reason": "按风险调整食品经营检查安排", "entries": [full]},
            strict=False,
        ),
    )
    filing.acknowledge(judicial, filing.file(admin, amended))


def test_a_routine_task_must_fall_within_a_plan_entry(june):
    amend_plan({"window_start": "2026-07-01", "window_end": "2026-09-30", "method": "off_site"})
    code, article, field = refused(task_body())
    assert (code, article, field) == ("outside_plan_window", ART[16], "participants.0.item_ids")
    july = task_body(
        window_start=(NOW + timedelta(days=20)).isoformat(), window_end=(NOW + timedelta(days=20, hours=4)).isoformat()
    )
    assert refused(july)[0] == "outside_plan_method"
    assert call("POST", "/tasks", "admin-market", {**july, "method": "off_site"})[0] == 201
    case = task_body(type="case", trigger={"kind": "complaint", "reference": "12345-2026-0615"})
    assert call("POST", "/tasks", "admin-market", case)[0] == 201  # case-based: the item in the plan suffices


def test_a_routine_visit_keeps_to_the_planned_frequency(june):
    """An entry of frequency 1 allows one routine visit a year, even at a poor-credit enterprise (cap 4)."""
    task = new_task(targets=(E3,))
    amend_plan({"frequency": 1})
    assert open_visit(task, E3, at=NOW - timedelta(days=2), late_reason="no_network")[1]["outcome"] == "opened"
    status, answer = open_visit(task, E3)
    assert answer["outcome"] == "refused" and [r["code"] for r in answer["reasons"]] == ["frequency_cap_reached"]
    assert "上限1次" in answer["reasons"][0]["message"]
    assert Tally.get(f"count#{E3}#2026#{MARKET}#food-business").count == 1


def test_each_agency_names_two_of_its_own_inspectors(june):
    one_each = [
        {"agency_id": POLICE, "item_ids": ["fire-safety"], "inspector_ids": ["police-zhang"]},
        {"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]},
    ]
    status, answer = call(
        "POST",
        "/tasks",
        "admin-police",
        task_body(targets=[E4], participants=one_each, type="case", trigger={"kind": "complaint", "reference": "12345-01"}),
    )
    assert status == 422 and answer["error"]["code"] == "fewer_than_two_inspectors"
    assert answer["error"]["article"] == ART[19] and answer["error"]["field"] == "participants.0.inspector_ids"


def test_an_exception_cites_a_ground_fitting_its_reason(june):
    wrong = task_body(
        type="case",
        trigger={"kind": "complaint", "reference": "12345-01"},
        exception={"reason": 5, "ground": {"kind": "complaint", "reference": "12345-01"}},
    )
    assert refused(wrong) == ("exception_ground_mismatch", ART[12], "exception.ground.kind")
    invented = {**wrong, "exception": {"reason": 5, "ground": {"kind": "enterprise_request", "reference": "0" * 32}}}
    assert refused(invented) == ("exception_ground_not_found", ART[12], "exception.ground.reference")
    status, request = call(
        "POST",
        f"/enterprises/{E1}/inspection-requests",
        "enterprise-1",
        {"agency_id": MARKET, "description": "新建冷库，申请检查食品贮存条件"},
    )
    assert status == 201 and Notice.get(f"agency:{MARKET}", f"inspection-request:{request['request_id']}")
    cited = {**wrong, "exception": {"reason": 5, "ground": {"kind": "enterprise_request", "reference": request["request_id"]}}}
    assert refused({**cited, "targets": [E1, E3]})[0] == "exception_ground_not_found"  # its request covers itself only
    assert call("POST", "/tasks", "admin-market", cited)[0] == 201
    # another enterprise cannot make a request in E1's name
    assert (
        call(
            "POST", f"/enterprises/{E1}/inspection-requests", "enterprise-4", {"agency_id": MARKET, "description": "代为申请检查"}
        )[0]
        == 403
    )


def test_the_bureau_hears_of_every_visit_under_an_exception_even_a_join(june):
    routine = new_task()
    visit_id = open_visit(routine)[1]["visit_id"]
    urgent = new_task(
        type="case",
        trigger={"kind": "complaint", "reference": "12345-2026-0615"},
        participants=[{"agency_id": MARKET, "item_ids": ["special-equipment"], "inspector_ids": ["market-wang", "market-li"]}],
        exception={"reason": 1, "ground": {"kind": "complaint", "reference": "12345-2026-0615"}},
    )
    status, joined = scan("market-wang", urgent)
    assert joined["outcome"] == "joined" and joined["visit_id"] == visit_id
    notices = [n for n in Notice.query("judicial:130722") if n.kind == "exception_visit"]
    assert len(notices) == 1 and "12345-2026-0615" in notices[0].body and "本次未超出频次上限" in notices[0].body
    scan("market-li", urgent)  # the team's second member: nothing new to tell
    assert len([n for n in Notice.query("judicial:130722") if n.kind == "exception_visit"]) == 1
    assert Visit.get(visit_id).exception["ground"]["reference"] == "12345-2026-0615"
    listed = call("GET", "/supervision/watch/exceptions", "judicial-zhangbei", query="region_code=130722&year=2026")[1]
    assert [(r["visit_id"], r["ground_kind"]) for r in listed["items"]] == [(visit_id, "complaint")]


def test_an_exception_lifts_the_cap_but_not_the_offsite_rule(june):
    offsite = new_task(method="off_site")
    call(
        "POST",
        f"/tasks/{offsite}/offsite-results",
        "admin-market",
        {"enterprise_id": E1, "item_id": "food-business", "checked_on": "2026-06-01", "violation_found": False},
    )
    urgent = new_task(exception={"reason": 2, "ground": {"kind": "monitoring_record", "reference": "JC-2026-0601"}})
    status, answer = scan("market-wang", urgent)
    assert answer["outcome"] == "refused" and [r["code"] for r in answer["reasons"]] == ["offsite_check_sufficed"]
    assert answer["reasons"][0]["article"] == ART[7]


def test_a_campaign_runs_only_once_published(june):
    call("PUT", f"/agencies/{MARKET}/campaign-quota", "platform", {"year": 2026, "quota": 1})
    status, campaign = call(
        "POST",
        f"/agencies/{MARKET}/campaigns",
        "admin-market",
        {
            "year": 2026,
            "title": "燃气安全专项检查",
            "item_ids": ["special-equipment"],
            "approving_authority": "张北县人民政府",
            "approving_level": "county_government",
            "approval_document": "张政字〔2026〕12号",
            "approved_on": "2026-06-01",
        },
    )
    assert status == 201
    special = task_body(
        type="special", campaign_id=campaign["campaign_id"], participants=[{**FOOD[0], "item_ids": ["special-equipment"]}]
    )
    assert refused(special) == ("campaign_not_published", ART[13], "campaign_id")
    call("POST", f"/agencies/{MARKET}/campaigns/{campaign['campaign_id']}/publish", "admin-market")
    assert call("POST", "/tasks", "admin-market", special)[0] == 201


def test_the_registry_refuses_bodies_that_are_not_enterprises(june):
    def register(code, name):
        return call(
            "POST",
            "/enterprises",
            "platform",
            {
                "enterprise_id": code,
                "name": name,
                "region_code": "130722",
                "credit_tier": "average",
                "credit_source": "国家企业信用信息公示系统",
            },
        )

    status, answer = register("12130700000013070L", "张北县人民医院")
    assert status == 422 and (answer["error"]["code"], answer["error"]["article"]) == ("not_an_enterprise", ART[3])
    assert "事业单位" in answer["error"]["message"]
    assert register("53130700MJ0000000C", "张北县慈善基金会")[1]["error"]["code"] == "not_an_enterprise"
    status, shop = register("92130722MA0A1B2C3Q", "张北县老王小吃店")
    assert status == 201 and shop["scope"] == "by_reference"
    assert Enterprise.count("12130700000013070L") == 0
    assert ENTERPRISES[0]["enterprise_id"].startswith("91")


EQUIPMENT = [{"agency_id": MARKET, "item_ids": ["special-equipment"], "inspector_ids": ["market-wang", "market-li"]}]


def test_a_revisit_for_other_items_within_the_window_is_flagged_for_the_bureau(june):
    """Art. 17: the market agency checked food at E1 five days ago and comes back for special equipment: the
    visit opens, flagged, the bureau is told and lists it; checking the same item again is not this flag."""
    before = open_visit(new_task(), at=NOW - timedelta(days=5), late_reason="no_network")[1]["visit_id"]
    status, answer = open_visit(new_task(participants=EQUIPMENT))
    assert status == 201 and answer["outcome"] == "opened"
    flag = next(f for f in answer["flags"] if f["code"] == "revisit_other_items")
    assert flag["article"] == ART[17] and "2026-06-10" in flag["message"] and "5日内" in flag["message"]
    visit = Visit.get(answer["visit_id"])
    assert "revisit_other_items" in visit.flags
    assert visit.revisit_of == [
        {"agency_id": MARKET, "visit_id": before, "visit_date": "2026-06-10", "item_ids": ["food-business"]}
    ]
    last = LastVisit.get(LastVisit.key(E1, MARKET))
    assert (last.visit_id, last.item_ids) == (answer["visit_id"], ["special-equipment"])
    told = [n for n in Notice.query("judicial:130722") if n.kind == "revisit_visit"]
    assert len(told) == 1 and told[0].article == ART[17] and "特种设备" in told[0].body
    listed = call("GET", "/supervision/watch/exceptions", "judicial-zhangbei", query="region_code=130722&year=2026")[1]
    assert [(r["kind"], r["visit_id"], r["revisit_of"]["visit_id"]) for r in listed["items"]] == [
        ("revisit", answer["visit_id"], before)
    ]
    # E3 (poor credit: food four times a year): the same item again within the window is not flagged
    open_visit(new_task(targets=(E3,)), E3, at=NOW - timedelta(days=5), late_reason="no_network")
    again = open_visit(new_task(targets=(E3,)), E3)[1]
    assert again["outcome"] == "opened" and "revisit_other_items" not in {f["code"] for f in again["flags"]}


def test_a_revisit_after_the_window_is_not_flagged(june, monkeypatch):
    monkeypatch.setenv("REVISIT_WINDOW_DAYS", "3")
    settings.reset()
    try:
        open_visit(new_task(), at=NOW - timedelta(days=5), late_reason="no_network")
        answer = open_visit(new_task(participants=EQUIPMENT))[1]
    finally:
        settings.reset()
    assert answer["outcome"] == "opened" and "revisit_other_items" not in {f["code"] for f in answer["flags"]}
