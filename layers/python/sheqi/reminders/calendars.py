"""Official working-day arrangements an administrator loads for years the calendar package does not
cover yet (the State Council publishes each year's in the autumn before). Stored in Tallies
(`CalendarYear`), read with the deadlines that need them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import Meta

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import ValidationError
from sheqi.inputs import Body
from sheqi.rules.workdays import Arrangement, check_arrangement
from sheqi.store import get_or_404
from sheqi.store.obligations import CalendarYear


class ArrangementIn(Body):
    notice: Annotated[
        str, Meta(min_length=6, max_length=200)
    ]  # e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）
    holidays: Annotated[list[date], Meta(min_length=1, max_length=60)]
    working_weekends: Annotated[list[date], Meta(max_length=20)] = []


def load_year(caller: Identity, year: int, data: ArrangementIn) -> CalendarYear:
    auth.require_role(caller, "platform_admin")
    problems = check_arrangement(year, data.holidays, data.working_weekends)
    if problems:
        field, message = problems[0]
        raise ValidationError(
            f"字段 {field}：{message}",
            field=field,
            code="invalid_arrangement",
            details={"problems": [{"field": f, "message": m} for f, m in problems]},
        )
    record = CalendarYear(
        CalendarYear.key(year),
        notice=data.notice,
        holidays=sorted(d.isoformat() for d in data.holidays),
        working_weekends=sorted(d.isoformat() for d in data.working_weekends),
        loaded_at=clock.now_iso(),
        loaded_by=caller.subject,
    )
    record.save()
    return record


def get_year(year: int) -> CalendarYear:
    return get_or_404(CalendarYear, CalendarYear.key(year), message=f"{year}年的节假日安排尚未载入", code="calendar_not_loaded")


def arrangements_for(years: set[int]) -> dict[int, Arrangement]:
    """The loaded arrangements among `years` (one BatchGetItem)."""
    found = CalendarYear.batch_get([CalendarYear.key(y) for y in sorted(years)])
    return {
        r.year: Arrangement(
            r.year,
            frozenset(date.fromisoformat(d) for d in r.holidays),
            frozenset(date.fromisoformat(d) for d in r.working_weekends),
            r.notice,
        )
        for r in found
    }


def view(record: CalendarYear) -> dict:
    return {
        "year": record.year,
        "notice": record.notice,
        "holidays": record.holidays,
        "working_weekends": record.working_weekends,
        "loaded_at": record.loaded_at,
    }
