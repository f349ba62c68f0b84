"""Reproducible draws: each candidate ranked by SHA-256(seed | id), so the same inputs give the same
selection in any order and anyone holding the published seed can check it (双随机)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal


def rank(seed: str, candidate_id: str) -> str:
    return hashlib.sha256(f"{seed}|{candidate_id}".encode()).hexdigest()


def take(ids: Iterable[str], k: int, seed: str) -> list[str]:
    """The k candidates of smallest rank, in rank order."""
    return sorted(set(ids), key=lambda c: rank(seed, c))[:k]


def share(n: int, ratio: Decimal) -> int:
    """How many a ratio of n is, rounded up: a 20% spot check of 6 bodies checks 2, of 1 body checks 1."""
    return int((Decimal(n) * ratio).to_integral_value(rounding=ROUND_CEILING))
