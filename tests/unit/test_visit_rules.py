"""Closing a visit and reading ratings: the rules, without AWS."""

from datetime import date, datetime, timedelta

import pytest

from sheqi.clock import CST
from sheqi.rules.articles import ART
from sheqi.rules.visit_rules import aggregate_view, close_problems, quarter, quarter_over, rating_window_open

ENTERED = datetime(2026, 6, 15, 9, 0, tzinfo=CST)
ENDED = datetime(2026, 6, 15, 11, 0, tzinfo=CST)


def problems(outcome="no_violation", findings=None, **extra):
    args = dict(
        outcome=outcome,
        items=["A/food", "A/equipment"],
        findings=findings if findings is not None else {"A/food": "compliant", "A/equipment": "not_checked"},
        ended_at=ENDED,
        entered_at=ENTERED,
        now=ENDED + timedelta(minutes=1),
        correction_deadline=None,
        penalty=None,
        measures=[],
        transfers=[],
        own_agencies=["A"],
    )
    args.update(extra)
    return [(p.field, p.code, p.article) for p in close_problems(**args)]


def test_clean_close():
    assert problems() == []


def test_every_item_needs_a_finding():
    assert problems(findings={"A/food": "compliant"}) == [("findings", "findings_missing", ART[19])]


VIOLATION = {"A/food": "violation", "A/equipment": "compliant"}


@pytest.mark.parametrize(
    "outcome, extra, expected",
    [
        ("no_violation", {}, ("outcome", "outcome_contradicts_findings", ART[19])),
        ("correction_ordered", {}, ("correction_deadline", "correction_deadline_missing", ART[25])),
        (
            "correction_ordered",
            {"correction_deadline": date(2026, 6, 15)},
            ("correction_deadline", "correction_deadline_past", ART[25]),
        ),
        ("penalty_proposed", {}, ("penalty", "penalty_missing", ART[25])),
        (
            "penalty_proposed",
            {"penalty": {"proposal": None, "first_minor_violation": False}},
            ("penalty.proposal", "penalty_proposal_missing", ART[25]),
        ),
        ("compulsory_measures", {}, ("measures", "measures_missing", ART[27])),
    ],
)
def test_outcome_needs_its_particulars(outcome, extra, expected):
    assert problems(outcome, VIOLATION, **extra) == [expected]


def test_outcomes_that_follow_a_violation_need_one():
    assert problems("compulsory_measures", measures=[{"kind": "seal"}]) == [("outcome", "no_violation_recorded", ART[27])]
    assert problems("correction_ordered", correction_deadline=date(2026, 7, 1)) == [("outcome", "no_violation_recorded", ART[19])]


def test_only_a_refused_seizure_mentions_seizures():
    def message(outcome, **extra):
        args = dict(
            outcome=outcome,
            items=["A/food"],
            findings={"A/food": "compliant"},
            ended_at=ENDED,
            entered_at=ENTERED,
            now=ENDED,
            correction_deadline=date(2026, 7, 1),
            penalty={"proposal": "罚款"},
            measures=[{"kind": "seal"}],
            transfers=[],
            own_agencies=["A"],
        )
        return close_problems(**args)[0].message

    assert "查封" in message("compulsory_measures")
    assert "查封" not in message("correction_ordered") and "查封" not in message("penalty_proposed")


TRANSFER = {
    "kind": "administrative",
    "matter": "疑似无证经营危险化学品",
    "to_authority": "张北县应急管理局",
    "basis": "《危险化学品安全管理条例》第六条",
    "to_agency_id": "B",
}


def test_a_visit_concludes_on_its_own_items_and_transfers_another_matter():
    """Art. 26: a transfer needs no violation of the agency's own items: it is a matter outside them."""
    assert problems("no_violation", transfers=[TRANSFER]) == []
    assert problems("no_violation", transfers=[{**TRANSFER, "kind": "criminal", "to_agency_id": None}]) == []
    assert problems("no_violation", transfers=[{**TRANSFER, "to_agency_id": "A"}]) == [
        ("transfers.0.to_agency_id", "transfer_to_own_agency", ART[26])
    ]


def test_first_minor_violation_needs_no_proposal():
    assert problems("penalty_proposed", VIOLATION, penalty={"first_minor_violation": True}) == []


def test_end_time_must_be_plausible():
    assert problems(ended_at=ENTERED - timedelta(minutes=1)) == [("ended_at", "ended_before_entered", ART[19])]
    assert problems(ended_at=ENDED + timedelta(hours=1)) == [("ended_at", "ended_in_future", ART[19])]


def test_rating_window_and_quarters():
    assert rating_window_open(ENDED, ENDED + timedelta(days=30), timedelta(days=30))
    assert not rating_window_open(ENDED, ENDED + timedelta(days=30, seconds=1), timedelta(days=30))
    assert quarter(date(2026, 6, 30)) == "2026Q2" and quarter(date(2026, 10, 1)) == "2026Q4"
    assert not quarter_over("2026Q2", date(2026, 6, 30)) and quarter_over("2026Q2", date(2026, 7, 1))
    assert quarter_over("2025Q4", date(2026, 1, 1)) and not quarter_over("2026Q4", date(2026, 12, 31))


def record(enterprises: int) -> dict:
    return {
        "count": 6,
        "conduct": 27,
        "procedure": 24,
        "efficiency": 30,
        "enterprises": {f"e{i}" for i in range(enterprises)},
        "flags": {"gifts_or_meals": 1, "costs_passed_on": 0},
    }


def test_agency_sees_a_quarter_only_when_over_and_untraceable():
    assert aggregate_view("2026Q2", record(5), date(2026, 6, 30), 5)["available"] is False
    assert aggregate_view("2026Q2", record(4), date(2026, 7, 1), 5)["available"] is False
    assert aggregate_view("2026Q2", None, date(2026, 7, 1), 5)["available"] is False
    shown = aggregate_view("2026Q2", record(5), date(2026, 7, 1), 5)
    assert shown == {
        "quarter": "2026Q2",
        "available": True,
        "ratings": 6,
        "average": {"conduct": 4.5, "procedure": 4.0, "efficiency": 5.0},
        "prohibited_practices": {"gifts_or_meals": 1},
    }
    assert "enterprises" not in shown
