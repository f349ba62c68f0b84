from datetime import date

from sheqi.inspections.draws import Digest, assign, weighted_sample
from sheqi.rules.plan_rules import ANY_FREQUENCY, PlanEntry, entries_in_force, index_entry, match

FOOD = {
    "item_id": "food",
    "region_codes": ["130722"],
    "window_start": "2027-03-01",
    "window_end": "2027-06-30",
    "method": "on_site",
    "frequency": 1,
    "legal_basis": "《食品安全法》",
    "scope": "辖区内食品经营者",
}
FIRE = {**FOOD, "item_id": "fire", "method": "both", "frequency": 2}
VERSIONS = [
    {
        "version": 1,
        "effective_from": "2027-01-01",
        "item_ids": ["food", "fire"],
        "entries": [index_entry(FOOD), index_entry(FIRE)],
    },
    {"version": 2, "effective_from": "2027-05-10", "item_ids": ["fire"], "entries": [index_entry(FIRE)]},
]


def test_the_version_in_force_on_the_inspection_date():
    assert {e.item_id for e in entries_in_force(VERSIONS, date(2027, 5, 9))} == {"food", "fire"}
    assert {e.item_id for e in entries_in_force(VERSIONS, date(2027, 5, 10))} == {"fire"}
    assert entries_in_force(VERSIONS, date(2026, 12, 31)) is None  # before any acknowledged version


def test_an_index_kept_before_entries_constrains_the_items_only():
    legacy = [{"version": 1, "effective_from": "2027-01-01", "item_ids": ["food"]}]
    assert entries_in_force(legacy, date(2027, 2, 1)) == (
        PlanEntry("food", (), date(2027, 1, 1), date(2027, 12, 31), "both", ANY_FREQUENCY),
    )


def test_a_task_window_must_lie_within_an_entry_window():
    entries = entries_in_force(VERSIONS[:1], date(2027, 3, 1))
    found, why = match(entries, item_id="food", region="130722", start=date(2027, 3, 1), end=date(2027, 6, 30), method="on_site")
    assert why is None and [e.frequency for e in found] == [1]
    _, why = match(entries, item_id="food", region="130722", start=date(2027, 3, 1), end=date(2027, 7, 1), method="on_site")
    assert why.code == "outside_plan_window" and "2027-03-01至2027-06-30" in why.message and why.article.endswith("第十六条")
    _, why = match(entries, item_id="food", region="130730", start=date(2027, 3, 1), end=date(2027, 3, 1), method="on_site")
    assert why.code == "outside_plan_region" and "怀来县" in why.message
    found, why = match(entries, item_id="food", region="130722", start=date(2027, 3, 1), end=date(2027, 3, 1), method="off_site")
    assert why.code == "outside_plan_method" and found == ()


POPULATION = [(f"E{n:05d}", ("good", "average", "poor")[n % 3]) for n in range(3000)]
WEIGHTS = {"good": 0.5, "average": 1.0, "poor": 2.0}


def test_same_inputs_and_seed_give_the_same_draw_in_any_order():
    first = weighted_sample(POPULATION, 600, "2027-双随机-第1期-开奖号码 03 17 22", WEIGHTS)
    again = weighted_sample(iter(reversed(POPULATION)), 600, "2027-双随机-第1期-开奖号码 03 17 22", WEIGHTS)
    assert first == again and len(set(first)) == 600
    assert weighted_sample(POPULATION, 600, "another seed", WEIGHTS) != first


def test_weights_favour_poor_credit():
    drawn = weighted_sample(POPULATION, 600, "seed-for-weights", WEIGHTS)
    poor, good = (sum(1 for _, tier in drawn if tier == t) for t in ("poor", "good"))
    assert poor > 2 * good  # weights 2 : 0.5, with plenty of margin for chance at n = 600


def test_two_inspectors_each_never_one_in_conflict():
    pool = ["a", "b", "c"]
    assigned = assign(["E1", "E2", "E3"], pool, {"a": {"E1"}, "b": {"E2", "E3"}, "c": {"E3"}}, "seed")
    assert assigned["E1"] == ["b", "c"] and assigned["E2"] == ["a", "c"]
    assert assigned["E3"] == []  # only "a" is free of conflict
    assert assign(["E1"], pool, {}, "seed") == assign(["E1"], pool, {}, "seed")


def test_the_scope_digest_does_not_depend_on_order():
    forward, backward = Digest(), Digest()
    list(forward.feed(POPULATION))
    list(backward.feed(reversed(POPULATION)))
    assert forward.hexdigest() == backward.hexdigest() and forward.count == 3000
    changed = Digest()
    list(changed.feed(POPULATION[:-1] + [("E02999", "good")]))
    assert changed.hexdigest() != forward.hexdigest()
