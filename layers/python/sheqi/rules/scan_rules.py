"""The scan-in decision (扫码入企, Art. 24): pure rules over facts already read from the store.

`decide(facts)` answers, for one inspector's scan of one enterprise's code under one task, whether
the inspection may go ahead and how: refused (with every reason and its article), pending (waiting
for a second inspector, Art. 19), opened (a new visit) or joined (an open visit of the same agency
that day, Art. 17). Non-blocking observations are flags (late scan, location, Art. 12 exception, an
agency's re-visit for other items within the re-visit window, Art. 17).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from msgspec import Struct, field

from sheqi.rules import jurisdiction, plan_rules, qualification
from sheqi.rules.articles import ART, SYSTEM_RULE
from sheqi.rules.plan_rules import PlanEntry
from sheqi.rules.qualification import Finding


def exception_ground_finding(reason: int, ground_kind: str) -> Finding | None:
    """Why an exception's ground does not fit its reason (Art. 12); None when it does."""
    allowed = EXCEPTION_GROUNDS[reason]
    if ground_kind in allowed:
        return None
    return Finding(
        "exception_ground_mismatch",
        ART[12],
        f"第十二条第{reason}项（{EXCEPTION_REASONS[reason]}）的例外须以"
        f"{'或'.join(EXCEPTION_GROUND_KINDS[k] for k in allowed)}为依据",
    )


# Art. 12: the five situations in which the frequency cap may be exceeded.
EXCEPTION_REASONS = {
    1: "涉及投诉举报、媒体曝光等情形",
    2: "转办、交办和数据监测发现",
    3: "国家、省、市人民政府或者省级以上业务主管部门要求部署的临时性检查",
    4: "存在可能严重扰乱市场经济秩序、社会秩序，危害公共安全、人身健康安全、财产安全等行为",
    5: "应企业申请实施行政检查",
}
# What each exception must point to (Art. 12): its ground's kind, by reason. Reading chosen for (4), which
# names no record: any record of the conduct (a complaint, referral, monitoring record or deployment).
EXCEPTION_GROUND_KINDS = {
    "complaint": "投诉举报（编号）",
    "media_report": "媒体曝光（报道）",
    "referral": "转办、交办（文号）",
    "monitoring_record": "数据监测发现（监测记录编号）",
    "deployment_document": "部署临时性检查的文件（文号）",
    "enterprise_request": "企业在本系统提出的检查申请（申请编号）",
}
EXCEPTION_GROUNDS = {
    1: ("complaint", "media_report"),
    2: ("referral", "monitoring_record"),
    3: ("deployment_document",),
    4: ("complaint", "media_report", "referral", "monitoring_record", "deployment_document"),
    5: ("enterprise_request",),
}
LATE_REASONS = {"no_network": "现场无网络", "device_failure": "设备故障", "emergency": "紧急情况（第十二条第四项），离场前补扫"}


ItemKey = tuple[str, str]  # (agency_id, item_id)


class ScanConfig(Struct, frozen=True):
    pairing_window: timedelta = timedelta(minutes=30)  # both inspectors scan within this (Art. 19)
    late_after: timedelta = timedelta(minutes=15)  # a scan sent this long after the device time is late
    late_limit: timedelta = timedelta(days=10)  # and is accepted up to this late
    clock_skew: timedelta = timedelta(minutes=5)  # device clocks ahead of the server by more: refused
    offsite_sufficed: timedelta = timedelta(days=90)  # a clean off-site check this recent blocks a routine visit
    revisit_window: timedelta = timedelta(
        days=30
    )  # an agency's visit this soon after its last, for other items, is flagged (Art. 17)
    far_from_premises_m: float = 500.0


DEFAULT_CONFIG = ScanConfig()


class InspectorFacts(Struct, frozen=True):
    inspector_id: str
    agency_id: str
    staff_category: str
    status: str
    certificate_no: str | None
    certificate_kind: str | None
    valid_from: date | None
    valid_until: date | None


class ItemFacts(Struct, frozen=True):
    agency_id: str
    item_id: str
    status: str | None  # None: not read; the write then checks it is still published
    caps: dict[str, int]  # {"good": n, "average": n, "poor": n}, as approved with the task
    planned_frequency: int | None = None  # a routine task's plan entry frequency, as approved (Art. 16)


class TaskFacts(Struct, frozen=True):
    task_id: str
    status: str
    type: str
    method: str
    window_start: datetime
    window_end: datetime
    targets: tuple[str, ...]
    team: dict[str, tuple[str, ...]]  # agency_id -> inspector ids
    items: dict[str, tuple[str, ...]]  # agency_id -> item ids
    exception_reason: int | None
    lead_region: str = ""  # the lead agency's territory (Art. 8)


class Location(Struct, frozen=True):
    latitude: float
    longitude: float
    accuracy_m: float
    is_mock: bool = False


class PriorVisit(Struct, frozen=True):
    """An agency's latest visit at the enterprise (Art. 17)."""

    visit_id: str
    visit_date: date
    item_ids: frozenset[str]


class PendingScan(Struct, frozen=True):
    inspector_id: str
    scan_id: str
    device_time: datetime
    agency_id: str


class ScanFacts(Struct, frozen=True):
    server_time: datetime
    device_time: datetime
    late_reason: str | None
    code_finding: Finding | None  # why the scanned code does not identify an enterprise
    identified_by: str | None  # signed_code / business_licence
    enterprise_id: str | None
    enterprise_tier: str | None
    enterprise_region: str | None
    enterprise_name: str | None
    premises: tuple[float, float] | None
    location: Location | None
    inspector: InspectorFacts
    agency_kinds: dict[str, tuple[str, str]]  # agency_id -> (kind, certificate_kind)
    inspector_region: str  # the inspector's agency's territory (Art. 8)
    task: TaskFacts | None
    items: dict[ItemKey, ItemFacts]
    # None means "not read": the scan's transaction enforces them by condition instead, and only
    # when it is cancelled are they read, to say why (so an accepted scan costs one read, one write).
    counts: dict[ItemKey, int] | None  # inspections this year
    offsite_clear: dict[ItemKey, date | None] | None  # the last clean off-site check
    pending: tuple[PendingScan, ...]  # other team members' scans waiting for this task and enterprise
    open_visit_id: str | None  # the inspector's agency's open visit at the enterprise today
    open_visit_items: frozenset[ItemKey] = frozenset()
    plan_entries: tuple[PlanEntry, ...] | None = None  # the inspector's agency's plan in force that day (Art. 16)
    contended: bool = False  # the scan's write kept meeting concurrent scans past the time budget
    prior_visits: dict[str, PriorVisit] = {}  # agency_id -> its latest visit at the enterprise (Art. 17)


class Decision(Struct):
    outcome: str  # refused / pending / opened / joined
    findings: list[Finding] = field(default_factory=list)
    flags: list[Finding] = field(default_factory=list)
    team: tuple[str, ...] = ()  # inspectors of the visit being opened
    counted_items: tuple[ItemKey, ...] = ()  # counted by this scan
    capped_items: dict[ItemKey, int] = field(default_factory=dict)  # the cap a count must stay under
    offsite_guarded: bool = False  # the write must check no recent clean off-site check
    distance_m: float | None = None
    revisits: tuple[str, ...] = ()  # agencies visiting again for other items (Art. 17)


def _finding(code: str, article: int, message: str) -> Finding:
    return Finding(code, ART[article], message)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _timing(facts: ScanFacts, config: ScanConfig) -> tuple[list[Finding], list[Finding]]:
    refusals, flags = [], []
    delay = facts.server_time - facts.device_time
    if delay < -config.clock_skew:
        refusals.append(Finding("device_time_in_future", SYSTEM_RULE, "设备时间晚于服务器时间，请校准手机时间后重扫"))
    elif delay > config.late_after:
        if not facts.late_reason:
            refusals.append(
                Finding("late_scan_without_reason", SYSTEM_RULE, "补传的扫码记录须说明原因（无网络、设备故障或紧急情况）")
            )
        elif delay > config.late_limit:
            refusals.append(Finding("late_scan_too_old", SYSTEM_RULE, f"补传超过{config.late_limit.days}日，不予登记为合规检查"))
        else:
            flags.append(
                _finding(
                    "late_scan",
                    24,
                    f"离线补传：{LATE_REASONS[facts.late_reason]}，扫码时间与接收时间相差{int(delay.total_seconds() // 60)}分钟",
                )
            )
    return refusals, flags


def _location(facts: ScanFacts, config: ScanConfig) -> tuple[list[Finding], float | None]:
    loc = facts.location
    if loc is None:
        return [_finding("location_missing", 24, "扫码未提供定位")], None
    flags = []
    if loc.is_mock:
        flags.append(_finding("location_mock", 24, "定位来自模拟位置，可能不真实"))
    if loc.accuracy_m <= 0:
        flags.append(_finding("location_zero_accuracy", 24, "定位精度为零，可能不真实"))
    distance = None
    if facts.premises is not None:
        distance = round(distance_m((loc.latitude, loc.longitude), facts.premises), 1)
        if distance > config.far_from_premises_m + max(loc.accuracy_m, 0):
            flags.append(_finding("far_from_premises", 24, f"扫码位置距企业登记地址约{distance:.0f}米"))
    return flags, distance


def _inspector(facts: ScanFacts, on: date) -> list[Finding]:
    ins, task = facts.inspector, facts.task
    kind, certificate_kind = facts.agency_kinds[ins.agency_id]
    found = qualification.inspector_findings(
        staff_category=ins.staff_category,
        status=ins.status,
        certificate_no=ins.certificate_no,
        certificate_kind=ins.certificate_kind,
        valid_from=ins.valid_from,
        valid_until=ins.valid_until,
        agency_kind=kind,
        agency_certificate_kind=certificate_kind,
        on=on,
    )
    if task is not None and ins.inspector_id not in task.team.get(ins.agency_id, ()):
        found.append(_finding("not_on_task_team", 19, "该执法人员不在本次检查任务的检查组中"))
    return found


def _task(facts: ScanFacts) -> list[Finding]:
    task = facts.task
    if task is None:
        return [_finding("task_not_found", 19, "检查任务不存在：现场检查须事先经本机关批准")]
    found = []
    if task.status == "withdrawn":
        found.append(_finding("task_withdrawn", 19, "检查任务已撤回，不得实施现场检查"))
    elif task.status != "approved":
        found.append(_finding("task_not_approved", 19, "检查任务尚未经批准，不得实施现场检查"))
    if not task.window_start <= facts.device_time <= task.window_end:
        found.append(
            _finding(
                "outside_task_window",
                19,
                f"不在批准的检查时间内（{task.window_start:%Y-%m-%d %H:%M} 至 {task.window_end:%Y-%m-%d %H:%M}）",
            )
        )
    if task.method != "on_site":
        found.append(_finding("task_not_on_site", 7, "该任务为非现场检查，不得入企"))
    if facts.enterprise_id and facts.enterprise_id not in task.targets:
        found.append(_finding("enterprise_not_targeted", 19, "该企业不是本次检查任务的检查对象"))
    if facts.enterprise_region and task.lead_region:  # checked at approval; again here, as regions may change
        found += jurisdiction.territory_findings(
            agency_region=facts.inspector_region,
            lead_region=task.lead_region,
            enterprise_region=facts.enterprise_region,
            enterprise=facts.enterprise_name or "该企业",
        )
    return found


def _items(
    facts: ScanFacts, task: TaskFacts, tier: str, keys: tuple[ItemKey, ...], on: date, config: ScanConfig
) -> tuple[list[Finding], list[Finding], dict[ItemKey, int]]:
    """Art. 16 plan, Art. 14 publication, Art. 7 off-site sufficiency and Art. 18 caps (for a routine
    task, also the plan entry's frequency), for the items this scan counts. An Art. 12 exception lifts
    the caps only."""
    refusals: list[Finding] = []
    flags: list[Finding] = []
    caps: dict[ItemKey, int] = {}
    exception = task.exception_reason
    for key in keys:
        item_id = key[1]
        item = facts.items[key]
        cap = item.caps[tier]
        if key[0] == facts.inspector.agency_id:  # other agencies' plans were checked at approval; special: its campaign
            if task.type == "routine":
                entries, finding = plan_rules.match(
                    facts.plan_entries,
                    item_id=item_id,
                    region=facts.enterprise_region or "",
                    start=on,
                    end=on,
                    method=task.method,
                )
                if finding:
                    refusals.append(finding)
                    continue
                cap = min(cap, plan_rules.planned_frequency(entries))
            elif task.type == "case" and item_id not in {e.item_id for e in facts.plan_entries or ()}:
                refusals.append(
                    _finding("not_in_plan", 16, f"检查事项 {item_id} 不在本机关当日有效的已备案检查计划内（计划之外无检查）")
                )
                continue
        elif task.type == "routine" and item.planned_frequency is not None:
            cap = min(cap, item.planned_frequency)
        if item.status not in (None, "published"):
            refusals.append(_finding("item_not_published", 14, f"检查事项 {item_id} 未公布或已撤回，不得实施"))
            continue
        clear = (facts.offsite_clear or {}).get(key)
        if task.type == "routine" and clear and on - clear <= config.offsite_sufficed:
            refusals.append(
                _finding(
                    "offsite_check_sufficed",
                    7,
                    f"检查事项 {item_id} 已于{clear.isoformat()}经非现场检查"
                    "且未发现违法行为，原则上不再现场检查（第十二条的例外只解除频次上限）",
                )
            )
        count = None if facts.counts is None else facts.counts.get(key, 0)
        if count is None and cap == 0:
            count = 0  # nothing to read: a cap of zero refuses every count
        if count is not None and count >= cap:
            if exception:
                flags.append(
                    _finding(
                        "over_cap_exception",
                        12,
                        f"检查事项 {item_id} 本年度已检查{count}次，达到上限{cap}次；"
                        f"依第十二条第{exception}项（{EXCEPTION_REASONS[exception]}）实施，"
                        "报司法行政机关跟踪监督",
                    )
                )
            else:
                refusals.append(
                    _finding(
                        "frequency_cap_reached",
                        18,
                        f"检查事项 {item_id} 本年度已检查{count}次，"
                        f"已达上限{cap}次（该企业信用等级的频次上限"
                        f"{item.caps[tier]}次与计划频次中较低者）",
                    )
                )
        elif not exception:
            caps[key] = cap
    return refusals, flags, caps


def _short_agencies(present: dict[str, set[str]], counted: tuple[ItemKey, ...]) -> list[str]:
    """The agencies whose items the visit checks that do not yet have two of their own inspectors
    present (Art. 19, read per enforcing agency)."""
    return [a for a in dict.fromkeys(a for a, _ in counted) if len(present.get(a, ())) < 2]


def revisit_flags(facts: ScanFacts, counted: tuple[ItemKey, ...], on: date, config: ScanConfig) -> dict[str, Finding]:
    """Art. 17: one agency's several items at one enterprise are in principle checked in one visit. A visit
    opened within `revisit_window` days of the same agency's last one there, for items that visit did not
    check, is flagged for the judicial bureau, whatever the task's type: the bureau judges whether the two
    could have been merged. Checking the same items again is the caps' matter (Art. 18), not this one."""
    found = {}
    for agency in dict.fromkeys(a for a, _ in counted):
        prior = facts.prior_visits.get(agency)
        if prior is None or prior.visit_id == facts.open_visit_id:
            continue
        days = abs((on - prior.visit_date).days)
        other = sorted(i for a, i in counted if a == agency and i not in prior.item_ids)
        if days <= config.revisit_window.days and other:
            who = "本机关" if agency == facts.inspector.agency_id else f"机关 {agency}"
            found[agency] = Finding(
                "revisit_other_items",
                ART[17],
                f"{who}已于{prior.visit_date.isoformat()}对该企业实施检查，"
                f"{days}日内再次入企检查其他事项（{'、'.join(other)}）；同一机关对同一企业"
                "的多项检查原则上应当合并一次进行，已报司法行政机关监督",
            )
    return found


def decide(facts: ScanFacts, config: ScanConfig = DEFAULT_CONFIG) -> Decision:
    on = facts.device_time.date()
    refusals, flags = _timing(facts, config)
    location_flags, distance = _location(facts, config)
    flags += location_flags
    if facts.code_finding is not None:
        refusals.append(facts.code_finding)
    elif facts.identified_by == "business_licence":
        flags.append(_finding("identified_by_business_licence", 24, "以营业执照二维码识别企业（非本系统签发的入企码）"))
    refusals += _task(facts)
    refusals += _inspector(facts, on)
    if facts.contended:  # stored all the same (the register is compulsory), but not admitted unverified
        refusals.append(
            Finding(
                "scan_contention",
                SYSTEM_RULE,
                "同一企业同时扫码过多，未能在时限内完成核验：本次扫码已登记，不作为合规入企，请重新扫码",
            )
        )
    if refusals:
        return Decision("refused", refusals, flags, distance_m=distance)

    agency, me, task, tier = facts.inspector.agency_id, facts.inspector.inspector_id, facts.task, facts.enterprise_tier
    assert task is not None and tier is not None  # a scan without a task or a known enterprise was refused above
    joining = facts.open_visit_id is not None
    # Joining counts only this agency's items the open visit does not already cover (Art. 17 merge);
    # opening counts every item of every agency of the task (a joint visit counts once for each).
    counted = (
        tuple((agency, i) for i in task.items.get(agency, ()) if (agency, i) not in facts.open_visit_items)
        if joining
        else tuple((a, i) for a, items in task.items.items() for i in items)
    )
    item_refusals, item_flags, caps = _items(facts, task, tier, counted, on, config)
    flags += item_flags
    if item_refusals:
        return Decision("refused", item_refusals, flags, distance_m=distance)
    guarded = task.type == "routine"  # an Art. 12 exception does not lift the off-site rule (Art. 7)
    if joining:
        return Decision("joined", [], flags, (me,), counted, caps, guarded, distance)
    partners = [
        p for p in facts.pending if p.inspector_id != me and abs(facts.device_time - p.device_time) <= config.pairing_window
    ]
    present: dict[str, set[str]] = {agency: {me}}
    for p in partners:
        present.setdefault(p.agency_id, set()).add(p.inspector_id)
    short = _short_agencies(present, counted)
    if short:
        who = "、".join(f"{a}（已到{len(present.get(a, ()))}人）" for a in short)
        return Decision(
            "pending",
            [],
            flags
            + [
                _finding(
                    "awaiting_second_inspector",
                    19,
                    f"执法人员不得少于两人，联合检查中每个执法机关各不少于两名本机关执法人员：等待 {who} 的执法人员扫码",
                )
            ],
            (me,),
            (),
            {},
            False,
            distance,
        )
    revisits = revisit_flags(facts, counted, on, config)
    return Decision(
        "opened",
        [],
        flags + list(revisits.values()),
        tuple(dict.fromkeys(p.inspector_id for p in partners)) + (me,),
        counted,
        caps,
        guarded,
        distance,
        tuple(revisits),
    )
