"""The science bureau's supervised duties from seed 004: the duty register and post-approval supervision
rules of 石家庄市鹿泉区科学技术和工业信息化局 (《部门职责登记表》, 《与相关部门的职责边界登记表》,
《事中事后监管制度》). Each duty opens an obligation the reminder run follows (what and basis per kind:
`rules.reminder_rules.SCIENCE`):

- district S&T plan projects (六): acceptance within 6 months of the execution period's end; a yearly
  execution report (中期检查) on each anniversary of the start before the end; a yearly spot check of
  some projects (抽查: the ratio is not in the text, so the bureau states it in the draw);
- technical contracts: registration decided within 30 days of acceptance (职责边界登记表 第8项);
- each technical-contract registration body checked at least once a year by two or more staff (三（四）1);
- technology-transfer institutions: a yearly spot check of 20% (五（三）2);
- science leaders and teams (四): a two-year management period, a yearly progress review, acceptance
  by its end; a failed acceptance is rectified by a date the bureau sets and re-evaluated, a second
  failure revokes the title; absence without good reason forfeits it and bars applying for 5 years.

Periods counted in days or months end on their last day, or on the first working day after it when it
is a rest day (Civil Code art. 203). Yearly duties are due by 31 December of their year: "每年不少于1次"
is a duty within the calendar year, not a counted period, so no roll-forward. Spot checks draw by
SHA-256(seed | id) (rules.sampling): the same seed and candidates give the same selection.
Not modelled: licensee post-approval checks (一) and monitored chemicals (二), which carry no deadline.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from msgspec import Meta, Struct

from sheqi import clock
from sheqi.auth import Identity, deny_scope, supervises
from sheqi.errors import Conflict, RuleViolation, ValidationError
from sheqi.inputs import Body, RegionCode, Year
from sheqi.reminders import obligations
from sheqi.rules import regions, sampling
from sheqi.rules.reminder_rules import SCIENCE
from sheqi.rules.workdays import Deadline, period_end
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, put_if_absent
from sheqi.store.obligations import Obligation
from sheqi.store.tallies import Tally

Id = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{3,64}$")]
Name = Annotated[str, Meta(min_length=2, max_length=200)]
TRANSFER_RATIO = Decimal("0.20")  # 抽查面为20% (五（三）2)
MANAGEMENT_MONTHS = 24  # 管理期（两年） (四（一）)
BAR_YEARS = 5  # 5年内不得再次申报 (四（六）2)


class ProjectIn(Body):
    project_id: Id
    name: Name
    unit_name: Name
    region_code: RegionCode
    ended_on: date
    started_on: date | None = None  # given: a yearly execution report on each anniversary before the end

    def check(self):
        if self.started_on is not None and self.started_on >= self.ended_on:
            raise ValueError("started_on 须早于 ended_on")


class ContractIn(Body):
    contract_id: Id
    name: Name
    applicant: Name
    region_code: RegionCode
    received_on: date


class RegistrationBodyIn(Body):
    body_id: Id
    name: Name
    region_code: RegionCode
    year: Year


class Candidate(Struct, forbid_unknown_fields=True):
    id: Id
    name: Name


class SpotCheckIn(Body):
    population: Literal["transfer_institutions", "projects"]
    region_code: RegionCode
    year: Year
    seed: Annotated[str, Meta(min_length=8, max_length=200)]
    candidates: Annotated[list[Candidate], Meta(min_length=1, max_length=2000)]
    ratio: Annotated[str, Meta(pattern=r"^0\.\d{1,4}$|^1$")] | None = None  # projects only: "部分" is the bureau's call

    def check(self):
        if self.population == "transfer_institutions" and self.ratio not in (None, "0.20", "0.2"):
            raise ValueError("技术转移机构抽查面为20%（种子004 五（三）2），不能另定 ratio")
        if self.population == "projects" and (self.ratio is None or Decimal(self.ratio) == 0):
            raise ValueError("课题抽查须给出抽查比例 ratio（制度只写“部分课题”）")
        if len({c.id for c in self.candidates}) != len(self.candidates):
            raise ValueError("candidates 中有重复的 id")


class LeaderIn(Body):
    leader_id: Id
    name: Name
    kind: Literal["leader", "team"]
    unit_name: Name
    region_code: RegionCode
    period_start: date


class AcceptanceIn(Body):
    held_on: date
    result: Literal["passed", "failed", "absent"]
    justified: bool = False  # absent for a good reason: the acceptance stays open
    rectify_by: date | None = None  # failed: the rectification deadline the bureau sets (限期整改)
    note: Annotated[str, Meta(max_length=1000)] = ""

    def check(self):
        if self.rectify_by is not None and self.rectify_by <= self.held_on:
            raise ValueError("整改期限 rectify_by 须晚于验收日")


class DoneIn(Body):
    done_on: date
    note: Annotated[str, Meta(max_length=1000)] = ""
    staff: Annotated[list[Name], Meta(max_length=20)] = []
    outcome: Literal["compliant", "rectify", "revoked"] | None = None
    rectify_by: date | None = None

    def check(self):
        if self.outcome == "rectify" and (self.rectify_by is None or self.rectify_by <= self.done_on):
            raise ValueError("责令整改须给出晚于检查日的整改期限 rectify_by")


COLLECTIONS = {
    "projects": "project_acceptance",
    "contracts": "contract_registration",
    "annual-reports": "project_annual_report",
    "project-checks": "project_spot_check",
    "registration-bodies": "registration_body_check",
    "transfer-checks": "transfer_spot_check",
    "leader-reviews": "leader_annual_review",
    "rectifications": "rectification",
}
CHECKS = ("project_spot_check", "registration_body_check", "transfer_spot_check")


def _bureau(caller: Identity, region_code: str) -> None:
    regions.validate(region_code)
    if not supervises(caller, region_code, role="science_bureau"):
        raise deny_scope("科技监管事项")


def _rule(message: str, code: str, kind: str) -> RuleViolation:
    return RuleViolation(message, code=code, article=SCIENCE[kind][1])


def _duty(
    kind: str, key: str, title: str, region_code: str, subject: dict, start: date, due: Deadline, period: date | None = None
) -> Obligation:
    """The duty's record, to be opened once. `period`: the unrolled last day of a counted period."""
    return obligations.new(
        f"{kind}:{region_code}:{key}",
        kind=kind,
        title=title,
        owner=f"science_bureau:{region_code}",
        region_code=region_code,
        start=start,
        due=due,
        subject={**subject, **({"period_end": period.isoformat()} if period else {})},
    )


def _open(
    kind: str, key: str, title: str, region_code: str, subject: dict, start: date, due: Deadline, period: date | None = None
) -> bool:
    """Open the duty once; False if it was open already."""
    return put_if_absent(_duty(kind, key, title, region_code, subject, start, due, period), Obligation.obligation_id)


def _period(
    kind: str, key: str, title: str, region_code: str, subject: dict, start: date, days: int = 0, months: int = 0
) -> bool:
    last = period_end(start, days=days, months=months)
    return _open(kind, key, title, region_code, subject, start, obligations.calendar_deadline(last), last)


def _year_end(year: int) -> Deadline:
    return Deadline(date(year, 12, 31), False)


def _once(opened: bool, obligation_id: str) -> Obligation:
    if not opened:
        raise Conflict("该事项已登记", code="already_registered")
    return Obligation.get(obligation_id)


def register_project(caller: Identity, data: ProjectIn) -> Obligation:
    _bureau(caller, data.region_code)
    subject = {
        "project_id": data.project_id,
        "name": data.name,
        "unit_name": data.unit_name,
        "ended_on": data.ended_on.isoformat(),
    }
    opened = _period(
        "project_acceptance",
        data.project_id,
        f"{data.unit_name}“{data.name}”项目验收",
        data.region_code,
        subject,
        data.ended_on,
        months=6,
    )
    if opened and data.started_on is not None:
        n = 1
        while period_end(data.started_on, months=12 * n) < data.ended_on:
            _period(
                "project_annual_report",
                f"{data.project_id}-{n}",
                f"{data.unit_name}“{data.name}”第{n}年度执行情况报告",
                data.region_code,
                {**subject, "report_year": n},
                data.started_on,
                months=12 * n,
            )
            n += 1
    obligations.note_region(data.region_code)
    return _once(opened, f"project_acceptance:{data.region_code}:{data.project_id}")


def register_contract(caller: Identity, data: ContractIn) -> Obligation:
    _bureau(caller, data.region_code)
    opened = _period(
        "contract_registration",
        data.contract_id,
        f"{data.applicant}“{data.name}”技术合同登记",
        data.region_code,
        {
            "contract_id": data.contract_id,
            "name": data.name,
            "applicant": data.applicant,
            "received_on": data.received_on.isoformat(),
        },
        data.received_on,
        days=30,
    )
    obligations.note_region(data.region_code)
    return _once(opened, f"contract_registration:{data.region_code}:{data.contract_id}")


def register_body(caller: Identity, data: RegistrationBodyIn) -> Obligation:
    """A registration body's check for the year: by two or more staff, at least once (三（四）1)."""
    _bureau(caller, data.region_code)
    key = f"{data.body_id}-{data.year}"
    opened = _open(
        "registration_body_check",
        key,
        f"{data.name}{data.year}年度监督检查",
        data.region_code,
        {"body_id": data.body_id, "name": data.name, "year": data.year},
        date(data.year, 1, 1),
        _year_end(data.year),
    )
    obligations.note_region(data.region_code)
    return _once(opened, f"registration_body_check:{data.region_code}:{key}")


def draw(candidate_ids: list[str], ratio: Decimal, seed: str) -> list[str]:
    """The spot check's selection: ratio of the candidates rounded up, smallest SHA-256(seed | id) first."""
    return sampling.take(candidate_ids, sampling.share(len(set(candidate_ids)), ratio), seed)


def spot_check(caller: Identity, data: SpotCheckIn) -> dict:
    """The year's spot check of a population, drawn once: the first draw's inputs are kept (digest),
    the same request again completes it and answers the same, different inputs are refused."""
    _bureau(caller, data.region_code)
    kind = "transfer_spot_check" if data.population == "transfer_institutions" else "project_spot_check"
    ratio = TRANSFER_RATIO if kind == "transfer_spot_check" else Decimal(data.ratio or "0")
    ids = sorted(c.id for c in data.candidates)
    digest = hashlib.sha256("|".join([data.seed, str(ratio), *ids]).encode()).hexdigest()
    marker = Tally(Tally.science_draw_key(data.region_code, data.population, data.year), count=len(ids), digest=digest)
    if (
        not put_if_absent(marker, Tally.tally_key)
        and get_or_404(Tally, marker.tally_key, message="抽查记录不存在", code="draw_not_found").digest != digest
    ):
        raise _rule(f"{data.year}年度该类抽查已按另一组种子或名单抽取，不能重抽", "already_drawn", kind)
    names = {c.id: c.name for c in data.candidates}
    selected = draw(ids, ratio, data.seed)
    what = "技术转移机构" if kind == "transfer_spot_check" else "科技计划课题"
    for candidate_id in selected:
        _open(
            kind,
            f"{candidate_id}-{data.year}",
            f"{names[candidate_id]}{data.year}年度{what}抽查",
            data.region_code,
            {
                "id": candidate_id,
                "name": names[candidate_id],
                "year": data.year,
                "seed": data.seed,
                "ratio": str(ratio),
                "candidates": len(ids),
            },
            date(data.year, 1, 1),
            _year_end(data.year),
        )
    obligations.note_region(data.region_code)
    return {
        "population": data.population,
        "region_code": data.region_code,
        "year": data.year,
        "seed": data.seed,
        "ratio": str(ratio),
        "candidates": len(ids),
        "selected": [{"id": i, "name": names[i]} for i in selected],
        "basis": SCIENCE[kind][1],
        "method": "按 SHA-256(种子|编号) 由小到大取前 ⌈比例×总数⌉ 个，公开种子即可复核",
    }


def register_leader(caller: Identity, data: LeaderIn) -> Obligation:
    """A science leader or team in its two-year management period: a yearly progress review and the
    acceptance by the period's end (四（三）). A leader or team barred for absence is refused (四（六）2)."""
    _bureau(caller, data.region_code)
    bar = get_or_none(Tally, Tally.science_bar_key(data.region_code, data.leader_id))
    if bar is not None and bar.digest and clock.today() <= date.fromisoformat(bar.digest):
        raise _rule(
            f"该{'科技领军人物' if data.kind == 'leader' else '科技创新团队'}无正当理由不参加验收，{bar.digest} 前不得再次申报",
            "barred_from_applying",
            "leader_acceptance",
        )
    key = f"{data.leader_id}-{data.period_start.isoformat()}"
    label = "科技领军人物" if data.kind == "leader" else "科技创新团队"
    subject = {
        "leader_id": data.leader_id,
        "name": data.name,
        "kind": data.kind,
        "unit_name": data.unit_name,
        "period_start": data.period_start.isoformat(),
        "title_status": "holding",
    }
    opened = _period(
        "leader_acceptance",
        key,
        f"{label}“{data.name}”管理期验收",
        data.region_code,
        subject,
        data.period_start,
        months=MANAGEMENT_MONTHS,
    )
    if opened:
        _period(
            "leader_annual_review", key, f"{label}“{data.name}”年度调度", data.region_code, subject, data.period_start, months=12
        )
    obligations.note_region(data.region_code)
    return _once(opened, f"leader_acceptance:{data.region_code}:{key}")


def _record(
    obligation_id: str,
    subject: dict,
    *,
    opens: Obligation | None = None,
    sets: Obligation | None = None,
    keeps: Tally | None = None,
) -> None:
    """Write the outcome and close the duty, once (only while it is still open), in one transaction with what
    the outcome brings: the duty it `opens` (once), the acceptance whose subject it `sets`, the record it `keeps`."""
    try:
        with Transaction() as tx:
            tx.update(
                Obligation(obligation_id),
                [Obligation.subject.set(subject), *obligations.closing()],
                condition=Obligation.status == "open",
            )
            if opens is not None:
                tx.save(opens, condition=Obligation.obligation_id.does_not_exist())
            if sets is not None:
                tx.update(sets, [Obligation.subject.set(subject)], condition=Obligation.obligation_id.exists())
            if keeps is not None:
                tx.save(keeps)
    except Cancelled as error:
        if not error.contended:
            raise
        raise Conflict("该事项已办结", code="already_done") from None


def _rectification(region_code: str, key: str, title: str, subject: dict, start: date, due: date) -> Obligation:
    return _duty("rectification", key, f"{title}：限期整改", region_code, subject, start, obligations.calendar_deadline(due), due)


def accept(caller: Identity, region_code: str, key: str, data: AcceptanceIn) -> Obligation:
    """A leader's or team's acceptance, or its re-evaluation after rectification (四（六））: passed keeps
    the title; a first failure opens a rectification to the date the bureau sets; a failure on
    re-evaluation revokes the title; absence without good reason forfeits it and bars applying for 5
    years. The title's state is kept on the acceptance; each outcome is written once (the duty it
    closes must still be open)."""
    _bureau(caller, region_code)
    acceptance = get_or_404(
        Obligation, f"leader_acceptance:{region_code}:{key}", message="事项不存在", code="obligation_not_found"
    )
    if data.result == "absent" and data.justified:
        return acceptance  # a good reason: the acceptance stays open, to be held again
    rectifying = acceptance.subject.get("title_status") == "rectifying"
    state = {"passed": "accepted", "absent": "forfeited", "failed": "revoked" if rectifying else "rectifying"}[data.result]
    outcome = {**acceptance.subject, "held_on": data.held_on.isoformat(), "note": data.note, "title_status": state}
    if state == "forfeited":
        outcome["barred_until"] = period_end(data.held_on, months=12 * BAR_YEARS).isoformat()
    opens = None
    if state == "rectifying":
        if data.rectify_by is None:
            raise ValidationError("首次验收不通过须给出整改期限 rectify_by（限期整改）", field="rectify_by", code="missing_field")
        outcome["rectify_by"] = data.rectify_by.isoformat()
        opens = _rectification(region_code, f"leader-{key}", acceptance.title, outcome, data.held_on, data.rectify_by)
    bar = (
        Tally(Tally.science_bar_key(region_code, acceptance.subject["leader_id"]), digest=outcome["barred_until"])
        if state == "forfeited"
        else None
    )
    _record(
        f"rectification:{region_code}:leader-{key}" if rectifying else acceptance.obligation_id,
        outcome,
        opens=opens,
        sets=acceptance if rectifying else None,
        keeps=bar,
    )
    return Obligation.get(acceptance.obligation_id)


def mark_done(caller: Identity, collection: str, region_code: str, key: str, data: DoneIn) -> Obligation:
    _bureau(caller, region_code)
    kind = COLLECTIONS[collection]
    obligation_id = f"{kind}:{region_code}:{key}"
    record = get_or_404(Obligation, obligation_id, message="事项不存在", code="obligation_not_found")
    if record.status != "open":
        raise Conflict("该事项已办结", code="already_done")
    if kind == "registration_body_check" and len(set(data.staff)) < 2:
        raise _rule(
            "对技术合同认定登记机构的检查应当指派2名以上工作人员进行，请列明参加检查的工作人员", "two_staff_required", kind
        )
    if data.outcome is not None and kind not in CHECKS:
        raise _rule("只有抽查和年度检查登记检查结论", "outcome_not_applicable", kind)
    if data.outcome == "revoked" and kind != "transfer_spot_check":
        raise _rule("取消称号只适用于经查实不符合条件的技术转移机构", "outcome_not_applicable", kind)
    opens = None
    if data.outcome == "rectify":
        assert data.rectify_by is not None  # DoneIn.check
        opens = _rectification(
            region_code, key, record.title, {**record.subject, "from": obligation_id}, data.done_on, data.rectify_by
        )
    _record(
        obligation_id,
        {
            **record.subject,
            "done_on": data.done_on.isoformat(),
            "note": data.note,
            **({"staff": data.staff} if data.staff else {}),
            **({"outcome": data.outcome} if data.outcome else {}),
        },
        opens=opens,
    )
    return Obligation.get(obligation_id)


def view(record: Obligation) -> dict:
    return obligations.view(record, clock.today())
