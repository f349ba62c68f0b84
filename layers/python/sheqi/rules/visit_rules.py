"""Rules of the visit record, closing and rating (Art. 19, 24-27): pure functions, no AWS."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from msgspec import Struct

from sheqi.rules.articles import ART, CRIMINAL_TRANSFER_RULES

FINDINGS = {"compliant": "符合要求", "violation": "发现违法行为", "not_checked": "未检查"}
OUTCOMES = {
    "no_violation": "未发现违法行为",
    "guidance": "给予指导（第二十五条）",
    "correction_ordered": "责令限期改正",
    "penalty_proposed": "拟予行政处罚",
    "compulsory_measures": "采取行政强制措施",
    "transferred": "移送有管辖权的机关（第二十六条）",  # closes recorded before transfers were their own record
}
# A close concludes on the visit's own items; a matter outside the agency's jurisdiction is a transfer
# beside it (Art. 26), so a visit can find its own items compliant and still transfer another matter.
CLOSE_OUTCOMES = {k: v for k, v in OUTCOMES.items() if k != "transferred"}
TRANSFER_KINDS = {
    "administrative": "移送有管辖权的行政执法机关（第二十六条，10个工作日内）",
    "criminal": f"涉嫌犯罪，按照{CRIMINAL_TRANSFER_RULES}移送司法机关",
}
MEASURES = {"seal": "查封", "seize": "扣押", "freeze": "冻结"}
# Art. 20: the third parties an agency may invite to assist; they advise the inspectors and never inspect.
THIRD_PARTIES = {"testing_body": "检验检测机构", "research_institute": "科研院所", "expert": "行业专家", "other": "其他第三方"}
# Art. 27: what an enterprise may flag in a rating or complaint.
PROHIBITED_PRACTICES = {
    "gifts_or_meals": "索要或接受礼品、宴请等",
    "costs_passed_on": "将检查费用转嫁给企业",
    "imposed_intermediary": "指定或变相指定中介机构",
    "demanded_legal_representative": "要求法定代表人或主要负责人陪同",
    "disrupted_operations": "干扰企业正常生产经营",
    "arbitrary_seizure_or_shutdown": "随意查封、扣押或责令停产停业",
    "disguised_inspection": "以调研、参观、督导等名义变相检查",
}
NEEDS_VIOLATION = ("correction_ordered", "penalty_proposed", "compulsory_measures")
CLOCK_SKEW = timedelta(minutes=5)


class Problem(Struct, frozen=True):
    field: str
    code: str
    message: str
    article: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message, "article": self.article}


def item_key(agency_id: str, item_id: str) -> str:
    return f"{agency_id}/{item_id}"


def close_problems(
    *,
    outcome: str,
    items: list[str],
    findings: dict[str, str],
    ended_at: datetime,
    entered_at: datetime,
    now: datetime,
    correction_deadline: date | None,
    penalty: dict[str, Any] | None,
    measures: list[dict[str, Any]],
    transfers: list[dict[str, Any]],
    own_agencies: list[str],
) -> list[Problem]:
    """Every reason the visit may not close this way. `items` are the visit's item keys, `findings`
    the result recorded for each key, `own_agencies` the visit's agencies (a transfer goes elsewhere)."""
    problems = []
    missing = [k for k in items if k not in findings]
    if missing:
        problems.append(
            Problem(
                "findings",
                "findings_missing",
                f"以下检查事项尚未记录检查情况：{'、'.join(missing)}；现场检查笔录须逐项记录",
                ART[19],
            )
        )
    violations = [k for k, result in findings.items() if result == "violation"]
    if outcome == "no_violation" and violations:
        problems.append(
            Problem(
                "outcome",
                "outcome_contradicts_findings",
                f"已记录违法行为（{'、'.join(violations)}），结论不能为“未发现违法行为”",
                ART[19],
            )
        )
    if outcome in NEEDS_VIOLATION and not violations:
        seizure = outcome == "compulsory_measures"
        problems.append(
            Problem(
                "outcome",
                "no_violation_recorded",
                f"本次检查事项未记录任何违法行为，不能作出“{OUTCOMES[outcome]}”的结论"
                + ("；没有违法事实的查封、扣押、冻结属于第二十七条禁止的行为" if seizure else ""),
                ART[27] if seizure else ART[19],
            )
        )
    if ended_at < entered_at:
        problems.append(Problem("ended_at", "ended_before_entered", "检查结束时间早于入企扫码时间", ART[19]))
    if ended_at > now + CLOCK_SKEW:
        problems.append(Problem("ended_at", "ended_in_future", "检查结束时间晚于当前时间", ART[19]))
    if outcome == "correction_ordered":
        if correction_deadline is None:
            problems.append(Problem("correction_deadline", "correction_deadline_missing", "责令改正须写明改正期限", ART[25]))
        elif correction_deadline <= ended_at.date():
            problems.append(Problem("correction_deadline", "correction_deadline_past", "改正期限须晚于检查当日", ART[25]))
    if outcome == "penalty_proposed":
        if penalty is None:
            problems.append(Problem("penalty", "penalty_missing", "拟予处罚须说明处罚建议，或注明首违不罚", ART[25]))
        elif not penalty.get("first_minor_violation") and not penalty.get("proposal"):
            problems.append(
                Problem(
                    "penalty.proposal",
                    "penalty_proposal_missing",
                    "拟予处罚须写明处罚建议；符合首次轻微违法不予处罚条件的，请注明 first_minor_violation",
                    ART[25],
                )
            )
    if outcome == "compulsory_measures" and not measures:
        problems.append(Problem("measures", "measures_missing", "采取行政强制措施须逐项记录措施及依据", ART[27]))
    for n, transfer in enumerate(transfers):
        if transfer["kind"] == "administrative" and transfer.get("to_agency_id") in own_agencies:
            problems.append(
                Problem(
                    f"transfers.{n}.to_agency_id",
                    "transfer_to_own_agency",
                    "移送的是本机关不具有管辖权的违法行为，接收机关不能是本次检查的机关；本机关事项请作出检查结论",
                    ART[26],
                )
            )
    return problems


def rating_window_open(closed_at: datetime, now: datetime, window: timedelta) -> bool:
    return now <= closed_at + window


def quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_over(label: str, today: date) -> bool:
    year, q = int(label[:4]), int(label[5])
    end_month = q * 3
    first_after = date(year + (end_month == 12), end_month % 12 + 1, 1)
    return today >= first_after


def aggregate_view(label: str, record: dict[str, Any] | None, today: date, min_enterprises: int) -> dict[str, Any]:
    """What an inspected agency may see of its ratings in a quarter: nothing until the quarter is over
    and at least `min_enterprises` different enterprises rated, so no single rating can be traced back
    to the enterprise that gave it."""
    if not quarter_over(label, today):
        return {"quarter": label, "available": False, "reason": "本季度尚未结束，结束后方可查看汇总"}
    if record is None or len(record["enterprises"]) < min_enterprises:
        return {
            "quarter": label,
            "available": False,
            "reason": f"评价企业少于{min_enterprises}家，为保护企业不受打击报复，不予显示",
        }
    return {"quarter": label, "available": True, **aggregate_figures(record)}


def aggregate_figures(record: dict[str, Any]) -> dict[str, Any]:
    n = record["count"]
    return {
        "ratings": n,
        "average": {k: round(record[k] / n, 2) for k in ("conduct", "procedure", "efficiency")},
        "prohibited_practices": {k: v for k, v in sorted(record["flags"].items()) if v},
    }
