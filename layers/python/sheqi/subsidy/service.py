"""Subsidy calculations, store side: applicants' facts per year, single calculations, batch runs.

Every stored result carries the facts it was computed from and the rule set version, so a result can
be recomputed and compared at any time. Science bureaus act within their region; the platform
everywhere; an enterprise reads its own results.

免申即享 (no application needed): a batch run tells each enterprise that qualifies for a clause, in a
notice with the clauses, the amounts (or ceilings) and the next step. The notice's id is the run's,
put only if absent, so a redelivered or concurrent chunk never sends it twice: exactly one per run and
result. (Units and counties have no notice box; their results are read by the bureau.)
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from msgspec import Meta

from sheqi import auth, clock, metrics, settings
from sheqi.auth import Identity
from sheqi.errors import AppError, Forbidden
from sheqi.inputs import Body, RegionCode, Year
from sheqi.log import logger
from sheqi.rules import regions, uscc
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, pagination, put_if_absent, queue, save_if, update_if
from sheqi.store.notices import Notice
from sheqi.store.subsidy import SubsidyApplicant, SubsidyResult
from sheqi.store.tallies import Tally
from sheqi.subsidy.engine import calculate, wan
from sheqi.subsidy.rules import RuleSet, default_ruleset


class _FactsIn(Body):
    applicant_kind: Literal["county", "enterprise", "unit"]
    facts: dict


class WhatIfIn(_FactsIn):
    year: Year | None = None  # the year the facts are of; the policy's own by default


class ApplicantIn(_FactsIn):
    applicant_id: str
    name: Annotated[str, Meta(min_length=2, max_length=100)]
    region_code: RegionCode

    def check(self):
        if self.applicant_kind == "county":
            if regions.validate(self.applicant_id, "applicant_id") != self.region_code:
                raise ValueError("县（市、区）的 applicant_id 即其行政区划代码，须与 region_code 相同")
        else:
            uscc.validate(self.applicant_id, "applicant_id")


def _may_manage(caller: Identity, region_code: str) -> None:
    auth.require_role(caller, "science_bureau", "platform_admin")
    if caller.role == "science_bureau" and not regions.covers(caller.region_code, region_code):
        raise auth.deny_scope("申报主体：超出本科技局的行政区划")


def what_if(caller: Identity, data: WhatIfIn, ruleset: RuleSet | None = None) -> dict:
    """The same calculation, nothing stored: for trying out facts."""
    auth.require_role(caller, "science_bureau", "platform_admin", "enterprise")
    return calculate(ruleset or default_ruleset(), data.applicant_kind, data.facts, data.year)


def save_applicant(
    caller: Identity, year: int, data: ApplicantIn, ruleset: RuleSet | None = None
) -> tuple[SubsidyApplicant, dict]:
    """Store an applicant's facts and return them with their calculation. The facts are stored only
    once that calculation succeeds, the same one a run will make: facts it cannot compute are refused
    here (422 naming the fact), never found by a run later."""
    ruleset = ruleset or default_ruleset()
    _may_manage(caller, data.region_code)
    outcome = calculate(ruleset, data.applicant_kind, data.facts, year)
    record = SubsidyApplicant(
        str(year),
        data.applicant_id,
        applicant_kind=data.applicant_kind,
        name=data.name,
        region_code=data.region_code,
        facts=data.facts,
        updated_at=clock.now_iso(),
    )
    condition = None
    if caller.role == "science_bureau":
        assert caller.region_code is not None  # a science bureau's token names its region (auth.Identity)
        # A bureau writes a new applicant or one already of its jurisdiction, decided by the store in
        # the write itself: never another county's, even when both write at once.
        condition = SubsidyApplicant.applicant_id.does_not_exist() | SubsidyApplicant.region_code.startswith(
            regions.prefix(caller.region_code)
        )
    if not save_if(record, condition):
        raise Forbidden(
            f"申报主体 {data.applicant_id} 已由其他行政区划登记，本科技局不能修改",
            field="applicant_id",
            code="applicant_of_other_region",
        )
    return record, outcome


def _result(run_id: str, applicant: SubsidyApplicant, ruleset: RuleSet, now: str) -> SubsidyResult:
    """An applicant's result in a run. One the policy cannot judge (stored under an older policy or
    before facts were checked at save) is reported with its reason, not dropped, and never stops the
    run: the calculation is pure, so a failure would fail every retry alike."""
    try:
        outcome = calculate(ruleset, applicant.applicant_kind, applicant.facts, int(applicant.year))
    except AppError as error:
        outcome = {"error": error.to_dict(), "ruleset_version": ruleset.version}
    except Exception:
        logger.exception("subsidy calculation failed", extra={"run_id": run_id, "applicant_id": applicant.applicant_id})
        outcome = {
            "error": AppError("无法按本政策计算该申报主体的事实，请核对后重新保存", code="calculation_failed").to_dict(),
            "ruleset_version": ruleset.version,
        }
    return SubsidyResult(
        run_id,
        applicant.applicant_id,
        year=applicant.year,
        region_code=applicant.region_code,
        ruleset_version=ruleset.version,
        calculated_at=now,
        facts=applicant.facts,
        result=outcome,
    )


def calculate_one(caller: Identity, year: int, data: ApplicantIn, ruleset: RuleSet | None = None) -> dict:
    """Store the applicant's facts and its calculation (a run of one)."""
    ruleset = ruleset or default_ruleset()
    applicant, outcome = save_applicant(caller, year, data, ruleset)
    record = SubsidyResult(
        f"single-{uuid.uuid4().hex}",
        applicant.applicant_id,
        year=applicant.year,
        region_code=applicant.region_code,
        ruleset_version=ruleset.version,
        calculated_at=applicant.updated_at,
        facts=applicant.facts,
        result=outcome,
    )
    record.save()
    return result_view(record)


CHUNK = 1000  # applicants per queue message: well inside a worker's time limit


def start_run(caller: Identity, year: int, ruleset: RuleSet | None = None) -> dict:
    """Start a batch run over every stored applicant of the year in the caller's region. The run goes
    on in the queue worker, a chunk per message, so it is not bound by the HTTP request's time."""
    auth.require_role(caller, "science_bureau", "platform_admin")
    ruleset = ruleset or default_ruleset()
    run_id, now = f"run-{year}-{uuid.uuid4().hex[:12]}", clock.now_iso()
    summary = SubsidyResult(
        run_id,
        SubsidyResult.SUMMARY,
        year=str(year),
        region_code=caller.region_code,
        ruleset_version=ruleset.version,
        calculated_at=now,
        status="queued",
        applicants=0,
        errors=0,
        cash_fen=0,
        equity_fen=0,
        chunks=0,
        result={
            "run_id": run_id,
            "year": year,
            "ruleset_version": ruleset.version,
            "scope": caller.region_code or "all",
            "started_at": now,
        },
    )
    save_if(summary)
    queue.send(
        settings.get().subsidy_runs_queue_url,
        {
            "run_id": run_id,
            "year": year,
            "scope": caller.region_code,
            "chunk": 0,
            "cursor": None,
            "ruleset_version": ruleset.version,
        },
    )
    return run_summary(summary)


@metrics.timed("subsidy_chunk")
def process_run_chunk(message: dict, ruleset: RuleSet | None = None) -> None:
    """One chunk of a run: calculate and store up to CHUNK applicants, add them to the run's totals,
    hand the rest on. Results are overwritten on redelivery; totals are raised once per chunk (the
    chunk marker and the totals are one transaction)."""
    ruleset = ruleset or default_ruleset()
    run_id, year, scope = message["run_id"], message["year"], message["scope"]
    summary_key = get_or_none(SubsidyResult, run_id, SubsidyResult.SUMMARY)
    if summary_key is None:
        return  # not a run of this deployment: nothing to add to, nothing to write
    if message["ruleset_version"] != ruleset.version:
        fail_run(run_id, "计算中途政策规则集已变更，本批次作废，请重新发起")
        return  # a run is computed under one rule set; a deployment changed it mid-run
    page = pagination.query(SubsidyApplicant, str(year), message["cursor"], limit=CHUNK, page_size=CHUNK)
    counted = errors = cash = equity = 0
    now = clock.now_iso()
    notices: list[Notice] = []
    with SubsidyResult.batch_write() as batch:
        for applicant in page:
            if scope and not regions.covers(scope, applicant.region_code):
                continue
            record = _result(run_id, applicant, ruleset, now)
            batch.save(record)
            if (notice := exemption_notice(run_id, applicant, record.result, ruleset)) is not None:
                notices.append(notice)
            counted += 1
            if "error" in record.result:
                errors += 1
            else:
                cash += int(Decimal(record.result["total_cash"]) * 100)
                equity += int(Decimal(record.result["total_equity"]) * 100)
    for notice in notices:  # after the results they point to are stored
        put_if_absent(notice, Notice.notice_id)
    cursor = pagination.encode(page.last_evaluated_key)
    actions = [
        SubsidyResult.applicants.add(counted),
        SubsidyResult.errors.add(errors),
        SubsidyResult.cash_fen.add(cash),
        SubsidyResult.equity_fen.add(equity),
        SubsidyResult.chunks.add(1),
        SubsidyResult.status.set("running" if cursor else "done"),
    ]
    if not cursor:
        actions.append(SubsidyResult.finished_at.set(clock.now_iso()))
    try:
        with Transaction() as tx:
            tx.save(
                Tally(Tally.subsidy_chunk_key(run_id, message["chunk"]), count=counted),
                condition=Tally.tally_key.does_not_exist(),
            )
            tx.update(summary_key, actions=actions)
    except Cancelled as error:
        if not error.failed:
            raise
        # Counted by an earlier delivery of this message; still hand the rest on, in case that
        # delivery stopped before it could (a duplicate next chunk counts once too).
    if cursor:
        queue.send(settings.get().subsidy_runs_queue_url, {**message, "chunk": message["chunk"] + 1, "cursor": cursor})


def exemption_notice(run_id: str, applicant: SubsidyApplicant, outcome: dict, ruleset: RuleSet) -> Notice | None:
    """The 免申即享 notice of one enterprise's result in a run, in Chinese: each clause it qualifies for
    with the amount (or its ceiling, or who sets it), and the next step. None when it qualifies for nothing."""
    if applicant.applicant_kind != "enterprise" or "error" in outcome:
        return None
    paid = [c for c in outcome["clauses"] if c["decision"] in ("paid", "amount_set_elsewhere")]
    if not paid:
        return None
    lines = []
    for n, c in enumerate(paid, 1):
        amount = (
            c["amount_note"]
            if c["decision"] == "amount_set_elsewhere"
            else f"折算股权{wan(Decimal(c['amount']))}"
            if c["pays"] == "equity"
            else f"最高{wan(Decimal(c['amount']))}（具体金额以评审结果为准）"
            if c["amount_kind"] == "ceiling"
            else wan(Decimal(c["amount"]))
        )
        lines.append(f"{n}. 第{c['clause']}条{'（' + c['item'] + '）' if c['item'] else ''}：{amount}。条款原文：{c['text']}")
    body = (
        f"经{applicant.year}年度批量测算（批次 {run_id}），{applicant.name}无需申请，即符合《{ruleset.title}》以下条款：\n"
        + "\n".join(lines)
        + f"\n下一步：请登录查看本次测算结果（GET /subsidies/results），核对测算所依据的事实；如有不符，请联系"
        f"{regions.name(applicant.region_code)}科技局更正。事实无误的，由科技主管部门按程序审核拨付，无需另行申报。"
    )
    return Notice(
        f"enterprise:{applicant.applicant_id}",
        f"subsidy:{run_id}",
        kind="subsidy_exemption",
        title=f"免申即享：您符合{len(paid)}项科技政策支持条款",
        body=body,
        article=f"《{ruleset.title}》",
        created_at=clock.now_iso(),
    )


def fail_run(run_id: str, reason: str) -> None:
    """End a run as failed, with its reason in Chinese: its rule set changed mid-run, or one of its
    chunks failed every delivery and went to the dead-letter queue."""
    update_if(
        SubsidyResult(run_id, SubsidyResult.SUMMARY),  # (no such run: nothing to end)
        [SubsidyResult.status.set("failed"), SubsidyResult.failure.set(reason), SubsidyResult.finished_at.set(clock.now_iso())],
        condition=SubsidyResult.run_id.exists(),
    )


def run_summary(record: SubsidyResult) -> dict:
    return {
        **record.result,
        "status": record.status,
        "failure": record.failure,
        "applicants": int(record.applicants or 0),
        "errors": int(record.errors or 0),
        "total_cash": f"{Decimal(int(record.cash_fen or 0)) / 100:.2f}",
        "total_equity": f"{Decimal(int(record.equity_fen or 0)) / 100:.2f}",
        "finished_at": record.finished_at,
    }


def get_run(caller: Identity, run_id: str, limit: int, cursor: str | None) -> dict:
    auth.require_role(caller, "science_bureau", "platform_admin")
    summary = get_or_404(SubsidyResult, run_id, SubsidyResult.SUMMARY, message=f"计算批次 {run_id} 不存在", code="run_not_found")
    if caller.role == "science_bureau" and not regions.covers(caller.region_code, summary.region_code):
        raise auth.deny_scope("计算批次")
    page = pagination.query(
        SubsidyResult, run_id, cursor, SubsidyResult.applicant_id < SubsidyResult.SUMMARY, limit=limit, page_size=limit
    )
    return {"summary": run_summary(summary), **pagination.page(page, result_view)}


def get_result(caller: Identity, run_id: str, applicant_id: str) -> dict:
    if caller.role == "enterprise" and caller.enterprise_id != applicant_id:
        raise auth.deny_scope("计算结果")
    record = get_or_404(SubsidyResult, run_id, applicant_id, message="计算结果不存在", code="result_not_found")
    if caller.role != "enterprise":
        _may_manage(caller, record.region_code)
    return result_view(record)


def my_results(caller: Identity, limit: int, cursor: str | None) -> dict:
    """An enterprise's own results, newest first (the by_applicant index): what a 免申即享 notice points to."""
    auth.require_role(caller, "enterprise")
    assert caller.enterprise_id is not None  # an enterprise's token names it (auth.Identity)
    page = pagination.query(
        SubsidyResult.by_applicant, caller.enterprise_id, cursor, scan_index_forward=False, limit=limit, page_size=limit
    )
    return pagination.page(page, result_view)


def result_view(record: SubsidyResult) -> dict:
    return {
        "run_id": record.run_id,
        "applicant_id": record.applicant_id,
        "year": record.year,
        "ruleset_version": record.ruleset_version,
        "calculated_at": record.calculated_at,
        "facts": record.facts,
        "result": record.result,
    }
