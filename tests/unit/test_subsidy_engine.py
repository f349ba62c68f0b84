"""Worked examples computed by hand from the Cangzhou 2025 plan (seed 000) and seed 001 clause 23."""

from datetime import date
from decimal import Decimal

import pytest
import yaml

from sheqi.errors import ValidationError
from sheqi.subsidy import calculate, default_ruleset, load_ruleset
from sheqi.subsidy.rules import DEFAULT_POLICY

RULES = default_ruleset()


def run(kind, **facts):
    return calculate(RULES, kind, facts)


def clause(result, rule_id, item=None):
    return next(c for c in result["clauses"] if c["rule_id"] == rule_id and (item is None or c["item"] == item))


# Clause 3: 10亿元及以上 up to 30万; 3亿元(含)-10亿元(不含) up to 20万; 2亿元(含)-3亿元(不含) up to 10万.
@pytest.mark.parametrize(
    "spending,amount",
    [
        (199_999_999, None),
        (200_000_000, "100000.00"),
        (299_999_999, "100000.00"),
        (300_000_000, "200000.00"),
        (999_999_999, "200000.00"),
        (1_000_000_000, "300000.00"),
        (5_000_000_000, "300000.00"),
    ],
)
def test_county_growth_tiers_at_their_bounds(spending, amount):
    growth = clause(run("county", rd_grew_on_previous_year=True, rd_spending_yuan=spending), "county_rd_growth")
    assert growth["amount"] == amount and growth["eligible"] is (amount is not None)
    if amount:
        assert growth["amount_kind"] == "ceiling" and "最高" in growth["amount_note"]


def test_no_growth_no_award_and_spending_not_needed():
    result = run("county", rd_grew_on_previous_year=False)
    assert clause(result, "county_rd_growth")["eligible"] is False
    assert result["total_cash"] == "0.00"


def test_highest_only_between_growth_and_promotion():
    result = run("county", rd_grew_on_previous_year=True, rd_spending_yuan=1_200_000_000, promoted_b_to_a_first_time=True)
    assert clause(result, "county_promoted_b_to_a")["decision"] == "paid"
    growth = clause(result, "county_rd_growth")
    assert growth["decision"] == "superseded" and growth["superseded_by"] == "county_promoted_b_to_a"
    assert result["total_cash"] == "500000.00" and result["total_cash_is_ceiling"] is True


# Clause 5: national programme matching, 15% of the national funding, at most 200万.
@pytest.mark.parametrize(
    "funding,amount",
    [
        (10_000_000, "1500000.00"),
        (13_333_333, "1999999.95"),
        (13_333_334, "2000000.00"),
        (20_000_000, "2000000.00"),
    ],
)
def test_national_matching_percentage_with_cap(funding, amount):
    result = run("enterprise", national_projects=[{"project_name": "国家重点研发计划课题", "national_funding_yuan": funding}])
    matching = clause(result, "national_programme_matching")
    assert matching["amount"] == amount and matching["amount_kind"] == "exact"


TWO_PROJECTS = [
    {"project_name": "课题甲", "national_funding_yuan": 10_000_000},
    {"project_name": "课题乙", "national_funding_yuan": 8_000_000},
]


def test_national_matching_cap_is_per_unit_by_default():
    """“最高不超过200万元” per unit (the setting's default): 150万 + 120万 = 270万, capped once at 200万."""
    result = run("enterprise", national_projects=TWO_PROJECTS)
    matching = [c for c in result["clauses"] if c["rule_id"] == "national_programme_matching"]
    assert len(matching) == 1 and matching[0]["item"] == "课题甲、课题乙" and matching[0]["amount"] == "2000000.00"
    assert [c["detail"] for c in matching[0]["checks"]] == [
        "课题甲：1000万元 × 15% = 150万元",
        "课题乙：800万元 × 15% = 120万元",
        "各项合计270万元，上限200万元按每个申报主体合计计算（不按每项），超过上限，按200万元",
    ]
    assert "按每个单位合计计算" in matching[0]["reading"] and "每项" in matching[0]["reading"]
    assert result["total_cash"] == "2000000.00"
    under = clause(
        run("unit", national_projects=[{**p, "national_funding_yuan": 5_000_000} for p in TWO_PROJECTS]),
        "national_programme_matching",
    )
    assert under["amount"] == "1500000.00" and under["checks"][-1]["detail"].endswith("未超过上限")


def test_national_matching_cap_per_project_when_the_setting_says_item(tmp_path):
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == "national_programme_matching")
    rule["amount"]["cap_per"] = "item"
    path = tmp_path / "per_project.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = calculate(
        load_ruleset(path),
        "enterprise",
        {"national_projects": [{**TWO_PROJECTS[0], "national_funding_yuan": 20_000_000}, TWO_PROJECTS[1]]},
    )
    matching = [c for c in result["clauses"] if c["rule_id"] == "national_programme_matching"]
    assert [(c["item"], c["amount"]) for c in matching] == [("课题甲", "2000000.00"), ("课题乙", "1200000.00")]
    assert matching[0]["checks"][-1]["detail"] == "2000万元 × 15% = 300万元，超过每项上限，按200万元"
    assert result["total_cash"] == "3200000.00"


def test_each_project_is_its_own_award():
    result = run(
        "enterprise",
        jiebang_projects=[{"project_name": "高端装备"}, {"project_name": "新材料"}],
        saline_alkali_projects=[{"project_name": "盐碱地小麦"}],
        foreign_expert_projects=[{"project_name": "中德合作"}],
    )
    assert [c["amount"] for c in result["clauses"] if c["rule_id"] == "jiebang_project"] == ["3000000.00"] * 2
    assert clause(result, "saline_alkali_project")["amount"] == "1000000.00"
    assert clause(result, "foreign_expert_project")["amount"] == "200000.00"
    assert result["total_cash"] == "7200000.00"


@pytest.mark.parametrize("assessed,ok", [(1_000_000, True), (5_000_000, True), (999_999, False), (5_000_001, False)])
def test_transformation_needs_an_assessed_amount_within_100_to_500_wan(assessed, ok):
    facts = {"transformation_projects": [{"project_name": "成果转化", "assessed_amount_yuan": assessed}]}
    if ok:
        assert clause(calculate(RULES, "enterprise", facts), "achievement_transformation")["amount"] == f"{assessed}.00"
    else:
        with pytest.raises(ValidationError) as raised:
            calculate(RULES, "enterprise", facts)
        assert raised.value.code == "assessed_out_of_range"
        assert raised.value.field == "facts.transformation_projects[0].assessed_amount_yuan"


@pytest.mark.parametrize(
    "kind,level,rule,amount",
    [
        ("key_lab", "national", "national_platform", "5000000.00"),
        ("new_rd_institution", "provincial", "provincial_platform", "1000000.00"),
    ],
)
def test_platforms(kind, level, rule, amount):
    result = run("unit", new_platforms=[{"platform_name": "平台", "platform_kind": kind, "level": level}])
    paid = [c for c in result["clauses"] if c["eligible"]]
    assert [(c["rule_id"], c["amount"]) for c in paid] == [(rule, amount)]


def test_cooperation_bases_alliance_talent_and_unicorn():
    result = run(
        "enterprise",
        new_cooperation_bases=[{"base_name": "甲", "level": "national"}, {"base_name": "乙", "level": "provincial"}],
        alliance_rated_excellent_first_time=True,
        new_talent_enclave=True,
        new_foreign_expert_platform=True,
        new_unicorn=True,
    )
    paid = {(c["rule_id"], c["item"]): c["amount"] for c in result["clauses"] if c["eligible"]}
    assert paid == {
        ("national_cooperation_base", "甲"): "1000000.00",
        ("provincial_cooperation_base", "乙"): "500000.00",
        ("alliance_excellent", None): "500000.00",
        ("talent_enclave", None): "300000.00",
        ("foreign_expert_platform", None): "300000.00",
        ("new_unicorn", None): "500000.00",
    }


def test_talent_enclave_is_for_enterprises():
    assert "talent_enclave" not in {c["rule_id"] for c in run("unit", new_talent_enclave=True)["clauses"]}


# Clause 8: 上一年度销售收入2000万元以下 (includes 20m) and R&D 不低于7% (includes 7%): up to 2万.
@pytest.mark.parametrize(
    "sales,rd,sales3,eligible",
    [
        (20_000_000, 1_400_000, 20_000_000, True),  # exactly 20m and exactly 7%
        (20_000_001, 1_400_000, 20_000_000, False),  # one yuan over 20m
        (19_000_000, 1_399_999, 20_000_000, False),  # just under 7%
        (5_000_000, 3_000_000, 30_000_000, True),
    ],
)
def test_new_high_tech_enterprise_bounds(sales, rd, sales3, eligible):
    result = run(
        "enterprise",
        newly_recognised_high_tech=True,
        previous_year_sales_yuan=sales,
        three_year_rd_yuan=rd,
        three_year_sales_yuan=sales3,
    )
    award = clause(result, "new_high_tech_enterprise")
    assert award["eligible"] is eligible
    if eligible:
        assert award["amount"] == "20000.00"
    else:
        assert "不符合" in award["checks"][-1]["detail"]


def test_a_missing_fact_names_the_field_and_the_clause():
    with pytest.raises(ValidationError) as raised:
        run("enterprise", newly_recognised_high_tech=True, three_year_rd_yuan=1, three_year_sales_yuan=2)
    assert raised.value.code == "missing_fact" and raised.value.field == "facts.previous_year_sales_yuan"
    assert "二、8" in raised.value.message and "new_high_tech_enterprise" in raised.value.message


# Clause 9: 5000万元及以上 output up to 15万; 1000万元及以上 absorbed up to 20万.
@pytest.mark.parametrize(
    "output,absorbed,paid",
    [
        (50_000_000, 10_000_000, {"technology_contracts_output", "technology_contracts_absorbed"}),
        (49_999_999, 9_999_999, set()),
    ],
)
def test_technology_contract_thresholds(output, absorbed, paid):
    result = run("unit", contracts_output_yuan=output, contracts_absorbed_yuan=absorbed)
    assert {c["rule_id"] for c in result["clauses"] if c["eligible"]} == paid


# Seed 001 clause 23 comes from the 2015-2017 plan: it pays for facts of those years only.
@pytest.mark.parametrize("rate,ok", [("0.20", True), ("0.50", True), ("0.30", True), ("0.19", False), ("0.51", False)])
def test_equity_incentive_20_to_50_percent_is_equity_not_cash_within_its_period(rate, ok):
    facts = {"equity_incentives": [{"achievement": "专利作价入股", "appraised_value_yuan": 1_000_000, "assessed_rate": rate}]}
    if not ok:
        with pytest.raises(ValidationError):
            calculate(RULES, "enterprise", facts, 2016)
        return
    result = calculate(RULES, "enterprise", facts, 2016)
    assert clause(result, "equity_incentive")["pays"] == "equity" and result["year"] == 2016
    assert result["total_equity"] == f"{Decimal(rate) * 1_000_000:.2f}" and result["total_cash"] == "0.00"


@pytest.mark.parametrize("year", [2014, 2018, 2025])
def test_the_expired_equity_clause_does_not_pay_and_says_why(year):
    facts = {"equity_incentives": [{"achievement": "专利作价入股", "appraised_value_yuan": 1_000_000, "assessed_rate": "0.99"}]}
    result = calculate(RULES, "enterprise", facts, year)
    equity = clause(result, "equity_incentive")
    assert (equity["decision"], equity["eligible"], equity["amount"], equity["item"]) == (
        "out_of_period",
        False,
        None,
        "专利作价入股",
    )
    assert (equity["valid_from"], equity["valid_until"], equity["source"]) == (
        "2015-01-01",
        "2017-12-31",
        "“创新之城”建设三年行动计划（2015-2017年）",
    )
    assert equity["checks"] == [
        {
            "passed": False,
            "values": {},
            "detail": (
                f"本条款出自《“创新之城”建设三年行动计划（2015-2017年）》，有效期为2015年1月1日至2017年12月31日；"
                f"测算年度{year}年不在有效期内，不予支持"
            ),
        }
    ]
    assert result["total_equity"] == "0.00"
    assert calculate(RULES, "enterprise", facts)["year"] == 2025  # the policy's own year by default


def test_a_rule_set_out_of_its_period_pays_nothing_and_every_clause_says_why():
    result = calculate(RULES, "enterprise", {"new_unicorn": True, "jiebang_projects": [{"project_name": "高端装备"}]}, 2026)
    assert {c["decision"] for c in result["clauses"]} == {"out_of_period"} and result["total_cash"] == "0.00"
    assert clause(result, "new_unicorn")["checks"][0]["detail"] == (
        "本条款出自《沧州市2025年度全社会研发经费投入提升行动实施方案》，有效期为2025年1月1日至2025年12月31日；"
        "测算年度2026年不在有效期内，不予支持"
    )
    assert clause(result, "jiebang_project")["item"] == "高端装备"


def test_a_period_ending_mid_year_covers_that_years_facts(tmp_path):
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    data["valid_until"] = date(2025, 6, 30)
    del data["valid_from"]
    path = tmp_path / "half_year.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = load_ruleset(path)
    assert clause(calculate(rules, "enterprise", {"new_unicorn": True}, 2025), "new_unicorn")["decision"] == "paid"
    assert clause(calculate(rules, "enterprise", {"new_unicorn": True}, 2000), "new_unicorn")["decision"] == "paid"  # open start
    lapsed = clause(calculate(rules, "enterprise", {"new_unicorn": True}, 2026), "new_unicorn")
    assert lapsed["decision"] == "out_of_period" and "有效期为不限至2025年6月30日" in lapsed["checks"][0]["detail"]


# Clauses that promise money without an amount: eligible, with who sets the amount and the clause,
# never in a total.
def test_crop_varieties_and_science_awards_are_eligible_with_amount_set_elsewhere():
    result = run(
        "unit",
        crop_varieties=[
            {"variety_name": "沧麦6005", "approval": "national"},
            {"variety_name": "沧谷8号", "approval": "provincial"},
        ],
        science_awards=[{"award_name": "省科学技术进步奖一等奖", "award_kind": "provincial_or_higher_science_award"}],
        jiebang_projects=[{"project_name": "高端装备"}],
    )
    unset = [(c["rule_id"], c["item"]) for c in result["clauses"] if c["decision"] == "amount_set_elsewhere"]
    assert unset == [
        ("national_crop_variety", "沧麦6005"),
        ("provincial_crop_variety", "沧谷8号"),
        ("science_award_unit", "省科学技术进步奖一等奖"),
    ]
    crop = clause(result, "national_crop_variety")
    assert crop["eligible"] is True and crop["amount"] is None and crop["amount_kind"] == "set_elsewhere"
    assert crop["clause"] == "二、5" and "主要农作物新品种" in crop["text"]
    assert crop["amount_note"] == "本方案未规定金额，金额由本条责任单位（市科技局、市财政局等）确定"
    assert crop["checks"][-1]["detail"] == crop["amount_note"]
    assert clause(result, "provincial_crop_variety", "沧麦6005")["eligible"] is False  # 国审 is not 省审
    assert result["total_cash"] == "3000000.00" and "另有3项条款符合条件但本方案未规定金额" in result["note"]


@pytest.mark.parametrize(
    "kind,facts,rule,set_by",
    [
        ("county", {"met_annual_rd_target": True}, "county_annual_target_award", "《沧州市关于大力推进科技创新工作的若干措施》"),
        ("enterprise", {"uses_innovation_vouchers": True}, "innovation_vouchers", "市级科技创新券政策"),
        ("enterprise", {"insures_with_tech_insurance": True}, "tech_insurance_premium_subsidy", "省级科技保险保费补贴政策"),
    ],
)
def test_awards_by_other_documents_name_them(kind, facts, rule, set_by):
    result = run(kind, **facts)
    award = clause(result, rule)
    assert award["decision"] == "amount_set_elsewhere" and award["amount_note"].endswith(f"金额由{set_by}确定")
    assert (result["total_cash"], result["total_equity"]) == ("0.00", "0.00")
    assert clause(run(kind, **{name: False for name in facts}), rule)["decision"] == "not_eligible"


def test_a_county_award_set_elsewhere_stands_beside_the_highest_of_clause_3():
    result = run("county", rd_grew_on_previous_year=True, rd_spending_yuan=1_200_000_000, met_annual_rd_target=True)
    assert [(c["rule_id"], c["decision"]) for c in result["clauses"] if c["eligible"]] == [
        ("county_rd_growth", "paid"),
        ("county_annual_target_award", "amount_set_elsewhere"),
    ]
    assert result["total_cash"] == "300000.00"


@pytest.mark.parametrize(
    "facts,code,field",
    [
        ({"rd_spending_yuan": 3.5e8}, "invalid_fact", "facts.rd_spending_yuan"),  # float money
        ({"rd_spending_yuan": -1}, "invalid_fact", "facts.rd_spending_yuan"),
        ({"rd_grew_on_previous_year": "yes"}, "invalid_fact", "facts.rd_grew_on_previous_year"),
        ({"rd_budget": 1}, "unknown_fact", "facts.rd_budget"),
        ({"national_projects": [{"project_name": "x"}]}, "missing_fact", "facts.national_projects[0].national_funding_yuan"),
    ],
)
def test_bad_facts_are_named(facts, code, field):
    with pytest.raises(ValidationError) as raised:
        calculate(RULES, "enterprise", facts)
    assert (raised.value.code, raised.value.field) == (code, field)


def test_same_facts_same_result_with_the_ruleset_version():
    facts = {
        "newly_recognised_high_tech": True,
        "previous_year_sales_yuan": 1,
        "three_year_rd_yuan": 1,
        "three_year_sales_yuan": 1,
    }
    assert calculate(RULES, "enterprise", facts) == calculate(RULES, "enterprise", facts)
    assert calculate(RULES, "enterprise", facts)["ruleset_version"].startswith("cangzhou-2025-rd@")
