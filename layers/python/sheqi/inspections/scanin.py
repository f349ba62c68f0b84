"""Scan-in (扫码入企, Art. 24), store side: read the facts in one BatchGetItem, let
`scan_rules.decide` judge, and record the outcome in one TransactWriteItems. Registration is
compulsory: every well-formed scan is stored, accepted or refused.

Invariants, held by the transaction's conditions rather than by what was read:
- a retried scan (same inspector and client request id) returns its first answer and writes nothing;
- yearly counts never pass an item's cap for the enterprise's credit tier (Art. 18), unless the task
  carries an Art. 12 exception; a refused or pending scan never counts;
- an item withdrawn after approval is not inspected (Art. 14); a recent clean off-site check blocks a
  routine visit (Art. 7);
- one open visit per agency, enterprise and day: later scans join it (Art. 17).
When a condition cancels the transaction, the facts it guarded are read and the scan decided again.
"""
from __future__ import annotations

import os
import random
import re
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from sheqi import clock
from sheqi.auth import Identity, require_role
from sheqi.errors import AppError, Conflict, Forbidden, RuleViolation
from sheqi.inputs import Body
from sheqi.inspections import visits
from sheqi.plans import filing
from sheqi.rules import codes, qualification, uscc
from sheqi.rules.articles import ART
from sheqi.rules.scan_rules import (
    EXCEPTION_REASONS,
    LATE_REASONS,
    Decision,
    InspectorFacts,
    ItemFacts,
    Location,
    PendingScan,
    ScanConfig,
    ScanFacts,
    TaskFacts,
    decide,
)
from sheqi.store import (
    Agency,
    Enterprise,
    Inspector,
    Item,
    Notice,
    OffsiteClear,
    PendingScans,
    PlanIndex,
    RefusalTally,
    Scan,
    Tally,
    Task,
    Visit,
    VisitEvent,
    VisitSlot,
    cancelled_on_condition,
)

_LICENCE_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
SERVICE_PURPOSES = {"policy_briefing": "政策宣讲", "service_call": "上门服务", "survey": "调研走访", "other": "其他"}
ATTEMPTS = 8   # concurrent scans of one enterprise contend on its tallies; each retry reads afresh


def config_from_env() -> ScanConfig:
    env = os.environ.get
    return ScanConfig(pairing_window=timedelta(minutes=int(env("SCAN_PAIRING_MINUTES", "30"))),
                      late_limit=timedelta(days=int(env("SCAN_LATE_DAYS", "10"))),
                      offsite_sufficed=timedelta(days=int(env("OFFSITE_SUFFICES_DAYS", "90"))))


class LocationIn(Body):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(ge=0, le=100_000)
    is_mock: bool = False


class ScanIn(Body):
    token: str = Field(min_length=1, max_length=512)
    task_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    client_request_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    device_time: datetime
    location: LocationIn | None = None
    late_reason: Literal[tuple(LATE_REASONS)] | None = None

    _in_cst = field_validator("device_time")(clock.in_cst)


# --- keys -----------------------------------------------------------------------------------------

def count_key(enterprise_id: str, year: int, agency_id: str | None = None, item_id: str | None = None) -> str:
    return "#".join(["count", enterprise_id, str(year)] + [p for p in (agency_id, item_id) if p])


def slot_key(enterprise_id: str, agency_id: str, day: date) -> str:
    return f"slot#{enterprise_id}#{agency_id}#{day.isoformat()}"


def pending_key(task_id: str, enterprise_id: str, day: date) -> str:
    return f"pending#{task_id}#{enterprise_id}#{day.isoformat()}"


def offsite_key(enterprise_id: str, agency_id: str, item_id: str) -> str:
    return f"offsite#{enterprise_id}#{agency_id}#{item_id}"


# --- reading ----------------------------------------------------------------------------------------

def identify(token: str) -> tuple[str | None, str | None, codes.CodeClaim | None, qualification.Finding | None]:
    """Which enterprise a scanned code names: our signed code (a URL or the bare token), or the
    business licence's QR, which carries the unified social credit code but no signature."""
    candidate = token.strip().split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if candidate.startswith(codes.SCHEME + "."):
        try:
            claim = codes.verify(candidate)
        except codes.CodeRejected as rejected:
            return None, None, None, qualification.Finding(rejected.code, ART[24], rejected.message)
        return claim.enterprise_id, "signed_code", claim, None
    for found in _LICENCE_USCC.findall(token.upper()):
        try:
            return uscc.validate(found), "business_licence", None, None
        except AppError:
            continue
    return None, None, None, qualification.Finding("code_malformed", ART[24], "二维码无法识别：既不是入企码，也不含有效的统一社会信用代码")


def code_problem(enterprise_id: str | None, enterprise: Enterprise | None, claim: codes.CodeClaim | None,
                 finding: qualification.Finding | None) -> qualification.Finding | None:
    """Why the scanned code does not name a registered enterprise by its current code (Art. 24), given
    what `identify` found and the enterprise record read for it; None when it does."""
    if finding is not None:
        return finding
    if enterprise is None:
        return qualification.Finding("code_enterprise_unknown", ART[24], "二维码对应的企业未在本系统登记")
    if claim is not None:
        try:
            codes.check_current(claim, current_version=enterprise.code_version, status=enterprise.code_status)
        except codes.CodeRejected as rejected:
            return qualification.Finding(rejected.code, ART[24], rejected.message)
    return None


def batch_read(wanted: list) -> dict:
    """One BatchGetItem across tables. `wanted` holds (model class, hash key[, range key]);
    returns {(model class, keys...): instance} for those that exist."""
    client = Task._get_connection().connection.client
    request: dict = {}
    for model, *key in wanted:
        meta = model._get_schema()["key_schema"]
        names = [k["AttributeName"] for k in sorted(meta, key=lambda k: k["KeyType"] != "HASH")]
        entry = {name: {"S": value} for name, value in zip(names, key)}
        request.setdefault(model.Meta.table_name, {"Keys": [], "ConsistentRead": True})["Keys"].append(entry)
    by_table = {model.Meta.table_name: [] for model, *_ in wanted}
    while request:
        response = client.batch_get_item(RequestItems=request)
        for table, items in response["Responses"].items():
            by_table[table].extend(items)
        request = response.get("UnprocessedKeys") or {}
    found = {}
    for model, *key in wanted:
        meta = model._get_schema()["key_schema"]
        names = [k["AttributeName"] for k in sorted(meta, key=lambda k: k["KeyType"] != "HASH")]
        for raw in by_table[model.Meta.table_name]:
            if [raw[n]["S"] for n in names] == key:
                found[(model, *key)] = model.from_raw_data(raw)
    return found


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _task_facts(task: Task) -> TaskFacts:
    return TaskFacts(
        task_id=task.task_id, status=task.status, type=task.type, method=task.method,
        window_start=datetime.fromisoformat(task.window_start), window_end=datetime.fromisoformat(task.window_end),
        targets=tuple(task.targets),
        team={p["agency_id"]: tuple(p["inspector_ids"]) for p in task.participants},
        items={p["agency_id"]: tuple(i["item_id"] for i in p["items"]) for p in task.participants},
        exception_reason=(task.exception or {}).get("reason"))


class _Facts:
    """Everything one scan is judged on, plus the records the write needs."""

    def __init__(self, caller: Identity, data: ScanIn, now: datetime, guarded: bool):
        self.now, self.data = now, data
        self.scan_id = f"{caller.subject}:{data.client_request_id}"
        enterprise_id, self.identified_by, claim, code_finding = identify(data.token)
        day = data.device_time.date()
        plan_key = filing.index_key(caller.agency_id, day.year)
        wanted = [(Scan, self.scan_id), (Inspector, caller.subject), (Agency, caller.agency_id), (Task, data.task_id),
                  (PlanIndex, plan_key)]
        if enterprise_id:
            wanted += [(Enterprise, enterprise_id), (VisitSlot, slot_key(enterprise_id, caller.agency_id, day)),
                       (PendingScans, pending_key(data.task_id, enterprise_id, day))]
        got = batch_read(wanted)
        self.previous = got.get((Scan, self.scan_id))
        self.inspector = got.get((Inspector, caller.subject))
        self.agency = got.get((Agency, caller.agency_id))
        self.task = got.get((Task, data.task_id))
        index = got.get((PlanIndex, plan_key))
        self.plan_items = filing.items_in_force(index.versions, day) if index else None
        self.enterprise = got.get((Enterprise, enterprise_id)) if enterprise_id else None
        self.slot = got.get((VisitSlot, slot_key(enterprise_id, caller.agency_id, day))) if enterprise_id else None
        self.pending = got.get((PendingScans, pending_key(data.task_id, enterprise_id, day))) if enterprise_id else None
        code_finding = code_problem(enterprise_id, self.enterprise, claim, code_finding)
        self.enterprise_id = enterprise_id if self.enterprise is not None else None
        self.code_finding = code_finding
        self.open_visit = None
        if self.slot is not None:
            self.open_visit = Visit.get(self.slot.visit_id, consistent_read=True)
        self.items = self._items(guarded)
        self.counts, self.offsite = self._guarded_facts(guarded)

    def _task_items(self) -> list[tuple[str, dict]]:
        return [(p["agency_id"], i) for p in self.task.participants for i in p["items"]] if self.task else []

    def _items(self, guarded: bool) -> dict:
        """The task's items with the caps approved with it; their live status only when guarded."""
        keys = self._task_items()
        live = {}
        if guarded:
            live = {(i.agency_id, i.item_id): i.status for i in Item.batch_get([(a, i["item_id"]) for a, i in keys])}
        return {(a, i["item_id"]): ItemFacts(a, i["item_id"], live.get((a, i["item_id"]), "missing") if guarded else None,
                                             i["caps"]) for a, i in keys}

    def _guarded_facts(self, guarded: bool):
        """Counts and off-site checks: read only when a transaction was cancelled on them, or when the
        task carries an Art. 12 exception (whose flag depends on the count)."""
        exception = self.task is not None and self.task.exception
        if not self.enterprise_id or not (guarded or exception):
            return None, None
        year = self.data.device_time.year
        count_keys = {count_key(self.enterprise_id, year, a, i): (a, i) for a, i in self.items}
        offsite_keys = {offsite_key(self.enterprise_id, a, i): (a, i) for a, i in self.items}
        counts = {count_keys[t.tally_key]: t.count for t in Tally.batch_get(list(count_keys))}
        offsite = {offsite_keys[o.tally_key]: _d(o.checked_on) for o in OffsiteClear.batch_get(list(offsite_keys))}
        return counts, offsite

    def rules_facts(self) -> ScanFacts:
        ins = self.inspector
        loc = self.data.location
        return ScanFacts(
            server_time=self.now, device_time=self.data.device_time, late_reason=self.data.late_reason,
            code_finding=self.code_finding, identified_by=self.identified_by, enterprise_id=self.enterprise_id,
            enterprise_tier=self.enterprise.credit_tier if self.enterprise else None,
            premises=(self.enterprise.latitude, self.enterprise.longitude)
            if self.enterprise and self.enterprise.latitude is not None else None,
            location=Location(loc.latitude, loc.longitude, loc.accuracy_m, loc.is_mock) if loc else None,
            inspector=InspectorFacts(ins.inspector_id, ins.agency_id, ins.staff_category, ins.status, ins.certificate_no,
                                     ins.certificate_kind, _d(ins.valid_from), _d(ins.valid_until)),
            agency_kinds={self.agency.agency_id: (self.agency.kind, self.agency.certificate_kind)},
            task=_task_facts(self.task) if self.task else None,
            items=self.items, counts=self.counts, offsite_clear=self.offsite,
            pending=tuple(PendingScan(m["inspector_id"], m["scan_id"], datetime.fromisoformat(m["device_time"]))
                          for m in (self.pending.members if self.pending else [])),
            open_visit_id=self.open_visit.visit_id if self.open_visit else None,
            open_visit_items=frozenset((i["agency_id"], i["item_id"]) for i in self.open_visit.items) if self.open_visit else frozenset(),
            plan_items=self.plan_items)


# --- deciding and writing ---------------------------------------------------------------------------

def scan(caller: Identity, data: ScanIn, config: ScanConfig | None = None) -> tuple[int, dict]:
    """Judge and record one scan; returns (HTTP status, answer)."""
    require_role(caller, "inspector")
    config = config or config_from_env()
    guarded = False
    for attempt in range(ATTEMPTS):
        facts = _Facts(caller, data, clock.now(), guarded)
        if facts.previous is not None:
            return _status(facts.previous.outcome), facts.previous.answer
        if facts.inspector is None or facts.agency is None:
            raise Forbidden("执法人员未在本系统登记，不能扫码入企", code="inspector_not_registered")
        if facts.inspector.agency_id != caller.agency_id:
            raise Forbidden("令牌中的所属机关与执法人员登记的机关不一致，请重新登录", code="agency_mismatch")
        decision = decide(facts.rules_facts(), config)
        try:
            answer = _write(facts, decision, config)
            return _status(decision.outcome), answer
        except TransactWriteError as error:
            failed = _cancelled(error)
            if failed & {"cap", "item", "offsite"}:
                guarded = True      # read what the conditions guarded, and decide again
            # "scan": a concurrent retry won (the next read returns its answer); "slot", "pending",
            # "visit": another scan opened or joined first (the next read sees it and joins); or
            # DynamoDB's TransactionConflict with a concurrent transaction. Back off, then read again.
            time.sleep(random.uniform(0, 0.02 * 2 ** attempt))
    raise Conflict("同一企业同时扫码过多，请稍后重试", code="scan_contention")


class ServiceVisitIn(Body):
    """A visit that is not an inspection (policy briefing, service call): registered by scan-in all the
    same, so that a disguised inspection (Art. 27) leaves a trace the enterprise can report."""
    token: str = Field(min_length=1, max_length=512)
    client_request_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    device_time: datetime
    purpose: Literal[tuple(SERVICE_PURPOSES)]
    description: str = Field(min_length=2, max_length=500)
    location: LocationIn | None = None

    _in_cst = field_validator("device_time")(clock.in_cst)


def register_service_visit(caller: Identity, data: ServiceVisitIn) -> tuple[int, dict]:
    """Register a non-enforcement visit: no task, no items, no count against the caps; the enterprise is
    told it is not an inspection and may report it if it was one."""
    require_role(caller, "inspector")
    scan_id = f"{caller.subject}:{data.client_request_id}"
    enterprise_id, identified_by, claim, finding = identify(data.token)
    got = batch_read([(Scan, scan_id), (Inspector, caller.subject), (Agency, caller.agency_id)]
                     + ([(Enterprise, enterprise_id)] if enterprise_id else []))
    if (Scan, scan_id) in got:
        return 201, got[(Scan, scan_id)].answer
    inspector, agency = got.get((Inspector, caller.subject)), got.get((Agency, caller.agency_id))
    if inspector is None or agency is None or inspector.agency_id != caller.agency_id:
        raise Forbidden("执法人员未在本系统登记，不能扫码登记", code="inspector_not_registered")
    enterprise = got.get((Enterprise, enterprise_id)) if enterprise_id else None
    finding = code_problem(enterprise_id, enterprise, claim, finding)
    if finding is not None:
        raise RuleViolation(finding.message, field="token", code=finding.code, article=finding.article)
    now = clock.now()
    snapshot = _snapshot(inspector)
    visit = Visit(uuid.uuid4().hex, kind="service", purpose=f"{SERVICE_PURPOSES[data.purpose]}：{data.description}",
                  enterprise_id=enterprise_id, enterprise_name=enterprise.name, region_code=enterprise.region_code,
                  visit_date=data.device_time.date().isoformat(), opened_at=now.isoformat(timespec="milliseconds"),
                  entered_at=data.device_time.isoformat(), ended_at=data.device_time.isoformat(),
                  closed_at=now.isoformat(timespec="seconds"), status="closed", task_ids=[], agency_ids=[agency.agency_id],
                  inspectors=[snapshot], items=[], flags=[])
    event = visits.new_event(visit, "opened", f"inspector:{inspector.inspector_id}", {
        "scan_id": scan_id, "enterprise_id": enterprise_id, "kind": "service", "purpose": visit.purpose,
        "inspectors": [snapshot], "entered_at": visit.entered_at})
    answer = {"scan_id": scan_id, "outcome": "service", "visit_id": visit.visit_id, "identified_by": identified_by,
              "message": "已登记为非检查类走访（不计入检查频次）；走访中不得实施检查（第二十七条）",
              "enterprise": {"enterprise_id": enterprise_id, "name": enterprise.name},
              "server_time": now.isoformat(timespec="milliseconds"), "inspectors": [snapshot]}
    notice = Notice(f"enterprise:{enterprise_id}", f"scan:{scan_id}", kind="service_visit", article=ART[27],
                    created_at=clock.now_iso(), title=f"非检查类走访登记：{agency.name}",
                    body=f"{agency.name}{inspector.name}登记了一次非检查类走访（{visit.purpose}）。走访不是行政检查，"
                         "不得借走访实施检查；如实际进行了检查，贵单位可在评价中标记“变相检查”或投诉（第二十七条）。")
    try:
        with TransactWrite(connection=Task._get_connection().connection) as tx:
            tx.save(Scan(scan_id, inspector_id=inspector.inspector_id, agency_id=agency.agency_id,
                         enterprise_id=enterprise_id, identified_by=identified_by,
                         server_time=now.isoformat(timespec="milliseconds"), device_time=data.device_time.isoformat(),
                         location=data.location.model_dump() if data.location else None, outcome="service",
                         visit_id=visit.visit_id, answer=answer, listed_enterprise=enterprise_id),
                    condition=Scan.scan_id.does_not_exist())
            tx.save(visit, condition=Visit.visit_id.does_not_exist())
            tx.save(event, condition=VisitEvent.seq.does_not_exist())
            tx.save(notice, condition=Notice.notice_id.does_not_exist())
    except TransactWriteError as error:
        if any(cancelled_on_condition(error)):   # a concurrent retry of the same request won
            return 201, Scan.get(scan_id, consistent_read=True).answer
        raise
    return 201, answer


def _status(outcome: str) -> int:
    return 202 if outcome == "pending" else 201


class _Tx:
    """A TransactWrite whose actions are labelled, so a cancellation says which condition failed.
    DynamoDB reports reasons in request order; PynamoDB sends checks, deletes, puts, then updates."""

    def __init__(self):
        self.ops = {"check": [], "delete": [], "put": [], "update": []}

    def add(self, kind: str, label: str, *args, **kwargs) -> None:
        self.ops[kind].append((label, args, kwargs))

    def commit(self) -> None:
        with TransactWrite(connection=Task._get_connection().connection) as tx:
            run = {"check": tx.condition_check, "delete": tx.delete, "put": tx.save, "update": tx.update}
            for kind, ops in self.ops.items():
                for _, args, kwargs in ops:
                    run[kind](*args, **kwargs)

    def labels(self) -> list[str]:
        return [label for ops in self.ops.values() for label, _, _ in ops]


def _cancelled(error: TransactWriteError) -> set[str]:
    return {label for label, failed in zip(getattr(error, "labels", []), cancelled_on_condition(error)) if failed}


def _snapshot(inspector: Inspector) -> dict:
    """The inspector as verified at scan time: what the enterprise is told and later sees."""
    return {"inspector_id": inspector.inspector_id, "name": inspector.name, "agency_id": inspector.agency_id,
            "certificate_no": inspector.certificate_no, "certificate_kind": inspector.certificate_kind,
            "certificate_label": qualification.certificate_label(inspector.certificate_kind),
            "valid_from": inspector.valid_from, "valid_until": inspector.valid_until}


def _write(facts: _Facts, decision: Decision, config: ScanConfig) -> dict:
    data, now, enterprise_id = facts.data, facts.now, facts.enterprise_id
    tx = _Tx()
    visit = None
    actor = f"inspector:{facts.inspector.inspector_id}"
    if decision.outcome == "opened":
        visit = _new_visit(facts, decision)
        event = visits.new_event(visit, "opened", actor, {
            "scan_id": facts.scan_id, "enterprise_id": enterprise_id, "task_ids": visit.task_ids,
            "agency_ids": visit.agency_ids, "inspectors": visit.inspectors, "items": visit.items,
            "entered_at": visit.entered_at, "flags": visit.flags, "exception": visit.exception})
        tx.add("put", "event", event, condition=VisitEvent.seq.does_not_exist())
        tx.add("put", "visit", visit, condition=Visit.visit_id.does_not_exist())
        tx.add("put", "slot", VisitSlot(visit.slot_key, visit_id=visit.visit_id), condition=VisitSlot.tally_key.does_not_exist())
        if facts.pending is not None:
            tx.add("delete", "pending", facts.pending)
        year = data.device_time.year
        for agency_id in visit.agency_ids:   # a joint visit counts once for each agency, once in total
            tx.add("update", "tally", Tally(count_key(enterprise_id, year, agency_id)), actions=[Tally.count.add(1)])
        tx.add("update", "tally", Tally(count_key(enterprise_id, year)), actions=[   # watched by the judicial bureau (Art. 12)
            Tally.count.add(1), Tally.watch_scope.set(f"frequency#{facts.enterprise.region_code}#{year}"),
            Tally.enterprise_id.set(enterprise_id), Tally.credit_tier.set(facts.enterprise.credit_tier)])
    elif decision.outcome == "joined":
        visit = facts.open_visit
        if facts.inspector.inspector_id not in {i["inspector_id"] for i in visit.inspectors}:
            visit.inspectors = visit.inspectors + [_snapshot(facts.inspector)]
        known = {(i["agency_id"], i["item_id"]) for i in visit.items}
        added = [_item_view(facts.task, a, i) for a, i in decision.counted_items if (a, i) not in known]
        visit.items = visit.items + added
        if facts.task.task_id not in visit.task_ids:
            visit.task_ids = visit.task_ids + [facts.task.task_id]
        event = visits.new_event(visit, "joined", actor, {"scan_id": facts.scan_id, "task_id": facts.task.task_id,
                                                          "inspector": _snapshot(facts.inspector), "items_added": added})
        tx.add("put", "event", event, condition=VisitEvent.seq.does_not_exist())
        tx.add("put", "visit", visit)    # its version condition fails if another scan joined first
    elif decision.outcome == "pending":
        pending = facts.pending or PendingScans(pending_key(facts.task.task_id, enterprise_id, data.device_time.date()),
                                                members=[])
        others = [m for m in pending.members if m["inspector_id"] != facts.inspector.inspector_id]
        pending.members = others + [{"inspector_id": facts.inspector.inspector_id, "scan_id": facts.scan_id,
                                     "device_time": data.device_time.isoformat(), "snapshot": _snapshot(facts.inspector)}]
        tx.add("put", "pending", pending)

    if decision.outcome in ("opened", "joined"):
        _guard_items(tx, facts, decision, config.offsite_sufficed)
    if decision.outcome == "refused":   # counted by agency and reason for the judicial bureau's watch list
        region = facts.enterprise.region_code if facts.enterprise_id else facts.agency.region_code
        scope = f"refusals#{region}#{data.device_time.year}"
        for code in sorted({f.code for f in decision.findings}):
            tx.add("update", "refusal", RefusalTally(f"{scope}#{facts.agency.agency_id}#{code}"), actions=[
                RefusalTally.count.add(1), RefusalTally.watch_scope.set(scope),
                RefusalTally.agency_id.set(facts.agency.agency_id), RefusalTally.reason.set(code)])
    answer = _answer(facts, decision, visit)
    tx.add("put", "scan", Scan(
        facts.scan_id, inspector_id=facts.inspector.inspector_id, agency_id=facts.agency.agency_id,
        task_id=data.task_id, enterprise_id=enterprise_id, identified_by=facts.identified_by,
        server_time=now.isoformat(timespec="milliseconds"), device_time=data.device_time.isoformat(),
        late_reason=data.late_reason, location=data.location.model_dump() if data.location else None,
        outcome=decision.outcome, visit_id=visit.visit_id if visit else None, answer=answer,
        listed_enterprise=enterprise_id if decision.outcome in ("opened", "refused") else None),
        condition=Scan.scan_id.does_not_exist())
    for notice in _notices(facts, decision, visit):
        tx.add("put", "notice", notice, condition=Notice.notice_id.does_not_exist())
    try:
        tx.commit()
    except TransactWriteError as error:
        error.labels = tx.labels()
        raise
    return answer


def _guard_items(tx: _Tx, facts: _Facts, decision: Decision, offsite_sufficed: timedelta) -> None:
    """Count each inspected item, under its cap (Art. 18) unless an Art. 12 exception applies, and
    check it is still published (Art. 14) and not recently cleared off-site (Art. 7)."""
    enterprise_id, year = facts.enterprise_id, facts.data.device_time.year
    cutoff = (facts.data.device_time.date() - offsite_sufficed).isoformat()
    for agency_id, item_id in decision.counted_items:
        tally = Tally(count_key(enterprise_id, year, agency_id, item_id))
        cap = decision.capped_items.get((agency_id, item_id))
        condition = None if cap is None else (Tally.count < cap) | Tally.count.does_not_exist()
        tx.add("update", "cap", tally, actions=[Tally.count.add(1)], condition=condition)
        tx.add("check", "item", Item, agency_id, item_id, condition=Item.status == "published")
        if decision.offsite_guarded:
            tx.add("check", "offsite", OffsiteClear, offsite_key(enterprise_id, agency_id, item_id),
                   condition=OffsiteClear.tally_key.does_not_exist() | (OffsiteClear.checked_on < cutoff))


def _item_view(task: Task, agency_id: str, item_id: str) -> dict:
    part = next(p for p in task.participants if p["agency_id"] == agency_id)
    item = next(i for i in part["items"] if i["item_id"] == item_id)
    return {"agency_id": agency_id, "item_id": item_id, "name": item["name"], "legal_basis": item["legal_basis"]}


def _new_visit(facts: _Facts, decision: Decision) -> Visit:
    partners = {m["inspector_id"]: m["snapshot"] for m in (facts.pending.members if facts.pending else [])}
    team = [partners[i] for i in decision.team if i in partners] + [_snapshot(facts.inspector)]
    task = facts.task
    return Visit(uuid.uuid4().hex, enterprise_id=facts.enterprise_id, enterprise_name=facts.enterprise.name,
                 region_code=facts.enterprise.region_code, visit_date=facts.data.device_time.date().isoformat(),
                 slot_key=slot_key(facts.enterprise_id, facts.agency.agency_id, facts.data.device_time.date()),
                 opened_at=facts.now.isoformat(timespec="milliseconds"), entered_at=facts.data.device_time.isoformat(),
                 task_ids=[task.task_id], agency_ids=[p["agency_id"] for p in task.participants], inspectors=team,
                 items=[_item_view(task, a, i) for a, i in decision.counted_items],
                 flags=[f.code for f in decision.flags], exception=task.exception)


def _answer(facts: _Facts, decision: Decision, visit: Visit | None) -> dict:
    enterprise = facts.enterprise
    headline = {
        "opened": "扫码登记成功，现场检查开始",
        "joined": "扫码登记成功，已并入本机关当日在该企业的检查（第十七条）",
        "pending": "已登记，等待检查组另一名执法人员扫码（执法人员不得少于两人，第十九条）",
        "refused": "本次检查不符合规定，已登记为被拒绝的检查；企业有权拒绝接受检查并投诉举报（第二十四条）",
    }[decision.outcome]
    return {
        "scan_id": facts.scan_id, "outcome": decision.outcome, "message": headline,
        "visit_id": visit.visit_id if visit else None, "task_id": facts.data.task_id,
        "enterprise": {"enterprise_id": enterprise.enterprise_id, "name": enterprise.name} if facts.enterprise_id else None,
        "identified_by": facts.identified_by,
        "server_time": facts.now.isoformat(timespec="milliseconds"), "device_time": facts.data.device_time.isoformat(),
        "reasons": [f.to_dict() for f in decision.findings], "flags": [f.to_dict() for f in decision.flags],
        "inspectors": visit.inspectors if visit else [_snapshot(facts.inspector)],
        "distance_m": decision.distance_m,
    }


def _notices(facts: _Facts, decision: Decision, visit: Visit | None) -> list[Notice]:
    """The enterprise hears of every accepted or refused scan of itself (Art. 24); the judicial bureau of
    every visit over the frequency cap under an Art. 12 exception."""
    if not facts.enterprise_id or decision.outcome == "pending":
        return []
    now = clock.now_iso()
    people = "；".join(f"{p['name']}（{p['certificate_label']} {p['certificate_no']}，有效期至{p['valid_until']}）"
                      if p["certificate_no"] else f"{p['name']}（无执法证件）"
                      for p in (visit.inspectors if visit else [_snapshot(facts.inspector)]))
    items = "；".join(f"{i['name']}（依据：{i['legal_basis']}）" for i in (visit.items if visit else
                      [_item_view(facts.task, a, i) for a, i in facts.items] if facts.task else []))
    if decision.outcome == "refused":
        why = "；".join(f"{f.message}（{f.article}）" for f in decision.findings)
        body = (f"{facts.agency.name}执法人员扫码入企未通过核验：{why}。执法人员：{people}。"
                "对违规实施的检查，贵单位有权拒绝接受检查，并可投诉举报（第二十四条）。")
        title = f"检查被拒绝登记：{facts.agency.name}"
    else:
        body = f"{facts.agency.name}开始对贵单位实施现场检查。执法人员：{people}。检查事项：{items}。检查结束后将告知检查结果（第十九条）。"
        title = f"入企检查登记：{facts.agency.name}"
    notices = [Notice(f"enterprise:{facts.enterprise_id}", f"scan:{facts.scan_id}", kind=f"scan_{decision.outcome}",
                      title=title, body=body, article=ART[24], created_at=now)]
    over = [f for f in decision.flags if f.code == "over_cap_exception"]
    if over and visit is not None and decision.outcome == "opened":
        reason = facts.task.exception
        notices.append(Notice(f"judicial:{facts.enterprise.region_code}", f"over-cap:{visit.visit_id}",
                              kind="over_cap_exception", article=ART[12],
                              title=f"超频次检查（第十二条例外）：{facts.enterprise.name}",
                              body=f"{facts.agency.name}依第十二条第{reason['reason']}项（{EXCEPTION_REASONS[reason['reason']]}，"
                                   f"文号/编号 {reason['reference']}）超出频次上限实施检查：" + "；".join(f.message for f in over),
                              created_at=now))
    return notices

