"""The inspected enterprise's rating of a visit (Art. 24), with flags for each Art. 27 prohibited
practice. One rating per visit, within a window after closing, held by a conditional put in one
transaction with the agencies' quarterly aggregates. The judicial bureau reads each rating; an
inspected agency reads only aggregates that cannot be traced to one enterprise (auth.can_see_rating).

A rating is not an event of the visit's hash chain: the chain is the inspection record the visit's
agencies read whole to check it, so a rating in it would either reach them or need a redaction that
breaks their check. It is a record of its own, put once and never changed by any route."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

from sheqi import clock, metrics, settings
from sheqi.auth import Identity, deny_scope, region_or_own, require_role, supervises
from sheqi.errors import Conflict, Forbidden, RuleViolation
from sheqi.inputs import Body, Check, OneOf
from sheqi.inspections import visits
from sheqi.registry.registers import get_agency
from sheqi.reminders import obligations
from sheqi.rules.articles import ART, SYSTEM_RULE
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES, aggregate_figures, aggregate_view, quarter, rating_window_open
from sheqi.store import Cancelled, Transaction, pagination
from sheqi.store.feedback import Rating, RatingAggregate
from sheqi.store.notices import Notice

LOW_SCORE = 2  # a score at or below this is brought to the judicial bureau's attention


class RatingIn(Body):
    conduct: Annotated[int, Meta(ge=1, le=5)]
    procedure: Annotated[int, Meta(ge=1, le=5)]
    efficiency: Annotated[int, Meta(ge=1, le=5)]
    comment: Annotated[str, Meta(max_length=1000)] = ""
    prohibited_practices: Annotated[
        list[Annotated[str, OneOf(PROHIBITED_PRACTICES)]], Meta(max_length=7), Check(lambda values: sorted(set(values)))
    ] = []


def min_enterprises() -> int:
    return settings.get().rating_min_enterprises


@metrics.counted("Ratings")
def rate(caller: Identity, visit_id: str, data: RatingIn) -> Rating:
    require_role(caller, "enterprise")
    visit = visits.get(visit_id)
    if caller.enterprise_id != visit.enterprise_id:
        raise Forbidden("只有被检查企业可以评价本次检查", code="not_inspected_enterprise", article=ART[24])
    if visit.status != "closed":
        raise RuleViolation("检查尚未结束，结束后方可评价", code="visit_not_closed", article=ART[24])
    now = clock.now()
    if not rating_window_open(datetime.fromisoformat(visit.closed_at), now, visits.rating_window()):
        raise RuleViolation(
            f"评价期已过：检查结束后{visits.rating_window().days}日内可评价", code="rating_window_closed", article=SYSTEM_RULE
        )
    rating = Rating(
        visit_id,
        enterprise_id=visit.enterprise_id,
        region_code=visit.region_code,
        agency_ids=visit.agency_ids,
        conduct=data.conduct,
        procedure=data.procedure,
        efficiency=data.efficiency,
        comment=data.comment or None,
        prohibited_practices=data.prohibited_practices,
        rated_at=now.isoformat(timespec="milliseconds"),
    )
    label = quarter(now.date())
    try:
        with Transaction() as tx:
            tx.save(rating, condition=Rating.visit_id.does_not_exist())
            for agency_id in visit.agency_ids:
                actions = [
                    RatingAggregate.count.add(1),
                    RatingAggregate.conduct.add(data.conduct),
                    RatingAggregate.procedure.add(data.procedure),
                    RatingAggregate.efficiency.add(data.efficiency),
                    RatingAggregate.enterprises.add({visit.enterprise_id}),
                ]
                actions += [getattr(RatingAggregate, f"flag_{f}").add(1) for f in data.prohibited_practices]
                tx.update(RatingAggregate(RatingAggregate.key(agency_id, label)), actions=actions)
            alert = _alert(visit, rating)
            if alert is not None:
                tx.save(alert, condition=Notice.notice_id.does_not_exist())
    except Cancelled as error:
        if error.failed:
            raise Conflict("本次检查已评价，每次检查只能评价一次", code="already_rated", article=SYSTEM_RULE) from None
        raise
    obligations.complete(f"rating_invite:{visit_id}")
    return rating


def _alert(visit, rating: Rating) -> Notice | None:
    """Every Art. 27 flag and every low score reaches the judicial bureau of the enterprise's region."""
    low = [
        name
        for name, score in (("执法规范", rating.conduct), ("程序合法", rating.procedure), ("效率", rating.efficiency))
        if score <= LOW_SCORE
    ]
    if not rating.prohibited_practices and not low:
        return None
    flagged = "、".join(PROHIBITED_PRACTICES[f] for f in rating.prohibited_practices)
    return Notice(
        f"judicial:{visit.region_code}",
        f"rating:{visit.visit_id}",
        kind="rating_alert",
        article=ART[27] if flagged else ART[24],
        created_at=clock.now_iso(),
        title=f"企业评价需关注：{visit.enterprise_name}",
        body=f"{visit.enterprise_name}对 {visit.visit_date} 的检查作出评价。"
        + (f"反映第二十七条禁止行为：{flagged}。" if flagged else "")
        + (f"低分项：{'、'.join(low)}。" if low else "")
        + (f"意见：{rating.comment}" if rating.comment else ""),
    )


def view(rating: Rating) -> dict:
    return {
        "visit_id": rating.visit_id,
        "enterprise_id": rating.enterprise_id,
        "region_code": rating.region_code,
        "agency_ids": rating.agency_ids,
        "conduct": int(rating.conduct),
        "procedure": int(rating.procedure),
        "efficiency": int(rating.efficiency),
        "comment": rating.comment,
        "prohibited_practices": [{"code": f, "label": PROHIBITED_PRACTICES[f]} for f in rating.prohibited_practices],
        "rated_at": rating.rated_at,
    }


def list_for_region(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    """Each rating, newest first: for the judicial bureau of the region (and the platform)."""
    region_code = region_or_own(caller, region_code)
    if not supervises(caller, region_code):
        raise deny_scope("评价")
    results = pagination.query(Rating.by_region, region_code, cursor, scan_index_forward=False, limit=limit, page_size=limit)
    return pagination.page(results, view)


def summary(caller: Identity, agency_id: str, year: int) -> dict:
    """An agency's ratings by quarter. The agency itself sees a quarter only once it is over and enough
    enterprises rated; the supervising judicial bureau and the platform see every figure."""
    agency = get_agency(agency_id)
    supervisor = supervises(caller, agency.region_code)
    if not supervisor and not (caller.role == "agency_admin" and caller.agency_id == agency_id):
        raise deny_scope("评价汇总")
    labels = [f"{year}Q{q}" for q in range(1, 5)]
    found = {r.quarter: _figures(r) for r in RatingAggregate.batch_get([RatingAggregate.key(agency_id, q) for q in labels])}
    today = clock.today()
    if supervisor:
        quarters = [
            {"quarter": q, "available": q in found, **(aggregate_figures(found[q]) if q in found else {})} for q in labels
        ]
    else:
        quarters = [aggregate_view(q, found.get(q), today, min_enterprises()) for q in labels]
    return {"agency_id": agency_id, "year": year, "quarters": quarters}


def _figures(record: RatingAggregate) -> dict:
    return {
        "count": int(record.count),
        "conduct": int(record.conduct),
        "procedure": int(record.procedure),
        "efficiency": int(record.efficiency),
        "enterprises": record.enterprises or set(),
        "flags": {f: int(getattr(record, f"flag_{f}") or 0) for f in PROHIBITED_PRACTICES},
    }
