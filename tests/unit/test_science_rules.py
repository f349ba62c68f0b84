"""Seed 004's spot-check draw (pure): 20% of the technology-transfer institutions, rounded up, by a
published seed; the same seed and candidates give the same selection in any order."""

from decimal import Decimal

from sheqi.rules import sampling
from sheqi.science.duties import TRANSFER_RATIO, draw


def test_a_fifth_rounded_up_by_the_seed_in_any_order():
    ids = [f"JG{n:03d}" for n in range(11)]
    first = draw(ids, TRANSFER_RATIO, "2026年度技术转移机构抽查-公开种子")
    assert len(first) == 3  # ⌈11 × 20%⌉
    assert first == draw(list(reversed(ids)), TRANSFER_RATIO, "2026年度技术转移机构抽查-公开种子")
    assert first != draw(ids, TRANSFER_RATIO, "另一个种子-2026")
    assert first == sorted(ids, key=lambda i: sampling.rank("2026年度技术转移机构抽查-公开种子", i))[:3]


def test_share_rounds_up_and_never_exceeds_the_whole():
    assert [sampling.share(n, Decimal("0.20")) for n in (0, 1, 5, 6, 10)] == [0, 1, 1, 2, 2]
    assert sampling.share(3, Decimal("1")) == 3
