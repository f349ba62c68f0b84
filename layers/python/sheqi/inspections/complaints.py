"""Complaints by an enterprise (Art. 24, 27): about a visit, a refused attempt, or an inspection that
skipped scan-in altogether. Each goes to the judicial bureau of the enterprise's region and moves
received -> handling -> answered; the enterprise is told at every step."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field, model_validator
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from sheqi import clock
from sheqi.auth import Identity, deny_scope, region_or_own, require_role, supervises
from sheqi.errors import Conflict, NotFound, ValidationError
from sheqi.inputs import Body
from sheqi.inspections import visits
from sheqi.registry.registers import get_enterprise
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.store import Complaint, Notice, Scan, cancelled_on_condition, pagination

SUBJECTS = {"visit": "对已登记检查的投诉", "refused_attempt": "对被拒绝登记的检查的投诉",
            "unregistered_inspection": "未扫码登记即实施检查"}
STATUSES = {"received": "已受理", "handling": "处理中", "answered": "已答复"}
NEXT = {"received": ("handling", "answered"), "handling": ("answered",), "answered": ()}


class ComplaintIn(Body):
    subject: Literal[tuple(SUBJECTS)]
    visit_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    scan_id: str | None = Field(default=None, max_length=200)
    agency_name: str | None = Field(default=None, min_length=2, max_length=100)
    occurred_on: date | None = None
    description: str = Field(min_length=10, max_length=4000)
    prohibited_practices: list[Literal[tuple(PROHIBITED_PRACTICES)]] = Field(default_factory=list, max_length=7)

    @model_validator(mode="after")
    def _names_its_subject(self):
        needed = {"visit": ("visit_id",), "refused_attempt": ("scan_id",),
                  "unregistered_inspection": ("agency_name", "occurred_on")}[self.subject]
        missing = [f for f in needed if getattr(self, f) is None]
        if missing:
            raise ValueError(f"投诉类型 {self.subject} 须填写 {'、'.join(missing)}")
        return self


class StatusIn(Body):
    status: Literal["handling", "answered"]
    note: str = Field(min_length=2, max_length=4000)


def file(caller: Identity, data: ComplaintIn) -> Complaint:
    require_role(caller, "enterprise")
    enterprise = get_enterprise(caller.enterprise_id)
    agency_id = agency_name = None
    if data.subject == "visit":
        visit = visits.get(data.visit_id)
        if visit.enterprise_id != caller.enterprise_id:
            raise deny_scope("检查记录")
        agency_id = visit.agency_ids[0]
    elif data.subject == "refused_attempt":
        try:
            scan = Scan.get(data.scan_id)
        except DoesNotExist:
            scan = None
        if scan is None or scan.enterprise_id != caller.enterprise_id or scan.outcome != "refused":
            raise ValidationError("字段 scan_id：不是本企业被拒绝登记的扫码记录", field="scan_id", code="scan_not_found")
        agency_id = scan.agency_id
    else:
        agency_name = data.agency_name
    now = clock.now_iso()
    complaint = Complaint(uuid.uuid4().hex, enterprise_id=caller.enterprise_id, region_code=enterprise.region_code,
                          subject=data.subject, visit_id=data.visit_id, scan_id=data.scan_id, agency_id=agency_id,
                          agency_name=agency_name, occurred_on=data.occurred_on.isoformat() if data.occurred_on else None,
                          description=data.description, prohibited_practices=sorted(set(data.prohibited_practices)),
                          history=[{"status": "received", "at": now, "by": caller.subject}], created_at=now)
    flagged = "、".join(PROHIBITED_PRACTICES[f] for f in complaint.prohibited_practices)
    notice = Notice(f"judicial:{enterprise.region_code}", f"complaint:{complaint.complaint_id}", kind="complaint_received",
                    article=ART[27] if flagged else ART[24], created_at=now,
                    title=f"新投诉：{enterprise.name}（{SUBJECTS[data.subject]}）",
                    body=f"{enterprise.name}投诉：{data.description}" + (f"。反映第二十七条禁止行为：{flagged}" if flagged else ""))
    with TransactWrite(connection=Complaint._get_connection().connection) as tx:
        tx.save(complaint, condition=Complaint.complaint_id.does_not_exist())
        tx.save(notice, condition=Notice.notice_id.does_not_exist())
    return complaint


def get(complaint_id: str) -> Complaint:
    try:
        return Complaint.get(complaint_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound("投诉不存在", code="complaint_not_found") from None


def _handles(caller: Identity, complaint: Complaint) -> bool:
    return supervises(caller, complaint.region_code)


def visible(caller: Identity, complaint_id: str) -> Complaint:
    complaint = get(complaint_id)
    if not (_handles(caller, complaint) or (caller.role == "enterprise" and caller.enterprise_id == complaint.enterprise_id)):
        raise deny_scope("投诉")
    return complaint


def move(caller: Identity, complaint_id: str, data: StatusIn) -> Complaint:
    """The judicial bureau takes a complaint up or answers it; the enterprise is told."""
    complaint = get(complaint_id)
    if not (caller.role == "judicial" and regions.covers(caller.region_code, complaint.region_code)):
        raise deny_scope("投诉")
    if data.status not in NEXT[complaint.status]:
        raise Conflict(f"投诉当前为“{STATUSES[complaint.status]}”，不能改为“{STATUSES[data.status]}”", code="invalid_transition")
    now = clock.now_iso()
    before = complaint.status
    complaint.status = data.status
    complaint.history = complaint.history + [{"status": data.status, "at": now, "by": caller.subject, "note": data.note}]
    if data.status == "answered":
        complaint.answer = data.note
    notice = Notice(f"enterprise:{complaint.enterprise_id}", f"complaint:{complaint.complaint_id}:{data.status}",
                    kind=f"complaint_{data.status}", article=ART[24], created_at=now,
                    title=f"投诉{STATUSES[data.status]}", body=f"您于 {complaint.created_at[:10]} 提交的投诉{STATUSES[data.status]}：{data.note}")
    try:
        with TransactWrite(connection=Complaint._get_connection().connection) as tx:
            tx.save(complaint, condition=Complaint.status == before)    # with the version: one move at a time
            tx.save(notice, condition=Notice.notice_id.does_not_exist())
    except TransactWriteError as error:
        if any(cancelled_on_condition(error)):
            raise Conflict("投诉状态已被他人更新，请刷新后重试", code="stale_complaint") from None
        raise
    return complaint


def list_for(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    """The enterprise's own complaints, or a region's for its judicial bureau; newest first."""
    start = pagination.decode(cursor)
    if caller.role == "enterprise":
        results = Complaint.by_enterprise.query(caller.enterprise_id, scan_index_forward=False, limit=limit,
                                                page_size=limit, last_evaluated_key=start)
    else:
        region_code = region_or_own(caller, region_code)
        if not supervises(caller, region_code):
            raise deny_scope("投诉")
        results = Complaint.by_region.query(region_code, scan_index_forward=False, limit=limit, page_size=limit,
                                            last_evaluated_key=start)
    return pagination.page(results, view)


def view(complaint: Complaint) -> dict:
    return {"complaint_id": complaint.complaint_id, "enterprise_id": complaint.enterprise_id,
            "region_code": complaint.region_code, "subject": complaint.subject, "subject_label": SUBJECTS[complaint.subject],
            "visit_id": complaint.visit_id, "scan_id": complaint.scan_id, "agency_id": complaint.agency_id,
            "agency_name": complaint.agency_name, "occurred_on": complaint.occurred_on,
            "description": complaint.description,
            "prohibited_practices": [{"code": f, "label": PROHIBITED_PRACTICES[f]} for f in complaint.prohibited_practices],
            "status": complaint.status, "status_label": STATUSES[complaint.status], "history": complaint.history,
            "answer": complaint.answer, "created_at": complaint.created_at}
