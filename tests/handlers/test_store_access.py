"""The store floor against moto: get-or-404, the batched read across tables, conditional writes, and a
transaction that writes all or nothing and names the conditions that failed."""

from datetime import date

import pytest

from sheqi import store
from sheqi.errors import NotFound
from sheqi.store.tallies import Tally
from sheqi.store.tasks import DrawEntry
from sheqi.store.visits import VisitSlot

E, A = "91130722MA0XXXXX0X", "11130722MB0000000X"


def test_get_or_404_answers_the_callers_message(tables):
    with pytest.raises(NotFound) as missing:
        store.get_or_404(Tally, "count#nobody#2026", message="没有这个计数", code="count_not_found", field="key")
    assert (missing.value.status, missing.value.code, missing.value.message, missing.value.field) == (
        404,
        "count_not_found",
        "没有这个计数",
        "key",
    )
    assert store.get_or_none(Tally, "count#nobody#2026") is None
    Tally("count#somebody#2026", count=3).save()
    assert store.get_or_404(Tally, "count#somebody#2026", message="-", code="-").count == 3


def test_batch_read_finds_what_exists_across_tables_and_models(tables):
    slot = VisitSlot.key(E, A, date(2026, 6, 15))
    VisitSlot(slot, visit_id="v1").save()
    Tally(Tally.count_key(E, 2026), count=2).save()
    DrawEntry("d1", "E2", rank=1).save()
    got = store.batch_read(
        [
            (VisitSlot, slot),
            (Tally, Tally.count_key(E, 2026)),
            (Tally, Tally.count_key(E, 2025)),
            (DrawEntry, "d1", "E2"),
            (DrawEntry, "d1", "E3"),
        ]
    )
    assert got.get(VisitSlot, slot).visit_id == "v1" and got.get(Tally, Tally.count_key(E, 2026)).count == 2
    assert got.get(DrawEntry, "d1", "E2").rank == 1
    assert got.get(Tally, Tally.count_key(E, 2025)) is None and got.get(DrawEntry, "d1", "E3") is None
    assert store.batch_read([]).get(Tally, "count#x#2026") is None


def test_a_failed_condition_cancels_the_whole_transaction_and_is_named(tables):
    Tally("campaigns#a#2026", count=1).save()
    with pytest.raises(store.Cancelled) as cancelled:
        with store.Transaction() as tx:
            tx.save(Tally("subsidychunk#r#000000", count=5), condition=Tally.tally_key.does_not_exist(), label="chunk")
            tx.update(
                Tally("campaigns#a#2026"),
                actions=[Tally.count.add(1)],
                condition=Tally.count < 1,
                label="quota",
            )
            tx.check(Tally, "campaignquota#a#2026", condition=Tally.tally_key.does_not_exist(), label="quota_unset")
    assert cancelled.value.failed == {"quota"} and not cancelled.value.conflict
    assert store.get_or_none(Tally, "subsidychunk#r#000000") is None
    assert Tally.get("campaigns#a#2026").count == 1
    with store.Transaction() as tx:
        tx.save(Tally("subsidychunk#r#000000", count=5), condition=Tally.tally_key.does_not_exist())
        tx.update(Tally("campaigns#a#2026"), actions=[Tally.count.add(1)], condition=Tally.count < 2)
    assert (Tally.get("subsidychunk#r#000000").count, Tally.get("campaigns#a#2026").count) == (5, 2)


def test_conditional_writes_say_whether_they_wrote(tables):
    assert store.put_if_absent(Tally("yearend#130722#2027", count=1))
    assert not store.put_if_absent(Tally("yearend#130722#2027", count=9))
    assert not store.save_if(Tally("yearend#130722#2027", count=9), Tally.count > 5)
    assert not store.update_if(Tally("yearend#130722#2027"), [Tally.count.add(1)], Tally.count > 5)
    assert Tally.get("yearend#130722#2027").count == 1
    assert store.update_if(Tally("yearend#130722#2027"), [Tally.count.add(1)], Tally.count < 5)
    assert Tally.get("yearend#130722#2027").count == 2
