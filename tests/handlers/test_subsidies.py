"""Subsidy endpoints: what-if, stored calculations, reproducible batch runs, and who reads them."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from local import queues
from local.demo_data import ENTERPRISES
from sheqi.auth import Identity
from sheqi.rules import regions, uscc
from sheqi.store.notices import Notice
from sheqi.store.subsidy import SubsidyApplicant, SubsidyResult
from sheqi.subsidy import service
from tests.helpers import as_function, call

E1 = ENTERPRISES[0]["enterprise_id"]
HIGH_TECH = {
    "newly_recognised_high_tech": True,
    "previous_year_sales_yuan": 20_000_000,
    "three_year_rd_yuan": 1_400_000,
    "three_year_sales_yuan": 20_000_000,
    "national_projects": [{"project_name": "国家重点研发计划课题", "national_funding_yuan": 13_333_334}],
}
CANGZHOU_SCIENCE = Identity("science-130900", "science_bureau", region_code="130900")
ZHANGBEI_SCIENCE = Identity("science-130722", "science_bureau", region_code="130722")
HUAILAI_SCIENCE = Identity("science-130730", "science_bureau", region_code="130730")


def applicant(applicant_id=E1, region="130722", facts=HIGH_TECH, kind="enterprise"):
    return {
        "applicant_id": applicant_id,
        "applicant_kind": kind,
        "name": "张北县测试申报单位",
        "region_code": region,
        "facts": facts,
    }


def process(message: dict) -> None:
    """A chunk of a run, as the subsidyRunWorker function processes it (under its role)."""
    with as_function("subsidyRunWorker"):
        service.process_run_chunk(message)


def test_what_if_stores_nothing(demo):
    status, result = call("POST", "/subsidies/what-if", "science-city", {"applicant_kind": "enterprise", "facts": HIGH_TECH})
    assert status == 200 and result["total_cash"] == "2020000.00" and result["total_cash_is_ceiling"] is True
    assert list(SubsidyApplicant.query("2025")) == []


def test_one_calculation_is_stored_with_its_facts_and_version(demo):
    status, stored = call("POST", "/subsidies/2025/calculations", "science-city", applicant())
    assert status == 201
    record = SubsidyResult.get(stored["run_id"], E1)
    assert record.facts == HIGH_TECH and record.ruleset_version.startswith("cangzhou-2025-rd@")
    assert record.result["total_cash"] == "2020000.00"
    status, own = call("GET", f"/subsidies/runs/{stored['run_id']}/results/{E1}", "enterprise-1")
    assert status == 200 and own["result"] == stored["result"]
    assert call("GET", f"/subsidies/runs/{stored['run_id']}/results/{E1}", "enterprise-4")[0] == 403
    assert call("GET", f"/subsidies/runs/{stored['run_id']}/results/{E1}", CANGZHOU_SCIENCE)[0] == 403


def test_bad_facts_name_the_field_and_store_nothing(demo):
    status, answer = call(
        "POST",
        "/subsidies/2025/calculations",
        "science-city",
        applicant(facts={"newly_recognised_high_tech": True, "previous_year_sales_yuan": 1.5e7}),
    )
    assert status == 422 and answer["error"]["field"] == "facts.previous_year_sales_yuan"
    status, answer = call(
        "POST",
        "/subsidies/2025/calculations",
        "science-city",
        applicant(facts={"newly_recognised_high_tech": True, "three_year_rd_yuan": 1, "three_year_sales_yuan": 9}),
    )
    assert status == 422 and answer["error"]["code"] == "missing_fact" and "二、8" in answer["error"]["message"]
    assert list(SubsidyApplicant.query("2025")) == []


def test_outside_region_is_refused(demo):
    status, answer = call("POST", "/subsidies/2025/applicants", CANGZHOU_SCIENCE, applicant())
    assert status == 403 and list(SubsidyApplicant.query("2025")) == []


@pytest.mark.parametrize("owner,intruder", [(ZHANGBEI_SCIENCE, HUAILAI_SCIENCE), (HUAILAI_SCIENCE, ZHANGBEI_SCIENCE)])
@pytest.mark.parametrize("route", ["applicants", "calculations"])
def test_a_county_cannot_take_over_another_countys_applicant(demo, owner, intruder, route):
    mine = {**applicant(region=owner.region_code), "name": "本县申报单位"}
    assert call("POST", "/subsidies/2025/applicants", owner, mine)[0] == 201
    before = SubsidyApplicant.get("2025", E1).attribute_values
    theirs = {**applicant(region=intruder.region_code, facts={"newly_recognised_high_tech": False}), "name": "外县冒名单位"}
    status, answer = call("POST", f"/subsidies/2025/{route}", intruder, theirs)
    assert status == 403 and answer["error"]["code"] == "applicant_of_other_region", answer
    assert answer["error"]["field"] == "applicant_id" and not answer["error"]["message"].isascii()
    assert SubsidyApplicant.get("2025", E1).attribute_values == before  # region, name, facts unchanged
    assert list(SubsidyResult.by_applicant.query(E1)) == []  # and nothing calculated for it
    # Its own county updates it; the city bureau over both may too.
    assert call("POST", "/subsidies/2025/applicants", owner, {**mine, "name": "本县申报单位（更新）"})[0] == 201
    assert call("POST", "/subsidies/2025/applicants", "science-city", mine)[0] == 201


def test_two_counties_racing_for_one_new_applicant_leave_one_whole_record(demo):
    ids = []
    for n in range(6):
        first17 = f"91130722MR{n:07d}"
        ids.append(first17 + uscc.check_character(first17))

    def save(job):
        applicant_id, who = job
        body = {**applicant(applicant_id, who.region_code), "name": f"{regions.name(who.region_code)}申报单位"}
        return applicant_id, who.region_code, call("POST", "/subsidies/2025/applicants", who, body)[0]

    jobs = [(a, who) for a in ids for who in (ZHANGBEI_SCIENCE, HUAILAI_SCIENCE) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(save, jobs))
    for applicant_id in ids:
        mine = [(region, status) for a, region, status in outcomes if a == applicant_id]
        winners = {region for region, status in mine if status == 201}
        assert len(winners) == 1, mine  # one county got it; the other was refused every time
        assert {status for region, status in mine if region not in winners} == {403}
        stored = SubsidyApplicant.get("2025", applicant_id)
        assert stored.region_code in winners and stored.name == f"{regions.name(stored.region_code)}申报单位"


def test_batch_run_is_reproducible_and_reports_what_it_cannot_judge(demo, tables):
    for n in range(7):
        first17 = f"91130722MC{n:07d}"
        call("POST", "/subsidies/2025/applicants", "science-city", applicant(first17 + uscc.check_character(first17)))
    call(
        "POST",
        "/subsidies/2025/applicants",
        "science-city",
        applicant("130722", "130722", {"rd_grew_on_previous_year": True, "rd_spending_yuan": 300_000_000}, "county"),
    )
    # A record stored under an older policy that this one cannot judge is reported, not dropped.
    SubsidyApplicant(
        "2025",
        "91130722MD0000000X",
        applicant_kind="enterprise",
        name="旧数据",
        region_code="130722",
        facts={"retired_fact": 1},
        updated_at="2025-01-01T00:00:00+08:00",
    ).save()
    status, first = call("POST", "/subsidies/2025/runs", "science-city")
    assert status == 202 and first["status"] == "queued"
    status, second = call("POST", "/subsidies/2025/runs", "platform")
    assert queues.drain(tables) == 2  # one chunk each: the worker ran them
    first = call("GET", f"/subsidies/runs/{first['run_id']}", "science-city")[1]["summary"]
    second = call("GET", f"/subsidies/runs/{second['run_id']}", "platform")[1]["summary"]
    assert first["status"] == second["status"] == "done"
    assert first["applicants"] == second["applicants"] == 9 and first["errors"] == 1
    assert first["total_cash"] == second["total_cash"] == f"{7 * 2_020_000 + 200_000}.00"
    assert first["ruleset_version"] == second["ruleset_version"]

    def results(run, who):
        items, cursor = [], ""
        while cursor is not None:
            status, page = call("GET", f"/subsidies/runs/{run}", who, query=f"limit=4&cursor={cursor or ''}")
            assert status == 200, page
            items += page["items"]
            cursor = page["next_cursor"]
        return {i["applicant_id"]: i["result"] for i in items}

    assert results(first["run_id"], "science-city") == results(second["run_id"], "platform")
    assert len(results(first["run_id"], "science-city")) == 9
    # The city bureau may not read the platform's province-wide run.
    assert call("GET", f"/subsidies/runs/{second['run_id']}", "science-city")[0] == 403
    assert call("GET", f"/subsidies/runs/{first['run_id']}", CANGZHOU_SCIENCE)[0] == 403
    assert call("GET", f"/subsidies/runs/{first['run_id']}", "enterprise-1")[0] == 403


def test_a_run_goes_in_chunks_and_a_redelivered_chunk_counts_once(demo, tables, monkeypatch):
    monkeypatch.setattr(service, "CHUNK", 3)
    for n in range(7):
        first17 = f"91130722MH{n:07d}"
        call("POST", "/subsidies/2025/applicants", "science-city", applicant(first17 + uscc.check_character(first17)))
    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    message = {
        "run_id": run["run_id"],
        "year": 2025,
        "scope": "130700",
        "chunk": 0,
        "cursor": None,
        "ruleset_version": run["ruleset_version"],
    }
    process(message)  # the same first chunk delivered a second time
    # Queued: the original first chunk, then chunks 2 and 3 twice each (each delivery hands the rest on).
    assert queues.drain(tables) == 5
    summary = call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]["summary"]
    assert summary["status"] == "done" and summary["applicants"] == 7
    assert summary["total_cash"] == f"{7 * 2_020_000}.00"


def test_a_changed_rule_set_fails_the_run_rather_than_mix_versions(demo, tables):
    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    process(
        {
            "run_id": run["run_id"],
            "year": 2025,
            "scope": "130700",
            "chunk": 0,
            "cursor": None,
            "ruleset_version": "cangzhou-2025-rd@000000000000",
        }
    )
    assert call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]["summary"]["status"] == "failed"


HUGE = 10**26  # yuan: beyond what a calculation can carry to the cent (28 significant digits)
OVER_CEILING = 10**15  # yuan: an exact JSON number, above every money fact's ceiling


@pytest.mark.parametrize("route", ["applicants", "calculations", "what-if"])
@pytest.mark.parametrize(
    "facts,field",
    [
        ({**HIGH_TECH, "previous_year_sales_yuan": OVER_CEILING}, "facts.previous_year_sales_yuan"),
        (
            {**HIGH_TECH, "national_projects": [{"project_name": "课题", "national_funding_yuan": OVER_CEILING}]},
            "facts.national_projects[0].national_funding_yuan",
        ),
        (
            {**HIGH_TECH, "national_projects": [{"project_name": "课题", "national_funding_yuan": 10**10 + 1}]},
            "facts.national_projects[0].national_funding_yuan",
        ),  # that fact's own ceiling: 100亿元
        ({**HIGH_TECH, "previous_year_sales_yuan": HUGE}, "facts.previous_year_sales_yuan"),  # not even an exact number
        (
            {"equity_incentives": [{"achievement": "成果", "appraised_value_yuan": 1_000_000, "assessed_rate": "NaN"}]},
            "facts.equity_incentives[0].assessed_rate",
        ),
        (
            {"equity_incentives": [{"achievement": "成果", "appraised_value_yuan": 1_000_000, "assessed_rate": "sNaN"}]},
            "facts.equity_incentives[0].assessed_rate",
        ),
        (
            {"equity_incentives": [{"achievement": "成果", "appraised_value_yuan": 1_000_000, "assessed_rate": "1e-999999999"}]},
            "facts.equity_incentives[0].assessed_rate",
        ),
    ],
)
def test_facts_the_engine_cannot_compute_are_refused_at_save(demo, route, facts, field):
    path = "/subsidies/what-if" if route == "what-if" else f"/subsidies/2025/{route}"
    body = {"applicant_kind": "enterprise", "facts": facts} if route == "what-if" else applicant(facts=facts)
    status, answer = call("POST", path, "science-city", body)
    assert status == 422 and answer["error"]["field"] == field, answer
    assert not answer["error"]["message"].isascii()
    assert list(SubsidyApplicant.query("2025")) == [] and list(SubsidyResult.by_applicant.query(E1)) == []


def test_an_applicant_the_engine_cannot_compute_is_reported_and_the_run_ends(demo, tables):
    for n in range(3):
        first17 = f"91130722MJ{n:07d}"
        call("POST", "/subsidies/2025/applicants", "science-city", applicant(first17 + uscc.check_character(first17)))
    # Stored before saving checked facts: amounts no calculation can carry, and a rate that is not a number.
    for applicant_id, facts in [
        ("91130722MK0000001X", {**HIGH_TECH, "previous_year_sales_yuan": HUGE}),
        (
            "91130722MK0000002X",
            {"equity_incentives": [{"achievement": "成果", "appraised_value_yuan": 10, "assessed_rate": "NaN"}]},
        ),
    ]:
        SubsidyApplicant(
            "2025",
            applicant_id,
            applicant_kind="enterprise",
            name="旧数据",
            region_code="130722",
            facts=facts,
            updated_at="2025-01-01T00:00:00+08:00",
        ).save()
    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    assert queues.drain(tables) == 1
    page = call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]
    summary = page["summary"]
    assert summary["status"] == "done" and summary["applicants"] == 5 and summary["errors"] == 2
    assert summary["total_cash"] == f"{3 * 2_020_000}.00"
    reasons = {i["applicant_id"]: i["result"]["error"] for i in page["items"] if "error" in i["result"]}
    assert reasons["91130722MK0000001X"]["field"] == "facts.previous_year_sales_yuan"
    assert reasons["91130722MK0000002X"]["field"] == "facts.equity_incentives[0].assessed_rate"
    assert all(r["message"] and not r["message"].isascii() for r in reasons.values())


def test_a_message_that_keeps_failing_reaches_the_dead_letter_queue(demo, tables, monkeypatch):
    """As SubsidyRunsQueue's redrive policy says (infra/queues.yml): after maxReceiveCount tries, the
    message moves to the dead-letter queue, and the run it belongs to is marked failed."""
    import boto3

    from local.dynamo import infra_resources

    tries = []

    def broken(message, ruleset=None):
        tries.append(message["chunk"])
        raise ConnectionError("store unreachable")

    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    monkeypatch.setattr(service, "process_run_chunk", broken)
    assert queues.drain(tables) == 0
    limit = infra_resources("queues.yml")["SubsidyRunsQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    assert tries == [0] * limit
    sqs = boto3.client("sqs", endpoint_url=tables, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x")
    dead_name = infra_resources("queues.yml")["SubsidyRunsDeadLetterQueue"]["Properties"]["QueueName"]
    dead = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName=dead_name)["QueueUrl"], MaxNumberOfMessages=10)
    assert [json_body(m)["run_id"] for m in dead.get("Messages", [])] == [run["run_id"]]
    summary = call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]["summary"]
    assert summary["status"] == "failed" and summary["finished_at"]


def json_body(message: dict) -> dict:
    import json

    return json.loads(message["Body"])


def test_facts_whose_result_could_not_be_stored_whole_are_refused(demo):
    """Every list item is judged and kept in the result, one DynamoDB item of at most 400 KB: 100 items
    in each of the eight lists (a 39 KB body) made a 515 KB result, which the store refused (a 500)."""

    def lists(n):
        return {
            "jiebang_projects": [{"project_name": f"p{i}"} for i in range(n)],
            "national_projects": [{"project_name": f"p{i}", "national_funding_yuan": 1_000_000} for i in range(n)],
            "transformation_projects": [{"project_name": f"p{i}", "assessed_amount_yuan": 2_000_000} for i in range(n)],
            "saline_alkali_projects": [{"project_name": f"p{i}"} for i in range(n)],
            "new_platforms": [{"platform_name": f"p{i}", "platform_kind": "key_lab", "level": "national"} for i in range(n)],
            "new_cooperation_bases": [{"base_name": f"p{i}", "level": "national"} for i in range(n)],
            "foreign_expert_projects": [{"project_name": f"p{i}"} for i in range(n)],
            "equity_incentives": [
                {"achievement": f"p{i}", "appraised_value_yuan": 1_000_000, "assessed_rate": "0.5"} for i in range(n)
            ],
        }

    status, answer = call("POST", "/subsidies/2025/calculations", "science-city", applicant(facts=lists(100)))
    assert status == 422 and answer["error"]["code"] == "too_many_items" and answer["error"]["field"] == "facts", answer
    assert list(SubsidyApplicant.query("2025")) == []
    status, stored = call("POST", "/subsidies/2025/calculations", "science-city", applicant(facts=lists(25)))
    assert status == 201 and sum(1 for c in stored["result"]["clauses"] if c["item"]) >= 200


def test_a_run_tells_each_qualifying_enterprise_once_and_it_reads_its_own_results(demo, tables):
    """免申即享: after the run, a notice in Chinese with the clauses, amounts and next step, exactly one
    per run and result, even with the same chunk delivered several times at once."""
    call("POST", "/subsidies/2025/applicants", "science-city", applicant())
    other = ENTERPRISES[1]["enterprise_id"]
    call("POST", "/subsidies/2025/applicants", "science-city", applicant(other, facts={"new_unicorn": False}))
    call(
        "POST",
        "/subsidies/2025/applicants",
        "science-city",
        applicant("130722", "130722", {"rd_grew_on_previous_year": True, "rd_spending_yuan": 300_000_000}, "county"),
    )
    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    message = {
        "run_id": run["run_id"],
        "year": 2025,
        "scope": "130700",
        "chunk": 0,
        "cursor": None,
        "ruleset_version": run["ruleset_version"],
    }
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: process(message), range(3)))
    queues.drain(tables)
    notices = [n for n in Notice.query(f"enterprise:{E1}") if n.kind == "subsidy_exemption"]
    assert [n.notice_id for n in notices] == [f"subsidy:{run['run_id']}"]
    body = notices[0].body
    assert notices[0].title == "免申即享：您符合2项科技政策支持条款"
    assert "第二、8条：最高2万元（具体金额以评审结果为准）" in body and "第二、5条（国家重点研发计划课题）：200万元。" in body
    assert "下一步" in body and notices[0].article == "《沧州市2025年度全社会研发经费投入提升行动实施方案》"
    assert [n for n in Notice.query(f"enterprise:{other}") if n.kind == "subsidy_exemption"] == []  # nothing to tell
    status, mine = call("GET", "/subsidies/results", "enterprise-1")
    assert status == 200 and {i["run_id"] for i in mine["items"]} == {run["run_id"]}
    assert {i["applicant_id"] for i in mine["items"]} == {E1}
    assert call("GET", "/subsidies/results", "science-city")[0] == 403


def test_clauses_without_an_amount_are_reported_and_told_but_never_totalled(demo, tables):
    """Crop varieties (二、5) promise money without an amount: the calculation, the run and the 免申即享
    notice report them with who sets the amount and the clause, and no total counts them."""
    facts = {**HIGH_TECH, "crop_varieties": [{"variety_name": "沧麦6005", "approval": "national"}]}
    status, result = call("POST", "/subsidies/what-if", "enterprise-1", {"applicant_kind": "enterprise", "facts": facts})
    assert status == 200 and result["total_cash"] == "2020000.00"
    crop = next(c for c in result["clauses"] if c["rule_id"] == "national_crop_variety")
    assert (crop["eligible"], crop["amount"], crop["decision"]) == (True, None, "amount_set_elsewhere")
    assert crop["amount_note"] == "本方案未规定金额，金额由本条责任单位（市科技局、市财政局等）确定"
    call("POST", "/subsidies/2025/applicants", "science-city", applicant(facts=facts))
    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    assert queues.drain(tables) == 1
    summary = call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]["summary"]
    assert summary["total_cash"] == "2020000.00"
    notice = next(n for n in Notice.query(f"enterprise:{E1}") if n.kind == "subsidy_exemption")
    assert notice.title == "免申即享：您符合3项科技政策支持条款"
    assert (
        "第二、5条（沧麦6005）：本方案未规定金额，金额由本条责任单位（市科技局、市财政局等）确定。"
        "条款原文：对通过国审、省审的主要农作物新品种分别给予资金支持"
    ) in notice.body


def test_the_matching_cap_reading_is_in_the_answer(demo):
    """二、5's 200万 cap is per unit (the policy's setting): two projects' 15% are added and capped once,
    and the answer says which reading it applied."""
    projects = [
        {"project_name": "课题甲", "national_funding_yuan": 10_000_000},
        {"project_name": "课题乙", "national_funding_yuan": 8_000_000},
    ]
    status, stored = call(
        "POST", "/subsidies/2025/calculations", "science-city", applicant(facts={"national_projects": projects})
    )
    assert status == 201 and stored["result"]["total_cash"] == "2000000.00"
    (matching,) = [c for c in stored["result"]["clauses"] if c["rule_id"] == "national_programme_matching"]
    assert matching["item"] == "课题甲、课题乙" and matching["reading"].startswith("“最高不超过200万元”按每个单位合计计算")
    assert "按每个申报主体合计计算（不按每项），超过上限，按200万元" in matching["checks"][-1]["detail"]


def test_the_expired_equity_clause_pays_only_for_its_own_years(demo):
    """Seed 001 clause 23 comes from the 2015-2017 plan (its period is in the policy data): for 2025's
    facts it does not pay and says why; for 2016's it does, and the 2025 plan's clauses do not."""
    facts = {
        "new_unicorn": True,
        "equity_incentives": [{"achievement": "专利作价入股", "appraised_value_yuan": 1_000_000, "assessed_rate": "0.30"}],
    }
    status, stored = call("POST", "/subsidies/2025/calculations", "science-city", applicant(facts=facts))
    assert status == 201 and stored["result"]["year"] == 2025
    assert (stored["result"]["total_cash"], stored["result"]["total_equity"]) == ("500000.00", "0.00")
    equity = next(c for c in stored["result"]["clauses"] if c["rule_id"] == "equity_incentive")
    assert equity["decision"] == "out_of_period" and "测算年度2025年不在有效期内" in equity["checks"][0]["detail"]
    status, old = call(
        "POST", "/subsidies/what-if", "science-city", {"applicant_kind": "enterprise", "facts": facts, "year": 2016}
    )
    assert status == 200 and (old["total_cash"], old["total_equity"]) == ("0.00", "300000.00")
    unicorn = next(c for c in old["clauses"] if c["rule_id"] == "new_unicorn")
    assert unicorn["decision"] == "out_of_period" and "有效期为2025年1月1日至2025年12月31日" in unicorn["checks"][0]["detail"]
    status, answer = call(
        "POST", "/subsidies/what-if", "science-city", {"applicant_kind": "enterprise", "facts": facts, "year": 1999}
    )
    assert status == 422 and answer["error"]["field"] == "year"
    status, answer = call("POST", "/subsidies/2025/calculations", "science-city", {**applicant(facts=facts), "year": 2016})
    assert status == 422  # a stored calculation's year is its path's
