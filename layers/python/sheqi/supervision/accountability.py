"""Accountability measures (Art. 31): where an agency or its inspectors break these rules, the judicial
bureau may summon (约谈), publicly report (通报) or order correction (责令改正), addressed to the agency's
head (负责人) or to a person responsible (相关责任人, here one of the agency's inspectors).

A measure is a record: the bureau supervising the agency (its own region, or a city bureau over its
counties) records it, the agency is notified, the bureau and the platform read the region's measures,
and the agency reads its own. Each kind carries what makes it a measure: the day of the summons, to whom
the report goes, and by when the order must be carried out. An order opens a `correction_order` obligation
due that day, so the reminder run reminds the agency and, once it is overdue, the bureau; the agency
closes it with its written report that it corrected, which the bureau is notified of."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from msgspec import Meta

from sheqi import clock
from sheqi.auth import Identity, deny_scope, region_or_own
from sheqi.errors import Conflict, NotFound, RuleViolation
from sheqi.inputs import Body, Invalid, Key, OneOf
from sheqi.registry.registers import get_agency, get_inspector
from sheqi.reminders import obligations
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.labels import ACCOUNTABILITY
from sheqi.rules.workdays import Deadline
from sheqi.store import Cancelled, Transaction, pagination
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.supervision import Accountability, region_records

# What each kind must state (field -> its Chinese name).
REQUIRED = {"summons": ("held_on", "约谈日期"), "report": ("scope", "通报范围"), "order": ("correct_by", "改正期限")}


class CorrectionReportIn(Body):
    """The agency's written report that it carried out an order to correct."""

    report: Annotated[str, Meta(min_length=4, max_length=2000)]
    corrected_on: date


class MeasureIn(Body):
    kind: Annotated[str, OneOf(ACCOUNTABILITY)]
    agency_id: Annotated[str, Meta(min_length=18, max_length=18)]
    findings: Annotated[list[Annotated[str, Meta(min_length=2, max_length=500)]], Meta(min_length=1, max_length=20)]
    requirements: Annotated[str, Meta(min_length=4, max_length=2000)]
    inspector_id: Key | None = None  # the person responsible; without one, the measure addresses the agency's head
    held_on: date | None = None
    scope: Annotated[str, Meta(min_length=2, max_length=200)] | None = None
    correct_by: date | None = None

    def check(self) -> None:
        field, name = REQUIRED[self.kind]
        if getattr(self, field) is None:
            raise Invalid(f"{ACCOUNTABILITY[self.kind]}须填写{name}（{field}）", field)
        for other, (other_field, _) in REQUIRED.items():
            if other != self.kind and getattr(self, other_field) is not None:
                raise Invalid(f"{ACCOUNTABILITY[self.kind]}不填写 {other_field}", other_field)


def _bureau(caller: Identity, region_code: str) -> None:
    """Only the judicial bureau supervising the agency's region acts or reads (Art. 31)."""
    if not (caller.role == "judicial" and regions.covers(caller.region_code, region_code)):
        raise deny_scope("问责记录：应由对该机关有监督权的司法行政机关办理")


def record(caller: Identity, data: MeasureIn) -> Accountability:
    """The bureau records a measure against the agency or one of its inspectors and notifies the agency."""
    agency = get_agency(data.agency_id)
    _bureau(caller, agency.region_code)
    assert caller.region_code is not None  # a judicial token names its region (auth.Identity)
    person = f"{agency.name}负责人"
    if data.inspector_id:
        inspector = get_inspector(data.inspector_id)
        if inspector.agency_id != agency.agency_id:
            raise RuleViolation(
                "执法人员（inspector_id）不属于被问责的机关",
                code="inspector_not_of_agency",
                article=ART[31],
                field="inspector_id",
            )
        person = f"{agency.name}执法人员{inspector.name}"
    if data.correct_by is not None and data.correct_by <= clock.today():
        raise RuleViolation("改正期限（correct_by）须晚于今天", code="correct_by_past", article=ART[31], field="correct_by")
    created_at, measure_id = clock.now_iso(), uuid.uuid4().hex
    issuer = f"{regions.name(caller.region_code)}司法局"
    measure = Accountability(
        *Accountability.key(agency.agency_id, created_at, measure_id),
        record_kind="measure",
        region_code=agency.region_code,
        created_at=created_at,
        measure_id=measure_id,
        measure_kind=data.kind,
        agency_id=agency.agency_id,
        agency_name=agency.name,
        inspector_id=data.inspector_id,
        person_name=person,
        bureau_region_code=caller.region_code,
        issuer_name=issuer,
        findings=data.findings,
        requirements=data.requirements,
        held_on=_iso(data.held_on),
        scope=data.scope,
        correct_by=_iso(data.correct_by),
        recorded_by=caller.subject,
    )
    with Transaction() as tx:
        tx.save(measure, condition=Accountability.pk.does_not_exist())
        tx.save(_notice(measure), condition=Notice.notice_id.does_not_exist())
        if data.correct_by is not None:
            tx.save(_correction_obligation(measure, data.correct_by), condition=Obligation.obligation_id.does_not_exist())
    return measure


def _correction_obligation(measure: Accountability, correct_by: date) -> Obligation:
    """The order's deadline, the day the bureau set (no roll-forward: the bureau chose it)."""
    return obligations.new(
        f"correction_order:{measure.measure_id}",
        kind="correction_order",
        title=f"{measure.issuer_name}责令{measure.person_name}改正",
        owner=f"agency:{measure.agency_id}",
        region_code=measure.region_code or "",
        subject={"agency_id": measure.agency_id, "created_at": measure.created_at, "measure_id": measure.measure_id},
        start=clock.today(),
        due=Deadline(correct_by, False),
    )


def get_measure(agency_id: str, measure_id: str) -> Accountability:
    """One of an agency's measures by id (a Query of the agency's few measures)."""
    partition, condition = Accountability.of_agency(agency_id)
    for measure in Accountability.query(partition, condition, filter_condition=Accountability.measure_id == measure_id):
        return measure
    raise NotFound("问责记录不存在", code="measure_not_found")


def report_correction(caller: Identity, agency_id: str, measure_id: str, data: CorrectionReportIn) -> Accountability:
    """The agency reports, once, that it corrected as ordered; the order's obligation is done and the bureau
    that ordered it is notified. A report after the deadline is kept and shown as late."""
    if not (caller.role == "agency_admin" and caller.agency_id == agency_id):
        raise deny_scope("问责记录：改正情况由被责令改正的机关报告")
    measure = get_measure(agency_id, measure_id)
    if measure.measure_kind != "order":
        raise RuleViolation(
            f"{ACCOUNTABILITY[measure.measure_kind or 'order']}无须报告改正情况", code="measure_not_an_order", article=ART[31]
        )
    if data.corrected_on > clock.today():
        raise RuleViolation("改正日期（corrected_on）不能晚于今天", code="corrected_on_future", field="corrected_on")
    now = clock.now_iso()
    bureau = Notice(
        f"judicial:{measure.bureau_region_code}",
        f"accountability-report:{measure_id}",
        kind="accountability_correction_reported",
        article=ART[31],
        created_at=now,
        title=f"{measure.agency_name}报告已改正",
        body=f"{measure.agency_name}报告已于 {data.corrected_on.isoformat()} 按责令改正的要求改正"
        + f"（改正期限 {measure.correct_by}）：{data.report}",
    )
    try:
        with Transaction() as tx:
            tx.update(
                measure,
                actions=[
                    Accountability.correction_report.set(data.report),
                    Accountability.corrected_on.set(data.corrected_on.isoformat()),
                    Accountability.reported_at.set(now),
                    Accountability.reported_by.set(caller.subject),
                ],
                condition=Accountability.reported_at.does_not_exist(),
            )
            tx.save(bureau, condition=Notice.notice_id.does_not_exist())
    except Cancelled as error:
        if not error.contended:
            raise
        raise Conflict("已报告过改正情况", code="correction_already_reported", article=ART[31]) from None
    obligations.complete(f"correction_order:{measure_id}")
    measure.correction_report, measure.corrected_on = data.report, data.corrected_on.isoformat()
    measure.reported_at, measure.reported_by = now, caller.subject
    return measure  # as written: no second read


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _notice(measure: Accountability) -> Notice:
    kind = ACCOUNTABILITY[measure.measure_kind or "order"]
    detail = {
        "summons": f"约谈日期：{measure.held_on}",
        "report": f"通报范围：{measure.scope}",
        "order": f"请于 {measure.correct_by} 前改正并书面报告",
    }[measure.measure_kind or "order"]
    return Notice(
        f"agency:{measure.agency_id}",
        f"accountability:{measure.measure_id}",
        kind=f"accountability_{measure.measure_kind}",
        article=ART[31],
        created_at=measure.created_at,
        title=f"{measure.issuer_name}对{measure.person_name}{kind}",
        body=f"{measure.issuer_name}就以下问题对{measure.person_name}予以{kind}："
        + "；".join(measure.findings)
        + f"。要求：{measure.requirements}。{detail}（第三十一条）。",
    )


def list_for_region(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    """A region's measures, newest first: its bureau (or one covering it) and the platform."""
    region_code = region_or_own(caller, region_code)
    if caller.role != "platform_admin":
        _bureau(caller, region_code)
    results = region_records(Accountability.by_region, "measure", region_code, cursor, limit)
    return pagination.page(results, view)


def list_for_agency(caller: Identity, agency_id: str, limit: int, cursor: str | None) -> dict:
    """An agency's measures, newest first: the agency's own admin, its bureau, the platform."""
    if not (caller.role == "platform_admin" or (caller.role == "agency_admin" and caller.agency_id == agency_id)):
        _bureau(caller, get_agency(agency_id).region_code)
    partition, condition = Accountability.of_agency(agency_id)
    results = pagination.query(
        Accountability, partition, cursor, condition, scan_index_forward=False, limit=limit, page_size=limit
    )
    return pagination.page(results, view)


def view(measure: Accountability) -> dict:
    return {
        "measure_id": measure.measure_id,
        "kind": measure.measure_kind,
        "kind_label": ACCOUNTABILITY[measure.measure_kind or "order"],
        "agency_id": measure.agency_id,
        "agency_name": measure.agency_name,
        "inspector_id": measure.inspector_id,
        "person_name": measure.person_name,
        "region_code": measure.region_code,
        "bureau_region_code": measure.bureau_region_code,
        "issuer_name": measure.issuer_name,
        "findings": measure.findings,
        "requirements": measure.requirements,
        "held_on": measure.held_on,
        "scope": measure.scope,
        "correct_by": measure.correct_by,
        "correction_report": measure.correction_report,
        "corrected_on": measure.corrected_on,
        "reported_at": measure.reported_at,
        "reported_late": bool(measure.correct_by and measure.reported_at and measure.reported_at[:10] > measure.correct_by),
        "created_at": measure.created_at,
        "article": ART[31],
    }
