"""What the judicial bureau watches without asking (Art. 12, 16, 17, 24, 27): watch lists, each read from
an index or a maintained count, never a Scan; monthly figures for the console; and a daily job that
brings new entries to the bureau's notices once each.

A city bureau's lists gather those of the counties it oversees (`regions.within`). An agency admin
sees the figures and the plan board of its own agency only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sheqi import clock, metrics, settings
from sheqi.auth import Identity, deny_scope, supervises
from sheqi.inspections.complaints import STATUSES, SUBJECTS
from sheqi.inspections.ratings import LOW_SCORE
from sheqi.registry.registers import agency_names
from sheqi.reminders import notices, obligations
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.labels import REASONS
from sheqi.rules.scan_rules import EXCEPTION_REASONS
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.store.feedback import Complaint, Rating
from sheqi.store.plans import PlanVersion
from sheqi.store.registers import Agency, Enterprise
from sheqi.store.tallies import RefusalTally, Tally
from sheqi.store.visits import Visit

LISTS = ("frequency", "exceptions", "refusals", "ratings", "complaints", "plans")


def thresholds() -> dict[str, int]:
    """Visits a year above which an enterprise is watched, by credit tier (Art. 12, 18)."""
    return {tier: limit for tier, limit in settings.get().watch_frequency_thresholds.items()}


def scope(caller: Identity, region_code: str | None) -> list[str]:
    """The county codes the caller's lists cover."""
    if caller.role == "agency_admin":
        assert caller.region_code is not None  # an agency admin's token names the agency's region (auth.Identity)
        return [caller.region_code]
    region_code = region_code or caller.region_code
    if not region_code or not supervises(caller, region_code):
        raise deny_scope("监督清单")
    regions.validate(region_code)
    return regions.within(region_code)


def _supervisor_only(caller: Identity) -> None:
    if caller.role not in ("judicial", "platform_admin"):
        raise deny_scope("监督清单")


def _with_enterprise_names(rows: list[dict]) -> list[dict]:
    """Each row with its enterprise's name, so a person reads names (the credit code stays for hover)."""
    ids = sorted({r["enterprise_id"] for r in rows})
    names = {e.enterprise_id: e.name for e in Enterprise.batch_get(ids)} if ids else {}
    return [{**r, "enterprise_name": names.get(r["enterprise_id"])} for r in rows]


def frequency(codes: list[str], year: int) -> list[dict]:
    """Enterprises inspected clearly above a reasonable frequency: the year's total against the
    threshold of the enterprise's tier, with the count by agency."""
    limits = thresholds()
    rows: list[dict[str, Any]] = []
    for code in codes:
        for total in Tally.watch.query(
            Tally.frequency_scope(code, year), Tally.count >= min(limits.values()), scan_index_forward=False
        ):
            if total.count < limits.get(total.credit_tier, min(limits.values())):
                continue
            visits = list(Visit.by_enterprise.query(total.enterprise_id, Visit.opened_at.startswith(str(year))))
            by_agency = Counter(a for v in visits for a in v.agency_ids)
            rows.append(
                {
                    "enterprise_id": total.enterprise_id,
                    "enterprise_name": visits[0].enterprise_name if visits else None,
                    "region_code": code,
                    "region_name": regions.name(code),
                    "credit_tier": total.credit_tier,
                    "total": int(total.count),
                    "threshold": limits.get(total.credit_tier),
                    "by_agency": dict(by_agency),
                    "exceptions": sum(1 for v in visits if v.exception),
                    "article": "第十二条、第十八条",
                }
            )
    names = agency_names(a for r in rows for a in r["by_agency"])
    for row in rows:
        row["by_agency"] = [{"agency_id": a, "name": names.get(a), "count": n} for a, n in sorted(row["by_agency"].items())]
    return sorted(rows, key=lambda r: -r["total"])


def exceptions(codes: list[str], year: int) -> list[dict]:
    """Visits the bureau was told of as they opened: those made under an Art. 12 exception (over the cap or
    not), with the exception and its ground, and an agency's re-visit for other items within the re-visit
    window (Art. 17), with the visit before it. One query of the region's visits, filtered."""
    rows: list[dict[str, Any]] = []
    for code in codes:
        for v in Visit.by_region.query(
            code,
            Visit.opened_at.startswith(str(year)),
            scan_index_forward=False,
            filter_condition=Visit.exception.exists() | Visit.revisit_of.exists(),
        ):
            common = {
                "visit_id": v.visit_id,
                "visit_date": v.visit_date,
                "enterprise_id": v.enterprise_id,
                "enterprise_name": v.enterprise_name,
                "agency_ids": v.agency_ids,
                "over_cap": "over_cap_exception" in v.flags,
            }
            if v.exception:
                reason = v.exception["reason"]
                ground = v.exception.get("ground") or {"reference": v.exception.get("reference")}  # recorded before grounds
                rows.append(
                    {
                        "kind": "exception",
                        **common,
                        "reason": reason,
                        "reason_label": EXCEPTION_REASONS[reason],
                        "reference": ground["reference"],
                        "ground_kind": ground.get("kind"),
                        "article": ART[12],
                    }
                )
            for before in v.revisit_of or ():
                rows.append(
                    {
                        "kind": "revisit",
                        **common,
                        "reason": "revisit_other_items",
                        "reason_label": REASONS["revisit_other_items"],
                        "reference": f"前次检查 {before['visit_date']}（{before['visit_id']}）",
                        "ground_kind": None,
                        "revisit_of": before,
                        "article": ART[17],
                    }
                )
    return rows


def refusals(codes: list[str], year: int) -> list[dict]:
    """Refused scan-in attempts by agency and reason, and inspections enterprises say skipped scan-in."""
    rows: list[dict[str, Any]] = [
        {"agency_id": t.agency_id, "reason": t.reason, "count": int(t.count), "region_code": code}
        for code in codes
        for t in RefusalTally.watch.query(RefusalTally.scope(code, year), scan_index_forward=False)
    ]
    names = agency_names(r["agency_id"] for r in rows)
    for row in rows:
        row["agency_name"] = names.get(row["agency_id"])
    unregistered = [
        {
            "complaint_id": c.complaint_id,
            "enterprise_id": c.enterprise_id,
            "agency_name": c.agency_name,
            "occurred_on": c.occurred_on,
            "description": c.description,
            "status": c.status,
        }
        for code in codes
        for c in Complaint.by_region.query(
            code, Complaint.created_at.startswith(str(year)), filter_condition=Complaint.subject == "unregistered_inspection"
        )
    ]
    return [{"kind": "refused_scan", **r} for r in sorted(rows, key=lambda r: -r["count"])] + [
        {"kind": "unregistered_inspection", **c} for c in unregistered
    ]


def ratings(codes: list[str], year: int) -> list[dict]:
    """Low ratings and every rating that flags an Art. 27 practice."""
    rows = []
    for code in codes:
        for r in Rating.by_region.query(code, Rating.rated_at.startswith(str(year)), scan_index_forward=False):
            low = min(r.conduct, r.procedure, r.efficiency) <= LOW_SCORE
            if low or r.prohibited_practices:
                rows.append(
                    {
                        "visit_id": r.visit_id,
                        "enterprise_id": r.enterprise_id,
                        "agency_ids": r.agency_ids,
                        "rated_at": r.rated_at,
                        "scores": [int(r.conduct), int(r.procedure), int(r.efficiency)],
                        "prohibited_practices": [PROHIBITED_PRACTICES[f] for f in r.prohibited_practices],
                        "comment": r.comment,
                    }
                )
    return rows


def complaints(codes: list[str], today: date) -> list[dict]:
    """Open complaints (received or in handling), oldest first, with their age in days."""
    rows = []
    for code in codes:
        for c in Complaint.by_region.query(code, filter_condition=Complaint.status != "answered"):
            rows.append(
                {
                    "complaint_id": c.complaint_id,
                    "enterprise_id": c.enterprise_id,
                    "subject": SUBJECTS[c.subject],
                    "status": STATUSES[c.status],
                    "created_at": c.created_at,
                    "age_days": (today - date.fromisoformat(c.created_at[:10])).days,
                }
            )
    return sorted(rows, key=lambda r: -r["age_days"])


PLAN_STAGES = {
    None: "未起草",
    "draft": "已起草未报送",
    "returned": "被退回",
    "filed": "已报送待确认",
    "acknowledged": "已备案未公布",
    "published": "已公布",
}


def plans(codes: list[str], year: int, today: date, agency_id: str | None = None) -> list[dict]:
    """Each enforcement agency's plan for `year` (Art. 11, 16): not drafted, filed, returned, published;
    late when filed after 31 December of the year before, overdue when still unpublished after it."""
    rows = []
    for code in codes:
        for agency in Agency.by_region.query(code):
            if agency.kind != "enforcement_agency" or (agency_id and agency.agency_id != agency_id):
                continue
            versions = list(PlanVersion.of_year(agency.agency_id, year))
            first = versions[0] if versions else None
            latest = versions[-1] if versions else None
            published = any(v.status == "published" for v in versions)
            rows.append(
                {
                    "agency_id": agency.agency_id,
                    "name": agency.name,
                    "region_code": agency.region_code,
                    "versions": len(versions),
                    "status": latest.status if latest else None,
                    "status_label": PLAN_STAGES[latest.status if latest else None],
                    "filed_late": bool(first and first.filed_late),
                    "returned_reason": latest.returned_reason if latest and latest.status == "returned" else None,
                    "overdue": not published and today > date(year - 1, 12, 31),
                }
            )
    return rows


def watch_list(caller: Identity, name: str, region_code: str | None, year: int) -> dict:
    codes = scope(caller, region_code)
    today = clock.today()
    if name == "plans":
        rows = plans(codes, year, today, caller.agency_id if caller.role == "agency_admin" else None)
    else:
        _supervisor_only(caller)
        rows = {
            "frequency": lambda: frequency(codes, year),
            "exceptions": lambda: exceptions(codes, year),
            "refusals": lambda: refusals(codes, year),
            "ratings": lambda: _with_enterprise_names(ratings(codes, year)),  # names for a person; the daily run needs none
            "complaints": lambda: _with_enterprise_names(complaints(codes, today)),
        }[name]()
    return {"list": name, "regions": codes, "year": year, "items": rows}


def stats(caller: Identity, region_code: str | None, year: int) -> dict:
    """Inspections per month by agency, and ratings per month, for the console's charts."""
    codes = scope(caller, region_code)
    own = caller.agency_id if caller.role == "agency_admin" else None
    visits: dict[str, Counter] = defaultdict(Counter)
    for code in codes:
        for v in Visit.by_region.query(code, Visit.opened_at.startswith(str(year))):
            if v.kind == "enforcement" and (own is None or own in v.agency_ids):
                for agency_id in v.agency_ids:
                    visits[agency_id][int(v.visit_date[5:7])] += 1
    rated: dict[int, list] = defaultdict(list)
    flags: Counter[str] = Counter()
    if own is None:
        for code in codes:
            for r in Rating.by_region.query(code, Rating.rated_at.startswith(str(year))):
                rated[int(r.rated_at[5:7])].append((int(r.conduct) + int(r.procedure) + int(r.efficiency)) / 3)
                flags.update(r.prohibited_practices)
    names = agency_names(visits)
    return {
        "year": year,
        "regions": codes,
        "inspections_by_month": [
            {"agency_id": a, "name": names.get(a), "months": [visits[a][m] for m in range(1, 13)]} for a in sorted(visits)
        ],
        "ratings_by_month": [
            {"month": m, "count": len(rated[m]), "average": round(sum(rated[m]) / len(rated[m]), 2) if rated[m] else None}
            for m in range(1, 13)
        ],
        "prohibited_practices": {PROHIBITED_PRACTICES[f]: n for f, n in flags.most_common()},
    }


@metrics.timed("supervision_watch")
def daily(today: date) -> dict:
    """Bring each region's new watch entries to its judicial bureau, once each: an enterprise crossing
    its frequency threshold (again, at each higher count), and a complaint left open too long."""
    stale_days = settings.get().complaint_stale_days
    active = obligations.active_regions()
    created = 0
    for code in active:
        for row in frequency([code], today.year):
            created += notices.create_once(
                f"judicial:{code}",
                f"watch:frequency:{row['enterprise_id']}:{today.year}:{row['total']}",
                kind="watch_frequency",
                article="《张家口市规范涉企行政检查实施细则》第十二条",
                title=f"检查频次明显偏高：{row['enterprise_name']}",
                body=f"{row['enterprise_name']}{today.year}年已被检查{row['total']}次（信用等级{row['credit_tier']}，"
                f"提示阈值{row['threshold']}次），其中例外情形{row['exceptions']}次："
                + "；".join(f"{a['name']}{a['count']}次" for a in row["by_agency"])
                + "。",
            )
        for row in complaints([code], today):
            if row["age_days"] >= stale_days:
                created += notices.create_once(
                    f"judicial:{code}",
                    f"watch:complaint:{row['complaint_id']}:stale",
                    kind="watch_complaint",
                    article="《张家口市规范涉企行政检查实施细则》第二十四条",
                    title="投诉久未办结",
                    body=f"{row['created_at'][:10]} 收到的投诉（{row['subject']}）已 {row['age_days']} 天，当前状态：{row['status']}。",
                )
    return {"date": today.isoformat(), "regions": len(active), "notices_created": created}
