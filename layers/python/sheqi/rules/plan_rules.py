"""No inspection outside the plan (计划之外无检查, Art. 16), at the level of a plan's entries.

A plan version in force is the acknowledged one that took effect last, on or before the day. A routine
inspection must fall within one of its entries: the item, a region covering the enterprise's, the time
window, a method allowing the inspection's (an entry of method "both" allows either) and its frequency.
Reading chosen for the frequency: an entry's `frequency` is the routine inspections a year per
enterprise the agency planned for the item; a routine visit is admitted while the year's count of
the item at the enterprise is under both that and the item's cap for the enterprise's credit tier
(Art. 18): the lower of the two. Case-based and special inspections are not planned routine work: they
need the item in the plan in force (or, for an emergency campaign, none: Art. 13), and only the
tier's cap applies to them. The entry's `scope` is prose (e.g. "辖区内食品经营者") and is not checked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from msgspec import Struct

from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.qualification import Finding

ANY_FREQUENCY = 52  # the highest frequency a plan entry may state (filing.EntryIn)


class PlanEntry(Struct, frozen=True):
    item_id: str
    region_codes: tuple[str, ...]
    window_start: date
    window_end: date
    method: str  # on_site / off_site / both
    frequency: int  # routine inspections a year per enterprise


def index_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """What the plan index keeps of a plan's entry (all a task or scan checks)."""
    return {k: entry[k] for k in ("item_id", "region_codes", "window_start", "window_end", "method", "frequency")}


def version_in_force(versions: list[dict[str, Any]], on: date) -> dict[str, Any] | None:
    """The acknowledged version that took effect last, on or before `on`; None: no plan is in force."""
    live = [v for v in versions if date.fromisoformat(v["effective_from"]) <= on]
    return max(live, key=lambda v: (v["effective_from"], v["version"])) if live else None


def entries_in_force(versions: list[dict[str, Any]], on: date) -> tuple[PlanEntry, ...] | None:
    version = version_in_force(versions, on)
    if version is None:
        return None
    if "entries" not in version:  # an index written before entries were kept: its items, unconstrained
        return tuple(
            PlanEntry(i, (), date(on.year, 1, 1), date(on.year, 12, 31), "both", ANY_FREQUENCY) for i in version["item_ids"]
        )
    return tuple(
        PlanEntry(
            e["item_id"],
            tuple(e["region_codes"]),
            date.fromisoformat(e["window_start"]),
            date.fromisoformat(e["window_end"]),
            e["method"],
            int(e["frequency"]),
        )
        for e in version["entries"]
    )


def match(
    entries: tuple[PlanEntry, ...] | None, *, item_id: str, region: str, start: date, end: date, method: str
) -> tuple[tuple[PlanEntry, ...], Finding | None]:
    """The entries a routine inspection of `item_id` at an enterprise in `region`, from `start` to `end`
    by `method`, falls within; or none and the most specific reason why not."""

    def refuse(code: str, message: str) -> tuple[tuple[PlanEntry, ...], Finding]:
        return (), Finding(code, ART[16], f"检查事项 {item_id} {message}（计划之外无检查）")

    found = tuple(e for e in entries or () if e.item_id == item_id)
    if not found:
        return refuse("not_in_plan", f"不在本机关{start.isoformat()}有效的已备案检查计划内")
    found = tuple(e for e in found if not e.region_codes or any(regions.covers(r, region) for r in e.region_codes))
    if not found:
        return refuse("outside_plan_region", f"的计划检查地域不含{regions.name(region)}")
    found_in_time = tuple(e for e in found if e.window_start <= start and end <= e.window_end)
    if not found_in_time:
        spans = "、".join(f"{e.window_start.isoformat()}至{e.window_end.isoformat()}" for e in found)
        return refuse("outside_plan_window", f"的计划检查时间为{spans}，{start.isoformat()}至{end.isoformat()}不在其内")
    found = tuple(e for e in found_in_time if e.method in ("both", method))
    if not found:
        return refuse(
            "outside_plan_method",
            f"计划的检查方式为{'、'.join(sorted({METHODS[e.method] for e in found_in_time}))}，不含{METHODS[method]}",
        )
    return found, None


METHODS = {"on_site": "现场检查", "off_site": "非现场检查", "both": "现场及非现场检查"}


def planned_frequency(entries: tuple[PlanEntry, ...]) -> int:
    """The yearly routine frequency the matching entries allow (the highest, when several match)."""
    return max(e.frequency for e in entries)
