"""The visit record after scan-in (现场检查笔录, Art. 19): findings per item with evidence, the close
with its outcome and the result notice, corrections after closing, and who may read what.

Every change is an event appended to the visit's hash chain (chain.py) in one transaction with the
visit record, whose version condition makes concurrent writers take turns: the chain never forks
and the record never disagrees with its history. A closed visit is never edited, only corrected by
an appended correction naming its signer.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from msgspec import Meta

from sheqi import clock, metrics, settings
from sheqi.auth import Identity, can_see_rating, deny_scope
from sheqi.errors import Conflict, Forbidden, RuleViolation
from sheqi.inputs import Body, Instant, OneOf, parse
from sheqi.inspections import evidence
from sheqi.inspections.evidence import EvidenceRef
from sheqi.registry.registers import agency_names, get_enterprise
from sheqi.reminders import obligations
from sheqi.rules import documents, regions
from sheqi.rules.articles import ART
from sheqi.rules.labels import METHODS, TASK_TYPES, TRIGGERS
from sheqi.rules.scan_rules import EXCEPTION_REASONS
from sheqi.rules.visit_rules import (
    CLOSE_OUTCOMES,
    FINDINGS,
    MEASURES,
    OUTCOMES,
    THIRD_PARTIES,
    TRANSFER_KINDS,
    close_problems,
    item_key,
)
from sheqi.rules.workdays import Deadline
from sheqi.signing import chain
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, pagination
from sheqi.store.feedback import Rating
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.registers import Agency
from sheqi.store.tasks import Task
from sheqi.store.visits import Scan, Visit, VisitEvent, VisitSlot

ATTEMPTS = 8
TRANSFER_WORKING_DAYS = 10  # Art. 26


# --- input ----------------------------------------------------------------------------------------


class Assistance(Body):
    """A third party the agency invited to assist with an item (Art. 20): who, why, and the professional
    advice given. Recorded with the finding, in the visit's chain; never an inspector (Art. 4, 19)."""

    kind: Annotated[str, OneOf(THIRD_PARTIES)]
    name: Annotated[str, Meta(min_length=2, max_length=100)]  # the body, or the expert's name
    reason: Annotated[str, Meta(min_length=4, max_length=500)]  # why the agency invited them
    advice: Annotated[str, Meta(min_length=2, max_length=2000)]  # the reference advice given
    organisation: Annotated[str, Meta(max_length=100)] | None = None  # an expert's employer


class FindingIn(Body):
    agency_id: Annotated[str, Meta(min_length=18, max_length=18)]
    item_id: Annotated[str, Meta(min_length=1, max_length=64)]
    result: Annotated[str, OneOf(FINDINGS)]
    notes: Annotated[str, Meta(max_length=4000)] = ""
    trade_secret: bool = False  # notes hold trade secrets: never shared with other agencies (Art. 29)
    evidence: Annotated[list[EvidenceRef], Meta(max_length=30)] = []
    assisted_by: Annotated[list[Assistance], Meta(max_length=5)] = []  # third parties who assisted (Art. 20)


class Penalty(Body):
    proposal: Annotated[str, Meta(max_length=1000)] | None = None
    first_minor_violation: bool = False  # 首违不罚 (Art. 25)
    basis: Annotated[str, Meta(max_length=500)] | None = None


class Measure(Body):
    kind: Annotated[str, OneOf(MEASURES)]
    object: Annotated[str, Meta(min_length=1, max_length=500)]
    basis: Annotated[str, Meta(min_length=4, max_length=500)]
    document_no: Annotated[str, Meta(max_length=100)] | None = None


class Transfer(Body):
    """A matter found that the visit's agencies have no jurisdiction over (Art. 26): what it is, who is
    competent and on what basis; a suspected crime is a criminal referral, its own kind."""

    kind: Annotated[str, OneOf(TRANSFER_KINDS)]
    matter: Annotated[str, Meta(min_length=4, max_length=1000)]  # the suspected violation found
    to_authority: Annotated[str, Meta(min_length=2, max_length=100)]  # the competent agency (or judicial organ)
    basis: Annotated[str, Meta(min_length=4, max_length=500)]  # why that authority is competent
    to_agency_id: Annotated[str, Meta(min_length=18, max_length=18)] | None = None


class CloseIn(Body):
    ended_at: Instant
    outcome: Annotated[str, OneOf(CLOSE_OUTCOMES)]
    summary: Annotated[str, Meta(min_length=2, max_length=4000)]
    correction_deadline: date | None = None
    penalty: Penalty | None = None
    measures: Annotated[list[Measure], Meta(max_length=20)] = []
    transfers: Annotated[list[Transfer], Meta(max_length=10)] = []


class CorrectionIn(Body):
    reason: Annotated[str, Meta(min_length=4, max_length=1000)]
    findings: Annotated[list[FindingIn], Meta(max_length=50)] = []
    outcome: CloseIn | None = None

    def check(self):
        if not self.findings and self.outcome is None:
            raise ValueError("更正须包含 findings 或 outcome")


# --- reading and access -----------------------------------------------------------------------------


def get(visit_id: str) -> Visit:
    return get_or_404(Visit, visit_id, message="检查记录不存在", code="visit_not_found", consistent_read=True)


def team(visit: Visit) -> set[str]:
    return {i["inspector_id"] for i in visit.inspectors}


def audience(caller: Identity, visit: Visit) -> str:
    """'full' for the inspected enterprise, the visit's own agencies, the supervising judicial bureau and
    the platform; 'shared' for other agencies of the region, closed visits only (Art. 29)."""
    role = caller.role
    if role == "platform_admin" or (role == "enterprise" and caller.enterprise_id == visit.enterprise_id):
        return "full"
    if role == "judicial" and regions.covers(caller.region_code, visit.region_code):
        return "full"
    if role in ("inspector", "agency_admin"):
        if caller.agency_id in visit.agency_ids:
            return "full"
        if visit.status == "closed" and regions.covers(caller.region_code, visit.region_code) and _enforcing(caller.agency_id):
            return "shared"
    raise deny_scope("检查记录")


def _enforcing(agency_id: str | None) -> bool:
    agency = get_or_none(Agency, agency_id) if agency_id else None
    return agency is not None and agency.kind == "enforcement_agency"


def require_team(caller: Identity, visit: Visit) -> None:
    if caller.role != "inspector" or caller.subject not in team(visit):
        raise Forbidden("只有扫码入企的检查组成员可以记录本次检查", code="not_visit_team", article=ART[19])


def require_open(visit: Visit) -> None:
    if visit.status != "open":
        raise Conflict("检查已结束，笔录不可修改；如需更正请提交更正记录", code="visit_closed", article=ART[19])


# --- appending ----------------------------------------------------------------------------------------


def new_event(visit: Visit, kind: str, actor: str, payload: dict) -> VisitEvent:
    """The visit's next event, sealed onto its chain; advances the visit's head (saved with it)."""
    sealed = chain.seal(
        visit.visit_id,
        int(visit.head_seq) + 1,
        kind,
        actor,
        clock.now().isoformat(timespec="milliseconds"),
        payload,
        visit.head_hash or chain.GENESIS,
    )
    visit.head_seq, visit.head_hash = sealed.seq, sealed.hash
    return VisitEvent(
        visit.visit_id,
        sealed.seq,
        kind=kind,
        actor=actor,
        at=sealed.at,
        payload=payload,
        prev_hash=sealed.prev_hash,
        hash=sealed.hash,
        key_id=sealed.key_id,
        signature=sealed.signature,
    )


def _append(visit_id: str, actor: str, kind: str, build, read: Visit | None = None) -> tuple[Visit, VisitEvent]:
    """Read the visit, let `build(visit)` check it, change it and return (payload, extras), extras being a
    function of the sealed event giving [(record, condition or "delete")]; then write the event, the visit
    and the extras in one transaction. A concurrent writer makes it start over. `read`: the visit as the
    caller just read it, used for the first attempt."""
    for attempt in range(ATTEMPTS):
        visit = read if attempt == 0 and read is not None else get(visit_id)
        payload, extras_for = build(visit)
        event = new_event(visit, kind, actor, payload)
        extras = extras_for(event) if extras_for else []
        try:
            with Transaction() as tx:
                tx.save(event, condition=VisitEvent.seq.does_not_exist())
                tx.save(visit)  # its version condition: nobody appended in between
                for model, condition in extras:
                    if condition == "delete":
                        tx.delete(model, condition=VisitSlot.visit_id == visit_id)
                    else:
                        tx.save(model, condition=condition)
            return visit, event
        except Cancelled as error:
            if not error.failed and not error.conflict:
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise Conflict("同一检查记录同时提交过多，请稍后重试", code="visit_contention")


def _actor(caller: Identity) -> str:
    return f"{caller.role}:{caller.subject}"


def _finding_payload(caller: Identity, visit: Visit, data: FindingIn, field: str) -> dict:
    key = item_key(data.agency_id, data.item_id)
    if key not in {item_key(i["agency_id"], i["item_id"]) for i in visit.items}:
        raise RuleViolation(
            f"字段 {field}：事项 {data.item_id} 不在本次检查的事项中", field=field, code="item_not_in_visit", article=ART[19]
        )
    if data.agency_id != caller.agency_id:
        raise Forbidden(
            f"字段 {field}：事项 {data.item_id} 属于其他机关，只能由该机关的执法人员记录",
            code="item_of_other_agency",
            article=ART[4],
        )
    return {
        "agency_id": data.agency_id,
        "item_id": data.item_id,
        "result": data.result,
        "notes": data.notes,
        "trade_secret": data.trade_secret,
        "evidence": [evidence.confirm(visit.visit_id, ref, f"{field}.evidence.{n}") for n, ref in enumerate(data.evidence)],
        **({"assisted_by": [a.to_dict() for a in data.assisted_by]} if data.assisted_by else {}),
    }


def record_finding(caller: Identity, visit_id: str, data: FindingIn) -> tuple[Visit, VisitEvent]:
    visit = get(visit_id)
    require_team(caller, visit)
    require_open(visit)
    payload = _finding_payload(caller, visit, data, "item_id")  # evidence is checked once, outside the retries

    def build(current: Visit):
        require_open(current)
        current.findings = {
            **current.findings,
            item_key(data.agency_id, data.item_id): {**payload, "recorded_by": caller.subject, "seq": int(current.head_seq) + 1},
        }
        return payload, None

    return _append(visit_id, _actor(caller), "finding", build, read=visit)


def upload_url(caller: Identity, visit_id: str, data: evidence.UploadIn) -> dict:
    visit = get(visit_id)
    require_team(caller, visit)
    require_open(visit)
    return evidence.upload_url(visit_id, data)


def _outcome_payload(visit: Visit, data: CloseIn, findings: dict) -> dict:
    problems = close_problems(
        outcome=data.outcome,
        items=[item_key(i["agency_id"], i["item_id"]) for i in visit.items],
        findings={k: f["result"] for k, f in findings.items()},
        ended_at=data.ended_at,
        entered_at=datetime.fromisoformat(visit.entered_at),
        now=clock.now(),
        correction_deadline=data.correction_deadline,
        penalty=data.penalty.to_dict() if data.penalty else None,
        measures=[m.to_dict() for m in data.measures],
        transfers=[t.to_dict() for t in data.transfers],
        own_agencies=visit.agency_ids,
    )
    if problems:
        first = problems[0]
        raise RuleViolation(
            first.message,
            field=first.field,
            code=first.code,
            article=first.article,
            details={"problems": [p.to_dict() for p in problems]},
        )
    payload = data.to_dict()
    for transfer in payload["transfers"]:  # Art. 26: an administrative transfer within 10 working days
        if transfer["kind"] == "administrative":
            transfer["due"] = obligations.working_day_deadline(data.ended_at.date(), TRANSFER_WORKING_DAYS).to_dict()
    return payload


@metrics.counted("VisitsClosed")
def close(caller: Identity, visit_id: str, data: CloseIn) -> tuple[Visit, VisitEvent]:
    def build(visit: Visit):
        require_team(caller, visit)
        require_open(visit)
        payload = _outcome_payload(visit, data, visit.findings)
        visit.status, visit.ended_at, visit.closed_at = "closed", data.ended_at.isoformat(), clock.now_iso()
        visit.outcome = {**payload, "seq": int(visit.head_seq) + 1}

        def extras(event: VisitEvent) -> list:
            # The notice carries the chain's head, so the enterprise keeps its own copy of it.
            found: list[tuple[Any, Any]] = [(_result_notice(visit, payload, event), Notice.notice_id.does_not_exist())]
            found += [(o, Obligation.obligation_id.does_not_exist()) for o in _obligations(visit, payload)]
            if visit.slot_key:
                found.append((VisitSlot(visit.slot_key), "delete"))  # a later scan that day opens a new visit
            return found

        return payload, extras

    return _append(visit_id, _actor(caller), "closed", build)


def _obligations(visit: Visit, outcome: dict) -> list[Obligation]:
    """What the close starts: the result reaching the enterprise (Art. 19), the enterprise's rating
    (Art. 24) and, for a transfer, the transfer itself within 10 working days (Art. 26)."""
    closed_on = clock.today()
    lead = visit.agency_ids[0]
    common: dict[str, Any] = dict(
        region_code=visit.region_code, subject={"visit_id": visit.visit_id, "enterprise_id": visit.enterprise_id}, start=closed_on
    )
    found = [
        obligations.new(
            f"result_notice:{visit.visit_id}",
            kind="result_notice",
            owner=f"agency:{lead}",
            title=f"{visit.enterprise_name} {visit.visit_date} 检查结果告知",
            due=Deadline(closed_on + timedelta(days=1), False),
            **common,
        ),
        obligations.new(
            f"rating_invite:{visit.visit_id}",
            kind="rating_invite",
            owner=f"enterprise:{visit.enterprise_id}",
            title=f"{visit.visit_date} 的检查",
            due=Deadline(closed_on + rating_window(), False),
            **common,
        ),
    ]
    for n, transfer in enumerate(outcome.get("transfers") or [], 1):
        if "due" not in transfer:  # a criminal referral follows its own regulation's procedure, not this deadline
            continue
        due = transfer["due"]
        found.append(
            obligations.new(
                f"case_transfer:{visit.visit_id}:{n}",
                kind="case_transfer",
                owner=f"agency:{lead}",
                working_days=TRANSFER_WORKING_DAYS,
                title=f"{visit.enterprise_name} {visit.visit_date} 检查发现的{transfer['matter'][:30]}移送{transfer['to_authority']}",
                due=Deadline(date.fromisoformat(due["due"]), due["provisional"]),
                **{
                    **common,
                    "subject": {**common["subject"], "transfer": n},
                    "start": date.fromisoformat(outcome["ended_at"][:10]),
                },
            )
        )
    return found


class TransferDoneIn(Body):
    transferred_on: date
    document_no: Annotated[str, Meta(min_length=2, max_length=100)]
    received_by: Annotated[str, Meta(max_length=100)] | None = None
    transfer_no: Annotated[int, Meta(ge=1, le=10)] = 1  # which of the close's transfers, from 1


def complete_transfer(caller: Identity, visit_id: str, data: TransferDoneIn) -> tuple[Visit, VisitEvent]:
    """The case has been handed to the competent authority (Art. 26): appended, and its deadline met."""

    def build(visit: Visit):
        if not (
            caller.role in ("inspector", "agency_admin")
            and caller.agency_id in visit.agency_ids
            and (caller.role == "agency_admin" or caller.subject in team(visit))
        ):
            raise Forbidden("只有本次检查的检查组成员或所属机关管理员可以登记移送", code="not_visit_team", article=ART[26])
        transfers = list((visit.outcome or {}).get("transfers") or [])
        if visit.status != "closed" or len(transfers) < data.transfer_no:
            raise Conflict("本次检查没有该项待移送的案件", code="no_transfer", field="transfer_no", article=ART[26])
        transfer = transfers[data.transfer_no - 1]
        if transfer.get("completed"):
            raise Conflict("移送已登记", code="transfer_already_completed", article=ART[26])
        done = {
            **data.to_dict(),
            "recorded_by": caller.subject,
            "late": "due" in transfer and data.transferred_on.isoformat() > transfer["due"]["due"],
        }
        transfers[data.transfer_no - 1] = {**transfer, "completed": done}
        visit.outcome = {**visit.outcome, "transfers": transfers}
        return {"transfer_completed": done}, None

    visit, event = _append(visit_id, _actor(caller), "transfer_completed", build)
    obligations.complete(f"case_transfer:{visit_id}:{data.transfer_no}")
    return visit, event


def correct(caller: Identity, visit_id: str, data: CorrectionIn) -> tuple[Visit, VisitEvent]:
    """A correction of a closed visit: replaces findings and/or the outcome, names what it replaces and
    who signed it, and is checked like a close against the corrected record."""
    visit = get(visit_id)
    require_team(caller, visit)
    if visit.status != "closed":
        raise Conflict("检查尚未结束，请直接重新记录，无需更正", code="visit_open", article=ART[19])
    corrected = [_finding_payload(caller, visit, f, f"findings.{n}") for n, f in enumerate(data.findings)]
    # The signer, with the certificate verified when they scanned in.
    signer = next(i for i in visit.inspectors if i["inspector_id"] == caller.subject)

    def build(current: Visit):
        findings = dict(current.findings)
        replaces = []
        for finding in corrected:
            key = item_key(finding["agency_id"], finding["item_id"])
            if key in findings:
                replaces.append(findings[key]["seq"])
            findings[key] = {**finding, "recorded_by": caller.subject, "seq": int(current.head_seq) + 1}
        outcome = _outcome_payload(current, data.outcome or _close_in(current.outcome), findings)
        if data.outcome is not None:
            replaces.append(current.outcome.get("seq"))
            outcome["seq"] = int(current.head_seq) + 1
        else:
            outcome = current.outcome
        current.findings, current.outcome = findings, outcome
        payload = {
            "reason": data.reason,
            "signer": signer,
            "replaces": sorted(s for s in replaces if s),
            "findings": corrected,
            "outcome": data.outcome.to_dict() if data.outcome else None,
        }
        notice = Notice(
            f"enterprise:{current.enterprise_id}",
            f"visit-correction:{visit_id}:{int(current.head_seq) + 1}",
            kind="visit_correction",
            article=ART[19],
            created_at=clock.now_iso(),
            title=f"检查记录更正：{current.visit_date}",
            body=f"检查组对 {current.visit_date} 的检查记录作出更正。理由：{data.reason}。"
            f"更正人：{signer['name']}（证号 {signer['certificate_no']}）。可在检查详情中查看更正前后的全部记录。",
        )
        return payload, lambda event: [(notice, Notice.notice_id.does_not_exist())]

    return _append(visit_id, _actor(caller), "correction", build, read=visit)


def _close_in(outcome: dict) -> CloseIn:
    """The close request an outcome was recorded from (to check it again against corrected findings)."""
    given = {k: v for k, v in outcome.items() if k != "seq"}
    given.pop("transfer", None)  # a close recorded before transfers were a list: its transfer is not re-checked
    given["transfers"] = [{k: v for k, v in t.items() if k not in ("due", "completed")} for t in given.get("transfers") or []]
    return parse(CloseIn, given, strict=False)


def assistance(visit: Visit) -> list[dict]:
    """The third parties who assisted the visit (Art. 20), item by item as the findings in force record them."""
    return [
        {"agency_id": f["agency_id"], "item_id": f["item_id"], "kind_label": THIRD_PARTIES[a["kind"]], **a}
        for f in visit.findings.values()
        for a in f.get("assisted_by") or ()
    ]


def result_elements(visit: Visit, outcome: dict, names: dict[str, str]) -> dict[str, str]:
    """The key elements of the result notice (Art. 19, 22), in Chinese."""
    lines = []
    for item in visit.items:
        finding = visit.findings.get(item_key(item["agency_id"], item["item_id"]), {})
        lines.append(f"{item['name']}：{FINDINGS.get(finding.get('result'), '未记录')}")
    extra = []
    if outcome.get("correction_deadline"):
        extra.append(f"请于 {outcome['correction_deadline']} 前完成改正")
    if (outcome.get("penalty") or {}).get("first_minor_violation"):
        extra.append("属首次轻微违法，依第二十五条不予处罚")
    for m in outcome.get("measures") or []:
        extra.append(f"{MEASURES[m['kind']]}：{m['object']}（依据：{m['basis']}）")
    helpers = assistance(visit)
    if helpers:
        extra.append(
            "协助检查的第三方："
            + "；".join(f"{a['name']}（{THIRD_PARTIES[a['kind']]}，事由：{a['reason']}）" for a in helpers)
            + "，仅为执法人员提供专业参考意见，不属于执法人员（第二十条）"
        )
    for t in outcome.get("transfers") or []:  # a criminal referral is the judicial organs' to tell
        if t["kind"] == "administrative":
            extra.append(f"检查中发现的{t['matter']}不属本机关管辖，将移送{t['to_authority']}依法处理（第二十六条）")
    return {
        "agencies": "、".join(names.get(a, a) for a in visit.agency_ids),
        "time": f"{visit.entered_at[:16].replace('T', ' ')}至{outcome['ended_at'][:16].replace('T', ' ')}",
        "items": "；".join(lines),
        "result": f"{OUTCOMES[outcome['outcome']]}。{outcome['summary']}",
        "handling": "".join(f"{e}。" for e in extra) or "无。",
        "rights": "贵单位可在30日内对本次检查作出评价；对违规检查可向司法行政机关投诉（第二十四条）",
    }


def _result_notice(visit: Visit, outcome: dict, event: VisitEvent) -> Notice:
    """The result told to the enterprise when the visit closes (Art. 19), with the key elements of its form (Art. 22)."""
    e = result_elements(visit, outcome, agency_names(visit.agency_ids))
    return Notice(
        f"enterprise:{visit.enterprise_id}",
        f"visit-result:{visit.visit_id}",
        kind="visit_result",
        article=ART[19],
        created_at=clock.now_iso(),
        title=f"检查结果告知：{visit.visit_date}",
        body=f"检查机关：{e['agencies']}。检查时间：{e['time']}。检查结论：{e['result']}。逐项情况：{e['items']}。"
        f"处理意见：{e['handling']}{e['rights']}。"
        f"本次检查记录共 {event.seq} 条，链头哈希 {event.hash}，请留存以备核验记录未被改动。" + documents.footer("result_notice"),
    )


# --- views ----------------------------------------------------------------------------------------


def events(visit_id: str) -> list[VisitEvent]:
    return list(VisitEvent.query(visit_id, consistent_read=True))


def _sealed(e: VisitEvent) -> chain.Event:
    return chain.Event(e.visit_id, int(e.seq), e.kind, e.actor, e.at, e.payload, e.prev_hash, e.hash, e.key_id, e.signature)


def chain_view(caller: Identity, visit_id: str) -> dict:
    visit = get(visit_id)
    if audience(caller, visit) != "full":
        raise deny_scope("检查记录")
    stored = events(visit_id)
    problems = chain.verify(visit_id, [_sealed(e) for e in stored], (int(visit.head_seq), visit.head_hash))
    return {
        "visit_id": visit_id,
        "head": {"seq": int(visit.head_seq), "hash": visit.head_hash},
        "intact": not problems,
        "problems": problems,
        "algorithm": "sha256(JSON(visit_id, seq, kind, actor, at, payload, prev_hash), 键排序、无空格、UTF-8)",
        "events": [
            {
                "seq": int(e.seq),
                "kind": e.kind,
                "actor": e.actor,
                "at": e.at,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "key_id": e.key_id,
                "signature": e.signature,
            }
            for e in stored
        ],
    }


def _shared_findings(visit: Visit) -> list[dict]:
    out = []
    for item in visit.items:
        finding = visit.findings.get(item_key(item["agency_id"], item["item_id"]))
        out.append(
            {
                **item,
                "result": finding["result"] if finding else None,
                "notes": None if not finding or finding["trade_secret"] else finding["notes"],
            }
        )
    return out


def _tasks(visits: list[Visit]) -> dict[str, Task]:
    ids = sorted({t for v in visits for t in v.task_ids})
    return {t.task_id: t for t in Task.batch_get(ids)} if ids else {}


def _task_view(task: Task, names: dict[str, str]) -> dict:
    """What the enterprise is shown of the task behind a visit (Art. 24): its type and trigger, and which
    agency approved it, who and when (Art. 19: approved beforehand), each agency of a joint task."""
    trigger, exception = task.trigger, task.exception
    return {
        "task_id": task.task_id,
        "type": task.type,
        "type_label": TASK_TYPES[task.type],
        "method": task.method,
        "method_label": METHODS[task.method],
        "campaign_id": task.campaign_id,
        "trigger": {**trigger, "label": TRIGGERS[trigger["kind"]]} if trigger else None,
        "exception": {"reason": exception["reason"], "label": EXCEPTION_REASONS[exception["reason"]]} if exception else None,
        "window_start": task.window_start,
        "window_end": task.window_end,
        "approvals": [
            {
                "agency_id": p["agency_id"],
                "agency_name": names.get(p["agency_id"]),
                "approved_by": p["approved_by"],
                "approved_at": p["approved_at"],
            }
            for p in task.participants
        ],
        "article": ART[24],
    }


def view(
    visit: Visit,
    level: str,
    names: dict[str, str],
    timeline: list[VisitEvent] | None = None,
    tasks: dict[str, Task] | None = None,
) -> dict:
    """The visit as `level` ('full' or 'shared') may read it; never its rating (see `detail`). `tasks`:
    the visit's tasks, read by the caller (`_tasks`), shown in full."""
    summary = {
        "visit_id": visit.visit_id,
        "kind": visit.kind,
        "purpose": visit.purpose,
        "status": visit.status,
        "enterprise": {"enterprise_id": visit.enterprise_id, "name": visit.enterprise_name},
        "agencies": [{"agency_id": a, "name": names.get(a)} for a in visit.agency_ids],
        "visit_date": visit.visit_date,
        "entered_at": visit.entered_at,
        "ended_at": visit.ended_at,
        "closed_at": visit.closed_at,
        "outcome": (
            {
                "outcome": visit.outcome["outcome"],
                "label": OUTCOMES[visit.outcome["outcome"]],
                "summary": visit.outcome["summary"],
            }
            if visit.outcome
            else None
        ),
    }
    if level == "shared":  # Art. 29: no evidence, no notes marked as trade secrets, no personal data
        return {**summary, "items": _shared_findings(visit)}
    items = [{**i, "finding": visit.findings.get(item_key(i["agency_id"], i["item_id"]))} for i in visit.items]
    tasks, helpers = tasks or {}, assistance(visit)
    full = {
        **summary,
        "inspectors": visit.inspectors,
        "assisted_by": helpers,
        "items": items,
        "outcome_detail": visit.outcome,
        "flags": visit.flags,
        "exception": visit.exception,
        "task_ids": visit.task_ids,
        "tasks": [_task_view(tasks[t], names) for t in visit.task_ids if t in tasks],
        "document": documents.describe(
            "record",
            {
                "agencies": visit.agency_ids,
                "enterprise": visit.enterprise_id,
                "time": visit.entered_at,
                "inspectors": [i for i in visit.inspectors if i.get("certificate_no")],
                "items": visit.items,
                "findings": visit.findings,
                "assisted_by": helpers,
            },
        ),
        "head": {"seq": int(visit.head_seq), "hash": visit.head_hash},
    }
    if timeline is not None:
        full["timeline"] = [
            {"seq": int(e.seq), "kind": e.kind, "actor": e.actor, "at": e.at, "payload": e.payload} for e in timeline
        ]
    return full


def detail(caller: Identity, visit_id: str) -> dict:
    visit = get(visit_id)
    level = audience(caller, visit)
    if level == "shared":
        return view(visit, level, agency_names(visit.agency_ids))
    tasks = _tasks([visit])
    names = agency_names([*visit.agency_ids, *(p["agency_id"] for t in tasks.values() for p in t.participants)])
    found = view(visit, level, names, events(visit_id), tasks)
    # Reading the visit in full does not make one a reader of its rating (Art. 24): the agencies do not.
    if can_see_rating(caller, visit.enterprise_id, visit.region_code):
        rating = get_or_none(Rating, visit_id)
        found["rating"] = (
            {
                "rated_at": rating.rated_at,
                "conduct": int(rating.conduct),
                "procedure": int(rating.procedure),
                "efficiency": int(rating.efficiency),
            }
            if rating
            else None
        )
    return found


def list_shared(caller: Identity, enterprise_id: str, limit: int, cursor: str | None) -> dict:
    """An enterprise's closed visits as other agencies of its region may read them (Art. 29), so they
    merge and do not repeat (Art. 9); the judicial bureau and platform read the same list."""
    region_code = get_enterprise(enterprise_id).region_code
    allowed = caller.role == "platform_admin" or (
        caller.role in ("judicial", "inspector", "agency_admin") and regions.covers(caller.region_code, region_code)
    )
    if not allowed or (caller.role in ("inspector", "agency_admin") and not _enforcing(caller.agency_id)):
        raise deny_scope("企业的检查记录")
    results = pagination.query(
        Visit.by_enterprise,
        enterprise_id,
        cursor,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        filter_condition=Visit.status == "closed",
    )
    page = [v for v in results]
    names = agency_names(a for v in page for a in v.agency_ids) if page else {}
    return {"items": [view(v, "shared", names) for v in page], "next_cursor": pagination.encode(results.last_evaluated_key)}


def list_inspections(caller: Identity, enterprise_id: str, limit: int, cursor: str | None) -> dict:
    """The enterprise's own list: every visit opened at it and every refused attempt, newest first."""
    allowed = (
        caller.role == "platform_admin"
        or (caller.role == "enterprise" and caller.enterprise_id == enterprise_id)
        or (caller.role == "judicial" and regions.covers(caller.region_code, get_enterprise(enterprise_id).region_code))
    )
    if not allowed:
        raise deny_scope("企业的检查记录")
    results = pagination.query(Scan.inspections, enterprise_id, cursor, scan_index_forward=False, limit=limit, page_size=limit)
    scans = list(results)
    visit_ids = sorted({s.visit_id for s in scans if s.visit_id})
    found = {v.visit_id: v for v in Visit.batch_get(visit_ids)} if visit_ids else {}
    tasks = _tasks(list(found.values()))
    names = (
        agency_names(
            [s.agency_id for s in scans]
            + [a for v in found.values() for a in v.agency_ids]
            + [p["agency_id"] for t in tasks.values() for p in t.participants]
        )
        if scans
        else {}
    )
    rows = []
    for s in scans:
        visit = found.get(s.visit_id)
        rows.append(
            {
                "scan_id": s.scan_id,
                "at": s.server_time,
                "outcome": s.outcome,
                "agency": {"agency_id": s.agency_id, "name": names.get(s.agency_id)},
                "reasons": s.answer.get("reasons", []),
                "inspectors": s.answer.get("inspectors", []),
                "visit": view(visit, "full", names, tasks=tasks) if visit else None,
            }
        )
    return {"items": rows, "next_cursor": pagination.encode(results.last_evaluated_key)}


def rating_window() -> timedelta:
    return timedelta(days=settings.get().rating_window_days)
