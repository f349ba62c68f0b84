"""Inspection tasks: what an agency approves before an on-site inspection (Art. 19), checked at
approval against the published item list (Art. 14), the plan in force (Art. 16), special-campaign
approval (Art. 13) and the Art. 12 exceptions; joint tasks name several agencies (Art. 17)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from msgspec import Meta

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import Conflict, NotFound, RuleViolation
from sheqi.inputs import Body, Check, Instant, Invalid, Key, OneOf, PageQuery, Uscc
from sheqi.plans import campaigns, filing
from sheqi.registry import registers
from sheqi.rules import documents, jurisdiction, plan_rules, qualification, regions
from sheqi.rules.articles import ART
from sheqi.rules.labels import METHODS, TASK_TYPES, TRIGGERS
from sheqi.rules.scan_rules import EXCEPTION_GROUND_KINDS, EXCEPTION_REASONS, exception_ground_finding
from sheqi.store import Cancelled, Transaction, batch_read, get_or_404, get_or_none, pagination, save_if
from sheqi.store.notices import Notice
from sheqi.store.registers import Agency, Enterprise, Inspector, Item
from sheqi.store.tasks import Assignment, InspectionRequest, Task
from sheqi.store.visits import OffsiteClear

MAX_TARGETS = 50
MAX_ITEMS = 10  # keeps a scan's single transaction within DynamoDB's 100 actions
MAX_TRANSACTION = 100  # DynamoDB's actions in one transaction: the approval writes the task, and for each
# inspector an assignment and a notice, and for each announced target a notice


class Trigger(Body):
    """Why a case-based inspection (Art. 6): complaint, referral, data monitoring, enterprise request."""

    kind: Literal["complaint", "referral", "data_monitoring", "enterprise_request"]
    reference: Annotated[str, Meta(min_length=2, max_length=100)]


class Ground(Body):
    """What an Art. 12 exception rests on: the complaint, referral, monitoring record or deployment
    document by its number, or the enterprise's own request by its id in this system."""

    kind: Annotated[str, OneOf(EXCEPTION_GROUND_KINDS)]
    reference: Annotated[str, Meta(min_length=2, max_length=100)]


class Exception12(Body):
    reason: Annotated[int, Meta(ge=1, le=5)]
    ground: Ground

    def check(self):
        finding = exception_ground_finding(self.reason, self.ground.kind)
        if finding:
            raise Invalid(
                finding.message,
                "ground.kind",
                RuleViolation(finding.message, code="exception_ground_mismatch", article=finding.article),
            )


class Participant(Body):
    agency_id: Uscc
    item_ids: Annotated[list[Key], Meta(min_length=1, max_length=20)]
    inspector_ids: Annotated[list[Key], Meta(min_length=1, max_length=20)]


class Window(Body):
    """When a task may be carried out: a span within one year, as plans are filed by year (Art. 16)."""

    window_start: Instant
    window_end: Instant

    def check(self):
        if self.window_end <= self.window_start:
            raise Invalid("须晚于 window_start", "window_end")
        if self.window_start.year != self.window_end.year:
            raise Invalid("检查时间不得跨年度：年度计划按年备案（第十六条），跨年的请按年度分别下达", "window_end")


class TaskIn(Window):
    type: Literal["routine", "case", "special"]
    method: Literal["on_site", "off_site"]
    targets: Annotated[list[Uscc], Meta(min_length=1, max_length=MAX_TARGETS), Check(lambda v: list(dict.fromkeys(v)))]
    participants: Annotated[list[Participant], Meta(min_length=1, max_length=5)]
    trigger: Trigger | None = None
    exception: Exception12 | None = None
    campaign_id: Annotated[str, Meta(pattern=r"^[0-9a-f]{32}$")] | None = None  # a special campaign (Art. 13)
    announced: bool = True
    unannounced_reason: Annotated[str, Meta(min_length=4, max_length=200)] | None = None

    def check(self):
        super().check()
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
        for n, p in enumerate(self.participants):  # Art. 19, read per enforcing agency (two of its own each)
            if self.method == "on_site" and len(set(p.inspector_ids)) < 2:
                message = "现场检查执法人员不得少于两人：联合检查中每个检查其事项的执法机关各须两名本机关执法人员（第十九条）"
                raise Invalid(
                    message,
                    f"participants.{n}.inspector_ids",
                    RuleViolation(message, code="fewer_than_two_inspectors", article=ART[19]),
                )
        inspectors = {i for p in self.participants for i in p.inspector_ids}
        if 1 + 2 * len(inspectors) + (len(self.targets) if self.announced else 0) > MAX_TRANSACTION:
            raise ValueError(f"预告的检查对象与执法人员过多（对象数 + 2 × 人数须小于{MAX_TRANSACTION}），请分为几个任务")


def _refuse(code: str, article: int, message: str, field: str) -> RuleViolation:
    return RuleViolation(message, code=code, article=ART[article], field=field)


def _check_participant(
    p: Participant, index: int, data: TaskIn, enterprises: dict[str, Enterprise], plan: str, agency: Agency | None = None
) -> tuple[Agency, list[dict]]:
    """Raise if this agency's part of the task breaks Art. 4, 14 or 16; else the agency and its items as
    approved (name, basis and frequency caps are kept with the task, so a scan need not read them again).
    `plan`: "entries" (a routine task falls within plan entries), "items" (its items are in the plan in
    force) or "none" (an emergency campaign runs before the plan is amended, Art. 13). `agency`: the
    participant's record when the caller has read it already (the lead's)."""
    field = f"participants.{index}"
    agency = agency or get_or_404(
        Agency, p.agency_id, message=f"机关 {p.agency_id} 不存在", code="agency_not_found", field=f"{field}.agency_id"
    )
    for finding in qualification.agency_findings(agency.kind):
        raise RuleViolation(
            f"{agency.name}：{finding.message}", code=finding.code, article=finding.article, field=f"{field}.agency_id"
        )
    items = {i.item_id: i for i in Item.batch_get([(p.agency_id, i) for i in p.item_ids])}
    for item_id in p.item_ids:
        if item_id not in items or items[item_id].status != "published":
            raise _refuse(
                "item_not_published",
                14,
                f"检查事项 {item_id} 未在{agency.name}的检查事项清单中公布，不得实施",
                f"{field}.item_ids",
            )
    start, end = data.window_start.date(), data.window_end.date()
    entries = filing.entries_in_force_for(p.agency_id, start) if plan != "none" else None
    planned: dict[str, int] = {}  # a routine item's planned frequency, the lowest over the targets' entries
    for item_id in p.item_ids if plan != "none" else ():
        for target in data.targets if plan == "entries" else data.targets[:1]:
            matched, outside = plan_rules.match(
                entries, item_id=item_id, region=enterprises[target].region_code, start=start, end=end, method=data.method
            )
            if outside and (plan == "entries" or outside.code == "not_in_plan"):
                raise RuleViolation(
                    f"{agency.name}：{outside.message}", code=outside.code, article=outside.article, field=f"{field}.item_ids"
                )
            if plan == "entries":
                planned[item_id] = min(planned.get(item_id, plan_rules.ANY_FREQUENCY), plan_rules.planned_frequency(matched))
    members = {i.inspector_id: i for i in Inspector.batch_get(p.inspector_ids)}
    for inspector_id in p.inspector_ids:
        if inspector_id not in members or members[inspector_id].agency_id != p.agency_id:
            raise _refuse("inspector_not_of_agency", 4, f"执法人员 {inspector_id} 不属于{agency.name}", f"{field}.inspector_ids")
    return agency, [
        {
            "item_id": i,
            "name": items[i].name,
            "legal_basis": items[i].legal_basis,
            "caps": items[i].frequency_caps.as_dict(),
            "planned_frequency": planned.get(i),
        }
        for i in p.item_ids
    ]


def _check_exception_ground(data: TaskIn, lead: str) -> None:
    """Art. 12(5): the enterprise's own request, as the enterprise recorded it here, for this agency."""
    exception = data.exception
    if exception is None or exception.ground.kind != "enterprise_request":
        return
    request = get_or_none(InspectionRequest, InspectionRequest.key(exception.ground.reference))
    if request is None or request.agency_id != lead or data.targets != [request.enterprise_id]:
        raise _refuse(
            "exception_ground_not_found",
            12,
            "应企业申请实施的检查须引用该企业本人在系统中提出、向本机关提出的检查申请（申请编号），且检查对象仅为该企业",
            "exception.ground.reference",
        )


def create(caller: Identity, data: TaskIn, task_id: str | None = None) -> Task:
    """Create a task; the caller's agency approves its part by creating it. A single-agency task is
    approved at once; a joint task once every participating agency has approved (Art. 17, 19)."""
    auth.require_role(caller, "agency_admin")
    lead = data.participants[0].agency_id
    if lead != caller.agency_id:
        raise auth.deny_scope("机关的检查任务：牵头机关须为本机关（participants 第一项）")
    year = str(data.window_start.year)
    plan = "entries" if data.type == "routine" else "items"
    if data.type == "special":
        assert data.campaign_id is not None  # TaskIn requires it for a special task
        campaign = campaigns.check_for_task(data.campaign_id, lead, year, [i for p in data.participants for i in p.item_ids])
        plan = "none" if campaign.emergency else "items"
    enterprises = {e.enterprise_id: e for e in Enterprise.batch_get(data.targets)}
    missing = [t for t in data.targets if t not in enterprises]
    if missing:
        raise NotFound(f"企业 {missing[0]} 未登记", code="enterprise_not_found", field="targets")
    lead_agency = get_or_404(
        Agency, lead, message=f"机关 {lead} 不存在", code="agency_not_found", field="participants.0.agency_id"
    )
    for target in data.targets:  # Art. 4, 8: the lead is competent for every target; participants follow it
        for finding in jurisdiction.territory_findings(
            agency_region=lead_agency.region_code,
            lead_region=lead_agency.region_code,
            enterprise_region=enterprises[target].region_code,
            enterprise=enterprises[target].name,
        ):
            raise RuleViolation(
                f"{lead_agency.name}：{finding.message}", code=finding.code, article=finding.article, field="targets"
            )
    checked = [
        _check_participant(p, index, data, enterprises, plan, lead_agency if index == 0 else None)
        for index, p in enumerate(data.participants)
    ]
    _check_exception_ground(data, lead)

    now = clock.now_iso()
    participants = [
        {"agency_id": p.agency_id, "items": items, "inspector_ids": p.inspector_ids, "approved_by": None, "approved_at": None}
        for p, (_, items) in zip(data.participants, checked)
    ]
    participants[0].update(approved_by=caller.subject, approved_at=now)
    task = Task(
        task_id=task_id or uuid.uuid4().hex,
        agency_id=lead,
        region_code=lead_agency.region_code,
        created_at=now,
        created_by=caller.subject,
        year=year,
        type=data.type,
        method=data.method,
        targets=data.targets,
        participants=participants,
        window_start=data.window_start.isoformat(),
        window_end=data.window_end.isoformat(),
        trigger=data.trigger.to_dict() if data.trigger else None,
        exception=data.exception.to_dict() if data.exception else None,
        campaign_id=data.campaign_id,
        announced=data.announced,
        unannounced_reason=data.unannounced_reason,
    )
    task.set_status("approved" if len(participants) == 1 else "pending_approval")
    _save(task, _approval_writes(task, {a.agency_id: a.name for a, _ in checked}), condition=Task.task_id.does_not_exist())
    return task


def approve(caller: Identity, task_id: str) -> Task:
    """A participating agency's admin approves its part of a joint task."""
    auth.require_role(caller, "agency_admin")
    task = get(task_id)
    part = next((p for p in task.participants if p["agency_id"] == caller.agency_id), None)
    if part is None:
        raise auth.deny_scope("检查任务")
    if task.status == "withdrawn":
        raise Conflict("检查任务已撤回", code="task_withdrawn")
    if part["approved_at"]:
        raise Conflict("本机关已批准该任务", code="already_approved")
    part.update(approved_by=caller.subject, approved_at=clock.now_iso())
    if all(p["approved_at"] for p in task.participants):
        task.set_status("approved")
    _save(task, _approval_writes(task))
    return task


class WithdrawIn(Body):
    reason: Annotated[str, Meta(min_length=4, max_length=200)]


def withdraw(caller: Identity, task_id: str, data: WithdrawIn) -> Task:
    """The lead agency withdraws its task (谁牵头、谁发起、谁负责, Art. 17): no scan-in is accepted on it
    any more (Art. 19). The inspectors it named, and the enterprises told of it beforehand, are told."""
    auth.require_role(caller, "agency_admin")
    task = get(task_id)
    if task.agency_id != caller.agency_id:
        raise auth.deny_scope("检查任务：只有牵头机关可以撤回")
    if task.status == "withdrawn":
        raise Conflict("检查任务已撤回", code="task_withdrawn")
    was_approved = task.status == "approved"
    task.set_status("withdrawn")
    task.withdrawn = {"at": clock.now_iso(), "by": caller.subject, "reason": data.reason}
    writes: list[tuple[str, Notice | Assignment]] = []
    if was_approved:
        for inspector_id in inspector_ids(task):
            writes.append(("withdraw", Assignment(inspector_id, Assignment.key(task.window_end, task.task_id))))
        agencies = registers.agency_names(p["agency_id"] for p in task.participants)
        writes += [("put", n) for n in _team_notices(task, "withdrawn", agencies)]
        if task.announced:
            writes += [("put", n) for n in _enterprise_notices(task, "withdrawn", agencies)]
    _save(task, writes)
    return task


def inspector_ids(task: Task) -> list[str]:
    return list(dict.fromkeys(i for p in task.participants for i in p["inspector_ids"]))


def _approval_writes(task: Task, agencies: dict[str, str] | None = None) -> list[tuple[str, Notice | Assignment]]:
    """What a task's approval brings: each inspector's assignment and notice; if announced, each
    target's advance notice (检查预告). `agencies`: the participants' names, when already read."""
    if task.status != "approved":
        return []
    writes: list[tuple[str, Notice | Assignment]] = [
        ("put", Assignment(i, Assignment.key(task.window_end, task.task_id), task_id=task.task_id)) for i in inspector_ids(task)
    ]
    if agencies is None:
        agencies = registers.agency_names(p["agency_id"] for p in task.participants)
    writes += [("put", n) for n in _team_notices(task, "assigned", agencies)]
    if task.announced:
        writes += [("put", n) for n in _enterprise_notices(task, "announced", agencies)]
    return writes


def _save(task: Task, writes: list[tuple[str, Notice | Assignment]], condition=None) -> None:
    """The task and what its change brings, in one transaction: each notice and assignment is written
    only if absent, so however approvals and withdrawals race, each is written once, with the change
    that wins (the task's version refuses the others)."""
    try:
        with Transaction() as tx:
            tx.save(task, condition=condition)
            for action, record in writes:
                if action == "withdraw":  # kept, as every record of an inspection is, and left out of lists
                    tx.update(record, [Assignment.withdrawn_at.set(task.withdrawn["at"])], condition=Assignment.task_id.exists())
                elif isinstance(record, Notice):
                    tx.save(record, condition=Notice.notice_id.does_not_exist())
                else:
                    tx.save(record, condition=Assignment.assignment_key.does_not_exist())
    except Cancelled as error:
        if error.failed:
            raise Conflict("检查任务已被他人修改，请刷新后重试", code="stale_version") from None
        raise


RIGHTS = "执法人员与贵单位有利害关系的，贵单位可申请回避；对违规实施的检查，贵单位有权拒绝并投诉举报（第二十四条）"


def announcement_elements(task: Task, agencies: dict[str, str]) -> dict[str, str]:
    """The key elements of the 行政检查通知书 (Art. 22) for this task, in Chinese."""
    items = [i for p in task.participants for i in p["items"]]
    source = TASK_TYPES[task.type] + (f"（{TRIGGERS[task.trigger['kind']]} {task.trigger['reference']}）" if task.trigger else "")
    return {
        "agencies": _names(task, agencies),
        "items": "、".join(i["name"] for i in items),
        "legal_basis": "；".join(dict.fromkeys(i["legal_basis"] for i in items)),
        "window": _when(task),
        "method": METHODS[task.method],
        "source": source,
        "inspectors": "、".join(f"{agencies[p['agency_id']]}{len(p['inspector_ids'])}名执法人员" for p in task.participants)
        + "，入企须扫码登记、出示执法证件，每个执法机关不少于两人（第十九条、第二十四条）",
        "rights": RIGHTS,
    }


def _when(task: Task) -> str:
    start, end = (datetime.fromisoformat(t) for t in (task.window_start, task.window_end))
    return f"{start:%Y-%m-%d %H:%M}至{end:%Y-%m-%d %H:%M}"


def _names(task: Task, agencies: dict[str, str]) -> str:
    """The participating agencies' names, lead first, as the notices name them."""
    return "、".join(agencies[p["agency_id"]] for p in task.participants)


def _enterprise_notices(task: Task, change: str, agencies: dict[str, str]) -> list[Notice]:
    now, names = clock.now_iso(), _names(task, agencies)
    if change == "announced":  # the key elements of the 行政检查通知书 (Art. 22)
        e = announcement_elements(task, agencies)
        title = f"检查预告：{names}"
        body = (
            f"{names}拟于{e['window']}对贵单位实施{e['method']}。检查事项：{e['items']}；法律依据：{e['legal_basis']}；"
            f"任务来源：{e['source']}。执法人员：{e['inspectors']}。{e['rights']}。" + documents.footer("announcement")
        )
    else:
        title = f"检查取消：{names}"
        body = f"{names}原定于{_when(task)}对贵单位实施的现场检查已撤回，不再实施。"
    return [
        Notice(
            f"enterprise:{target}",
            f"task-{change}:{task.task_id}",
            kind=f"inspection_{change}",
            title=title,
            body=body,
            article=ART[24] if change == "announced" else ART[19],
            created_at=now,
        )
        for target in task.targets
    ]


def _team_notices(task: Task, change: str, agencies: dict[str, str]) -> list[Notice]:
    """Each inspector named on the task: assigned to it (once approved), or told it is withdrawn."""
    now, names = clock.now_iso(), _names(task, agencies)
    count = f"检查对象{len(task.targets)}家"
    if change == "assigned":
        title, body = (
            f"新的检查任务：{names}",
            f"您被指派参加{names}的检查任务（{_when(task)}，{count}），任务已批准。"
            "请在“我的任务”中查看检查对象、事项和同组人员；入企时扫描企业的入企码（第十九条、第二十四条）。",
        )
    else:
        title, body = (
            f"检查任务已撤回：{names}",
            f"您参加的{names}检查任务（{_when(task)}，{count}）已撤回：{(task.withdrawn or {}).get('reason', '')}。"
            "不得再依此任务入企检查（第十九条）。",
        )
    return [
        Notice(
            f"inspector:{i}",
            f"task-{change}:{task.task_id}",
            kind=f"task_{change}",
            title=title,
            body=body,
            article=ART[19],
            created_at=now,
        )
        for i in inspector_ids(task)
    ]


class InspectionRequestIn(Body):
    """An enterprise asks an agency to inspect it (应企业申请, Art. 12(5))."""

    agency_id: Uscc
    description: Annotated[str, Meta(min_length=4, max_length=500)]


def request_inspection(caller: Identity, enterprise_id: str, data: InspectionRequestIn) -> dict:
    """Record the enterprise's own request, from the enterprise itself, so that a task citing it as the
    ground of an Art. 12(5) exception points to the enterprise's act, not to the agency's word; the agency
    is told."""
    auth.require_role(caller, "enterprise")
    if caller.enterprise_id != enterprise_id:
        raise auth.deny_scope("企业")
    agency = get_or_404(
        Agency, data.agency_id, message=f"机关 {data.agency_id} 不存在", code="agency_not_found", field="agency_id"
    )
    request_id = uuid.uuid4().hex
    now = clock.now_iso()
    record = InspectionRequest(
        InspectionRequest.key(request_id),
        enterprise_id=enterprise_id,
        agency_id=agency.agency_id,
        description=data.description,
        created_at=now,
        created_by=caller.subject,
    )
    with Transaction() as tx:
        tx.save(record, condition=InspectionRequest.tally_key.does_not_exist())
        tx.save(
            Notice(
                f"agency:{agency.agency_id}",
                f"inspection-request:{request_id}",
                kind="inspection_request",
                title="企业申请实施行政检查",
                article=ART[12],
                created_at=now,
                body=f"企业（{enterprise_id}）申请贵机关实施检查：{data.description}。申请编号 {request_id}；"
                "据此实施的检查可依第十二条第五项不受频次上限限制，任务须引用该编号。",
            ),
            condition=Notice.notice_id.does_not_exist(),
        )
    return {
        "request_id": request_id,
        "enterprise_id": enterprise_id,
        "agency_id": agency.agency_id,
        "description": data.description,
        "created_at": now,
        "article": ART[12],
    }


def get(task_id: str) -> Task:
    return get_or_404(Task, task_id, message=f"检查任务 {task_id} 不存在", code="task_not_found")


def visible(caller: Identity, task: Task) -> bool:
    if caller.role == "platform_admin":
        return True
    if caller.role in ("agency_admin", "inspector"):
        return caller.agency_id in {p["agency_id"] for p in task.participants}
    if caller.role == "judicial":
        return regions.covers(caller.region_code, task.region_code)
    return False


def _exception_view(task: Task) -> dict | None:
    """The task's Art. 12 exception as its views show it: the ground, what the reason means, the article."""
    if not task.exception:
        return None
    return {**task.exception, "description": EXCEPTION_REASONS[task.exception["reason"]], "article": ART[12]}


def view(task: Task) -> dict:
    return {
        "task_id": task.task_id,
        "agency_id": task.agency_id,
        "region_code": task.region_code,
        "status": task.status,
        "type": task.type,
        "method": task.method,
        "year": task.year,
        "targets": task.targets,
        "participants": task.participants,
        "window_start": task.window_start,
        "window_end": task.window_end,
        "trigger": task.trigger,
        "exception": _exception_view(task),
        "campaign_id": task.campaign_id,
        "announced": task.announced,
        "unannounced_reason": task.unannounced_reason,
        "created_at": task.created_at,
        "created_by": task.created_by,
        "withdrawn": task.withdrawn,
    }


class TaskListQuery(PageQuery):
    """`mine=true`: an inspector's approved tasks not yet over; else an agency admin's tasks in `status`."""

    mine: bool = False
    status: Literal["pending_approval", "approved", "withdrawn"] = "approved"


def list_for(caller: Identity, query: TaskListQuery) -> dict:
    if query.mine:
        auth.require_role(caller, "inspector")
        results = pagination.query(
            Assignment,
            caller.subject,
            query.cursor,
            Assignment.assignment_key >= clock.now_iso(),
            filter_condition=Assignment.withdrawn_at.does_not_exist(),
            limit=query.limit,
            page_size=query.limit,
        )
        return {
            "items": assigned_views([a.task_id for a in results], caller.subject),
            "next_cursor": pagination.encode(results.last_evaluated_key),
        }
    if caller.role == "inspector":
        raise auth.deny_scope("检查任务列表：执法人员请使用 mine=true 查看本人的任务")
    auth.require_role(caller, "agency_admin")
    assert caller.agency_id is not None  # an agency admin's token names its agency
    tasks = pagination.query(
        Task.by_agency_status,
        Task.agency_status_key(caller.agency_id, query.status),
        query.cursor,
        limit=query.limit,
        page_size=query.limit,
        scan_index_forward=False,
    )
    return pagination.page(tasks, view)


def assigned_views(task_ids: list[str], me: str) -> list[dict]:
    """What an inspector's phone shows of each task naming them, in two batched reads: the tasks, then
    their enterprises (name and address: no credit tier), agencies, inspectors and advance notices."""
    got = batch_read([(Task, t) for t in task_ids])
    found = [task for t in task_ids if (task := got.get(Task, t)) is not None]
    more = batch_read(
        [(Enterprise, e) for t in found for e in t.targets]
        + [(Agency, p["agency_id"]) for t in found for p in t.participants]
        + [(Inspector, i) for t in found for i in inspector_ids(t)]
        + [(Notice, f"enterprise:{e}", f"task-announced:{t.task_id}") for t in found if t.announced for e in t.targets]
    )
    now = clock.now()
    views = []
    for task in found:
        agency = {p["agency_id"]: more.get(Agency, p["agency_id"]) for p in task.participants}
        enterprises = []
        for target in task.targets:
            enterprise = more.get(Enterprise, target)
            notice = more.get(Notice, f"enterprise:{target}", f"task-announced:{task.task_id}")
            enterprises.append(
                {
                    "enterprise_id": target,
                    "name": enterprise and enterprise.name,
                    "address": enterprise and enterprise.address,
                    "notified": notice is not None and (notice.delivery == "sent" or notice.status == "acknowledged"),
                    "notice": notice
                    and {
                        "written_at": notice.created_at,
                        "delivery": notice.delivery,
                        "delivered_at": notice.delivered_at,
                        "acknowledged_at": notice.acknowledged_at,
                    },
                }
            )
        team = [
            {
                "inspector_id": i,
                "name": (member := more.get(Inspector, i)) and member.name,
                "agency_id": member and member.agency_id,
            }
            for i in inspector_ids(task)
        ]
        views.append(
            {
                "task_id": task.task_id,
                "status": task.status,
                "type": task.type,
                "method": task.method,
                "window_start": task.window_start,
                "window_end": task.window_end,
                "current": datetime.fromisoformat(task.window_start) <= now,
                "lead_agency": {"agency_id": task.agency_id, "name": (lead := agency.get(task.agency_id)) and lead.name},
                "items": [
                    {
                        "agency_id": p["agency_id"],
                        "agency_name": (a := agency[p["agency_id"]]) and a.name,
                        "item_id": i["item_id"],
                        "name": i["name"],
                        "legal_basis": i["legal_basis"],
                    }
                    for p in task.participants
                    for i in p["items"]
                ],
                "other_inspectors": [m for m in team if m["inspector_id"] != me],
                "enterprises": enterprises,
                "announced": task.announced,
                "exception": _exception_view(task),
                "campaign_id": task.campaign_id,
                "trigger": task.trigger,
            }
        )
    return views


class OffsiteResultIn(Body):
    enterprise_id: Uscc
    item_id: Annotated[str, Meta(min_length=3, max_length=40)]
    checked_on: date
    violation_found: bool


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
        key = OffsiteClear.key(data.enterprise_id, part["agency_id"], data.item_id)
        # Keep the latest clean date whatever order results arrive in.
        save_if(
            OffsiteClear(key, checked_on=data.checked_on.isoformat()),
            OffsiteClear.tally_key.does_not_exist() | (OffsiteClear.checked_on < data.checked_on.isoformat()),
        )
    return {"task_id": task_id, **data.to_dict(), "article": ART[7]}
