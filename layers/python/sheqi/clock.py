"""Time in China Standard Time (UTC+8, no daylight saving), where every deadline is counted."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    return datetime.now(CST)


def now_iso() -> str:
    return now().isoformat(timespec="seconds")


def today() -> date:
    return now().date()


def local_date(instant: str) -> date:
    """The China date of an ISO 8601 instant such as EventBridge's `time` ("2026-11-25T16:30:00Z")."""
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(CST).date()
