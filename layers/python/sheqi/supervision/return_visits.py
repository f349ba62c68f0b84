"""Return visits (回访, Art. 28): the judicial bureau calls back a random sample of recently inspected
enterprises, stratified by inspecting agency, and records what they say. The sample is a pure
function of its inputs (region, period, size per agency, seed), so anyone can draw it again; an
answer revealing a violation opens a case, which supervision letters follow up (Art. 30)."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from datetime import date
from typing import Annotated

from msgspec import Meta

from sheqi import clock
from sheqi.auth import Identity, deny_scope, region_or_own, supervises
from sheqi.errors import Conflict
from sheqi.inputs import Body, OneOf, RegionCode
from sheqi.reminders.notices import create_once
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.sampling import take
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.store import get_or_404, get_or_none, pagination, put_if_absent, update_if
from sheqi.store.supervision import ReturnEntry, ReturnSample, SupervisionCase, region_records
from sheqi.store.visits import Visit


class SampleIn(Body):
    region_code: RegionCode
    period_from: date
    period_to: date
    per_agency: Annotated[int, Meta(ge=1, le=50)]
    seed: Annotated[str, Meta(min_length=8, max_length=64)]

    def check(self):
        if self.period_to < self.period_from:
            raise ValueError("period_to 不得早于 period_from")


class AnswersIn(Body):
    reached: bool
    showed_certificates: bool | None = None
    scanned_in: bool | None = None
    told_result: bool | None = None
    prohibited_practices: Annotated[list[Annotated[str, OneOf(PROHIBITED_PRACTICES)]], Meta(max_length=7)] = []
    satisfaction: Annotated[int, Meta(ge=1, le=5)] | None = None
    notes: Annotated[str, Meta(max_length=2000)] = ""


def _judicial(caller: Identity, region_code: str) -> None:
    if not supervises(caller, region_code):
        raise deny_scope("回访")


def draw(candidates: dict[str, list[str]], per_agency: int, seed: str) -> dict[str, list[str]]:
    """Per agency, the `per_agency` visits with the smallest SHA-256(seed | visit id): the same inputs
    give the same sample in any order (pure)."""
    return {agency: take(ids, per_agency, seed) for agency, ids in sorted(candidates.items())}


def sample(caller: Identity, data: SampleIn) -> ReturnSample:
    _judicial(caller, data.region_code)
    params = data.to_dict()
    sample_id = hashlib.sha256("|".join(str(params[k]) for k in sorted(params)).encode()).hexdigest()[:24]
    drawn = get_or_none(ReturnSample, *ReturnSample.key(sample_id))
    if drawn is not None:
        return drawn
    visits: dict[str, Visit] = {}
    candidates: dict[str, list[str]] = defaultdict(list)
    for code in regions.within(data.region_code):
        for v in Visit.by_region.query(
            code,
            Visit.opened_at.between(data.period_from.isoformat(), data.period_to.isoformat() + "~"),
            filter_condition=(Visit.status == "closed") & (Visit.kind == "enforcement"),
        ):
            visits[v.visit_id] = v
            candidates[v.agency_ids[0]].append(v.visit_id)
    strata = draw(candidates, data.per_agency, data.seed)
    now = clock.now_iso()
    record = ReturnSample(
        *ReturnSample.key(sample_id),
        record_kind="return_sample",
        region_code=data.region_code,
        created_at=now,
        params=params,
        strata=strata,
        created_by=caller.subject,
    )
    if not put_if_absent(record, ReturnSample.pk):
        return ReturnSample.get(*ReturnSample.key(sample_id))  # drawn at the same moment by someone else
    with ReturnEntry.batch_write() as batch:
        for agency_id, ids in strata.items():
            for visit_id in ids:
                v = visits[visit_id]
                batch.save(
                    ReturnEntry(
                        *ReturnEntry.key(sample_id, visit_id),
                        record_kind="return_entry",
                        visit_id=visit_id,
                        agency_id=agency_id,
                        enterprise_id=v.enterprise_id,
                        enterprise_name=v.enterprise_name,
                    )
                )
    return record


def get_sample(caller: Identity, sample_id: str) -> tuple[ReturnSample, list[ReturnEntry]]:
    head = get_or_404(ReturnSample, *ReturnSample.key(sample_id), message="回访抽样不存在", code="sample_not_found")
    _judicial(caller, head.region_code)
    return head, list(ReturnEntry.of_sample(sample_id))


def revealed(answers: AnswersIn) -> list[str]:
    """What in the answers shows a rule was broken (pure)."""
    found = []
    if answers.showed_certificates is False:
        found.append("执法人员未出示执法证件（第十九条）")
    if answers.scanned_in is False:
        found.append("未扫码入企登记（第二十四条）")
    if answers.told_result is False:
        found.append("未告知检查结果（第十九条）")
    found += [f"{PROHIBITED_PRACTICES[p]}（第二十七条）" for p in answers.prohibited_practices]
    return found


def answer(caller: Identity, sample_id: str, visit_id: str, data: AnswersIn) -> ReturnEntry:
    head, _ = get_sample(caller, sample_id)
    entry = get_or_404(
        ReturnEntry, *ReturnEntry.key(sample_id, visit_id), message="该检查不在本次回访抽样中", code="not_in_sample"
    )
    if entry.answered_at:
        raise Conflict("该企业已回访", code="already_answered")
    findings = revealed(data) if data.reached else []
    now = clock.now_iso()
    case_id = None
    if findings:
        case_id = uuid.uuid4().hex
        put_if_absent(
            SupervisionCase(
                *SupervisionCase.key(case_id),
                record_kind="case",
                region_code=head.region_code,
                created_at=now,
                agency_id=entry.agency_id,
                visit_id=visit_id,
                source=f"return_visit:{sample_id}",
                findings=findings,
                status="open",
            ),
            SupervisionCase.pk,
        )
        create_once(
            f"judicial:{head.region_code}",
            f"case:{case_id}",
            kind="case_opened",
            article=ART[28],
            title=f"回访发现问题：{entry.enterprise_name}",
            body="回访发现：" + "；".join(findings) + "。已立案督办。",
        )
    if not update_if(
        entry,
        [
            ReturnEntry.answers.set(data.to_dict()),
            ReturnEntry.answered_at.set(now),
            ReturnEntry.case_id.set(case_id) if case_id else ReturnEntry.case_id.remove(),
        ],
        condition=ReturnEntry.answered_at.does_not_exist(),
    ):
        raise Conflict("该企业已回访", code="already_answered")
    return entry


def list_cases(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    region_code = region_or_own(caller, region_code)
    _judicial(caller, region_code)
    results = region_records(SupervisionCase.by_region, "case", region_code, cursor, limit)
    return pagination.page(results, case_view)


def case_view(case: SupervisionCase) -> dict:
    return {
        "case_id": case.record_id,
        "region_code": case.region_code,
        "agency_id": case.agency_id,
        "visit_id": case.visit_id,
        "source": case.source,
        "findings": case.findings,
        "status": case.status,
        "letter_ids": case.letter_ids,
        "created_at": case.created_at,
    }


def sample_view(head: ReturnSample, entries: list[ReturnEntry]) -> dict:
    return {
        "sample_id": head.record_id,
        "region_code": head.region_code,
        "params": head.params,
        "strata": head.strata,
        "created_at": head.created_at,
        "entries": [
            {
                "visit_id": e.visit_id,
                "agency_id": e.agency_id,
                "enterprise_id": e.enterprise_id,
                "enterprise_name": e.enterprise_name,
                "answers": e.answers,
                "answered_at": e.answered_at,
                "case_id": e.case_id,
            }
            for e in entries
        ],
    }
