"""Scan-in (扫码入企, Art. 24), store side: read the facts in one BatchGetItem, let
`scan_rules.decide` judge, and record the outcome in one TransactWriteItems. Registration is
compulsory: every well-formed scan is stored, accepted or refused.

Invariants, held by the transaction's conditions rather than by what was read:
- a retried scan (same inspector and client request id) returns its first answer and writes nothing;
- yearly counts never pass an item's cap for the enterprise's credit tier (Art. 18), unless the task
  carries an Art. 12 exception; a refused or pending scan never counts;
- an item withdrawn after approval is not inspected (Art. 14); a recent clean off-site check blocks a
  routine visit (Art. 7);
- one open visit per agency, enterprise and day: later scans join it (Art. 17); a visit opened within the
  re-visit window of the same agency's last one there, for other items, is flagged for the judicial bureau
  (Art. 17), judged against the agency's `LastVisit` as read, which the write rewrites under its version.
When concurrent scans cancel the transaction (a condition, or DynamoDB's TransactionConflict), the scan
is read and decided again after a jittered backoff. One still contended after CONTENTION_SECONDS is
stored all the same, refused for `scan_contention`, in a write no other scan shares: no scan that
reaches the server goes unregistered (Art. 24), and none is admitted unverified.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated

import msgspec
from msgspec import Meta

from sheqi import clock, metrics, settings
from sheqi.auth import Identity, require_role
from sheqi.errors import AppError, Forbidden, IdempotencyKeyReused, RuleViolation
from sheqi.inputs import Body, Instant, Latitude, Longitude, Meters, OneOf
from sheqi.inspections import visits
from sheqi.rules import plan_rules, qualification, uscc
from sheqi.rules.articles import ART
from sheqi.rules.scan_rules import (
    EXCEPTION_GROUND_KINDS,
    EXCEPTION_REASONS,
    LATE_REASONS,
    Decision,
    InspectorFacts,
    ItemFacts,
    Location,
    PendingScan,
    PriorVisit,
    ScanConfig,
    ScanFacts,
    TaskFacts,
    decide,
)
from sheqi.signing import codes
from sheqi.store import Cancelled, Transaction, batch_read
from sheqi.store.notices import Notice
from sheqi.store.plans import PlanIndex
from sheqi.store.registers import Agency, Enterprise, Inspector, Item
from sheqi.store.tallies import RefusalTally, Tally
from sheqi.store.tasks import Task
from sheqi.store.visits import LastVisit, OffsiteClear, PendingScans, Scan, Visit, VisitEvent, VisitSlot

# The one QR code a business licence (营业执照) carries: a link to the National Enterprise Credit Information
# Publicity System (国家企业信用信息公示系统) whose only query parameter is the unified social credit code,
#     http://www.gsxt.gov.cn/index.html?uniscid=<USCC>
# written exactly so by the licence issuing and printing systems (e.g. the e-licence registration interface
# uploads the QR image of this URL as the licence's QR; self-service printing terminals print "网址+统一社会信用代码").
# The electronic licence (电子营业执照) shows the licence with this same QR. Its other code, the one-time
# "出示" code, is a verification code only the e-licence system can check online (《电子营业执照管理办法（试行）》
# 第十一条: 验证专用码) and is not accepted; nor is the "亮照" link (zzlz.gsxt.gov.cn), which websites carry.
# Anything else that merely contains a credit code is refused: it may be a copied or altered poster.
LICENCE_QR = re.compile(r"http://www\.gsxt\.gov\.cn/index\.html\?uniscid=([0-9A-HJ-NPQRTUWXY]{18})")
_USCC_INSIDE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
SERVICE_PURPOSES = {"policy_briefing": "政策宣讲", "service_call": "上门服务", "survey": "调研走访", "other": "其他"}
CONTENTION_SECONDS = 5.0  # retrying within the request; the scans function has 10 s (serverless.yml)
BACKOFF_SECONDS = 0.01, 0.25  # full jitter: uniform(0, min(cap, base * 2**attempt)), so contenders spread out


def config_from_env() -> ScanConfig:
    env = settings.get()
    return ScanConfig(
        pairing_window=timedelta(minutes=env.scan_pairing_minutes),
        late_limit=timedelta(days=env.scan_late_days),
        offsite_sufficed=timedelta(days=env.offsite_suffices_days),
        revisit_window=timedelta(days=env.revisit_window_days),
    )


class LocationIn(Body):
    latitude: Latitude
    longitude: Longitude
    accuracy_m: Meters
    is_mock: bool = False


class ScanIn(Body):
    token: Annotated[str, Meta(min_length=1, max_length=512)]
    task_id: Annotated[str, Meta(pattern=r"^[0-9a-f]{32}$")]
    client_request_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    device_time: Instant
    location: LocationIn | None = None
    late_reason: Annotated[str, OneOf(LATE_REASONS)] | None = None


# The id of the day's first visit of an agency at an enterprise, derived from its slot, so a scan reads
# the visit it may join in the same batch as the slot: one read, one write for every outcome.
def first_visit_id(slot: str) -> str:
    return hashlib.sha256(slot.encode()).hexdigest()[:32]


# --- reading ----------------------------------------------------------------------------------------


def identify(token: str) -> tuple[str | None, str | None, codes.CodeClaim | None, qualification.Finding | None]:
    """Which enterprise a scanned code names: our signed code (a URL or the bare token), or a business
    licence's QR (`LICENCE_QR`), which names the enterprise by its credit code but carries no signature."""
    text = token.strip()
    licence = LICENCE_QR.fullmatch(text)
    if licence:
        try:
            return uscc.validate(licence.group(1)), "business_licence", None, None
        except AppError:
            return (
                None,
                None,
                None,
                qualification.Finding(
                    "licence_code_invalid", ART[24], "营业执照二维码中的统一社会信用代码无效（不符合 GB 32100-2015），可能系伪造"
                ),
            )
    candidate = text.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if candidate.startswith(codes.SCHEME + "."):
        try:
            claim = codes.verify(candidate)
        except codes.CodeRejected as rejected:
            return None, None, None, qualification.Finding(rejected.code, ART[24], rejected.message)
        return claim.enterprise_id, "signed_code", claim, None
    if _USCC_INSIDE.search(text.upper()):
        return (
            None,
            None,
            None,
            qualification.Finding(
                "code_not_licence",
                ART[24],
                "二维码含统一社会信用代码，但既不是本系统签发的入企码，也不是营业执照二维码"
                "（http://www.gsxt.gov.cn/index.html?uniscid=统一社会信用代码）：复制、改动或伪造的码不予识别",
            ),
        )
    return (
        None,
        None,
        None,
        qualification.Finding("code_malformed", ART[24], "二维码无法识别：既不是入企码，也不是营业执照二维码"),
    )


def code_problem(
    enterprise_id: str | None, enterprise: Enterprise | None, claim: codes.CodeClaim | None, finding: qualification.Finding | None
) -> qualification.Finding | None:
    """Why the scanned code does not name a registered enterprise by its current code (Art. 24), given
    what `identify` found and the enterprise record read for it; None when it does."""
    if finding is not None:
        return finding
    if enterprise is None:
        return qualification.Finding("code_enterprise_unknown", ART[24], "二维码对应的企业未在本系统登记")
    if claim is not None:
        try:
            codes.check_current(claim, current_version=int(enterprise.code_version), status=enterprise.code_status)
        except codes.CodeRejected as rejected:
            return qualification.Finding(rejected.code, ART[24], rejected.message)
    return None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _task_facts(task: Task) -> TaskFacts:
    return TaskFacts(
        task_id=task.task_id,
        status=task.status,
        type=task.type,
        method=task.method,
        window_start=datetime.fromisoformat(task.window_start),
        window_end=datetime.fromisoformat(task.window_end),
        targets=tuple(task.targets),
        team={p["agency_id"]: tuple(p["inspector_ids"]) for p in task.participants},
        items={p["agency_id"]: tuple(i["item_id"] for i in p["items"]) for p in task.participants},
        exception_reason=(task.exception or {}).get("reason"),
        lead_region=task.region_code,
    )


class _Facts:
    """Everything one scan is judged on, plus the records the write needs."""

    def __init__(self, caller: Identity, data: ScanIn, now: datetime, guarded: bool):
        self.now, self.data = now, data
        self.scan_id = Scan.key(caller.subject, data.client_request_id)
        enterprise_id, self.identified_by, claim, code_finding = identify(data.token)
        day = data.device_time.date()
        agency_id = caller.agency_id
        assert agency_id is not None  # an inspector's token names its agency (auth.Identity)
        plan_key = PlanIndex.key(agency_id, day.year)
        wanted = [
            (Scan, self.scan_id),
            (Inspector, caller.subject),
            (Agency, agency_id),
            (Task, data.task_id),
            (PlanIndex, plan_key),
        ]
        slot = VisitSlot.key(enterprise_id, agency_id, day) if enterprise_id else None
        if enterprise_id and slot:
            wanted += [
                (Enterprise, enterprise_id),
                (VisitSlot, slot),
                (Visit, first_visit_id(slot)),
                (PendingScans, PendingScans.key(data.task_id, enterprise_id, day)),
                (LastVisit, LastVisit.key(enterprise_id, agency_id)),
            ]
        got = batch_read(wanted)
        self.previous = got.get(Scan, self.scan_id)
        self.inspector = got.get(Inspector, caller.subject)
        self.agency = got.get(Agency, agency_id)
        self.task = got.get(Task, data.task_id)
        index = got.get(PlanIndex, plan_key)
        self.plan_entries = plan_rules.entries_in_force(index.versions, day) if index else None
        self.enterprise = got.get(Enterprise, enterprise_id) if enterprise_id else None
        self.slot = got.get(VisitSlot, slot) if slot else None
        first = got.get(Visit, first_visit_id(slot)) if slot else None
        self.pending = got.get(PendingScans, PendingScans.key(data.task_id, enterprise_id, day)) if enterprise_id else None
        code_finding = code_problem(enterprise_id, self.enterprise, claim, code_finding)
        self.enterprise_id = enterprise_id if self.enterprise is not None else None
        self.code_finding = code_finding
        self.open_visit = None
        if self.slot is not None:  # only a later visit of the same day, after the first closed, is read apart
            self.open_visit = (
                first if first and first.visit_id == self.slot.visit_id else Visit.get(self.slot.visit_id, consistent_read=True)
            )
        # The visit this scan would open: the day's first, unless that one was opened and closed already.
        self.new_visit_id = first_visit_id(slot) if slot and first is None else uuid.uuid4().hex
        self.items = self._items(guarded)
        self.counts, self.offsite = self._guarded_facts(guarded)
        self.last_visits = self._last_visits(
            got.get(LastVisit, LastVisit.key(enterprise_id, agency_id)) if enterprise_id else None
        )

    def _last_visits(self, mine: LastVisit | None) -> dict[str, LastVisit]:
        """Each task agency's latest visit at the enterprise (Art. 17): the scanner's agency's from the batch;
        a joint task's other agencies' in one more (strongly consistent) read, only when a visit may be opened:
        a scan that joins the open visit records the scanner's agency's alone."""
        if not self.enterprise_id:
            return {}
        agency_id = self.inspector.agency_id if self.inspector else None
        found = {agency_id: mine} if mine is not None and agency_id else {}
        others = [a for a in (p["agency_id"] for p in self.task.participants) if a != agency_id] if self.task else []
        if others and self.open_visit is None:
            keys = {a: LastVisit.key(self.enterprise_id, a) for a in others}
            got = batch_read([(LastVisit, key) for key in keys.values()])
            found |= {a: r for a, key in keys.items() if (r := got.get(LastVisit, key)) is not None}
        return found

    def _task_items(self) -> list[tuple[str, dict]]:
        return [(p["agency_id"], i) for p in self.task.participants for i in p["items"]] if self.task else []

    def _items(self, guarded: bool) -> dict:
        """The task's items with the caps approved with it; their live status only when guarded."""
        keys = self._task_items()
        live = {}
        if guarded:
            live = {(i.agency_id, i.item_id): i.status for i in Item.batch_get([(a, i["item_id"]) for a, i in keys])}
        return {
            (a, i["item_id"]): ItemFacts(
                a,
                i["item_id"],
                live.get((a, i["item_id"]), "missing") if guarded else None,
                i["caps"],
                i.get("planned_frequency"),
            )
            for a, i in keys
        }

    def _guarded_facts(self, guarded: bool):
        """Counts and off-site checks: read only when a transaction was cancelled on them, or when the
        task carries an Art. 12 exception (whose flag depends on the count)."""
        exception = self.task is not None and self.task.exception
        if not self.enterprise_id or not (guarded or exception):
            return None, None
        year = self.data.device_time.year
        count_keys = {Tally.count_key(self.enterprise_id, year, a, i): (a, i) for a, i in self.items}
        offsite_keys = {OffsiteClear.key(self.enterprise_id, a, i): (a, i) for a, i in self.items}
        counts = {count_keys[t.tally_key]: t.count for t in Tally.batch_get(list(count_keys))}
        offsite = {offsite_keys[o.tally_key]: _d(o.checked_on) for o in OffsiteClear.batch_get(list(offsite_keys))}
        return counts, offsite

    def rules_facts(self, contended: bool = False) -> ScanFacts:
        ins = self.inspector
        assert ins is not None and self.agency is not None  # scan() refused an unregistered inspector
        loc = self.data.location
        return ScanFacts(
            server_time=self.now,
            device_time=self.data.device_time,
            late_reason=self.data.late_reason,
            code_finding=self.code_finding,
            identified_by=self.identified_by,
            enterprise_id=self.enterprise_id,
            enterprise_tier=self.enterprise.credit_tier if self.enterprise else None,
            enterprise_region=self.enterprise.region_code if self.enterprise else None,
            enterprise_name=self.enterprise.name if self.enterprise else None,
            premises=(self.enterprise.latitude, self.enterprise.longitude)
            if self.enterprise and self.enterprise.latitude is not None
            else None,
            location=Location(loc.latitude, loc.longitude, loc.accuracy_m, loc.is_mock) if loc else None,
            inspector=InspectorFacts(
                ins.inspector_id,
                ins.agency_id,
                ins.staff_category,
                ins.status,
                ins.certificate_no,
                ins.certificate_kind,
                _d(ins.valid_from),
                _d(ins.valid_until),
            ),
            agency_kinds={self.agency.agency_id: (self.agency.kind, self.agency.certificate_kind)},
            inspector_region=self.agency.region_code,
            task=_task_facts(self.task) if self.task else None,
            items=self.items,
            counts=self.counts,
            offsite_clear=self.offsite,
            pending=tuple(
                PendingScan(m["inspector_id"], m["scan_id"], datetime.fromisoformat(m["device_time"]), m["snapshot"]["agency_id"])
                for m in (self.pending.members if self.pending else [])
            ),
            open_visit_id=self.open_visit.visit_id if self.open_visit else None,
            open_visit_items=frozenset((i["agency_id"], i["item_id"]) for i in self.open_visit.items)
            if self.open_visit
            else frozenset(),
            plan_entries=self.plan_entries,
            contended=contended,
            prior_visits={
                a: PriorVisit(r.visit_id, date.fromisoformat(r.visit_date), frozenset(r.item_ids))
                for a, r in self.last_visits.items()
            },
        )


# --- deciding and writing ---------------------------------------------------------------------------


def scan(caller: Identity, data: ScanIn, config: ScanConfig | None = None) -> tuple[int, dict]:
    """Judge and record one scan; returns (HTTP status, answer)."""
    require_role(caller, "inspector")
    config = config or config_from_env()
    guarded = False
    deadline = time.monotonic() + CONTENTION_SECONDS
    attempt = 0
    while True:
        facts = _Facts(caller, data, clock.now(), guarded)
        if facts.previous is not None:
            return _status(facts.previous.outcome), _first_answer(facts.previous, data)
        if facts.inspector is None or facts.agency is None:
            raise Forbidden("执法人员未在本系统登记，不能扫码入企", code="inspector_not_registered")
        if facts.inspector.agency_id != caller.agency_id:
            raise Forbidden("令牌中的所属机关与执法人员登记的机关不一致，请重新登录", code="agency_mismatch")
        decision = decide(facts.rules_facts(contended=attempt > 0 and time.monotonic() >= deadline), config)
        try:
            answer = _write(facts, decision, config)
            metrics.scan(decision.outcome, (f.code for f in decision.findings))
            return _status(decision.outcome), answer
        except Cancelled as error:
            if not error.contended:
                raise
            if error.failed & {"cap", "item", "offsite"}:
                guarded = True  # read what the conditions guarded, and decide again
            # "scan": a concurrent retry won (the next read returns its answer); "slot", "pending",
            # "visit": another scan opened or joined first (the next read sees it and joins); or
            # DynamoDB's TransactionConflict with a concurrent transaction. Back off, then read again.
            base, cap = BACKOFF_SECONDS
            time.sleep(random.uniform(0, min(cap, base * 2**attempt, max(0.0, deadline - time.monotonic()))))
            attempt += 1


class ServiceVisitIn(Body):
    """A visit that is not an inspection (policy briefing, service call): registered by scan-in all the
    same, so that a disguised inspection (Art. 27) leaves a trace the enterprise can report."""

    token: Annotated[str, Meta(min_length=1, max_length=512)]
    client_request_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
    device_time: Instant
    purpose: Annotated[str, OneOf(SERVICE_PURPOSES)]
    description: Annotated[str, Meta(min_length=2, max_length=500)]
    location: LocationIn | None = None


def register_service_visit(caller: Identity, data: ServiceVisitIn) -> tuple[int, dict]:
    """Register a non-enforcement visit: no task, no items, no count against the caps; the enterprise is
    told it is not an inspection and may report it if it was one."""
    require_role(caller, "inspector")
    agency_id = caller.agency_id
    assert agency_id is not None  # an inspector's token names its agency (auth.Identity)
    scan_id = Scan.key(caller.subject, data.client_request_id)
    enterprise_id, identified_by, claim, finding = identify(data.token)
    got = batch_read(
        [(Scan, scan_id), (Inspector, caller.subject), (Agency, agency_id)]
        + ([(Enterprise, enterprise_id)] if enterprise_id else [])
    )
    previous = got.get(Scan, scan_id)
    if previous is not None:
        return 201, _first_answer(previous, data)
    inspector, agency = got.get(Inspector, caller.subject), got.get(Agency, agency_id)
    if inspector is None or agency is None or inspector.agency_id != agency_id:
        raise Forbidden("执法人员未在本系统登记，不能扫码登记", code="inspector_not_registered")
    enterprise = got.get(Enterprise, enterprise_id) if enterprise_id else None
    finding = code_problem(enterprise_id, enterprise, claim, finding)
    if finding is not None:
        raise RuleViolation(finding.message, field="token", code=finding.code, article=finding.article)
    assert enterprise is not None  # code_problem() finds an unregistered enterprise
    now = clock.now()
    snapshot = _snapshot(inspector)
    visit = Visit(
        uuid.uuid4().hex,
        kind="service",
        purpose=f"{SERVICE_PURPOSES[data.purpose]}：{data.description}",
        enterprise_id=enterprise_id,
        enterprise_name=enterprise.name,
        region_code=enterprise.region_code,
        visit_date=data.device_time.date().isoformat(),
        opened_at=now.isoformat(timespec="milliseconds"),
        entered_at=data.device_time.isoformat(),
        ended_at=data.device_time.isoformat(),
        closed_at=now.isoformat(timespec="seconds"),
        status="closed",
        task_ids=[],
        agency_ids=[agency.agency_id],
        inspectors=[snapshot],
        items=[],
        flags=[],
    )
    event = visits.new_event(
        visit,
        "opened",
        f"inspector:{inspector.inspector_id}",
        {
            "scan_id": scan_id,
            "enterprise_id": enterprise_id,
            "kind": "service",
            "purpose": visit.purpose,
            "inspectors": [snapshot],
            "entered_at": visit.entered_at,
        },
    )
    answer = {
        "scan_id": scan_id,
        "outcome": "service",
        "visit_id": visit.visit_id,
        "identified_by": identified_by,
        "message": "已登记为非检查类走访（不计入检查频次）；走访中不得实施检查（第二十七条）",
        "enterprise": {"enterprise_id": enterprise_id, "name": enterprise.name},
        "server_time": now.isoformat(timespec="milliseconds"),
        "inspectors": [snapshot],
    }
    notice = Notice(
        f"enterprise:{enterprise_id}",
        f"scan:{scan_id}",
        kind="service_visit",
        article=ART[27],
        created_at=clock.now_iso(),
        title=f"非检查类走访登记：{agency.name}",
        body=f"{agency.name}{inspector.name}登记了一次非检查类走访（{visit.purpose}）。走访不是行政检查，"
        "不得借走访实施检查；如实际进行了检查，贵单位可在评价中标记“变相检查”或投诉（第二十七条）。",
    )
    try:
        with Transaction() as tx:
            tx.save(
                Scan(
                    scan_id,
                    inspector_id=inspector.inspector_id,
                    agency_id=agency.agency_id,
                    enterprise_id=enterprise_id,
                    identified_by=identified_by,
                    server_time=now.isoformat(timespec="milliseconds"),
                    device_time=data.device_time.isoformat(),
                    location=data.location.to_dict() if data.location else None,
                    outcome="service",
                    visit_id=visit.visit_id,
                    answer=answer,
                    request_hash=request_hash(data),
                    listed_enterprise=enterprise_id,
                ),
                condition=Scan.scan_id.does_not_exist(),
            )
            tx.save(visit, condition=Visit.visit_id.does_not_exist())
            tx.save(event, condition=VisitEvent.seq.does_not_exist())
            tx.save(notice, condition=Notice.notice_id.does_not_exist())
    except Cancelled as error:
        if error.failed:  # a concurrent retry of the same request won
            return 201, _first_answer(Scan.get(scan_id, consistent_read=True), data)
        raise
    return 201, answer


def request_hash(data: ScanIn | ServiceVisitIn) -> str:
    """SHA-256 of the request as parsed: `client_request_id` is the scan's idempotency key (a header
    Idempotency-Key, if sent, must equal it), and a retry must send the same request."""
    return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


def _first_answer(previous: Scan, data: ScanIn | ServiceVisitIn) -> dict:
    """The answer to the scan this one retries; a different request with its key is refused."""
    if previous.request_hash not in (None, request_hash(data)):  # None: stored before requests were hashed
        raise IdempotencyKeyReused("client_request_id")
    return previous.answer


def _status(outcome: str) -> int:
    return 202 if outcome == "pending" else 201


def _snapshot(inspector: Inspector) -> dict:
    """The inspector as verified at scan time: what the enterprise is told and later sees."""
    return {
        "inspector_id": inspector.inspector_id,
        "name": inspector.name,
        "agency_id": inspector.agency_id,
        "certificate_no": inspector.certificate_no,
        "certificate_kind": inspector.certificate_kind,
        "certificate_label": qualification.certificate_label(inspector.certificate_kind),
        "valid_from": inspector.valid_from,
        "valid_until": inspector.valid_until,
    }


def _write(facts: _Facts, decision: Decision, config: ScanConfig) -> dict:
    data, now, enterprise_id = facts.data, facts.now, facts.enterprise_id
    assert facts.inspector is not None and facts.agency is not None  # scan() refused an unregistered inspector
    tx = Transaction()
    visit = None
    actor = f"inspector:{facts.inspector.inspector_id}"
    tell = decision.outcome in ("opened", "refused")  # notices are written for a scan that changes something
    task_added = decision.outcome == "opened"  # the task's exception is told to the bureau once per visit
    if decision.outcome == "opened":
        assert enterprise_id is not None and facts.enterprise is not None  # decide() opens no visit without them
        visit = _new_visit(facts, decision)
        event = visits.new_event(
            visit,
            "opened",
            actor,
            {
                "scan_id": facts.scan_id,
                "enterprise_id": enterprise_id,
                "task_ids": visit.task_ids,
                "agency_ids": visit.agency_ids,
                "inspectors": visit.inspectors,
                "items": visit.items,
                "entered_at": visit.entered_at,
                "flags": visit.flags,
                "exception": visit.exception,
                **({"revisit_of": visit.revisit_of} if visit.revisit_of else {}),
            },
        )
        tx.save(event, condition=VisitEvent.seq.does_not_exist(), label="event")
        tx.save(visit, condition=Visit.visit_id.does_not_exist(), label="visit")
        tx.save(VisitSlot(visit.slot_key, visit_id=visit.visit_id), condition=VisitSlot.tally_key.does_not_exist(), label="slot")
        if facts.pending is not None:
            tx.delete(facts.pending, label="pending")
        _count_visit(tx, facts, visit, decision)
    elif decision.outcome == "joined":
        visit = facts.open_visit
        assert visit is not None and facts.task is not None  # decide() joins only an open visit, under a task
        me = facts.inspector.inspector_id
        known = {(i["agency_id"], i["item_id"]) for i in visit.items}
        added = [_item_view(facts.task, a, i) for a, i in decision.counted_items if (a, i) not in known]
        if not added and facts.task.task_id in visit.task_ids and me in {i["inspector_id"] for i in visit.inspectors}:
            # A team member scanning again changes nothing in the visit: registered by the scan record, checked
            # against the open slot, and not chained, so repeated scans do not queue on the visit's head.
            tx.check(VisitSlot, visit.slot_key, condition=VisitSlot.visit_id == visit.visit_id, label="slot")
        else:
            tell = True
            if me not in {i["inspector_id"] for i in visit.inspectors}:
                visit.inspectors = visit.inspectors + [_snapshot(facts.inspector)]
            visit.items = visit.items + added
            if facts.task.task_id not in visit.task_ids:
                visit.task_ids = visit.task_ids + [facts.task.task_id]
                visit.exception = visit.exception or facts.task.exception
                task_added = True
            event = visits.new_event(
                visit,
                "joined",
                actor,
                {
                    "scan_id": facts.scan_id,
                    "task_id": facts.task.task_id,
                    "inspector": _snapshot(facts.inspector),
                    "items_added": added,
                },
            )
            tx.save(event, condition=VisitEvent.seq.does_not_exist(), label="event")
            tx.save(visit, label="visit")  # its version condition fails if another scan joined first
            if added:
                _keep_last_visit(tx, facts, visit, facts.inspector.agency_id, [i["item_id"] for i in added])
    elif decision.outcome == "pending":
        assert (
            enterprise_id is not None and facts.task is not None
        )  # decide() has a scan wait only under a task, at a known enterprise
        me = facts.inspector.inspector_id
        mine = next((m for m in facts.pending.members if m["inspector_id"] == me), None) if facts.pending else None
        if (
            facts.pending
            and mine
            and abs(data.device_time - datetime.fromisoformat(mine["device_time"])) <= config.pairing_window
        ):
            # Already waiting, within the pairing window: the entry stands (the window runs from it), and the
            # repeat is checked against the list as read, so repeated scans do not queue on the list.
            tx.check(
                PendingScans, facts.pending.tally_key, condition=PendingScans.version == facts.pending.version, label="pending"
            )
        else:
            pending = facts.pending or PendingScans(
                PendingScans.key(facts.task.task_id, enterprise_id, data.device_time.date()), members=[]
            )
            others = [m for m in pending.members if m["inspector_id"] != me]
            pending.members = others + [
                {
                    "inspector_id": me,
                    "scan_id": facts.scan_id,
                    "device_time": data.device_time.isoformat(),
                    "snapshot": _snapshot(facts.inspector),
                }
            ]
            tx.save(pending, label="pending")
            tell = True

    if decision.outcome in ("opened", "joined"):
        _guard_items(tx, facts, decision, config.offsite_sufficed)
    if decision.outcome == "refused" and "scan_contention" not in {f.code for f in decision.findings}:
        # counted by agency and reason for the judicial bureau's watch list; a contended scan's write
        # touches nothing another scan does (and the contention is not the agency's doing)
        region = facts.enterprise.region_code if facts.enterprise else facts.agency.region_code
        year = data.device_time.year
        for code in sorted({f.code for f in decision.findings}):
            tx.update(
                RefusalTally(RefusalTally.key(region, year, facts.agency.agency_id, code)),
                label="refusal",
                actions=[
                    RefusalTally.count.add(1),
                    RefusalTally.watch_scope.set(RefusalTally.scope(region, year)),
                    RefusalTally.agency_id.set(facts.agency.agency_id),
                    RefusalTally.reason.set(code),
                ],
            )
    answer = _answer(facts, decision, visit)
    tx.save(
        Scan(
            facts.scan_id,
            inspector_id=facts.inspector.inspector_id,
            agency_id=facts.agency.agency_id,
            task_id=data.task_id,
            enterprise_id=enterprise_id,
            identified_by=facts.identified_by,
            server_time=now.isoformat(timespec="milliseconds"),
            device_time=data.device_time.isoformat(),
            late_reason=data.late_reason,
            location=data.location.to_dict() if data.location else None,
            outcome=decision.outcome,
            visit_id=visit.visit_id if visit else None,
            answer=answer,
            request_hash=request_hash(data),
            listed_enterprise=enterprise_id if decision.outcome in ("opened", "refused", "pending") else None,
        ),
        condition=Scan.scan_id.does_not_exist(),
        label="scan",
    )
    for notice in _notices(facts, decision, visit, task_added) if tell else ():
        tx.save(notice, condition=Notice.notice_id.does_not_exist(), label="notice")
    tx.commit()
    return answer


def _count_visit(tx: Transaction, facts: _Facts, visit: Visit, decision: Decision) -> None:
    """A visit opened: counted once for each agency and once in total (the total watched by the judicial
    bureau, Art. 12), and recorded as each agency's latest visit at the enterprise (Art. 17)."""
    enterprise, year = facts.enterprise, facts.data.device_time.year
    assert enterprise is not None  # decide() opens no visit without it
    for agency_id in visit.agency_ids:
        tx.update(Tally(Tally.count_key(enterprise.enterprise_id, year, agency_id)), actions=[Tally.count.add(1)], label="tally")
        _keep_last_visit(tx, facts, visit, agency_id, [i for a, i in decision.counted_items if a == agency_id])
    tx.update(
        Tally(Tally.count_key(enterprise.enterprise_id, year)),
        label="tally",
        actions=[
            Tally.count.add(1),
            Tally.watch_scope.set(Tally.frequency_scope(enterprise.region_code, year)),
            Tally.enterprise_id.set(enterprise.enterprise_id),
            Tally.credit_tier.set(enterprise.credit_tier),
        ],
    )


def _keep_last_visit(tx: Transaction, facts: _Facts, visit: Visit, agency_id: str, item_ids: list[str]) -> None:
    """Record `visit` as the agency's latest at the enterprise, with `item_ids` added when it already is;
    under the record's version as read, so a concurrent visit makes the scan read and decide again."""
    assert facts.enterprise_id is not None  # a visit is opened or joined only at a known enterprise
    record = facts.last_visits.get(agency_id)
    if record is not None and record.visit_id == visit.visit_id:
        record.item_ids = list(dict.fromkeys(record.item_ids + item_ids))
    elif record is None or record.visit_date <= visit.visit_date:  # a late scan of an older day leaves the latest
        record = record or LastVisit(LastVisit.key(facts.enterprise_id, agency_id))
        record.visit_id, record.visit_date, record.item_ids = visit.visit_id, visit.visit_date, item_ids
    else:
        return
    tx.save(record, label="lastvisit")


def _guard_items(tx: Transaction, facts: _Facts, decision: Decision, offsite_sufficed: timedelta) -> None:
    """Count each inspected item, under its cap (Art. 18) unless an Art. 12 exception applies, and
    check it is still published (Art. 14) and not recently cleared off-site (Art. 7)."""
    enterprise_id, year = facts.enterprise_id, facts.data.device_time.year
    assert enterprise_id is not None  # items are counted only at a known enterprise
    cutoff = (facts.data.device_time.date() - offsite_sufficed).isoformat()
    for agency_id, item_id in decision.counted_items:
        tally = Tally(Tally.count_key(enterprise_id, year, agency_id, item_id))
        cap = decision.capped_items.get((agency_id, item_id))
        condition = None if cap is None else (Tally.count < cap) | Tally.count.does_not_exist()
        tx.update(tally, actions=[Tally.count.add(1)], condition=condition, label="cap")
        tx.check(Item, agency_id, item_id, condition=Item.status == "published", label="item")
        if decision.offsite_guarded:
            tx.check(
                OffsiteClear,
                OffsiteClear.key(enterprise_id, agency_id, item_id),
                condition=OffsiteClear.tally_key.does_not_exist() | (OffsiteClear.checked_on < cutoff),
                label="offsite",
            )


def _item_view(task: Task, agency_id: str, item_id: str) -> dict:
    part = next(p for p in task.participants if p["agency_id"] == agency_id)
    item = next(i for i in part["items"] if i["item_id"] == item_id)
    return {"agency_id": agency_id, "item_id": item_id, "name": item["name"], "legal_basis": item["legal_basis"]}


def _new_visit(facts: _Facts, decision: Decision) -> Visit:
    assert facts.inspector and facts.agency and facts.task and facts.enterprise and facts.enterprise_id  # an opened visit's facts
    partners = {m["inspector_id"]: m["snapshot"] for m in (facts.pending.members if facts.pending else [])}
    team = [partners[i] for i in decision.team if i in partners] + [_snapshot(facts.inspector)]
    task = facts.task
    return Visit(
        facts.new_visit_id,
        enterprise_id=facts.enterprise_id,
        enterprise_name=facts.enterprise.name,
        region_code=facts.enterprise.region_code,
        visit_date=facts.data.device_time.date().isoformat(),
        slot_key=VisitSlot.key(facts.enterprise_id, facts.agency.agency_id, facts.data.device_time.date()),
        opened_at=facts.now.isoformat(timespec="milliseconds"),
        entered_at=facts.data.device_time.isoformat(),
        task_ids=[task.task_id],
        agency_ids=[p["agency_id"] for p in task.participants],
        inspectors=team,
        items=[_item_view(task, a, i) for a, i in decision.counted_items],
        flags=[f.code for f in decision.flags],
        exception=task.exception,
        revisit_of=[
            {
                "agency_id": a,
                "visit_id": facts.last_visits[a].visit_id,
                "visit_date": facts.last_visits[a].visit_date,
                "item_ids": list(facts.last_visits[a].item_ids),
            }
            for a in decision.revisits
        ]
        or None,
    )


def _answer(facts: _Facts, decision: Decision, visit: Visit | None) -> dict:
    enterprise, inspector = facts.enterprise, facts.inspector
    assert inspector is not None  # scan() refused an unregistered inspector
    headline = {
        "opened": "扫码登记成功，现场检查开始",
        "joined": "扫码登记成功，已并入本机关当日在该企业的检查（第十七条）",
        "pending": "已登记，等待检查组另一名执法人员扫码（执法人员不得少于两人，第十九条）",
        "refused": "本次检查不符合规定，已登记为被拒绝的检查；企业有权拒绝接受检查并投诉举报（第二十四条）",
    }[decision.outcome]
    return {
        "scan_id": facts.scan_id,
        "outcome": decision.outcome,
        "message": headline,
        "visit_id": visit.visit_id if visit else None,
        "task_id": facts.data.task_id,
        "enterprise": {"enterprise_id": enterprise.enterprise_id, "name": enterprise.name} if enterprise else None,
        "identified_by": facts.identified_by,
        "server_time": facts.now.isoformat(timespec="milliseconds"),
        "device_time": facts.data.device_time.isoformat(),
        "reasons": [f.to_dict() for f in decision.findings],
        "flags": [f.to_dict() for f in decision.flags],
        "inspectors": visit.inspectors if visit else [_snapshot(inspector)],
        "distance_m": decision.distance_m,
    }


def _notices(facts: _Facts, decision: Decision, visit: Visit | None, task_added: bool) -> list[Notice]:
    """The enterprise hears of every scan that changes something at its door (Art. 24): a refusal, a lone
    inspector waiting for a second, a visit opened, or another task joining it; the judicial bureau of
    every visit a task under an Art. 12 exception opens or joins (the exception's reason and ground)."""
    if facts.enterprise is None:
        return []
    assert facts.inspector is not None and facts.agency is not None  # scan() refused an unregistered inspector
    now = clock.now_iso()
    people = "；".join(
        f"{p['name']}（{p['certificate_label']} {p['certificate_no']}，有效期至{p['valid_until']}）"
        if p["certificate_no"]
        else f"{p['name']}（无执法证件）"
        for p in (visit.inspectors if visit else [_snapshot(facts.inspector)])
    )
    items = "；".join(
        f"{i['name']}（依据：{i['legal_basis']}）"
        for i in (visit.items if visit else [_item_view(facts.task, a, i) for a, i in facts.items] if facts.task else [])
    )
    if decision.outcome == "refused":
        why = "；".join(f"{f.message}（{f.article}）" for f in decision.findings)
        body = (
            f"{facts.agency.name}执法人员扫码入企未通过核验：{why}。执法人员：{people}。"
            "对违规实施的检查，贵单位有权拒绝接受检查，并可投诉举报（第二十四条）。"
        )
        title = f"检查被拒绝登记：{facts.agency.name}"
    elif decision.outcome == "pending":
        body = (
            f"{facts.agency.name}执法人员{people}已扫码，正在等待同一机关的第二名执法人员扫码。"
            "执法人员不得少于两人，联合检查中每个执法机关各不少于两人；人数不足时不得开始检查，贵单位有权拒绝（第十九条、第二十四条）。"
        )
        title = f"执法人员已扫码，等待第二人：{facts.agency.name}"
    else:
        body = f"{facts.agency.name}开始对贵单位实施现场检查。执法人员：{people}。检查事项：{items}。检查结束后将告知检查结果（第十九条）。"
        title = f"入企检查登记：{facts.agency.name}"
    if facts.identified_by == "business_licence":  # the licence's QR is public: the enterprise should know it was used
        body += "本次以营业执照二维码识别贵单位，而非贵单位张贴的入企码；如有疑问请投诉举报。"
    notices = [
        Notice(
            f"enterprise:{facts.enterprise_id}",
            f"scan:{facts.scan_id}",
            kind=f"scan_{decision.outcome}",
            title=title,
            body=body,
            article=ART[24],
            created_at=now,
        )
    ]
    if visit is not None and decision.outcome == "opened" and visit.revisit_of:
        notices.append(
            Notice(
                f"judicial:{facts.enterprise.region_code}",
                f"revisit:{visit.visit_id}",
                kind="revisit_visit",
                article=ART[17],
                title=f"短期内再次入企检查其他事项：{facts.enterprise.name}",
                body="；".join(f.message for f in decision.flags if f.code == "revisit_other_items")
                + f"。检查机关：{facts.agency.name}；本次检查事项：{items}。",
                created_at=now,
            )
        )
    exception = facts.task.exception if facts.task else None
    if exception and visit is not None and task_added:
        assert facts.task is not None
        over = [f.message for f in decision.flags if f.code == "over_cap_exception"]
        ground = exception["ground"]
        notices.append(
            Notice(
                f"judicial:{facts.enterprise.region_code}",
                f"exception:{visit.visit_id}:{facts.task.task_id}",
                kind="exception_visit",
                article=ART[12],
                title=f"依第十二条例外实施的检查：{facts.enterprise.name}",
                body=f"{facts.agency.name}依第十二条第{exception['reason']}项（{EXCEPTION_REASONS[exception['reason']]}）"
                f"实施检查，依据：{EXCEPTION_GROUND_KINDS[ground['kind']]} {ground['reference']}。"
                + ("；".join(over) + "。" if over else "本次未超出频次上限。"),
                created_at=now,
            )
        )
    return notices
