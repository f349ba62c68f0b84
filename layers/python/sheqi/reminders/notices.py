"""The outbox of notices to people. A notice's id is deterministic, and it is written only if absent,
so reruns, overlapping runs and retries leave exactly one notice for each (subject, stage)."""

from __future__ import annotations

from sheqi import clock
from sheqi.auth import Identity
from sheqi.store import get_or_404, pagination, put_if_absent, update_if
from sheqi.store.notices import Notice


def create_once(recipient: str, notice_id: str, *, kind: str, title: str, body: str, article: str | None = None) -> bool:
    """Write the notice unless it exists; True if this call created it."""
    notice = Notice(recipient, notice_id, kind=kind, title=title, body=body, article=article, created_at=clock.now_iso())
    return put_if_absent(notice, Notice.notice_id)


def list_for(recipient: str, limit: int, cursor: str | None) -> dict:
    """The box's notices, newest first."""
    results = pagination.query(Notice.by_time, recipient, cursor, limit=limit, page_size=limit, scan_index_forward=False)
    return pagination.page(results, view)


def view(notice: Notice) -> dict:
    return {
        "notice_id": notice.notice_id,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "article": notice.article,
        "status": notice.status,
        "created_at": notice.created_at,
        "delivery": notice.delivery,
        "delivered_at": notice.delivered_at,
        "acknowledged_at": notice.acknowledged_at,
    }


REMINDER_PREFIX = "reminder:"


def pending_reminders(recipient: str, limit: int, cursor: str | None) -> dict:
    """The box's reminders not yet acknowledged, newest obligation last (ids sort by obligation)."""
    results = pagination.query(
        Notice,
        recipient,
        cursor,
        Notice.notice_id.startswith(REMINDER_PREFIX),
        filter_condition=Notice.status == "pending",
        limit=limit,
        page_size=limit,
    )
    return pagination.page(results, view)


def acknowledge(caller: Identity, notice_id: str) -> Notice:
    """The box's owner has the notice: a reminder taken in hand, a result notice received (which
    fulfils the obligation to tell the enterprise, Art. 19). Only in the caller's own box."""
    notice = get_or_404(Notice, caller.recipient, notice_id, message="通知不存在", code="notice_not_found")
    if notice.status != "acknowledged":
        update_if(
            notice,
            [
                Notice.status.set("acknowledged"),
                Notice.acknowledged_at.set(clock.now_iso()),
                Notice.acknowledged_by.set(caller.subject),
            ],
        )
    return notice
