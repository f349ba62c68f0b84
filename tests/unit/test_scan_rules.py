"""The scan-in decision, rule by rule, on plain values."""

from datetime import date, datetime, timedelta

import pytest
from msgspec.structs import replace

from sheqi.clock import CST
from sheqi.rules.articles import ART, SYSTEM_RULE
from sheqi.rules.plan_rules import PlanEntry
from sheqi.rules.qualification import Finding
from sheqi.rules.scan_rules import (
    InspectorFacts,
    ItemFacts,
    Location,
    PendingScan,
    PriorVisit,
    ScanConfig,
    ScanFacts,
    TaskFacts,
    decide,
    distance_m,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=CST)
A, B, E = "AGENCY-A", "AGENCY-B", "ENTERPRISE-1"
COUNTY, OTHER_COUNTY, CITY = "130722", "130730", "130700"
CAPS = {"good": 1, "average": 2, "poor": 4}
WANG = InspectorFacts("wang", A, "formal", "active", "C-1", "enforcement", date(2025, 1, 1), date(2027, 12, 31))
TASK = TaskFacts(
    "t1",
    "approved",
    "routine",
    "on_site",
    NOW - timedelta(hours=2),
    NOW + timedelta(hours=6),
    (E,),
    {A: ("wang", "li")},
    {A: ("food",)},
    None,
    lead_region=COUNTY,
)
PARTNER = PendingScan("li", "li:r1", NOW - timedelta(minutes=3), A)
ENTRIES = (
    PlanEntry("food", (COUNTY,), date(2026, 1, 1), date(2026, 12, 31), "on_site", 4),
    PlanEntry("fire", (COUNTY,), date(2026, 1, 1), date(2026, 12, 31), "both", 3),
)
BASE = ScanFacts(
    server_time=NOW,
    device_time=NOW,
    late_reason=None,
    code_finding=None,
    identified_by="signed_code",
    enterprise_id=E,
    enterprise_tier="average",
    enterprise_region=COUNTY,
    enterprise_name="某公司",
    premises=(41.1500, 114.7000),
    location=Location(41.1501, 114.7001, 15.0),
    inspector=WANG,
    agency_kinds={A: ("enforcement_agency", "enforcement")},
    inspector_region=COUNTY,
    task=TASK,
    items={(A, "food"): ItemFacts(A, "food", "published", CAPS)},
    counts={(A, "food"): 0},
    offsite_clear={},
    pending=(PARTNER,),
    open_visit_id=None,
    plan_entries=ENTRIES,
)


def codes(found):
    return [f.code for f in found]


def test_second_qualified_inspector_opens_the_visit_and_counts_every_item():
    decision = decide(BASE)
    assert decision.outcome == "opened"
    assert decision.team == ("li", "wang")
    assert decision.counted_items == ((A, "food"),)
    assert decision.capped_items == {(A, "food"): 2}
    assert decision.offsite_guarded is True and decision.distance_m < 20


def test_first_inspector_waits_for_a_second():
    decision = decide(replace(BASE, pending=()))
    assert decision.outcome == "pending" and decision.counted_items == ()
    assert "awaiting_second_inspector" in codes(decision.flags)


def test_a_partner_outside_the_pairing_window_does_not_count():
    stale = PendingScan("li", "li:r0", NOW - timedelta(minutes=31), A)
    assert decide(replace(BASE, pending=(stale,))).outcome == "pending"
    assert decide(replace(BASE, pending=(stale,)), ScanConfig(pairing_window=timedelta(hours=1))).outcome == "opened"


def test_one_inspector_scanning_twice_is_still_one():
    assert decide(replace(BASE, pending=(PendingScan("wang", "wang:r0", NOW, A),))).outcome == "pending"


def test_open_visit_of_the_same_agency_today_is_joined_without_recounting_its_items():
    decision = decide(replace(BASE, pending=(), open_visit_id="v1", open_visit_items=frozenset({(A, "food")})))
    assert decision.outcome == "joined" and decision.counted_items == ()


@pytest.mark.parametrize(
    "inspector,expected",
    [
        (replace(WANG, staff_category="auxiliary"), ["not_formal_staff"]),
        (replace(WANG, valid_until=date(2026, 11, 24)), ["certificate_expired"]),
        (replace(WANG, certificate_kind="police"), ["certificate_kind_mismatch"]),
        (replace(WANG, status="suspended"), ["inspector_suspended"]),
        (replace(WANG, inspector_id="zhao"), ["not_on_task_team"]),
    ],
)
def test_inspector_refusals(inspector, expected):
    decision = decide(replace(BASE, inspector=inspector))
    assert decision.outcome == "refused" and codes(decision.findings) == expected


def test_agency_without_power_is_refused():
    decision = decide(replace(BASE, agency_kinds={A: ("testing_institution", "enforcement")}))
    assert codes(decision.findings) == ["agency_without_enforcement_power"]
    assert decision.findings[0].article.endswith("第四条")


@pytest.mark.parametrize(
    "task,expected",
    [
        (replace(TASK, status="pending_approval"), ["task_not_approved"]),
        (replace(TASK, status="withdrawn"), ["task_withdrawn"]),
        (replace(TASK, window_end=NOW - timedelta(minutes=1)), ["outside_task_window"]),
        (replace(TASK, window_start=NOW + timedelta(minutes=1)), ["outside_task_window"]),
        (replace(TASK, method="off_site"), ["task_not_on_site"]),
        (replace(TASK, targets=("OTHER",)), ["enterprise_not_targeted"]),
        (None, ["task_not_found"]),
    ],
)
def test_task_refusals(task, expected):
    assert codes(decide(replace(BASE, task=task)).findings) == expected


def test_window_bounds_are_inclusive():
    assert decide(replace(BASE, task=replace(TASK, window_start=NOW, window_end=NOW))).outcome == "opened"


def test_a_scan_contended_past_the_budget_is_refused_and_counts_nothing():
    decision = decide(replace(BASE, contended=True, location=Location(41.1501, 114.7001, 15.0, is_mock=True)))
    assert decision.outcome == "refused" and codes(decision.findings) == ["scan_contention"]
    assert codes(decision.flags) == ["location_mock"] and decision.counted_items == ()
    late = replace(BASE, contended=True, device_time=NOW + timedelta(hours=1))  # the rules' refusals are kept
    assert codes(decide(late).findings) == ["device_time_in_future", "scan_contention"]


def test_a_rejected_code_is_the_refusal_reason():
    bad = Finding("code_superseded", "第二十四条", "二维码已作废")
    decision = decide(replace(BASE, code_finding=bad, enterprise_id=None, enterprise_tier=None))
    assert decision.outcome == "refused" and codes(decision.findings) == ["code_superseded"]


def test_business_licence_code_identifies_but_is_flagged():
    decision = decide(replace(BASE, identified_by="business_licence"))
    assert decision.outcome == "opened" and "identified_by_business_licence" in codes(decision.flags)


@pytest.mark.parametrize(
    "tier,count,outcome",
    [
        ("good", 0, "opened"),
        ("good", 1, "refused"),
        ("average", 1, "opened"),
        ("average", 2, "refused"),
        ("poor", 3, "opened"),
        ("poor", 4, "refused"),
    ],
)
def test_caps_follow_the_credit_tier(tier, count, outcome):
    decision = decide(replace(BASE, enterprise_tier=tier, counts={(A, "food"): count}))
    assert decision.outcome == outcome
    if outcome == "refused":
        assert codes(decision.findings) == ["frequency_cap_reached"]
        assert decision.findings[0].article.endswith("第十八条")


def test_art12_exception_opens_over_the_cap_and_flags_it_uncapped():
    task = replace(TASK, exception_reason=1)
    decision = decide(replace(BASE, task=task, counts={(A, "food"): 2}))
    assert decision.outcome == "opened"
    assert "over_cap_exception" in codes(decision.flags)
    assert decision.capped_items == {} and decision.offsite_guarded is True  # the exception lifts the cap only


def test_counts_not_read_are_left_to_the_write_condition():
    decision = decide(replace(BASE, counts=None))
    assert decision.outcome == "opened" and decision.capped_items == {(A, "food"): 2}


def test_a_zero_cap_refuses_even_unread():
    items = {(A, "food"): ItemFacts(A, "food", None, {**CAPS, "average": 0})}
    decision = decide(replace(BASE, items=items, counts=None))
    assert codes(decision.findings) == ["frequency_cap_reached"]


def test_withdrawn_item_is_refused():
    items = {(A, "food"): ItemFacts(A, "food", "withdrawn", CAPS)}
    assert codes(decide(replace(BASE, items=items)).findings) == ["item_not_published"]


def test_recent_clean_offsite_check_blocks_a_routine_visit_only():
    clear = {(A, "food"): date(2026, 10, 1)}
    assert codes(decide(replace(BASE, offsite_clear=clear)).findings) == ["offsite_check_sufficed"]
    assert decide(replace(BASE, offsite_clear={(A, "food"): date(2026, 8, 26)})).outcome == "opened"  # 91 days
    assert decide(replace(BASE, offsite_clear=clear, task=replace(TASK, type="case"))).outcome == "opened"
    # Art. 12 lifts the frequency cap, not Art. 7's off-site rule
    assert codes(decide(replace(BASE, offsite_clear=clear, task=replace(TASK, exception_reason=2))).findings) == [
        "offsite_check_sufficed"
    ]


def test_late_scans():
    two_days = replace(
        BASE,
        device_time=NOW - timedelta(days=2),
        pending=(replace(PARTNER, device_time=NOW - timedelta(days=2)),),
        task=replace(TASK, window_start=NOW - timedelta(days=3)),
    )
    assert codes(decide(two_days).findings) == ["late_scan_without_reason"]
    accepted = decide(replace(two_days, late_reason="no_network"))
    assert accepted.outcome == "opened" and "late_scan" in codes(accepted.flags)
    old = replace(
        two_days,
        device_time=NOW - timedelta(days=11),
        late_reason="no_network",
        pending=(replace(PARTNER, device_time=NOW - timedelta(days=11)),),
        task=replace(TASK, window_start=NOW - timedelta(days=12)),
    )
    assert codes(decide(old).findings) == ["late_scan_too_old"]
    assert decide(replace(BASE, device_time=NOW - timedelta(minutes=10))).flags == []


def test_device_clock_ahead_is_refused():
    assert "device_time_in_future" in codes(decide(replace(BASE, device_time=NOW + timedelta(minutes=10))).findings)


def test_location_flags():
    far = decide(replace(BASE, location=Location(41.2, 114.7, 10.0)))
    assert far.outcome == "opened" and "far_from_premises" in codes(far.flags) and far.distance_m > 5000
    mocked = decide(replace(BASE, location=Location(41.1501, 114.7001, 0.0, is_mock=True)))
    assert {"location_mock", "location_zero_accuracy"} <= set(codes(mocked.flags))
    assert "location_missing" in codes(decide(replace(BASE, location=None)).flags)


JOINT = replace(TASK, team={A: ("wang", "li"), B: ("zhang", "liu")}, items={A: ("food",), B: ("fire",)})
JOINT_ITEMS = {(A, "food"): ItemFacts(A, "food", "published", CAPS), (B, "fire"): ItemFacts(B, "fire", "published", CAPS)}


def test_joint_task_opens_only_with_two_inspectors_of_each_agency_and_counts_both():
    """Art. 19 read per enforcing agency: one officer of each agency makes two for neither."""
    one_each = replace(BASE, task=JOINT, items=JOINT_ITEMS, pending=(PendingScan("zhang", "zhang:r1", NOW, B),))
    waiting = decide(one_each)
    assert waiting.outcome == "pending" and codes(waiting.flags)[-1] == "awaiting_second_inspector"
    assert A in waiting.flags[-1].message and B in waiting.flags[-1].message
    three = replace(one_each, pending=(*one_each.pending, PARTNER))
    assert decide(three).outcome == "pending" and A not in decide(three).flags[-1].message
    four = decide(replace(three, pending=(*three.pending, PendingScan("liu", "liu:r1", NOW, B))))
    assert four.outcome == "opened" and set(four.team) == {"zhang", "li", "liu", "wang"}
    assert set(four.counted_items) == {(A, "food"), (B, "fire")}


def test_jurisdiction_is_checked_again_at_the_scan():
    """Art. 4, 8: the task's lead must be competent for the enterprise; a participant from elsewhere follows it."""
    elsewhere = replace(BASE, enterprise_region=OTHER_COUNTY)
    assert codes(decide(elsewhere).findings) == ["outside_jurisdiction"]
    assert decide(elsewhere).findings[0].article == ART[8]
    city_task = replace(
        BASE,
        task=replace(TASK, lead_region=CITY),
        inspector_region=CITY,
        plan_entries=(replace(ENTRIES[0], region_codes=(CITY,)),),
    )
    assert decide(city_task).outcome == "opened"  # a city agency covers its counties
    follower = replace(
        elsewhere, task=replace(TASK, lead_region=OTHER_COUNTY), plan_entries=(replace(ENTRIES[0], region_codes=(OTHER_COUNTY,)),)
    )
    assert decide(follower).outcome == "opened"  # outside its county, under a competent lead
    assert codes(decide(replace(elsewhere, task=replace(TASK, lead_region=CITY[:2] + "0900"))).findings) == ["lead_not_competent"]


def test_a_routine_visit_must_fall_within_a_plan_entry():
    """Art. 16 at entry level: item, region, time window and method, each refused with its own reason."""

    def refused(entries):
        return codes(decide(replace(BASE, plan_entries=entries)).findings)

    food = ENTRIES[0]
    assert refused((ENTRIES[1],)) == ["not_in_plan"]
    assert refused(None) == ["not_in_plan"]
    assert refused((replace(food, region_codes=(OTHER_COUNTY,)),)) == ["outside_plan_region"]
    assert refused((replace(food, window_start=date(2026, 12, 1)),)) == ["outside_plan_window"]
    assert refused((replace(food, method="off_site"),)) == ["outside_plan_method"]
    assert decide(replace(BASE, plan_entries=(replace(food, method="both"),))).outcome == "opened"
    case = replace(BASE, task=replace(TASK, type="case"), plan_entries=(replace(food, region_codes=(OTHER_COUNTY,)),))
    assert decide(case).outcome == "opened"  # case-based: the item in the plan suffices


@pytest.mark.parametrize("frequency,count,outcome", [(1, 0, "opened"), (1, 1, "refused"), (3, 1, "opened"), (3, 2, "refused")])
def test_a_routine_visit_stays_within_the_planned_frequency_and_the_tier_cap(frequency, count, outcome):
    """The lower of the entry's frequency and the tier's cap (average: 2) holds, in the write's condition too."""
    facts = replace(BASE, plan_entries=(replace(ENTRIES[0], frequency=frequency),), counts={(A, "food"): count})
    decision = decide(facts)
    assert decision.outcome == outcome
    if outcome == "opened":
        assert decision.capped_items == {(A, "food"): min(frequency, 2)}
    assert decide(replace(facts, counts=None)).capped_items.get((A, "food")) == min(frequency, 2)
    other = replace(
        BASE,
        task=JOINT,
        items={**JOINT_ITEMS, (B, "fire"): replace(JOINT_ITEMS[(B, "fire")], planned_frequency=1)},
        pending=(PARTNER, PendingScan("zhang", "z", NOW, B), PendingScan("liu", "l", NOW, B)),
        counts=None,
    )
    assert decide(other).capped_items[(B, "fire")] == 1  # another agency's, as approved with the task


@pytest.mark.parametrize(
    "days,items,flagged",
    [
        (10, {"fire"}, True),  # other items within the window: could have been merged (Art. 17)
        (30, {"fire"}, True),  # the window's last day counts
        (31, {"fire"}, False),  # past the window
        (10, {"food"}, False),  # the same items again: the caps' matter, not Art. 17's
        (-3, {"fire"}, True),  # a late scan of a day before the latest visit: the gap counts either way
    ],
)
def test_a_revisit_for_other_items_within_the_window_is_flagged_not_refused(days, items, flagged):
    prior = PriorVisit("v0", NOW.date() - timedelta(days=days), frozenset(items))
    decision = decide(replace(BASE, prior_visits={A: prior}))
    assert decision.outcome == "opened"
    assert ("revisit_other_items" in codes(decision.flags)) is flagged and decision.revisits == ((A,) if flagged else ())
    if flagged:
        flag = next(f for f in decision.flags if f.code == "revisit_other_items")
        assert flag.article == ART[17] and prior.visit_date.isoformat() in flag.message and "food" in flag.message


def test_the_revisit_window_is_a_setting():
    prior = {A: PriorVisit("v0", NOW.date() - timedelta(days=10), frozenset({"fire"}))}
    assert decide(replace(BASE, prior_visits=prior), ScanConfig(revisit_window=timedelta(days=5))).revisits == ()
    assert decide(replace(BASE, prior_visits=prior), ScanConfig(revisit_window=timedelta(days=60))).revisits == (A,)


def test_a_joint_visit_flags_each_agency_visiting_again_and_a_join_is_already_merged():
    pending = (PARTNER, PendingScan("zhang", "zhang:r1", NOW, B), PendingScan("liu", "liu:r1", NOW, B))
    facts = replace(
        BASE,
        task=JOINT,
        items=JOINT_ITEMS,
        pending=pending,
        counts={(A, "food"): 0, (B, "fire"): 0},
        prior_visits={
            A: PriorVisit("v0", NOW.date() - timedelta(days=2), frozenset({"food"})),
            B: PriorVisit("v0", NOW.date() - timedelta(days=2), frozenset({"gas"})),
        },
    )
    decision = decide(facts)
    assert decision.outcome == "opened" and decision.revisits == (B,)
    joined = decide(replace(BASE, pending=(), open_visit_id="v1", prior_visits={A: PriorVisit("v0", NOW.date(), frozenset())}))
    assert joined.outcome == "joined" and "revisit_other_items" not in codes(joined.flags)


def test_rules_the_system_adds_say_so():
    assert decide(replace(BASE, device_time=NOW + timedelta(minutes=10))).findings[0].article == SYSTEM_RULE
    assert decide(replace(BASE, contended=True)).findings[0].article == SYSTEM_RULE
    assert decide(replace(BASE, inspector=replace(WANG, certificate_kind="police"))).findings[0].article == ART[19]


def test_distance():
    assert round(distance_m((41.0, 114.0), (41.0, 114.0))) == 0
    assert 111_000 < distance_m((41.0, 114.0), (42.0, 114.0)) < 111_400
