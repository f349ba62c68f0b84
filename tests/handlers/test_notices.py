"""The notice box a phone reads: newest first, a page at a time."""

from datetime import datetime, timedelta

from sheqi import clock
from sheqi.clock import CST
from sheqi.reminders import notices
from tests.helpers import call, identity


def test_notices_come_newest_first_whatever_their_ids(tables, monkeypatch):
    box = identity("market-wang").recipient
    start = datetime(2026, 6, 1, 9, 0, tzinfo=CST)
    # Ids sort against time: by id the oldest would come first.
    for n, notice_id in enumerate(["c-first", "b-second", "a-third", "d-fourth", "0-fifth"]):
        monkeypatch.setattr(clock, "now", lambda n=n: start + timedelta(minutes=n))
        assert notices.create_once(box, notice_id, kind="test", title=notice_id, body="正文")
    notices.create_once("inspector:market-li", "z-other", kind="test", title="别人的", body="正文")

    seen, cursor = [], None
    while True:
        status, page = call("GET", "/notices", "market-wang", query=f"limit=2{'&cursor=' + cursor if cursor else ''}")
        assert status == 200 and len(page["items"]) <= 2
        seen += [n["notice_id"] for n in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ["0-fifth", "d-fourth", "a-third", "b-second", "c-first"]


def test_another_boxs_cursor_is_refused(tables):
    for n in range(3):
        notices.create_once("inspector:market-li", f"n{n}", kind="test", title="别人的", body="正文")
    _, page = call("GET", "/notices", "market-li", query="limit=1")
    status, body = call("GET", "/notices", "market-wang", query=f"limit=1&cursor={page['next_cursor']}")
    assert status == 400 and body["error"]["code"] == "invalid_cursor"
