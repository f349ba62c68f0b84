"""Delivery of outbox notices by SMS and mail, with retries and a dead-letter state.

Every notice (notices.py, reminders from obligations.py, scan and visit notices) is written with
`delivery = pending` into a sparse index by next attempt time. The dispatcher claims a due notice
with a conditional update (so two dispatchers never send it twice), sends it on every channel the
recipient has an address for, and records the result: `sent`; `in_app` when the recipient has no
address (the notice stays in its box); or a retry with exponential backoff, ending after
`MAX_ATTEMPTS` in `dead`, listed for the platform admin, who can send it again. Nothing is dropped.

Channels: SNS (SMS) and SES (mail) in production; locally the same calls go to moto, and the
`log` channel writes a readable line per delivery to a file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Annotated

from msgspec import Meta

from sheqi import clock, metrics, settings
from sheqi.auth import Identity, deny_scope, require_role
from sheqi.errors import NotFound
from sheqi.inputs import Body
from sheqi.store import get_or_404, get_or_none, pagination, update_if
from sheqi.store.notices import DELIVERY_SHARDS, Contact, Notice
from sheqi.store.registers import Enterprise

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=2)  # 2, 4, 8, 16 minutes between attempts
LEASE = timedelta(minutes=5)  # a claimed notice is tried again after this if its sender died


class DeliveryFailed(Exception):
    pass


class ContactIn(Body):
    sms: Annotated[str, Meta(pattern=r"^\+?[1-9]\d{6,14}$")] | None = None
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)] | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- addresses ---------------------------------------------------------------------------------


def contact_for(recipient: str) -> dict:
    """Where a notice box receives SMS and mail: an enterprise's registered contact, else what was set
    with PUT /contacts/{recipient}."""
    stored = get_or_none(Contact, Contact.key(recipient))
    if stored is not None:
        return {"sms": stored.sms, "email": stored.email}
    kind, _, key = recipient.partition(":")
    enterprise = get_or_none(Enterprise, key) if kind == "enterprise" else None
    if enterprise is not None:
        return {"sms": _e164(enterprise.contact_phone), "email": enterprise.contact_email}
    return {"sms": None, "email": None}


def _e164(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone if phone.startswith("+") else f"+86{phone}"


# Who keeps a notice box's SMS number and mail address: its own holder (every role that receives notices in
# its own name), or the platform for any box.
CONTACT_ROLES = ("platform_admin", "agency_admin", "judicial", "science_bureau", "government", "enterprise")


def may_set_contact(caller: Identity, recipient: str) -> bool:
    return caller.role == "platform_admin" or caller.recipient == recipient and caller.role in CONTACT_ROLES


def set_contact(caller: Identity, recipient: str, data: ContactIn) -> dict:
    if not may_set_contact(caller, recipient):
        raise deny_scope("通知方式")
    Contact(Contact.key(recipient), sms=data.sms, email=data.email, updated_at=clock.now_iso()).save()
    return {"recipient": recipient, "sms": data.sms, "email": data.email}


# --- channels ----------------------------------------------------------------------------------


@cache
def _client(service: str):
    import boto3  # locally AWS_ENDPOINT_URL_SNS / _SES point at moto

    region = settings.get().aws_region
    if service == "ses":  # the AWS China regions offer no SES: mail goes out from SES_REGION
        region = settings.get().ses_region or region
    return boto3.client(service, region_name=region)


def _sms(address: str, notice: Notice) -> None:
    _client("sns").publish(PhoneNumber=address, Message=f"【涉企检查】{notice.title}：{notice.body}"[:600])


def _email(address: str, notice: Notice) -> None:
    _client("ses").send_email(
        Source=settings.get().notify_from,
        Destination={"ToAddresses": [address]},
        Message={
            "Subject": {"Data": notice.title, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": notice.body, "Charset": "UTF-8"}},
        },
    )


def _log(address: str, notice: Notice) -> None:
    path = settings.get().delivery_log
    assert path is not None  # settings refuse the log channel without DELIVERY_LOG
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"{clock.now_iso()}  {notice.recipient} <{address}>  {notice.title}：{notice.body}\n")


CHANNELS = {"sms": _sms, "email": _email, "log": _log}


def enabled_channels() -> list[str]:
    return list(settings.get().notify_channels)


def _addresses(contact: dict) -> list[tuple[str, str]]:
    return [(c, contact[c]) for c in ("sms", "email") if c in enabled_channels() and contact.get(c)]


# --- dispatching ---------------------------------------------------------------------------------


def _claim(notice: Notice, now: datetime) -> bool:
    """False if another dispatcher has it."""
    return update_if(
        notice,
        [Notice.next_attempt_at.set(_iso(now + LEASE))],
        condition=(Notice.next_attempt_at == notice.next_attempt_at) & (Notice.delivery == "pending"),
    )


def deliver(notice: Notice, now: datetime) -> str:
    """Try one claimed notice on its channels; returns its new delivery state."""
    pairs = _addresses(contact_for(notice.recipient))
    if not pairs:
        notice.update(actions=[Notice.delivery.set("in_app"), Notice.delivery_shard.remove(), Notice.next_attempt_at.remove()])
        return "in_app"
    sent, errors = [], []
    for channel, address in pairs:
        try:
            CHANNELS[channel](address, notice)
            sent.append(channel)
        except Exception as error:  # any channel failure is retried; the reason is kept for the admin
            errors.append(f"{channel}: {type(error).__name__}: {error}"[:300])
    if sent and "log" in enabled_channels():  # the readable record of what went out, and where
        CHANNELS["log"](" / ".join(a for c, a in pairs if c in sent), notice)
    attempts = int(notice.attempts) + 1
    if sent:
        notice.update(
            actions=[
                Notice.delivery.set("sent"),
                Notice.delivered_at.set(_iso(now)),
                Notice.channels.set(sent),
                Notice.attempts.set(attempts),
                Notice.delivery_shard.remove(),
                Notice.next_attempt_at.remove(),
                Notice.last_error.set("; ".join(errors)) if errors else Notice.last_error.remove(),
            ]
        )
        return "sent"
    if attempts >= MAX_ATTEMPTS:
        notice.update(
            actions=[
                Notice.delivery.set("dead"),
                Notice.attempts.set(attempts),
                Notice.last_error.set("; ".join(errors)),
                Notice.delivery_shard.remove(),
                Notice.next_attempt_at.remove(),
                Notice.dead_letter.set("dead"),
            ]
        )
        return "dead"
    notice.update(
        actions=[
            Notice.attempts.set(attempts),
            Notice.last_error.set("; ".join(errors)),
            Notice.next_attempt_at.set(_iso(now + BACKOFF * 2 ** (attempts - 1))),
        ]
    )
    return "retry"


@metrics.timed("deliveries")
def run(now: datetime | None = None) -> dict:
    """Deliver every notice whose attempt is due, over every shard."""
    now = now or clock.now()
    counts: dict[str, int] = {}
    for shard in range(DELIVERY_SHARDS):
        for notice in Notice.undelivered.query(f"s{shard}", Notice.next_attempt_at <= _iso(now)):
            if notice.delivery != "pending" or not _claim(notice, now):
                continue
            state = deliver(notice, now)
            counts[state] = counts.get(state, 0) + 1
    metrics.deliveries(counts)
    return counts


def dead_letters(caller: Identity, limit: int, cursor: str | None) -> dict:
    require_role(caller, "platform_admin")
    results = pagination.query(Notice.dead_letters, "dead", cursor, scan_index_forward=False, limit=limit, page_size=limit)
    return pagination.page(
        results,
        lambda n: {
            "recipient": n.recipient,
            "notice_id": n.notice_id,
            "title": n.title,
            "attempts": int(n.attempts),
            "last_error": n.last_error,
            "created_at": n.created_at,
        },
    )


def retry(caller: Identity, recipient: str, notice_id: str) -> dict:
    """Send a dead letter again (after its address was corrected)."""
    require_role(caller, "platform_admin")
    notice = get_or_404(Notice, recipient, notice_id, message="通知不存在", code="notice_not_found")
    if notice.delivery != "dead":
        raise NotFound("该通知不在死信中", code="not_a_dead_letter")
    update_if(
        notice,
        [
            Notice.delivery.set("pending"),
            Notice.attempts.set(0),
            Notice.dead_letter.remove(),
            Notice.delivery_shard.set("s0"),
            Notice.next_attempt_at.set("0"),
        ],
    )
    return {"recipient": recipient, "notice_id": notice_id, "delivery": "pending"}
