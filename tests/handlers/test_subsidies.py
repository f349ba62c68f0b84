"""Subsidy endpoints: what-if, stored calculations, reproducible batch runs, and who reads them."""
from local.demo_data import ENTERPRISES
from sheqi import store
from sheqi.rules import uscc
from sheqi.auth import Identity
from local import queues
from sheqi.subsidy import service
from tests.helpers import call

E1 = ENTERPRISES[0]["enterprise_id"]
HIGH_TECH = {"newly_recognised_high_tech": True, "previous_year_sales_yuan": 20_000_000,
             "three_year_rd_yuan": 1_400_000, "three_year_sales_yuan": 20_000_000,
             "national_projects": [{"project_name": "国家重点研发计划课题", "national_funding_yuan": 13_333_334}]}
CANGZHOU_SCIENCE = Identity("science-130900", "science_bureau", region_code="130900")


def applicant(applicant_id=E1, region="130722", facts=HIGH_TECH, kind="enterprise"):
    return {"applicant_id": applicant_id, "applicant_kind": kind, "name": "张北县测试申报单位", "region_code": region,
            "facts": facts}


def test_what_if_stores_nothing(demo):
    status, result = call("POST", "/subsidies/what-if", "science-city", {"applicant_kind": "enterprise", "facts": HIGH_TECH})
    assert status == 200 and result["total_cash"] == "2020000.00" and result["total_cash_is_ceiling"] is True
    assert list(store.SubsidyApplicant.query("2025")) == []


def test_one_calculation_is_stored_with_its_facts_and_version(demo):
    status, stored = call("POST", "/subsidies/2025/calculations", "science-city", applicant())
    assert status == 201
    record = store.SubsidyResult.get(stored["run_id"], E1)
    assert record.facts == HIGH_TECH and record.ruleset_version.startswith("cangzhou-2025-rd@")
    assert record.result["total_cash"] == "2020000.00"
    status, own = call("GET", f"/subsidies/runs/{stored['run_id']}/results/{E1}", "enterprise-1")
    assert status == 200 and own["result"] == stored["result"]
    assert call("GET", f"/subsidies/runs/{stored['run_id']}/results/{E1}", "enterprise-4")[0] == 403
    assert call("GET", f"/subsidies/runs/{stored['run_id']}/results/{E1}", CANGZHOU_SCIENCE)[0] == 403


def test_bad_facts_name_the_field_and_store_nothing(demo):
    status, answer = call("POST", "/subsidies/2025/calculations", "science-city",
                          applicant(facts={"newly_recognised_high_tech": True, "previous_year_sales_yuan": 1.5e7}))
    assert status == 422 and answer["error"]["field"] == "facts.previous_year_sales_yuan"
    status, answer = call("POST", "/subsidies/2025/calculations", "science-city",
                          applicant(facts={"newly_recognised_high_tech": True, "three_year_rd_yuan": 1, "three_year_sales_yuan": 9}))
    assert status == 422 and answer["error"]["code"] == "missing_fact" and "二、8" in answer["error"]["message"]
    assert list(store.SubsidyApplicant.query("2025")) == []


def test_outside_region_is_refused(demo):
    status, answer = call("POST", "/subsidies/2025/applicants", CANGZHOU_SCIENCE, applicant())
    assert status == 403 and list(store.SubsidyApplicant.query("2025")) == []


def test_batch_run_is_reproducible_and_reports_what_it_cannot_judge(demo, tables):
    for n in range(7):
        first17 = f"91130722MC{n:07d}"
        call("POST", "/subsidies/2025/applicants", "science-city", applicant(first17 + uscc.check_character(first17)))
    call("POST", "/subsidies/2025/applicants", "science-city",
         applicant("130722", "130722", {"rd_grew_on_previous_year": True, "rd_spending_yuan": 300_000_000}, "county"))
    # A record stored under an older policy that this one cannot judge is reported, not dropped.
    store.SubsidyApplicant("2025", "91130722MD0000000X", applicant_kind="enterprise", name="旧数据", region_code="130722",
                           facts={"retired_fact": 1}, updated_at="2025-01-01T00:00:00+08:00").save()
    status, first = call("POST", "/subsidies/2025/runs", "science-city")
    assert status == 202 and first["status"] == "queued"
    status, second = call("POST", "/subsidies/2025/runs", "platform")
    assert queues.drain(tables) == 2                   # one chunk each: the worker ran them
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
    message = {"run_id": run["run_id"], "year": 2025, "scope": "130700", "chunk": 0, "cursor": None,
               "ruleset_version": run["ruleset_version"]}
    service.process_run_chunk(message)            # the same first chunk delivered a second time
    # Queued: the original first chunk, then chunks 2 and 3 twice each (each delivery hands the rest on).
    assert queues.drain(tables) == 5
    summary = call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]["summary"]
    assert summary["status"] == "done" and summary["applicants"] == 7
    assert summary["total_cash"] == f"{7 * 2_020_000}.00"


def test_a_changed_rule_set_fails_the_run_rather_than_mix_versions(demo, tables):
    status, run = call("POST", "/subsidies/2025/runs", "science-city")
    service.process_run_chunk({"run_id": run["run_id"], "year": 2025, "scope": "130700", "chunk": 0, "cursor": None,
                               "ruleset_version": "cangzhou-2025-rd@000000000000"})
    assert call("GET", f"/subsidies/runs/{run['run_id']}", "science-city")[1]["summary"]["status"] == "failed"
