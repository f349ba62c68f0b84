"""The store floor against moto: get-or-404, the batched read across tables, conditional writes, and a
transaction that writes all or nothing and names the conditions that failed."""

from datetime import date

import pytest

from sheqi import store
from sheqi.errors import NotFound

E, A = "91130722MA0XXXXX0X", "11130722MB0000000X"


def test_get_or_404_answers_the_callers_message(tables):
    with pytest.raises(NotFound) as missing:
        store.get_or_404(store.Tally, "count#nobody#2026", message="没有这个计数", code="count_not_found", field="key")
    assert (missing.value.status, missing.value.code, missing.value.message, missing.value.field) == (
        404,
        "count_not_found",
        "没有这个计数",
        "key",
    )
    assert store.get_or_none(store.Tally, "count#nobody#2026") is None
    store.Tally("count#somebody#2026", count=3).save()
    assert store.get_or_404(store.Tally, "count#somebody#2026", message="-", code="-").count == 3


def test_batch_read_finds_what_exists_across_tables_and_models(tables):
    slot = store.VisitSlot.key(E, A, date(2026, 6, 15))
    store.VisitSlot(slot, visit_id="v1").save()
    store.Tally(store.Tally.count_key(E, 2026), count=2).save()
    store.DrawEntry("d1", "E2", rank=1).save()
    got = store.batch_read(
        [
            (store.VisitSlot, slot),
            (store.Tally, store.Tally.count_key(E, 2026)),
            (store.Tally, store.Tally.count_key(E, 2025)),
            (store.DrawEntry, "d1", "E2"),
            (store.DrawEntry, "d1", "E3"),
        ]
    )
    assert got.get(store.VisitSlot, slot).visit_id == "v1" and got.get(store.Tally, store.Tally.count_key(E, 2026)).count == 2
    assert got.get(store.DrawEntry, "d1", "E2").rank == 1
    assert got.get(store.Tally, store.Tally.count_key(E, 2025)) is None and got.get(store.DrawEntry, "d1", "E3") is None
    assert store.batch_read([]).get(store.Tally, "count#x#2026") is None


def test_a_failed_condition_cancels_the_whole_transaction_and_is_named(tables):
    store.Tally("campaigns#a#2026", count=1).save()
    with pytest.raises(store.Cancelled) as cancelled:
        with store.Transaction() as tx:
            tx.save(
                store.Tally("subsidychunk#r#000000", count=5), condition=store.Tally.tally_key.does_not_exist(), label="chunk"
            )
            tx.update(
                store.Tally("campaigns#a#2026"),
                actions=[store.Tally.count.add(1)],
                condition=store.Tally.count < 1,
                label="quota",
            )
            tx.check(store.Tally, "campaignquota#a#2026", condition=store.Tally.tally_key.does_not_exist(), label="quota_unset")
    assert cancelled.value.failed == {"quota"} and not cancelled.value.conflict
    assert store.get_or_none(store.Tally, "subsidychunk#r#000000") is None
    assert store.Tally.get("campaigns#a#2026").count == 1
    with store.Transaction() as tx:
        tx.save(store.Tally("subsidychunk#r#000000", count=5), condition=store.Tally.tally_key.does_not_exist())
        tx.update(store.Tally("campaigns#a#2026"), actions=[store.Tally.count.add(1)], condition=store.Tally.count < 2)
    assert (store.Tally.get("subsidychunk#r#000000").count, store.Tally.get("campaigns#a#2026").count) == (5, 2)


def test_conditional_writes_say_whether_they_wrote(tables):
    assert store.put_if_absent(store.Tally("yearend#130722#2027", count=1))
    assert not store.put_if_absent(store.Tally("yearend#130722#2027", count=9))
    assert not store.save_if(store.Tally("yearend#130722#2027", count=9), store.Tally.count > 5)
    assert not store.update_if(store.Tally("yearend#130722#2027"), [store.Tally.count.add(1)], store.Tally.count > 5)
    assert store.Tally.get("yearend#130722#2027").count == 1
    assert store.update_if(store.Tally("yearend#130722#2027"), [store.Tally.count.add(1)], store.Tally.count < 5)
    assert store.Tally.get("yearend#130722#2027").count == 2
