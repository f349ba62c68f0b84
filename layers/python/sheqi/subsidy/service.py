"""Subsidy calculations, store side: applicants' facts per year, single calculations, batch runs.

Every stored result carries the facts it was computed from and the rule set version, so a result can
be recomputed and compared at any time. Science bureaus act within their region; the platform
everywhere; an enterprise reads its own results.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .. import auth, clock, pagination, regions, uscc
from ..api import Body
from ..auth import Identity
from ..errors import AppError, NotFound, ValidationError
from ..store import SubsidyApplicant, SubsidyResult
from .engine import calculate, normalise
from .rules import RuleSet, default_ruleset

PAGE = 500


class WhatIfIn(Body):
    applicant_kind: Literal["county", "enterprise", "unit"]
    facts: dict


class ApplicantIn(WhatIfIn):
    applicant_id: str
    name: str = Field(min_length=2, max_length=100)
    region_code: str

    _region = field_validator("region_code")(lambda v: regions.validate(v))

    @model_validator(mode="after")
    def _identity(self):
        if self.applicant_kind == "county":
            if regions.validate(self.applicant_id, "applicant_id") != self.region_code:
                raise ValueError("县（市、区）的 applicant_id 即其行政区划代码，须与 region_code 相同")
        else:
            uscc.validate(self.applicant_id, "applicant_id")
        return self


def year_of(value: str) -> int:
    if not (value.isdigit() and 2000 <= int(value) <= 2100):
        raise ValidationError("年度应为2000至2100之间的4位数字", field="year", code="invalid_field")
    return int(value)


def _may_manage(caller: Identity, region_code: str) -> None:
    auth.require_role(caller, "science_bureau", "platform_admin")
    if caller.role == "science_bureau" and not regions.covers(caller.region_code, region_code):
        raise auth.deny_scope("申报主体：超出本科技局的行政区划")


def what_if(caller: Identity, data: WhatIfIn, ruleset: RuleSet | None = None) -> dict:
    """The same calculation, nothing stored: for trying out facts."""
    auth.require_role(caller, "science_bureau", "platform_admin", "enterprise")
    return calculate(ruleset or default_ruleset(), data.applicant_kind, data.facts)


def save_applicant(caller: Identity, year: int, data: ApplicantIn, ruleset: RuleSet | None = None) -> SubsidyApplicant:
    _may_manage(caller, data.region_code)
    normalise(ruleset or default_ruleset(), data.facts)   # refuse facts the policy does not know before storing
    record = SubsidyApplicant(str(year), data.applicant_id, applicant_kind=data.applicant_kind, name=data.name,
                              region_code=data.region_code, facts=data.facts, updated_at=clock.now_iso())
    record.save()
    return record


def _result(run_id: str, applicant: SubsidyApplicant, ruleset: RuleSet, now: str) -> SubsidyResult:
    try:
        outcome = calculate(ruleset, applicant.applicant_kind, applicant.facts)
    except AppError as error:   # a stored applicant the policy cannot judge is reported, not dropped
        outcome = {"error": error.to_dict(), "ruleset_version": ruleset.version}
    return SubsidyResult(run_id, applicant.applicant_id, year=applicant.year, region_code=applicant.region_code,
                         ruleset_version=ruleset.version, calculated_at=now, facts=applicant.facts, result=outcome)


def calculate_one(caller: Identity, year: int, data: ApplicantIn, ruleset: RuleSet | None = None) -> dict:
    """Store the applicant's facts and its calculation (a run of one)."""
    ruleset = ruleset or default_ruleset()
    _may_manage(caller, data.region_code)
    outcome = calculate(ruleset, data.applicant_kind, data.facts)   # bad facts stop here, nothing stored
    applicant = save_applicant(caller, year, data, ruleset)
    record = SubsidyResult(f"single-{uuid.uuid4().hex}", applicant.applicant_id, year=applicant.year,
                           region_code=applicant.region_code, ruleset_version=ruleset.version,
                           calculated_at=applicant.updated_at, facts=applicant.facts, result=outcome)
    record.save()
    return result_view(record)


def run_batch(caller: Identity, year: int, ruleset: RuleSet | None = None) -> dict:
    """Calculate every stored applicant of the year within the caller's region; store each result and
    a summary. Applicants are read page by page, results written 25 to a request."""
    auth.require_role(caller, "science_bureau", "platform_admin")
    ruleset = ruleset or default_ruleset()
    run_id, now = f"run-{year}-{uuid.uuid4().hex[:12]}", clock.now_iso()
    counted = errors = 0
    totals = {"cash": Decimal(0), "equity": Decimal(0)}
    with SubsidyResult.batch_write() as batch:
        for applicant in SubsidyApplicant.query(str(year), page_size=PAGE):
            if caller.role == "science_bureau" and not regions.covers(caller.region_code, applicant.region_code):
                continue
            record = _result(run_id, applicant, ruleset, now)
            batch.save(record)
            counted += 1
            if "error" in record.result:
                errors += 1
            else:
                totals["cash"] += Decimal(record.result["total_cash"])
                totals["equity"] += Decimal(record.result["total_equity"])
    summary = {"run_id": run_id, "year": year, "ruleset_version": ruleset.version, "started_at": now,
               "finished_at": clock.now_iso(), "applicants": counted, "errors": errors,
               "total_cash": str(totals["cash"]), "total_equity": str(totals["equity"]),
               "scope": caller.region_code or "all"}
    SubsidyResult(run_id, SubsidyResult.SUMMARY, year=str(year), ruleset_version=ruleset.version, calculated_at=now,
                  region_code=caller.region_code, result=summary).save()
    return summary


def get_run(caller: Identity, run_id: str, limit: int, cursor: str | None) -> dict:
    auth.require_role(caller, "science_bureau", "platform_admin")
    try:
        summary = SubsidyResult.get(run_id, SubsidyResult.SUMMARY)
    except SubsidyResult.DoesNotExist:
        raise NotFound(f"计算批次 {run_id} 不存在", code="run_not_found") from None
    if caller.role == "science_bureau" and not regions.covers(caller.region_code, summary.region_code):
        raise auth.deny_scope("计算批次")
    page = SubsidyResult.query(run_id, SubsidyResult.applicant_id < SubsidyResult.SUMMARY, limit=limit, page_size=limit,
                               last_evaluated_key=pagination.decode(cursor))
    return {"summary": summary.result, **pagination.page(page, result_view)}


def get_result(caller: Identity, run_id: str, applicant_id: str) -> dict:
    if caller.role == "enterprise" and caller.enterprise_id != applicant_id:
        raise auth.deny_scope("计算结果")
    try:
        record = SubsidyResult.get(run_id, applicant_id)
    except SubsidyResult.DoesNotExist:
        raise NotFound("计算结果不存在", code="result_not_found") from None
    if caller.role != "enterprise":
        _may_manage(caller, record.region_code)
    return result_view(record)


def result_view(record: SubsidyResult) -> dict:
    return {"run_id": record.run_id, "applicant_id": record.applicant_id, "year": record.year,
            "ruleset_version": record.ruleset_version, "calculated_at": record.calculated_at,
            "facts": record.facts, "result": record.result}
