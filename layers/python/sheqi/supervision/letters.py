"""Supervision letters (Art. 30).

The judicial bureau issues a suggestion letter (监督建议书) urging the agency to correct, with a reply
deadline. Where the agency does not correct in time (不及时纠正), the bureau may ask the people's
government of its own level to issue a supervision decision letter (监督决定书); the government issues
it (role `government`), numbered and signed in its own name, or declines. Reading chosen for "not
corrected in time": the deadline passed without a reply, or the reply refuses to correct
(`corrected: false`), or the bureau records that a reply claiming correction did not correct
(`reply_insufficient`, with its grounds). A reply that corrects blocks the request otherwise.

Each issued letter opens a `letter_reply` obligation, so the reminder run reminds the agency and
tells the bureau when it is overdue. Every state change is one conditional transaction on the
letter's status and version, so two requests, or a request and a reply, never both succeed.
Letters print as PDF, with their issuer."""

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
from sheqi.rules.articles import ART, RULES
from sheqi.rules.documents import NOT_INSPECTION_DOCUMENTS
from sheqi.store import Cancelled, Transaction, get_or_404, pagination
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.supervision import Letter, SupervisionCase, region_records
from sheqi.store.tallies import Tally

KINDS = {"suggestion": "行政执法监督建议书", "decision": "行政执法监督决定书"}
ABBREVIATIONS = {"suggestion": "司法监建", "decision": "政府监决"}
STATUS_LABELS = {
    "issued": "已发出",
    "replied": "已答复",
    "escalated": "已提请政府作出决定",
    "requested": "待政府签发",
    "declined": "政府不予签发",
}


class LetterIn(Body):
    agency_id: Annotated[str, Meta(min_length=18, max_length=18)]
    findings: Annotated[list[str], Meta(min_length=1, max_length=20)]
    requirements: Annotated[str, Meta(min_length=4, max_length=2000)]
    case_ids: Annotated[list[Key], Meta(max_length=20)] = []
    reply_working_days: Annotated[int, Meta(ge=5, le=60)] = 15


class ReplyIn(Body):
    reply: Annotated[str, Meta(min_length=10, max_length=4000)]
    corrected: bool  # the agency states whether it corrected; false is a refusal (Art. 30 不及时纠正)


class DecisionRequestIn(Body):
    grounds: Annotated[str, Meta(min_length=4, max_length=2000)]
    requirements: Annotated[str, Meta(min_length=4, max_length=2000)]
    reply_working_days: Annotated[int, Meta(ge=5, le=60)] = 10
    reply_insufficient: bool = False  # the bureau found that a reply claiming correction did not correct


class DeclineIn(Body):
    reason: Annotated[str, Meta(min_length=4, max_length=2000)]


def _get(letter_id: str) -> Letter:
    return get_or_404(Letter, *Letter.key(letter_id), message="监督文书不存在", code="letter_not_found", consistent_read=True)


def _bureau(caller: Identity, region_code: str) -> None:
    if not (caller.role == "judicial" and regions.covers(caller.region_code, region_code)):
        raise deny_scope("监督文书：应由对该机关有监督权的司法行政机关办理")


def _bureau_region(letter: Letter) -> str:
    return letter.bureau_region_code or letter.region_code


def _government(caller: Identity, letter: Letter) -> None:
    """Only the people's government of the requesting bureau's own level issues its decision (Art. 30)."""
    if not (caller.role == "government" and caller.region_code == _bureau_region(letter)):
        raise deny_scope("监督决定书：应由提请的司法行政机关同级人民政府签发")


def visible(caller: Identity, letter_id: str) -> Letter:
    """The letter for its reader: the platform, the bureau supervising the agency, the government asked to
    issue it, and the agency once it is addressed to it (not a request still before the government)."""
    letter = _get(letter_id)
    if caller.role == "platform_admin":
        return letter
    if caller.role == "agency_admin" and caller.agency_id == letter.agency_id and letter.status not in ("requested", "declined"):
        return letter
    if caller.role == "government" and regions.covers(caller.region_code, _bureau_region(letter)):
        return letter
    _bureau(caller, letter.region_code)
    return letter


def _number(region_code: str, kind: str, year: int) -> str:
    counter = Tally(Tally.letters_key(region_code, kind, year))
    counter.update(actions=[Tally.count.add(1)])  # atomic: two letters never share a number
    return f"{regions.name(region_code)}{ABBREVIATIONS[kind]}〔{year}〕{int(counter.count)}号"


def _reply_obligation(letter: Letter, working_days: int, today: date) -> tuple[Obligation, Notice]:
    """The agency's reply deadline opened by an issued letter, and its notice."""
    due = obligations.working_day_deadline(today, working_days)
    letter.reply_due, letter.reply_due_provisional = due.due.isoformat(), due.provisional
    kind = KINDS[letter.letter_kind]
    obligation = obligations.new(
        f"letter_reply:{letter.record_id}",
        kind="letter_reply",
        title=f"{letter.number}（{kind}）",
        owner=f"agency:{letter.agency_id}",
        region_code=letter.region_code,
        subject={"letter_id": letter.record_id},
        start=today,
        due=due,
        working_days=working_days,
    )
    notice = Notice(
        f"agency:{letter.agency_id}",
        f"letter:{letter.record_id}",
        kind=f"letter_{letter.letter_kind}",
        article=ART[30],
        created_at=clock.now_iso(),
        title=f"收到{kind}：{letter.number}",
        body=f"{letter.issuer_name}就以下问题向贵机关发出{kind}："
        + "；".join(letter.findings)
        + f"。要求：{letter.requirements}。请于 {due.due.isoformat()} 前书面答复（第三十条）。",
    )
    return obligation, notice


def suggest(caller: Identity, data: LetterIn) -> Letter:
    """A suggestion letter from the judicial bureau, urging correction (Art. 30)."""
    agency = get_agency(data.agency_id)
    _bureau(caller, agency.region_code)
    assert caller.region_code is not None  # a judicial token names its region (auth.Identity)
    today = clock.today()
    letter_id = uuid.uuid4().hex
    letter = Letter(
        *Letter.key(letter_id),
        record_kind="letter",
        region_code=agency.region_code,
        created_at=clock.now_iso(),
        letter_kind="suggestion",
        number=_number(caller.region_code, "suggestion", today.year),
        agency_id=agency.agency_id,
        agency_name=agency.name,
        bureau_region_code=caller.region_code,
        issuer_name=f"{regions.name(caller.region_code)}司法局",
        case_ids=data.case_ids,
        findings=data.findings,
        requirements=data.requirements,
        reply_working_days=data.reply_working_days,
        issued_by=caller.subject,
        issued_at=clock.now_iso(),
        status="issued",
    )
    obligation, notice = _reply_obligation(letter, data.reply_working_days, today)
    with Transaction() as tx:
        tx.save(letter, condition=Letter.pk.does_not_exist())
        tx.save(obligation, condition=Obligation.obligation_id.does_not_exist())
        tx.save(notice, condition=Notice.notice_id.does_not_exist())
        for case_id in data.case_ids:
            tx.update(
                SupervisionCase(*SupervisionCase.key(case_id)),
                actions=[
                    SupervisionCase.status.set("letter_issued"),
                    SupervisionCase.letter_ids.set(SupervisionCase.letter_ids.append([letter_id])),
                ],
                condition=SupervisionCase.pk.exists(),
            )
    return letter


def not_corrected(letter: Letter, today: date, reply_insufficient: bool) -> str | None:
    """Why the agency has not corrected in time (Art. 30), in Chinese, or None when it has or may still."""
    if letter.status == "issued":
        return f"答复期限（{letter.reply_due}）届满未答复" if today > date.fromisoformat(letter.reply_due) else None
    if letter.status == "replied":
        if letter.corrected is False:
            return "被监督机关答复拒不纠正"
        if reply_insufficient:
            return "答复称已纠正，经核查未纠正"
    return None


def request_decision(caller: Identity, letter_id: str, data: DecisionRequestIn) -> Letter:
    """The bureau asks the same-level government to issue a decision letter on a suggestion the agency
    did not correct in time (Art. 30). The decision waits, unnumbered, for the government."""
    parent = _get(letter_id)
    _bureau(caller, parent.region_code)
    if parent.letter_kind != "suggestion" or parent.status not in ("issued", "replied"):
        raise Conflict("只有已发出或已答复的监督建议书可以提请政府作出监督决定", code="not_escalatable", article=ART[30])
    why = not_corrected(parent, clock.today(), data.reply_insufficient)
    if why is None:
        message = (
            f"答复期限（{parent.reply_due}）尚未届满"
            if parent.status == "issued"
            else "被监督机关已答复纠正；如核查未纠正，请注明 reply_insufficient 并说明理由"
        )
        raise RuleViolation(
            f"{message}，不能提请同级人民政府作出监督决定",
            code="reply_not_overdue" if parent.status == "issued" else "agency_corrected",
            article=ART[30],
        )
    bureau_region = _bureau_region(parent)
    government = f"{regions.name(bureau_region)}人民政府"
    decision_id = uuid.uuid4().hex
    grounds = f"{why}。{data.grounds.rstrip('。')}"
    decision = Letter(
        *Letter.key(decision_id),
        record_kind="letter",
        region_code=parent.region_code,
        created_at=clock.now_iso(),
        letter_kind="decision",
        agency_id=parent.agency_id,
        agency_name=parent.agency_name,
        bureau_region_code=bureau_region,
        issuer_name=government,
        case_ids=parent.case_ids,
        findings=parent.findings,
        requirements=data.requirements,
        reply_working_days=data.reply_working_days,
        parent_id=letter_id,
        status="requested",
        request_grounds=grounds,
        requested_by=caller.subject,
    )
    notice = Notice(
        f"government:{bureau_region}",
        f"decision-request:{decision_id}",
        kind="letter_decision_request",
        article=ART[30],
        created_at=clock.now_iso(),
        title=f"提请签发监督决定书：{parent.agency_name}",
        body=f"{parent.issuer_name or regions.name(bureau_region) + '司法局'}就{parent.number}提请贵府对"
        f"{parent.agency_name}作出行政执法监督决定：{grounds}。拟决定事项：{data.requirements}。",
    )
    try:
        with Transaction() as tx:
            tx.update(parent, actions=[Letter.status.set("escalated")], condition=Letter.status == parent.status)
            tx.save(decision, condition=Letter.pk.does_not_exist())
            tx.save(notice, condition=Notice.notice_id.does_not_exist())
    except Cancelled as error:
        if not error.contended:
            raise
        raise Conflict("该监督建议书刚被答复或已提请，请刷新后重试", code="letter_changed", article=ART[30]) from None
    obligations.complete(f"letter_reply:{letter_id}", status="lapsed" if parent.status == "issued" else "done")
    return decision


def _requested(caller: Identity, letter_id: str) -> Letter:
    letter = _get(letter_id)
    _government(caller, letter)
    if letter.letter_kind != "decision" or letter.status != "requested":
        raise Conflict("只有待签发的监督决定书可以签发或不予签发", code="not_requested", article=ART[30])
    return letter


def _decide(letter: Letter, actions: list, records: list) -> None:
    """Move a requested decision on, with the records that go with it, only while it is still requested."""
    try:
        with Transaction() as tx:
            tx.update(letter, actions=actions, condition=Letter.status == "requested")
            for record in records:
                tx.save(record, condition=type(record)._hash_key_attribute().does_not_exist())
    except Cancelled as error:
        if not error.contended:
            raise
        raise Conflict("该监督决定书已签发或已不予签发", code="not_requested", article=ART[30]) from None


def issue_decision(caller: Identity, letter_id: str) -> Letter:
    """The government issues the requested decision letter in its own name: numbered, addressed to the
    agency, with a reply deadline counted from today."""
    letter = _requested(caller, letter_id)
    today = clock.today()
    letter.number = _number(_bureau_region(letter), "decision", today.year)
    letter.issued_by, letter.issued_at = caller.subject, clock.now_iso()
    obligation, notice = _reply_obligation(letter, int(letter.reply_working_days or 10), today)
    bureau = Notice(
        f"judicial:{_bureau_region(letter)}",
        f"decision-issued:{letter_id}",
        kind="letter_decision_issued",
        article=ART[30],
        created_at=clock.now_iso(),
        title=f"监督决定书已签发：{letter.number}",
        body=f"{letter.issuer_name}已应请求对{letter.agency_name}作出{letter.number}，答复期限 {letter.reply_due}。",
    )
    _decide(
        letter,
        [
            Letter.status.set("issued"),
            Letter.number.set(letter.number),
            Letter.issued_by.set(letter.issued_by),
            Letter.issued_at.set(letter.issued_at),
            Letter.reply_due.set(letter.reply_due),
            Letter.reply_due_provisional.set(letter.reply_due_provisional),
        ],
        [obligation, notice, bureau],
    )
    letter.status = "issued"  # the rest was set above, as written
    return letter


def decline(caller: Identity, letter_id: str, data: DeclineIn) -> Letter:
    letter = _requested(caller, letter_id)
    bureau = Notice(
        f"judicial:{_bureau_region(letter)}",
        f"decision-declined:{letter_id}",
        kind="letter_decision_declined",
        article=ART[30],
        created_at=clock.now_iso(),
        title=f"监督决定书不予签发：{letter.agency_name}",
        body=f"{letter.issuer_name}对提请的监督决定不予签发，理由：{data.reason}",
    )
    _decide(letter, [Letter.status.set("declined"), Letter.decline_reason.set(data.reason)], [bureau])
    letter.status, letter.decline_reason = "declined", data.reason
    return letter


def reply(caller: Identity, letter_id: str, data: ReplyIn) -> Letter:
    letter = _get(letter_id)
    if not (caller.role == "agency_admin" and caller.agency_id == letter.agency_id) or letter.status in ("requested", "declined"):
        raise deny_scope("监督文书")
    if letter.status != "issued":
        raise Conflict("该文书已答复或已提请政府作出决定", code="already_replied", article=ART[30])
    now = clock.now_iso()
    try:
        with Transaction() as tx:
            tx.update(
                letter,
                actions=[
                    Letter.status.set("replied"),
                    Letter.reply.set(data.reply),
                    Letter.corrected.set(data.corrected),
                    Letter.replied_at.set(now),
                ],
                condition=Letter.status == "issued",
            )
    except Cancelled as error:
        if not error.contended:
            raise
        raise Conflict("该文书已答复或已提请政府作出决定", code="already_replied", article=ART[30]) from None
    obligations.complete(f"letter_reply:{letter_id}")
    letter.status, letter.reply, letter.corrected, letter.replied_at = "replied", data.reply, data.corrected, now
    return letter  # as written: no second read


def list_for(caller: Identity, region_code: str | None, limit: int, cursor: str | None) -> dict:
    region_code = region_or_own(caller, region_code)
    if caller.role == "government":
        if not regions.covers(caller.region_code, region_code):
            raise deny_scope("监督文书")
    elif caller.role != "platform_admin":
        _bureau(caller, region_code)
    results = region_records(Letter.by_region, "letter", region_code, cursor, limit)
    return pagination.page(results, view)


def view(letter: Letter) -> dict:
    return {
        "letter_id": letter.record_id,
        "kind": letter.letter_kind,
        "kind_label": KINDS[letter.letter_kind],
        "number": letter.number,
        "agency_id": letter.agency_id,
        "agency_name": letter.agency_name,
        "region_code": letter.region_code,
        "bureau_region_code": _bureau_region(letter),
        "issuer_name": letter.issuer_name or f"{regions.name(letter.region_code)}司法局",
        "case_ids": letter.case_ids,
        "findings": letter.findings,
        "requirements": letter.requirements,
        "reply_due": letter.reply_due,
        "reply_due_provisional": letter.reply_due_provisional,
        "status": letter.status,
        "status_label": STATUS_LABELS[letter.status or "issued"],
        "reply": letter.reply,
        "corrected": letter.corrected,
        "replied_at": letter.replied_at,
        "parent_id": letter.parent_id,
        "created_at": letter.created_at,
        "issued_at": letter.issued_at,
        "request_grounds": letter.request_grounds,
        "decline_reason": letter.decline_reason,
        "article": ART[30],
        "document": {"follows": NOT_INSPECTION_DOCUMENTS[letter.letter_kind], "article": ART[22]},
    }


def document(letter: Letter) -> bytes:
    """The letter as printed: a decision letter names the requesting bureau and is signed by the
    government that issued it; a request not yet issued does not print."""
    from sheqi.supervision.documents import pdf

    if letter.status in ("requested", "declined"):
        raise Conflict("监督决定书尚未签发，不能打印", code="not_issued", article=ART[30])
    decision = letter.letter_kind == "decision"
    paragraphs = ["经监督检查，发现贵机关在涉企行政检查中存在以下问题："]
    paragraphs += [f"{n}. {f}" for n, f in enumerate(letter.findings, 1)]
    if decision:
        paragraphs.append(
            f"{regions.name(_bureau_region(letter))}司法局已向贵机关发出监督建议书，{letter.request_grounds}。"
            f"根据{RULES}第三十条，应该局请求，本府决定贵机关：{letter.requirements}"
        )
    else:
        paragraphs.append(f"根据{RULES}第三十条，建议贵机关：{letter.requirements}")
    paragraphs.append(
        f"请于 {letter.reply_due} 前将整改情况书面答复本机关。"
        + ("（期限按周末暂算，节假日安排公布后以重算日期为准）" if letter.reply_due_provisional else "")
    )
    issuer = letter.issuer_name or f"{regions.name(letter.region_code)}司法局"
    return pdf(
        KINDS[letter.letter_kind],
        letter.number or "",
        f"{letter.agency_name}：",
        paragraphs,
        [issuer, (letter.issued_at or letter.created_at)[:10]],
    )
