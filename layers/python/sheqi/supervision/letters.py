"""Supervision letters (Art. 30): the judicial bureau sends an agency a suggestion letter (监督建议书)
with findings and a reply deadline; unanswered past it, a decision letter (决定书) follows. Each
letter opens a `letter_reply` obligation, so the reminder run reminds the agency and tells the
bureau when it is overdue. Letters print as PDF."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from msgspec import Meta

from sheqi import clock
from sheqi.auth import Identity, deny_scope, region_or_own
from sheqi.errors import Conflict, RuleViolation
from sheqi.inputs import Body, Key
from sheqi.registry.registers import get_agency
from sheqi.reminders import obligations
from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.store import Letter, Notice, Obligation, SupervisionCase, Tally, Transaction, get_or_404, pagination, save_if

KINDS = {"suggestion": "行政执法监督建议书", "decision": "行政执法监督决定书"}
ABBREVIATIONS = {"suggestion": "监建", "decision": "监决"}


class LetterIn(Body):
    agency_id: Annotated[str, Meta(min_length=18, max_length=18)]
    findings: Annotated[list[str], Meta(min_length=1, max_length=20)]
    requirements: Annotated[str, Meta(min_length=4, max_length=2000)]
    case_ids: Annotated[list[Key], Meta(max_length=20)] = []
    reply_working_days: Annotated[int, Meta(ge=5, le=60)] = 15


class ReplyIn(Body):
    reply: Annotated[str, Meta(min_length=10, max_length=4000)]


class EscalateIn(Body):
    requirements: Annotated[str, Meta(min_length=4, max_length=2000)]
    reply_working_days: Annotated[int, Meta(ge=5, le=60)] = 10


def _get(letter_id: str) -> Letter:
    return get_or_404(Letter, *Letter.key(letter_id), message="监督文书不存在", code="letter_not_found", consistent_read=True)


def _bureau(caller: Identity, region_code: str) -> None:
    if not (caller.role == "judicial" and regions.covers(caller.region_code, region_code)):
        raise deny_scope("监督文书：应由对该机关有监督权的司法行政机关办理")


def visible(caller: Identity, letter_id: str) -> Letter:
    letter = _get(letter_id)
    if caller.role == "platform_admin" or (caller.role == "agency_admin" and caller.agency_id == letter.agency_id):
        return letter
    _bureau(caller, letter.region_code)
    return letter


def _number(region_code: str, kind: str, year: int) -> str:
    counter = Tally(Tally.letters_key(region_code, kind, year))
    counter.update(actions=[Tally.count.add(1)])          # atomic: two letters never share a number
    return f"{regions.name(region_code)}司法{ABBREVIATIONS[kind]}〔{year}〕{int(counter.count)}号"


def _issue(caller: Identity, kind: str, agency_id: str, findings: list[str], requirements: str, working_days: int,
           case_ids: list[str], parent_id: str | None = None) -> Letter:
    agency = get_agency(agency_id)
    _bureau(caller, agency.region_code)
    today = clock.today()
    due = obligations.working_day_deadline(today, working_days)
    letter_id = uuid.uuid4().hex
    letter = Letter(*Letter.key(letter_id), record_kind="letter", region_code=agency.region_code,
                    created_at=clock.now_iso(), letter_kind=kind, number=_number(agency.region_code, kind, today.year),
                    agency_id=agency_id, agency_name=agency.name, case_ids=case_ids, findings=findings,
                    requirements=requirements, reply_due=due.due.isoformat(), reply_due_provisional=due.provisional,
                    issued_by=caller.subject, parent_id=parent_id, status="issued")
    obligation = obligations.new(f"letter_reply:{letter_id}", kind="letter_reply", title=f"{letter.number}（{KINDS[kind]}）",
                                 owner=f"agency:{agency_id}", region_code=agency.region_code,
                                 subject={"letter_id": letter_id}, start=today, due=due, working_days=working_days)
    notice = Notice(f"agency:{agency_id}", f"letter:{letter_id}", kind=f"letter_{kind}", article=ART[30],
                    created_at=clock.now_iso(), title=f"收到{KINDS[kind]}：{letter.number}",
                    body=f"司法行政机关就以下问题向贵机关发出{KINDS[kind]}：" + "；".join(findings)
                         + f"。要求：{requirements}。请于 {due.due.isoformat()} 前书面答复（第三十条）。")
    with Transaction() as tx:
        tx.save(letter, condition=Letter.pk.does_not_exist())
        tx.save(obligation, condition=Obligation.obligation_id.does_not_exist())
        tx.save(notice, condition=Notice.notice_id.does_not_exist())
        for case_id in case_ids:
            tx.update(SupervisionCase(*SupervisionCase.key(case_id)), actions=[
                SupervisionCase.status.set("letter_issued"),
                SupervisionCase.letter_ids.set(SupervisionCase.letter_ids.append([letter_id]))],
                condition=SupervisionCase.pk.exists())
    return letter


def suggest(caller: Identity, data: LetterIn) -> Letter:
    return _issue(caller, "suggestion", data.agency_id, data.findings, data.requirements, data.reply_working_days, data.case_ids)


def escalate(caller: Identity, letter_id: str, data: EscalateIn) -> Letter:
    """A decision letter on a suggestion left unanswered past its deadline."""
    parent = _get(letter_id)
    _bureau(caller, parent.region_code)
    if parent.letter_kind != "suggestion" or parent.status != "issued":
        raise Conflict("只有未答复的监督建议书可以升级为监督决定书", code="not_escalatable", article=ART[30])
    if clock.today() <= date.fromisoformat(parent.reply_due):
        raise RuleViolation(f"答复期限（{parent.reply_due}）尚未届满，不能升级为决定书", code="reply_not_overdue", article=ART[30])
    decision = _issue(caller, "decision", parent.agency_id, parent.findings, data.requirements, data.reply_working_days,
                      parent.case_ids, parent_id=letter_id)
    parent.status = "escalated"
    parent.save()
    obligations.complete(f"letter_reply:{letter_id}", status="lapsed")
    return decision


def reply(caller: Identity, letter_id: str, data: ReplyIn) -> Letter:
    letter = _get(letter_id)
    if not (caller.role == "agency_admin" and caller.agency_id == letter.agency_id):
        raise deny_scope("监督文书")
    if letter.status != "issued":
        raise Conflict("该文书已答复或已升级", code="already_replied")
    letter.status, letter.reply, letter.replied_at = "replied", data.reply, clock.now_iso()
    if not save_if(letter):
        raise Conflict("该文书已答复或已升级", code="already_replied")
    obligations.complete(f"letter_reply:{letter_id}")
    return letter


def list_for(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    region_code = region_or_own(caller, region_code)
    if caller.role != "platform_admin":
        _bureau(caller, region_code)
    results = pagination.query(Letter.by_region, region_code, cursor, scan_index_forward=False, limit=limit,
                               page_size=limit, filter_condition=Letter.record_kind == "letter")
    return pagination.page(results, view)


def view(letter: Letter) -> dict:
    return {"letter_id": letter.record_id, "kind": letter.letter_kind, "kind_label": KINDS[letter.letter_kind],
            "number": letter.number, "agency_id": letter.agency_id, "agency_name": letter.agency_name,
            "region_code": letter.region_code, "case_ids": letter.case_ids, "findings": letter.findings,
            "requirements": letter.requirements, "reply_due": letter.reply_due,
            "reply_due_provisional": letter.reply_due_provisional, "status": letter.status, "reply": letter.reply,
            "replied_at": letter.replied_at, "parent_id": letter.parent_id, "created_at": letter.created_at,
            "article": ART[30]}


def document(letter: Letter) -> bytes:
    from sheqi.supervision.documents import pdf

    paragraphs = ["经监督检查，发现贵机关在涉企行政检查中存在以下问题："]
    paragraphs += [f"{n}. {f}" for n, f in enumerate(letter.findings, 1)]
    paragraphs.append(f"根据《张家口市规范涉企行政检查实施细则》第三十条，{'建议' if letter.letter_kind == 'suggestion' else '决定'}"
                      f"贵机关：{letter.requirements}")
    paragraphs.append(f"请于 {letter.reply_due} 前将整改情况书面答复本机关。"
                      + ("（期限按周末暂算，节假日安排公布后以重算日期为准）" if letter.reply_due_provisional else ""))
    return pdf(KINDS[letter.letter_kind], letter.number, f"{letter.agency_name}：", paragraphs,
               [f"{regions.name(letter.region_code)}司法局", letter.created_at[:10]])
