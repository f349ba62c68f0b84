"""Complaints by an enterprise (Art. 24, 27): about a visit, a refused attempt, or an inspection that
skipped scan-in altogether. Each goes to the judicial bureau of the enterprise's region and moves
received -> handling -> answered; the enterprise is told at every step."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from msgspec import Meta

from sheqi import clock
from sheqi.auth import Identity, deny_scope, region_or_own, require_role, supervises
from sheqi.errors import Conflict, ValidationError
from sheqi.inputs import Body, Key, OneOf
from sheqi.inspections import visits
from sheqi.registry.registers import get_enterprise
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.labels import COMPLAINT_STATUSES, COMPLAINT_SUBJECTS
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, pagination
from sheqi.store.feedback import Complaint
from sheqi.store.notices import Notice
from sheqi.store.visits import Scan

SUBJECTS, STATUSES = COMPLAINT_SUBJECTS, COMPLAINT_STATUSES
NEXT = {"received": ("handling", "answered"), "handling": ("answered",), "answered": ()}


class ComplaintIn(Body):
    subject: Annotated[str, OneOf(SUBJECTS)]
    description: Annotated[str, Meta(min_length=10, max_length=4000)]
    visit_id: Annotated[str, Meta(pattern=r"^[0-9a-f]{32}$")] | None = None
    scan_id: Key | None = None
    agency_name: Annotated[str, Meta(min_length=2, max_length=100)] | None = None
    occurred_on: date | None = None
    prohibited_practices: Annotated[list[Annotated[str, OneOf(PROHIBITED_PRACTICES)]], Meta(max_length=7)] = []

    def check(self):
        needed = {
            "visit": ("visit_id",),
            "refused_attempt": ("scan_id",),
            "unregistered_inspection": ("agency_name", "occurred_on"),
        }[self.subject]
        missing = [f for f in needed if getattr(self, f) is None]
        if missing:
            raise ValueError(f"投诉类型 {self.subject} 须填写 {'、'.join(missing)}")


class StatusIn(Body):
    status: Literal["handling", "answered"]
    note: Annotated[str, Meta(min_length=2, max_length=4000)]


def file(caller: Identity, data: ComplaintIn) -> Complaint:
    require_role(caller, "enterprise")
    assert caller.enterprise_id is not None  # an enterprise's token names it (auth.Identity)
    enterprise = get_enterprise(caller.enterprise_id)
    agency_id = agency_name = None
    if data.subject == "visit":
        assert data.visit_id is not None  # ComplaintIn requires it for this subject
        visit = visits.get(data.visit_id)
        if visit.enterprise_id != caller.enterprise_id:
            raise deny_scope("检查记录")
        agency_id = visit.agency_ids[0]
    elif data.subject == "refused_attempt":
        assert data.scan_id is not None  # ComplaintIn requires it for this subject
        scan = get_or_none(Scan, data.scan_id)
        if scan is None or scan.enterprise_id != caller.enterprise_id or scan.outcome != "refused":
            raise ValidationError("字段 scan_id：不是本企业被拒绝登记的扫码记录", field="scan_id", code="scan_not_found")
        agency_id = scan.agency_id
    else:
        agency_name = data.agency_name
    now = clock.now_iso()
    complaint = Complaint(
        uuid.uuid4().hex,
        enterprise_id=caller.enterprise_id,
        region_code=enterprise.region_code,
        subject=data.subject,
        visit_id=data.visit_id,
        scan_id=data.scan_id,
        agency_id=agency_id,
        agency_name=agency_name,
        occurred_on=data.occurred_on.isoformat() if data.occurred_on else None,
        description=data.description,
        prohibited_practices=sorted(set(data.prohibited_practices)),
        history=[{"status": "received", "at": now, "by": caller.subject}],
        created_at=now,
    )
    flagged = "、".join(PROHIBITED_PRACTICES[f] for f in complaint.prohibited_practices)
    notice = Notice(
        f"judicial:{enterprise.region_code}",
        f"complaint:{complaint.complaint_id}",
        kind="complaint_received",
        article=ART[27] if flagged else ART[24],
        created_at=now,
        title=f"新投诉：{enterprise.name}（{SUBJECTS[data.subject]}）",
        body=f"{enterprise.name}投诉：{data.description}" + (f"。反映第二十七条禁止行为：{flagged}" if flagged else ""),
    )
    with Transaction() as tx:
        tx.save(complaint, condition=Complaint.complaint_id.does_not_exist())
        tx.save(notice, condition=Notice.notice_id.does_not_exist())
    return complaint


def get(complaint_id: str) -> Complaint:
    return get_or_404(Complaint, complaint_id, message="投诉不存在", code="complaint_not_found", consistent_read=True)


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
    notice = Notice(
        f"enterprise:{complaint.enterprise_id}",
        f"complaint:{complaint.complaint_id}:{data.status}",
        kind=f"complaint_{data.status}",
        article=ART[24],
        created_at=now,
        title=f"投诉{STATUSES[data.status]}",
        body=f"您于 {complaint.created_at[:10]} 提交的投诉{STATUSES[data.status]}：{data.note}",
    )
    try:
        with Transaction() as tx:
            tx.save(complaint, condition=Complaint.status == before)  # with the version: one move at a time
            tx.save(notice, condition=Notice.notice_id.does_not_exist())
    except Cancelled as error:
        if error.failed:
            raise Conflict("投诉状态已被他人更新，请刷新后重试", code="stale_complaint") from None
        raise
    return complaint


def list_for(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    """The enterprise's own complaints, or a region's for its judicial bureau; newest first."""
    if caller.role == "enterprise":
        assert caller.enterprise_id is not None  # an enterprise's token names it (auth.Identity)
        results = pagination.query(
            Complaint.by_enterprise, caller.enterprise_id, cursor, scan_index_forward=False, limit=limit, page_size=limit
        )
    else:
        region_code = region_or_own(caller, region_code)
        if not supervises(caller, region_code):
            raise deny_scope("投诉")
        results = pagination.query(
            Complaint.by_region, region_code, cursor, scan_index_forward=False, limit=limit, page_size=limit
        )
    return pagination.page(results, view)


def view(complaint: Complaint) -> dict:
    return {
        "complaint_id": complaint.complaint_id,
        "enterprise_id": complaint.enterprise_id,
        "region_code": complaint.region_code,
        "subject": complaint.subject,
        "subject_label": SUBJECTS[complaint.subject],
        "visit_id": complaint.visit_id,
        "scan_id": complaint.scan_id,
        "agency_id": complaint.agency_id,
        "agency_name": complaint.agency_name,
        "occurred_on": complaint.occurred_on,
        "description": complaint.description,
        "prohibited_practices": [{"code": f, "label": PROHIBITED_PRACTICES[f]} for f in complaint.prohibited_practices],
        "status": complaint.status,
        "status_label": STATUSES[complaint.status],
        "history": complaint.history,
        "answer": complaint.answer,
        "created_at": complaint.created_at,
    }
