"""Seed 004's supervised duties through the handler (石家庄市鹿泉区科学技术和工业信息化局《事中事后监管制度》
and its duty registers): deadlines with the Civil Code art. 203 roll-forward, the registration bodies'
yearly check by two staff, the yearly spot checks, science leaders' and teams' acceptance."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from sheqi import clock
from sheqi.clock import CST
from sheqi.rules.reminder_rules import SCIENCE
from sheqi.store.obligations import Obligation
from tests.helpers import call

REGION = "130722"


def at(day: date, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(day.year, day.month, day.day, 9, 0, tzinfo=CST))


def test_a_contract_received_on_1_september_2025_is_due_after_national_day(demo, monkeypatch):
    at(date(2025, 9, 1), monkeypatch)
    status, duty = call(
        "POST",
        "/science/contracts",
        "science-city",
        {
            "contract_id": "HT-2025-0901",
            "name": "风电叶片技术开发合同",
            "applicant": "张北县风电设备制造有限公司",
            "region_code": REGION,
            "received_on": "2025-09-01",
        },
    )
    assert status == 201 and (duty["due"], duty["provisional"]) == ("2025-10-09", False)
    assert duty["article"] == SCIENCE["contract_registration"][1] and "职责边界登记表》第8项" in duty["article"]
    assert Obligation.get(duty["obligation_id"]).subject["period_end"] == "2025-10-01"


def test_a_project_has_yearly_execution_reports_and_acceptance_within_6_months(demo):
    status, duty = call(
        "POST",
        "/science/projects",
        "science-city",
        {
            "project_id": "KJ-2024-07",
            "name": "盐碱地改良技术",
            "unit_name": "张北县农业科学研究所",
            "region_code": REGION,
            "started_on": "2024-03-10",
            "ended_on": "2026-09-30",
        },
    )
    assert status == 201 and duty["due"] == "2027-03-30" and duty["article"].endswith("六（四）3")
    reports = [Obligation.get(f"project_annual_report:{REGION}:KJ-2024-07-{n}") for n in (1, 2)]
    assert [r.due for r in reports] == ["2025-03-10", "2026-03-10"]
    assert [o.obligation_id for o in Obligation.query(f"project_annual_report:{REGION}:KJ-2024-07-3")] == []
    status, done = call(
        "POST",
        f"/science/annual-reports/{REGION}/KJ-2024-07-1/done",
        "science-city",
        {"done_on": "2025-03-05", "note": "年度执行情况报告已审核"},
    )
    assert status == 201 and done["status"] == "done"


def test_a_registration_body_is_checked_yearly_by_two_staff_at_least(demo):
    status, duty = call(
        "POST",
        "/science/registration-bodies",
        "science-city",
        {"body_id": "DJ-01", "name": "张北县技术合同登记站", "region_code": REGION, "year": 2026},
    )
    assert status == 201 and duty["due"] == "2026-12-31" and duty["article"].endswith("三（四）1")
    path = f"/science/registration-bodies/{REGION}/DJ-01-2026/done"
    status, answer = call("POST", path, "science-city", {"done_on": "2026-06-20", "staff": ["王建国"]})
    assert (status, answer["error"]["code"]) == (422, "two_staff_required")
    assert answer["error"]["article"] == duty["article"]
    assert Obligation.get(duty["obligation_id"]).status == "open"  # nothing changed
    with ThreadPoolExecutor(3) as pool:
        codes = list(
            pool.map(
                lambda _: call(
                    "POST",
                    path,
                    "science-city",
                    {"done_on": "2026-06-20", "staff": ["王建国", "李秀英"], "outcome": "compliant", "note": "书面记录已存档"},
                )[0],
                range(3),
            )
        )
    assert sorted(codes) == [201, 409, 409]
    assert Obligation.get(duty["obligation_id"]).subject["staff"] == ["王建国", "李秀英"]


def test_the_yearly_transfer_institution_spot_check_is_a_reproducible_fifth(demo):
    candidates = [{"id": f"JG-{n:02d}", "name": f"技术转移机构{n}"} for n in range(1, 12)]
    body = {
        "population": "transfer_institutions",
        "region_code": REGION,
        "year": 2026,
        "seed": "2026年度技术转移机构抽查-公开种子",
        "candidates": candidates,
    }
    assert call("POST", "/science/spot-checks", "science-city", {**body, "ratio": "0.5"})[0] == 422  # 20% is the text's
    status, drawn = call("POST", "/science/spot-checks", "science-city", body)
    assert status == 201 and len(drawn["selected"]) == 3 and drawn["ratio"] == "0.20"
    assert call("POST", "/science/spot-checks", "science-city", {**body, "candidates": candidates[::-1]})[1] == drawn
    status, answer = call("POST", "/science/spot-checks", "science-city", {**body, "seed": "换一个种子再抽一次"})
    assert (status, answer["error"]["code"]) == (422, "already_drawn")
    first = drawn["selected"][0]["id"]
    status, done = call(
        "POST",
        f"/science/transfer-checks/{REGION}/{first}-2026/done",
        "science-city",
        {"done_on": "2026-08-01", "outcome": "rectify", "rectify_by": "2026-09-30", "note": "财政经费使用不规范"},
    )
    assert status == 201 and done["subject"]["outcome"] == "rectify"
    fix = Obligation.get(f"rectification:{REGION}:{first}-2026")
    assert (fix.due, fix.status) == ("2026-09-30", "open")


def test_project_spot_checks_need_the_ratio_the_bureau_sets(demo):
    body = {
        "population": "projects",
        "region_code": REGION,
        "year": 2026,
        "seed": "2026年度课题抽查种子",
        "candidates": [{"id": f"KJ-{n}", "name": f"课题{n}"} for n in range(1, 5)],
    }
    assert call("POST", "/science/spot-checks", "science-city", body)[0] == 422
    status, drawn = call("POST", "/science/spot-checks", "science-city", {**body, "ratio": "0.5"})
    assert status == 201 and len(drawn["selected"]) == 2


def test_concurrent_draws_with_different_seeds_make_one(demo):
    body = {
        "population": "transfer_institutions",
        "region_code": REGION,
        "year": 2027,
        "candidates": [{"id": f"JG-{n:02d}", "name": f"技术转移机构{n}"} for n in range(1, 6)],
    }
    with ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(
                lambda n: call("POST", "/science/spot-checks", "science-city", {**body, "seed": f"并发抽查种子-{n}"})[0], range(4)
            )
        )
    assert sorted(codes) == [201, 422, 422, 422]
    assert (
        len(
            list(Obligation.by_owner.query(f"science_bureau:{REGION}", filter_condition=Obligation.kind == "transfer_spot_check"))
        )
        == 1
    )


def leader(leader_id: str, start: str = "2024-06-01") -> dict:
    return {
        "leader_id": leader_id,
        "name": "风电材料创新团队",
        "kind": "team",
        "unit_name": "张北县风电设备制造有限公司",
        "region_code": REGION,
        "period_start": start,
    }


def test_a_team_failing_acceptance_rectifies_then_loses_its_title_on_a_second_failure(demo):
    status, duty = call("POST", "/science/leaders", "science-city", leader("TD-01"))
    assert status == 201 and duty["due"] == "2026-06-01" and duty["subject"]["title_status"] == "holding"
    assert (
        Obligation.get(f"leader_annual_review:{REGION}:TD-01-2024-06-01").due == "2025-06-03"
    )  # 1 June 2025: a Sunday in the Dragon Boat holiday
    path = f"/science/leaders/{REGION}/TD-01-2024-06-01/acceptance"
    assert call("POST", path, "science-city", {"held_on": "2026-05-20", "result": "failed"})[0] == 422  # needs rectify_by
    status, failed = call("POST", path, "science-city", {"held_on": "2026-05-20", "result": "failed", "rectify_by": "2026-08-20"})
    assert status == 201 and failed["subject"]["title_status"] == "rectifying"
    assert Obligation.get(f"rectification:{REGION}:leader-TD-01-2024-06-01").due == "2026-08-20"
    status, revoked = call("POST", path, "science-city", {"held_on": "2026-08-18", "result": "failed"})
    assert status == 201 and revoked["subject"]["title_status"] == "revoked"
    assert call("POST", path, "science-city", {"held_on": "2026-08-19", "result": "passed"})[0] == 409  # decided once


def test_absence_without_good_reason_forfeits_the_title_and_bars_applying_for_5_years(demo):
    call("POST", "/science/leaders", "science-city", leader("LJ-02"))
    path = f"/science/leaders/{REGION}/LJ-02-2024-06-01/acceptance"
    status, kept = call("POST", path, "science-city", {"held_on": "2026-05-20", "result": "absent", "justified": True})
    assert status == 201 and kept["status"] == "open"
    status, forfeited = call("POST", path, "science-city", {"held_on": "2026-05-27", "result": "absent"})
    assert status == 201 and (forfeited["subject"]["title_status"], forfeited["subject"]["barred_until"]) == (
        "forfeited",
        "2031-05-27",
    )
    status, answer = call("POST", "/science/leaders", "science-city", leader("LJ-02", "2026-07-01"))
    assert (status, answer["error"]["code"]) == (422, "barred_from_applying") and answer["error"]["article"].endswith(
        "四（三）、（四）3"
    )


def test_only_the_science_bureau_of_the_region(demo):
    body = {"body_id": "DJ-09", "name": "怀来县技术合同登记站", "region_code": REGION, "year": 2026}
    for who in ("judicial-zhangbei", "admin-market", "enterprise-1", "government-zhangbei"):
        assert call("POST", "/science/registration-bodies", who, body)[0] == 403
