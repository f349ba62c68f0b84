"""双随机、一公开 (Art. 11): draw the enterprises of a plan entry's scope at its sampling ratio and
assign each two inspectors from the agency's qualified pool, at random; record the draw and publish it.

Reproducible: each enterprise's chance comes from SHA-256 of the published seed and its code, so the
same scope, weights and seed give the same draw, whatever order the store returns enterprises in;
anyone holding the seed can check it. Weighted by credit tier (Art. 18): a poor rating is drawn more.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Annotated

from msgspec import Meta, field

from sheqi import clock
from sheqi.auth import Identity
from sheqi.errors import NotFound, RuleViolation
from sheqi.inputs import Body, Weight, Year, parse
from sheqi.inspections import tasks
from sheqi.plans import filing
from sheqi.registry import registers
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.store import get_or_404, pagination
from sheqi.store.registers import Enterprise, Inspector
from sheqi.store.tasks import DrawEntry

DEFAULT_WEIGHTS: dict[registers.CreditTier, str] = {"good": "0.5", "average": "1", "poor": "2"}
PER_VISIT = 2  # Art. 19: at least two inspectors


def _unit(seed: str, *parts: str) -> float:
    """A number in (0, 1) fixed by the seed and the parts."""
    digest = hashlib.sha256("|".join((seed, *parts)).encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 1) / (2**64 + 2)


def weighted_sample(population: Iterable[tuple[str, str]], k: int, seed: str, weights: dict[str, float]) -> list[tuple[str, str]]:
    """k (enterprise id, tier) drawn without replacement, each with chance in proportion to its tier's
    weight (Efraimidis-Spirakis: key = ln(u) / w, keep the k largest). One pass over any iterable,
    O(N log k) time, O(k) memory."""
    keyed = ((math.log(_unit(seed, "enterprise", eid)) / weights[tier], eid, tier) for eid, tier in population)
    return [(eid, tier) for _, eid, tier in heapq.nlargest(k, keyed)]


class Digest:
    """An order-independent fingerprint of the scope (sum of per-record hashes), built as records stream by."""

    def __init__(self):
        self.total, self.count = 0, 0

    def feed(self, records: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        for eid, tier in records:
            self.total = (self.total + int.from_bytes(hashlib.sha256(f"{eid},{tier}".encode()).digest(), "big")) % 2**256
            self.count += 1
            yield eid, tier

    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def assign(selected: list[str], pool: list[str], conflicts: dict[str, set[str]], seed: str) -> dict[str, list[str]]:
    """Two inspectors for each drawn enterprise, never one with a recorded conflict with it; an
    enterprise for which fewer than two remain gets none (and the draw says so)."""
    out: dict[str, list[str]] = {}
    for eid in selected:
        candidates = sorted(p for p in pool if eid not in conflicts.get(p, ()))
        if len(candidates) < PER_VISIT:
            out[eid] = []
            continue
        rng = random.Random(hashlib.sha256(f"{seed}|inspectors|{eid}".encode()).digest())
        out[eid] = sorted(rng.sample(candidates, PER_VISIT))
    return out


class DrawIn(Body):
    year: Year
    version: Annotated[int, Meta(ge=1)]
    entry_index: Annotated[int, Meta(ge=0)]
    seed: Annotated[str, Meta(min_length=8, max_length=128)]  # published beforehand, e.g. a lottery result
    draw_date: date
    tier_weights: dict[registers.CreditTier, Weight] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def check(self):
        if set(self.tier_weights) != {"good", "average", "poor"}:
            raise ValueError("tier_weights 须为 good、average、poor 三档的正数")


def run(caller: Identity, agency_id: str, data: DrawIn) -> dict:
    agency = registers.managed_agency(caller, agency_id)
    version = filing.get_version(agency_id, data.year, data.version)
    if version.status not in ("acknowledged", "published"):
        raise RuleViolation("只能按已备案确认的计划抽取", code="plan_not_in_force", field="version", article=ART[16])
    if data.entry_index >= len(version.entries):
        raise NotFound(f"计划第{data.version}版没有第{data.entry_index}项", code="entry_not_found", field="entry_index")
    entry = version.entries[data.entry_index]
    if not entry.get("sampling_ratio"):
        raise RuleViolation(
            "该计划条目未设抽查比例，不适用随机抽取", code="no_sampling_ratio", field="entry_index", article=ART[11]
        )
    # Two passes over the scope's index, never the whole table and never all of it in memory: a count
    # fixes how many to draw, then one streaming pass draws them.
    size = sum(Enterprise.by_region.count(code) for code in entry["region_codes"])
    k = math.ceil(Decimal(entry["sampling_ratio"]) * size)
    weights: dict[str, float] = {tier: float(w) for tier, w in data.tier_weights.items()}
    digest = Digest()
    scope = (
        (e.enterprise_id, e.credit_tier)
        for code in entry["region_codes"]
        for e in Enterprise.by_region.query(code, attributes_to_get=["enterprise_id", "credit_tier"])
    )
    drawn = weighted_sample(digest.feed(scope), k, data.seed, weights)
    selected = [eid for eid, _ in drawn]
    staff = list(Inspector.by_agency.query(agency_id))
    pool = [i.inspector_id for i in staff if not registers.inspector_qualification(i, agency, data.draw_date)]
    assignments = assign(selected, pool, {i.inspector_id: set(i.conflicts or ()) for i in staff}, data.seed)
    draw_id = uuid.uuid5(
        uuid.NAMESPACE_URL,
        f"sheqi-draw:{agency_id}:{version.version_key}:{data.entry_index}:"
        f"{data.seed}:{digest.hexdigest()}:{sorted(weights.items())}:{sorted(pool)}",
    ).hex
    tiers = dict(drawn)
    summary = {
        "draw_id": draw_id,
        "agency_id": agency_id,
        "year": data.year,
        "version": data.version,
        "entry_index": data.entry_index,
        "item_id": entry["item_id"],
        "region_codes": entry["region_codes"],
        "sampling_ratio": entry["sampling_ratio"],
        "seed": data.seed,
        "tier_weights": data.tier_weights,
        "draw_date": data.draw_date.isoformat(),
        "population": digest.count,
        "population_digest": digest.hexdigest(),
        "drawn": len(selected),
        "inspector_pool": sorted(pool),
        "unassigned": sum(1 for e in selected if not assignments[e]),
        "drawn_at": clock.now_iso(),
        "drawn_by": caller.subject,
        "article": ART[11],
    }
    with DrawEntry.batch_write() as batch:
        for rank, eid in enumerate(selected, 1):
            batch.save(
                DrawEntry(
                    draw_id,
                    eid,
                    rank=rank,
                    credit_tier=tiers[eid],
                    inspector_ids=assignments[eid],
                    unassigned_reason=None if assignments[eid] else "可回避后合格执法人员不足两人",
                )
            )
        batch.save(DrawEntry(draw_id, DrawEntry.SUMMARY, summary=summary))
    return summary


def get_summary(draw_id: str) -> dict:
    return get_or_404(DrawEntry, draw_id, DrawEntry.SUMMARY, message=f"抽取记录 {draw_id} 不存在", code="draw_not_found").summary


def page(draw_id: str, limit: int, cursor: str | None, public: bool) -> dict:
    summary = get_summary(draw_id)
    results = pagination.query(
        DrawEntry, draw_id, cursor, DrawEntry.enterprise_id < DrawEntry.SUMMARY, limit=limit, page_size=limit
    )
    listed = pagination.page(
        results,
        lambda e: {
            "enterprise_id": e.enterprise_id,
            "rank": e.rank,
            **(
                {}
                if public
                else {"credit_tier": e.credit_tier, "inspector_ids": e.inspector_ids, "unassigned_reason": e.unassigned_reason}
            ),
        },
    )
    if public:
        summary = {k: v for k, v in summary.items() if k not in ("inspector_pool", "drawn_by")}
    return {"summary": summary, **listed}


def visible(caller: Identity, summary: dict) -> None:
    if caller.role == "judicial" and regions.covers(caller.region_code, registers.get_agency(summary["agency_id"]).region_code):
        return
    registers.managed_agency(caller, summary["agency_id"])


class TasksIn(tasks.Window):
    """When the draw's tasks may be carried out (one year at most: plans are by year, Art. 16)."""


def make_tasks(caller: Identity, draw_id: str, data: TasksIn) -> list[str]:
    """Approved inspection tasks from a draw: one per inspector pair, up to 50 enterprises each."""
    summary = get_summary(draw_id)
    registers.managed_agency(caller, summary["agency_id"])
    by_pair: dict[tuple, list[str]] = {}
    for entry in DrawEntry.query(draw_id, DrawEntry.enterprise_id < DrawEntry.SUMMARY):
        if entry.inspector_ids:
            by_pair.setdefault(tuple(entry.inspector_ids), []).append(entry.enterprise_id)
    version = filing.get_version(summary["agency_id"], summary["year"], summary["version"])
    method = version.entries[summary["entry_index"]]["method"]
    created = []
    for pair, targets in sorted(by_pair.items()):
        for start in range(0, len(targets), tasks.MAX_TARGETS):
            spec = parse(
                tasks.TaskIn,
                {
                    "type": "routine",
                    "method": "off_site" if method == "off_site" else "on_site",
                    "targets": targets[start : start + tasks.MAX_TARGETS],
                    "participants": [
                        {"agency_id": summary["agency_id"], "item_ids": [summary["item_id"]], "inspector_ids": list(pair)}
                    ],
                    "window_start": data.window_start,
                    "window_end": data.window_end,
                    "announced": False,
                    "unannounced_reason": f"双随机抽查（抽取记录 {draw_id}），依规不预告",
                },
                strict=False,
            )
            created.append(tasks.create(caller, spec).task_id)
    return created
