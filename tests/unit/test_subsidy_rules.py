"""Policy files are validated on load: a malformed rule is named with its file and field."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from sheqi.subsidy import PolicyError, load_ruleset
from sheqi.subsidy.rules import DEFAULT_POLICY, WORDINGS

BASE = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "broken_policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def with_rule(**changes) -> dict:
    rule = {
        "id": "x_rule",
        "clause": "二、99",
        "text": "测试条款",
        "applicants": ["enterprise"],
        "amount": {"kind": "fixed", "amount": 1000, "ceiling": True},
        **changes,
    }
    return {**BASE, "rules": BASE["rules"] + [rule]}


def test_the_bundled_policy_loads_every_money_clause():
    ruleset = load_ruleset(DEFAULT_POLICY)
    assert len(ruleset.rules) == 25 and ruleset.version.startswith("cangzhou-2025-rd@")


def test_a_rule_set_carries_its_period_and_a_rule_its_own():
    ruleset = load_ruleset(DEFAULT_POLICY)
    assert (ruleset.valid_from, ruleset.valid_until) == (date(2025, 1, 1), date(2025, 12, 31))
    periods = {r.id: (r.valid_from, r.valid_until) for r in ruleset.rules}
    assert periods["equity_incentive"] == (date(2015, 1, 1), date(2017, 12, 31))
    assert periods["new_unicorn"] == (date(2025, 1, 1), date(2025, 12, 31))


def test_a_rule_set_period_that_ends_before_it_starts_is_refused(tmp_path):
    with pytest.raises(PolicyError, match="valid_until"):
        load_ruleset(write(tmp_path, {**BASE, "valid_from": date(2026, 1, 1)}))


def test_civil_code_article_1259_wordings():
    assert all(WORDINGS[w] for w in ("以上", "以下", "以内", "届满"))
    assert not any(WORDINGS[w] for w in ("不满", "超过", "以外"))


@pytest.mark.parametrize(
    "changes,where",
    [
        (
            {
                "amount": {
                    "kind": "tiered",
                    "fact": "rd_spending_yuan",
                    "tiers": [{"lower": {"value": 1, "wording": "大约"}, "amount": 1}],
                }
            },
            "tiers[0].lower",
        ),
        (
            {
                "amount": {
                    "kind": "tiered",
                    "fact": "rd_spending_yuan",
                    "tiers": [
                        {"lower": {"value": 100, "wording": "以上"}, "amount": 2},
                        {"upper": {"value": 100, "wording": "以下"}, "amount": 1},
                    ],
                }
            },
            "overlap",
        ),
        ({"amount": {"kind": "percentage", "fact": "rd_spending_yuan", "rate": 0.15}}, "amount.rate"),
        ({"amount": {"kind": "fixed", "amount": 1.5}}, "amount.amount"),
        ({"amount": {"kind": "lottery"}}, "amount.kind"),
        ({"when": [{"fact": "no_such_fact", "is": True}]}, "when[0].fact"),
        ({"each": "rd_spending_yuan"}, ".each"),
        ({"each": "jiebang_projects", "group": "g"}, ".group"),
        ({"applicants": ["citizen"]}, ".applicants"),
        ({"clause": ""}, ".clause"),
        ({"id": "county_rd_growth"}, ".id"),
        ({"when": [{"fact": "previous_year_sales_yuan", "upper": {"value": 0.5, "wording": "以下"}}]}, "floats"),
        ({"amount": {"kind": "set_elsewhere"}}, "amount.set_by"),
        (
            {
                "each": "national_projects",
                "amount": {
                    "kind": "percentage",
                    "fact": "national_funding_yuan",
                    "rate": "0.15",
                    "cap": {"value": 1, "wording": "不超过"},
                },
            },
            "amount.cap_per",
        ),
        (
            {
                "amount": {
                    "kind": "percentage",
                    "fact": "rd_spending_yuan",
                    "rate": "0.15",
                    "cap": {"value": 1, "wording": "不超过"},
                    "cap_per": "applicant",
                }
            },
            "amount.cap_per",
        ),
        (
            {
                "each": "national_projects",
                "amount": {
                    "kind": "percentage",
                    "fact": "national_funding_yuan",
                    "rate": "0.15",
                    "cap": {"value": 1, "wording": "不超过"},
                    "cap_per": "project",
                },
            },
            "amount.cap_per",
        ),
        ({"reading": ""}, ".reading"),
        ({"source": 7}, ".source"),
        ({"valid_from": "2015年"}, ".valid_from"),
        ({"valid_until": 2017}, ".valid_until"),
        ({"valid_from": date(2018, 1, 1), "valid_until": date(2017, 12, 31)}, ".valid_until"),
        ({"amount": {"kind": "set_elsewhere", "set_by": " "}}, "amount.set_by"),
        ({"amount": {"kind": "set_elsewhere", "set_by": "另行文件"}, "group": "county_clause_3"}, ".group"),
    ],
)
def test_malformed_rules_are_refused_with_file_rule_and_field(tmp_path, changes, where):
    with pytest.raises(PolicyError) as raised:
        load_ruleset(write(tmp_path, with_rule(**changes)))
    message = str(raised.value)
    assert message.startswith("broken_policy.yaml: ") and where in message
    if changes.get("id") != "county_rd_growth":
        assert "x_rule" in message


def test_missing_sections_and_bad_yaml(tmp_path):
    with pytest.raises(PolicyError, match="facts: missing"):
        load_ruleset(write(tmp_path, {k: v for k, v in BASE.items() if k != "facts"}))
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_ruleset(bad)


def test_a_changed_file_is_a_new_version(tmp_path):
    same = load_ruleset(write(tmp_path, BASE)).version
    changed = load_ruleset(write(tmp_path, with_rule())).version
    assert same != changed and same.split("@")[0] == changed.split("@")[0]
