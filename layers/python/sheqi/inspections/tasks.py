"""Inspection tasks: what an agency approves before an on-site inspection (Art. 19), checked at
approval against the published item list (Art. 14), the plan in force (Art. 16), special-campaign
approval (Art. 13) and the Art. 12 exceptions; joint tasks name several agencies (Art. 17)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import Conflict, NotFound, RuleViolation
from sheqi.inputs import Body
from sheqi.plans import campaigns, filing
from sheqi.rules import qualification, regions, uscc
from sheqi.rules.articles import ART
from sheqi.rules.scan_rules import EXCEPTION_REASONS
from sheqi.store import Agency, Enterprise, Inspector, Item, Notice, OffsiteClear, Task, cancelled_on_condition, condition_failed

MAX_TARGETS = 50
MAX_ITEMS = 10   # keeps a scan's single transaction within DynamoDB's 100 actions


class Trigger(Body):
    """Why a case-based inspection (Art. 6): complaint, referral, data monitoring, enterprise request."""
    kind: Literal["complaint", "referral", "data_monitoring", "enterprise_request"]
    reference: str = Field(min_length=2, max_length=100)


class Exception12(Body):
    reason: int = Field(ge=1, le=5)
    reference: str = Field(min_length=2, max_length=100)


class Participant(Body):
    agency_id: str
    item_ids: list[str] = Field(min_length=1, max_length=20)
    inspector_ids: list[str] = Field(min_length=1, max_length=20)

    _id = field_validator("agency_id")(lambda v: uscc.validate(v, "agency_id"))


class TaskIn(Body):
    type: Literal["routine", "case", "special"]
    method: Literal["on_site", "off_site"]
    targets: list[str] = Field(min_length=1, max_length=MAX_TARGETS)
    participants: list[Participant] = Field(min_length=1, max_length=5)
    window_start: datetime
    window_end: datetime
    trigger: Trigger | None = None
    exception: Exception12 | None = None
    campaign_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")   # a special campaign (Art. 13)
    announced: bool = True
    unannounced_reason: str | None = Field(default=None, min_length=4, max_length=200)

    @field_validator("targets")
    @classmethod
    def _targets(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(uscc.validate(v, "targets") for v in values))

    _in_cst = field_validator("window_start", "window_end")(clock.in_cst)

    @model_validator(mode="after")
    def _consistent(self):
        if self.window_end <= self.window_start:
            raise ValueError("window_end 须晚于 window_start")
        if self.window_start.year != self.window_end.year:
            raise ValueError("检查时间不得跨年度：年度计划按年备案（第十六条）")
        if self.type == "special" and self.campaign_id is None:
            raise ValueError("专项检查须注明已批准并备案的专项检查 campaign_id（第十三条）")
        if self.type == "case" and self.trigger is None:
            raise ValueError("个案检查须注明线索来源 trigger（第六条）")
        if not self.announced and not self.unannounced_reason:
            raise ValueError("不预告的检查须说明理由 unannounced_reason")
        agencies = [p.agency_id for p in self.participants]
        if len(set(agencies)) != len(agencies):
            raise ValueError("participants 中同一机关只能出现一次")
        if sum(len(p.item_ids) for p in self.participants) > MAX_ITEMS:
            raise ValueError(f"一次检查的事项合计不得超过{MAX_ITEMS}项")
        if self.method == "on_site" and len({i for p in self.participants for i in p.inspector_ids}) < 2:
            raise ValueError("现场检查执法人员不得少于两人（第十九条）")
        return self


def _refuse(code: str, article: int, message: str, field: str) -> RuleViolation:
    return RuleViolation(message, code=code, article=ART[article], field=field)


def _check_participant(p: Participant, index: int, on: date) -> list[dict]:
    """Raise if this agency's part of the task breaks Art. 4, 14 or 16; else its items as approved
    (name, basis and frequency caps are kept with the task, so a scan need not read them again)."""
    field = f"participants.{index}"
    try:
        agency = Agency.get(p.agency_id)
    except DoesNotExist:
        raise NotFound(f"机关 {p.agency_id} 不存在", code="agency_not_found", field=f"{field}.agency_id") from None
    for finding in qualification.agency_findings(agency.kind):
        raise RuleViolation(f"{agency.name}：{finding.message}", code=finding.code, article=finding.article,
                            field=f"{field}.agency_id")
    items = {i.item_id: i for i in Item.batch_get([(p.agency_id, i) for i in p.item_ids])}
    for item_id in p.item_ids:
        if item_id not in items or items[item_id].status != "published":
            raise _refuse("item_not_published", 14, f"检查事项 {item_id} 未在{agency.name}的检查事项清单中公布，不得实施",
                          f"{field}.item_ids")
    in_force = filing.items_in_force_for(p.agency_id, on) or frozenset()
    outside = [i for i in p.item_ids if i not in in_force]
    if outside:
        raise _refuse("not_in_plan", 16, f"检查事项 {outside[0]} 不在{agency.name}{on.isoformat()}有效的已备案检查计划内（计划之外无检查）",
                      f"{field}.item_ids")
    members = {i.inspector_id: i for i in Inspector.batch_get(p.inspector_ids)}
    for inspector_id in p.inspector_ids:
        if inspector_id not in members or members[inspector_id].agency_id != p.agency_id:
            raise _refuse("inspector_not_of_agency", 4, f"执法人员 {inspector_id} 不属于{agency.name}",
                          f"{field}.inspector_ids")
    return [{"item_id": i, "name": items[i].name, "legal_basis": items[i].legal_basis,
             "caps": items[i].frequency_caps.as_dict()} for i in p.item_ids]


def create(caller: Identity, data: TaskIn, task_id: str | None = None) -> Task:
    """Create a task; the caller's agency approves its part by creating it. A single-agency task is
    approved at once; a joint task once every participating agency has approved (Art. 17, 19)."""
    auth.require_role(caller, "agency_admin")
    lead = data.participants[0].agency_id
    if lead != caller.agency_id:
        raise auth.deny_scope("机关的检查任务：牵头机关须为本机关（participants 第一项）")
    year = str(data.window_start.year)
    if data.type == "special":
        campaigns.check_for_task(data.campaign_id, lead, year, [i for p in data.participants for i in p.item_ids])
    approved_items = [_check_participant(p, index, data.window_start.date()) for index, p in enumerate(data.participants)]
    registered = {e.enterprise_id for e in Enterprise.batch_get(data.targets)}
    missing = [t for t in data.targets if t not in registered]
    if missing:
        raise NotFound(f"企业 {missing[0]} 未登记", code="enterprise_not_found", field="targets")

    now = clock.now_iso()
    participants = [{"agency_id": p.agency_id, "items": items, "inspector_ids": p.inspector_ids,
                     "approved_by": None, "approved_at": None} for p, items in zip(data.participants, approved_items)]
    participants[0].update(approved_by=caller.subject, approved_at=now)
    task = Task(
        task_id=task_id or uuid.uuid4().hex, agency_id=lead, region_code=caller.region_code, created_at=now,
        created_by=caller.subject, year=year,
        type=data.type, method=data.method, targets=data.targets, participants=participants,
        window_start=data.window_start.isoformat(), window_end=data.window_end.isoformat(),
        trigger=data.trigger.model_dump() if data.trigger else None,
        exception=data.exception.model_dump() if data.exception else None,
        campaign_id=data.campaign_id,
        announced=data.announced, unannounced_reason=data.unannounced_reason,
        status="approved" if len(participants) == 1 else "pending_approval")
    _save_with_announcements(task, condition=Task.task_id.does_not_exist())
    return task


def approve(caller: Identity, task_id: str) -> Task:
    """A participating agency's admin approves its part of a joint task."""
    auth.require_role(caller, "agency_admin")
    task = get(task_id)
    part = next((p for p in task.participants if p["agency_id"] == caller.agency_id), None)
    if part is None:
        raise auth.deny_scope("检查任务")
    if part["approved_at"]:
        raise Conflict("本机关已批准该任务", code="already_approved")
    part.update(approved_by=caller.subject, approved_at=clock.now_iso())
    if all(p["approved_at"] for p in task.participants):
        task.status = "approved"
    _save_with_announcements(task)
    return task


def _save_with_announcements(task: Task, condition=None) -> None:
    """Save the task and, once it is approved and announced, its advance notice to each target (检查预告)."""
    try:
        with TransactWrite(connection=Task._get_connection().connection) as tx:
            tx.save(task, condition=condition)
            if task.status == "approved" and task.announced:
                for notice in announcements(task):
                    tx.save(notice, condition=Notice.notice_id.does_not_exist())
    except TransactWriteError as error:
        if any(cancelled_on_condition(error)):
            raise Conflict("检查任务已被他人修改，请刷新后重试", code="stale_version") from None
        raise


def announcements(task: Task) -> list[Notice]:
    agencies = {a.agency_id: a.name for a in Agency.batch_get([p["agency_id"] for p in task.participants])}
    names = "、".join(agencies[p["agency_id"]] for p in task.participants)
    start, end = (datetime.fromisoformat(t) for t in (task.window_start, task.window_end))
    return [Notice(f"enterprise:{target}", f"task-announced:{task.task_id}", kind="inspection_announced",
                   title=f"检查预告：{names}",
                   body=f"{names}拟于{start:%Y-%m-%d %H:%M}至{end:%Y-%m-%d %H:%M}对贵单位实施现场检查。"
                        "执法人员入企须扫码登记、出示执法证件，且不少于两人（第十九条、第二十四条）。",
                   article=ART[24], created_at=clock.now_iso()) for target in task.targets]


def get(task_id: str) -> Task:
    try:
        return Task.get(task_id)
    except DoesNotExist:
        raise NotFound(f"检查任务 {task_id} 不存在", code="task_not_found") from None


def visible(caller: Identity, task: Task) -> bool:
    if caller.role == "platform_admin":
        return True
    if caller.role in ("agency_admin", "inspector"):
        return caller.agency_id in {p["agency_id"] for p in task.participants}
    if caller.role == "judicial":
        return regions.covers(caller.region_code, task.region_code)
    return False


def view(task: Task) -> dict:
    return {
        "task_id": task.task_id, "agency_id": task.agency_id, "region_code": task.region_code, "status": task.status, "type": task.type,
        "method": task.method, "year": task.year, "targets": task.targets, "participants": task.participants,
        "window_start": task.window_start, "window_end": task.window_end, "trigger": task.trigger,
        "exception": task.exception and {**task.exception, "description": EXCEPTION_REASONS[task.exception["reason"]],
                                         "article": ART[12]},
        "campaign_id": task.campaign_id, "announced": task.announced,
        "unannounced_reason": task.unannounced_reason, "created_at": task.created_at, "created_by": task.created_by,
    }


class OffsiteResultIn(Body):
    enterprise_id: str
    item_id: str = Field(min_length=3, max_length=40)
    checked_on: date
    violation_found: bool

    _id = field_validator("enterprise_id")(lambda v: uscc.validate(v))


def record_offsite_result(caller: Identity, task_id: str, data: OffsiteResultIn) -> dict:
    """The result of an off-site check (video, automatic patrol, smart alert; Art. 7). One that met its
    purpose and found no violation means, in principle, no routine on-site check of that item follows."""
    auth.require_role(caller, "agency_admin", "inspector")
    task = get(task_id)
    part = next((p for p in task.participants if p["agency_id"] == caller.agency_id), None)
    if part is None:
        raise auth.deny_scope("检查任务")
    if task.method != "off_site" or task.status != "approved":
        raise _refuse("task_not_off_site", 7, "只有已批准的非现场检查任务可登记非现场检查结果", "task_id")
    if data.enterprise_id not in task.targets:
        raise _refuse("enterprise_not_targeted", 19, "该企业不是本任务的检查对象", "enterprise_id")
    if data.item_id not in {i["item_id"] for i in part["items"]}:
        raise _refuse("item_not_in_task", 19, "该事项不在本机关本任务的检查事项中", "item_id")
    if not data.violation_found:
        key = f"offsite#{data.enterprise_id}#{caller.agency_id}#{data.item_id}"
        # Keep the latest clean date whatever order results arrive in.
        try:
            OffsiteClear(key, checked_on=data.checked_on.isoformat()).save(
                condition=OffsiteClear.tally_key.does_not_exist() | (OffsiteClear.checked_on < data.checked_on.isoformat()))
        except PutError as error:
            if not condition_failed(error):
                raise
    return {"task_id": task_id, **data.model_dump(mode="json"), "article": ART[7]}
