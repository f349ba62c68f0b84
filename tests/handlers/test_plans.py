"""Plan filing (Art. 11, 16), special campaigns (Art. 13) and the 双随机 draw, through the handlers."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from local import demo_data
from local.demo_data import ENTERPRISES, IDENTITIES, MARKET, POLICE
from sheqi import clock
from sheqi.clock import CST
from sheqi.inputs import parse
from sheqi.plans import filing
from sheqi.reminders import run
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.plans import Campaign, PlanIndex
from sheqi.store.tasks import Task
from tests.helpers import call

ENTRY = {
    "item_id": "food-business",
    "legal_basis": "《中华人民共和国食品安全法》第八十七条",
    "inspecting_body": "张北县市场监督管理局",
    "region_codes": ["130722"],
    "scope": "辖区食品经营者",
    "sampling_ratio": "0.20",
    "window_start": "2028-03-01",
    "window_end": "2028-11-30",
    "method": "on_site",
    "frequency": 1,
}


def at(monkeypatch, when: datetime):
    monkeypatch.setattr(clock, "now", lambda: when)


def plan_path(version=1, year=2028):
    return f"/agencies/{MARKET}/plans/{year}/{version}"


def test_validation_names_every_missing_or_invalid_field(demo):
    bad = {**ENTRY, "sampling_ratio": "1.5", "window_end": "2028-01-01", "method": "by_phone"}
    del bad["scope"]
    status, answer = call("POST", f"/agencies/{MARKET}/plans", "admin-market", {"year": 2028, "entries": [bad]})
    assert status == 422
    fields = {e["field"] for e in answer["error"]["details"]["errors"]}
    assert {"entries.0.scope", "entries.0.sampling_ratio", "entries.0.method"} <= fields


def test_life_cycle_on_time_then_amended_and_refiled(demo, monkeypatch):
    at(monkeypatch, datetime(2027, 11, 20, 9, 0, tzinfo=CST))
    status, draft = call("POST", f"/agencies/{MARKET}/plans", "admin-market", {"year": 2028, "entries": [ENTRY]})
    assert status == 201 and draft["status"] == "draft" and draft["filing_due"] == "2027-12-31"
    # Only the judicial bureau of the agency's own level and region acknowledges (Art. 16).
    assert call("POST", plan_path() + "/acknowledge", "judicial-zhangbei")[0] == 409  # not filed yet
    status, filed = call("POST", plan_path() + "/file", "admin-market")
    assert filed["status"] == "filed" and filed["filed_late"] is False
    assert call("POST", plan_path() + "/acknowledge", "judicial-city")[0] == 403
    assert call("POST", plan_path() + "/acknowledge", "judicial-huailai")[0] == 403
    status, returned = call("POST", plan_path() + "/return", "judicial-zhangbei", {"reason": "抽查比例依据不足，请补充说明"})
    assert returned["status"] == "returned"
    call("PUT", plan_path(), "admin-market", {"year": 2028, "entries": [{**ENTRY, "sampling_ratio": "0.10"}]})
    call("POST", plan_path() + "/file", "admin-market")
    status, acked = call("POST", plan_path() + "/acknowledge", "judicial-zhangbei")
    assert acked["status"] == "acknowledged" and acked["effective_from"] == "2028-01-01"
    assert call("GET", f"/public/agencies/{MARKET}/plans/2028")[1]["plans"] == []  # not yet published
    call("POST", plan_path() + "/publish", "admin-market")
    public = call("GET", f"/public/agencies/{MARKET}/plans/2028")[1]["plans"]
    assert [p["version"] for p in public] == [1] and "created_by" not in public[0]

    # A change in force needs an amendment, due 10 working days after the change (National Day 2028 falls
    # in a year the calendar does not cover yet, so the due date is provisional).
    status, answer = call("POST", f"/agencies/{MARKET}/plans", "admin-market", {"year": 2028, "entries": [ENTRY]})
    assert status == 422 and answer["error"]["code"] == "amendment_required"
    at(monkeypatch, datetime(2028, 3, 1, 9, 0, tzinfo=CST))
    status, amended = call(
        "POST",
        f"/agencies/{MARKET}/plans",
        "admin-market",
        {
            "year": 2028,
            "entries": [{**ENTRY, "item_id": "special-equipment"}],
            "changed_on": "2028-03-01",
            "change_reason": "市局部署调整检查重点",
        },
    )
    assert amended["version"] == 2 and amended["filing_due"] == "2028-03-15" and amended["filing_due_provisional"] is True
    at(monkeypatch, datetime(2028, 3, 20, 9, 0, tzinfo=CST))
    assert call("POST", plan_path(2) + "/file", "admin-market")[1]["filed_late"] is True
    call("POST", plan_path(2) + "/acknowledge", "judicial-zhangbei")
    index = PlanIndex.get(f"planindex#{MARKET}#2028").versions
    assert [(v["version"], v["effective_from"], v["item_ids"]) for v in index] == [
        (1, "2028-01-01", ["food-business"]),
        (2, "2028-03-20", ["special-equipment"]),
    ]
    versions = call("GET", f"/agencies/{MARKET}/plans/2028", "judicial-city")[1]["versions"]
    assert [v["version"] for v in versions] == [1, 2]


def test_a_late_first_filing_is_accepted_and_marked(demo, monkeypatch):
    at(monkeypatch, datetime(2028, 1, 5, 9, 0, tzinfo=CST))
    call("POST", f"/agencies/{MARKET}/plans", "admin-market", {"year": 2028, "entries": [ENTRY]})
    status, filed = call("POST", plan_path() + "/file", "admin-market")
    assert status == 200 and filed["filed_late"] is True


def test_unpublished_items_cannot_be_planned(demo):
    status, answer = call(
        "POST", f"/agencies/{MARKET}/plans", "admin-market", {"year": 2028, "entries": [{**ENTRY, "item_id": "fire-safety"}]}
    )
    assert status == 422 and answer["error"]["code"] == "item_not_published" and answer["error"]["article"].endswith("第十四条")


CAMPAIGN = {
    "year": 2027,
    "title": "燃气安全专项检查",
    "item_ids": ["special-equipment"],
    "approving_authority": "张北县人民政府",
    "approving_level": "county_government",
    "approval_document": "张政字〔2027〕12号",
    "approved_on": "2027-03-01",
}


def test_campaign_quota_holds_under_concurrent_filings(demo):
    assert call("POST", f"/agencies/{MARKET}/campaigns", "admin-market", CAMPAIGN)[1]["error"]["code"] == "campaign_quota_reached"
    call("PUT", f"/agencies/{MARKET}/campaign-quota", "platform", {"year": 2027, "quota": 3})
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda n: call(
                    "POST", f"/agencies/{MARKET}/campaigns", "admin-market", {**CAMPAIGN, "title": f"燃气安全专项检查第{n}批"}
                )[0],
                range(8),
            )
        )
    assert sorted(statuses) == [201] * 3 + [422] * 5
    assert len([c for c in Campaign.query(MARKET) if c.year == "2027"]) == 3


def test_emergency_campaign_and_special_task(demo, monkeypatch):
    call("PUT", f"/agencies/{MARKET}/campaign-quota", "platform", {"year": clock.today().year, "quota": 1})
    today = clock.today()
    status, campaign = call(
        "POST",
        f"/agencies/{MARKET}/campaigns",
        "admin-market",
        {**CAMPAIGN, "year": today.year, "approved_on": today.isoformat(), "emergency": True},
    )
    assert status == 201 and campaign["refile_due"] and campaign["article"].endswith("第十三条")
    # Art. 13, 16: the amended plan is due in 10 working days, reminded; the bureau hears of it at once
    refile = Obligation.get(f"plan_refile:{MARKET}:campaign:{campaign['campaign_id']}")
    assert (refile.kind, refile.due, refile.status) == ("plan_refile", campaign["refile_due"], "open")
    told = Notice.get("judicial:130722", f"urgent-campaign:{campaign['campaign_id']}")
    assert "燃气安全专项检查" in told.body and campaign["refile_due"] in told.body
    call("POST", f"/agencies/{MARKET}/campaigns/{campaign['campaign_id']}/publish", "admin-market")
    assert call("GET", f"/public/agencies/{MARKET}/plans/{today.year}")[1]["campaigns"][0]["title"] == "燃气安全专项检查"
    task = {
        "type": "special",
        "method": "on_site",
        "campaign_id": campaign["campaign_id"],
        "targets": [ENTERPRISES[0]["enterprise_id"]],
        "participants": [{"agency_id": MARKET, "item_ids": ["food-business"], "inspector_ids": ["market-wang", "market-li"]}],
        "window_start": f"{today.isoformat()}T09:00:00+08:00",
        "window_end": f"{today.isoformat()}T17:00:00+08:00",
    }
    status, answer = call("POST", "/tasks", "admin-market", task)
    assert status == 422 and answer["error"]["code"] == "item_not_in_campaign"
    task["participants"][0]["item_ids"] = ["special-equipment"]
    assert call("POST", "/tasks", "admin-market", task)[0] == 201
    # an amended plan filed since the campaign fulfils the re-filing
    admin = IDENTITIES["admin-market"][1]
    amended = filing.draft(
        admin,
        MARKET,
        parse(
            filing.PlanIn,
            {
                "year": today.year,
                "changed_on": today.isoformat(),
                "change_reason": "增列燃气安全专项检查",
                "entries": [{**ENTRY, "window_start": f"{today.year}-01-01", "window_end": f"{today.year}-12-31"}],
            },
            strict=False,
        ),
    )
    assert not run.fulfilled(refile)
    filing.file(admin, amended)
    assert run.fulfilled(refile)


@pytest.fixture
def many_enterprises(demo):
    for n in range(40):
        first17 = f"91130722MF{n:07d}"
        from sheqi.registry import registers
        from sheqi.rules import uscc

        registers.create_enterprise(
            parse(
                registers.EnterpriseIn,
                {
                    "enterprise_id": first17 + uscc.check_character(first17),
                    "name": f"张北县抽查样本企业{n}号有限公司",
                    "region_code": "130722",
                    "credit_tier": ("good", "average", "poor")[n % 3],
                    "credit_source": "国家企业信用信息公示系统",
                },
                strict=False,
            )
        )
    return demo_data


def test_draw_is_reproducible_published_and_becomes_tasks(many_enterprises):
    year = clock.today().year
    status, _ = call(
        "POST",
        "/inspectors/market-wang/conflicts",
        "admin-market",
        {"enterprise_id": ENTERPRISES[0]["enterprise_id"], "reason": "配偶在该企业担任财务负责人"},
    )
    assert status == 200
    assert (
        call(
            "POST",
            "/inspectors/market-wang/conflicts",
            "admin-police",
            {"enterprise_id": ENTERPRISES[1]["enterprise_id"], "reason": "越权登记回避"},
        )[0]
        == 403
    )
    spec = {
        "year": year,
        "version": 1,
        "entry_index": 0,
        "seed": "2026年第138期福彩3D开奖号码 4 7 1",
        "draw_date": clock.today().isoformat(),
    }
    status, draw = call("POST", f"/agencies/{MARKET}/draws", "admin-market", spec)
    assert status == 201 and draw["population"] == 43 and draw["drawn"] == 9  # ceil(20% of 43)
    again = call("POST", f"/agencies/{MARKET}/draws", "admin-market", spec)[1]
    assert again["draw_id"] == draw["draw_id"]
    # Qualified pool: 王建国 and 李秀英 (赵志强's certificate lapsed, 孙小明 is auxiliary).
    assert draw["inspector_pool"] == ["market-li", "market-wang"]
    drawn = call("GET", f"/draws/{draw['draw_id']}", "admin-market", query="limit=50")[1]["items"]
    assert len(drawn) == 9 and all(sorted(d["inspector_ids"]) in (["market-li", "market-wang"], []) for d in drawn)
    if ENTERPRISES[0]["enterprise_id"] in {d["enterprise_id"] for d in drawn}:
        assert next(d for d in drawn if d["enterprise_id"] == ENTERPRISES[0]["enterprise_id"])["inspector_ids"] == []
    public = call("GET", f"/public/draws/{draw['draw_id']}")[1]
    assert public["summary"]["seed"] == spec["seed"] and "inspector_ids" not in public["items"][0]
    assert call("GET", f"/draws/{draw['draw_id']}", "admin-police")[0] == 403
    today = clock.today().isoformat()
    status, made = call(
        "POST",
        f"/draws/{draw['draw_id']}/tasks",
        "admin-market",
        {"window_start": f"{today}T09:00:00+08:00", "window_end": f"{today}T23:00:00+08:00"},
    )
    assert status == 201 and len(made["task_ids"]) == 1
    task = Task.get(made["task_ids"][0])
    assert task.status == "approved" and len(task.targets) == sum(1 for d in drawn if d["inspector_ids"])


def test_draw_needs_a_sampling_ratio_and_a_plan_in_force(demo):
    year = clock.today().year
    status, answer = call(
        "POST",
        f"/agencies/{POLICE}/draws",
        "admin-market",
        {"year": year, "version": 1, "entry_index": 0, "seed": "seed-12345", "draw_date": "2026-12-01"},
    )
    assert status == 403
    status, answer = call(
        "POST",
        f"/agencies/{MARKET}/draws",
        "admin-market",
        {"year": 2031, "version": 1, "entry_index": 0, "seed": "seed-12345", "draw_date": "2031-12-01"},
    )
    assert status == 404 and answer["error"]["code"] == "plan_not_found"
    assert IDENTITIES["admin-market"][1].agency_id == MARKET


def test_an_amendment_due_in_a_loaded_year_is_no_longer_provisional(demo, monkeypatch):
    arrangement = {
        "notice": "测试用2028年节假日安排（非官方数据）",
        "holidays": ["2028-03-03", "2028-03-06"],
        "working_weekends": ["2028-03-04"],
    }
    status, answer = call("PUT", "/calendars/2028", "platform", {**arrangement, "working_weekends": ["2028-03-08"]})
    assert status == 422 and answer["error"]["code"] == "invalid_arrangement"  # a Wednesday
    assert call("PUT", "/calendars/2028", "platform", arrangement)[0] == 200
    at(monkeypatch, datetime(2027, 11, 20, 9, 0, tzinfo=CST))
    call("POST", f"/agencies/{MARKET}/plans", "admin-market", {"year": 2028, "entries": [ENTRY]})
    call("POST", plan_path() + "/file", "admin-market")
    call("POST", plan_path() + "/acknowledge", "judicial-zhangbei")
    status, amended = call(
        "POST",
        f"/agencies/{MARKET}/plans",
        "admin-market",
        {"year": 2028, "entries": [ENTRY], "changed_on": "2028-03-01", "change_reason": "测试修订：调整检查时间"},
    )
    # 2, 4 (worked Saturday), 7-10, 13-16 March: the 3rd and 6th are holidays in the loaded arrangement.
    assert amended["filing_due"] == "2028-03-16" and amended["filing_due_provisional"] is False
