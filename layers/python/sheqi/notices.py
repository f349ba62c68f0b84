"""The outbox of notices to people. A notice's id is deterministic, and it is written only if absent,
so reruns, overlapping runs and retries leave exactly one notice for each (subject, stage)."""
from __future__ import annotations

from pynamodb.exceptions import PutError

from . import clock, pagination
from .store import Notice, condition_failed


def create_once(recipient: str, notice_id: str, *, kind: str, title: str, body: str,
                article: str | None = None) -> bool:
    """Write the notice unless it exists; True if this call created it."""
    notice = Notice(recipient, notice_id, kind=kind, title=title, body=body, article=article,
                    created_at=clock.now_iso())
    try:
        notice.save(condition=Notice.notice_id.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def list_for(recipient: str, limit: int, cursor: str | None) -> dict:
    results = Notice.query(recipient, limit=limit, page_size=limit, scan_index_forward=False,
                           last_evaluated_key=pagination.decode(cursor))
    return pagination.page(results, view)


def view(notice: Notice) -> dict:
    return {"notice_id": notice.notice_id, "kind": notice.kind, "title": notice.title, "body": notice.body,
            "article": notice.article, "status": notice.status, "created_at": notice.created_at}
