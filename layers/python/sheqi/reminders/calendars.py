"""Official working-day arrangements an administrator loads for years the calendar package does not
cover yet (the State Council publishes each year's in the autumn before). Stored in Tallies
(`calendar#<year>`), read with the deadlines that need them."""
from __future__ import annotations

from datetime import date

from pydantic import Field
from pynamodb.exceptions import DoesNotExist

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import NotFound, ValidationError
from sheqi.inputs import Body
from sheqi.rules.workdays import Arrangement, check_arrangement
from sheqi.store import CalendarYear


class ArrangementIn(Body):
    notice: str = Field(min_length=6, max_length=200)      # e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）
    holidays: list[date] = Field(min_length=1, max_length=60)
    working_weekends: list[date] = Field(default_factory=list, max_length=20)


def load_year(caller: Identity, year: int, data: ArrangementIn) -> CalendarYear:
    auth.require_role(caller, "platform_admin")
    problems = check_arrangement(year, data.holidays, data.working_weekends)
    if problems:
        field, message = problems[0]
        raise ValidationError(f"字段 {field}：{message}", field=field, code="invalid_arrangement",
                              details={"problems": [{"field": f, "message": m} for f, m in problems]})
    record = CalendarYear(f"calendar#{year}", notice=data.notice, holidays=sorted(d.isoformat() for d in data.holidays),
                          working_weekends=sorted(d.isoformat() for d in data.working_weekends),
                          loaded_at=clock.now_iso(), loaded_by=caller.subject)
    record.save()
    return record


def get_year(year: int) -> CalendarYear:
    try:
        return CalendarYear.get(f"calendar#{year}")
    except DoesNotExist:
        raise NotFound(f"{year}年的节假日安排尚未载入", code="calendar_not_loaded") from None


def arrangements_for(years: set[int]) -> dict[int, Arrangement]:
    """The loaded arrangements among `years` (one BatchGetItem)."""
    found = CalendarYear.batch_get([f"calendar#{y}" for y in sorted(years)])
    return {int(r.tally_key.split("#")[1]): Arrangement(
        int(r.tally_key.split("#")[1]), frozenset(date.fromisoformat(d) for d in r.holidays),
        frozenset(date.fromisoformat(d) for d in r.working_weekends), r.notice) for r in found}


def view(record: CalendarYear) -> dict:
    return {"year": int(record.tally_key.split("#")[1]), "notice": record.notice, "holidays": record.holidays,
            "working_weekends": record.working_weekends, "loaded_at": record.loaded_at}
