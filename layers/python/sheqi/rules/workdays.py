"""Working days on China's official calendar: public holidays and the adjusted working weekends
(调休) the State Council publishes each year, from the maintained `chinesecalendar` package.

A year the package does not cover yet can be given as an `Arrangement` (an administrator loads the
year's notice as data, see `calendars.py`). A year with neither is counted provisionally on weekends
only, and every answer says whether it is provisional, so a deadline can be recomputed once the
year's arrangement is known.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from msgspec import Struct


class Arrangement(Struct, frozen=True):
    """One year's official arrangement: its public holidays and its working weekends."""

    year: int
    holidays: frozenset[date]
    working_weekends: frozenset[date]
    notice: str

    def is_workday(self, day: date) -> bool:
        return day in self.working_weekends or (day.weekday() < 5 and day not in self.holidays)


def check_arrangement(year: int, holidays: list[date], working_weekends: list[date]) -> list[tuple[str, str]]:
    """Every problem with a year's arrangement as (field, message in Chinese); empty when sound."""
    problems = []
    for field, days in (("holidays", holidays), ("working_weekends", working_weekends)):
        for day in days:
            if day.year != year:
                problems.append((field, f"{day.isoformat()} 不在{year}年内"))
    for day in working_weekends:
        if day.weekday() < 5:
            problems.append(("working_weekends", f"{day.isoformat()} 不是周六或周日，不能作为调休上班日"))
    for day in set(holidays) & set(working_weekends):
        problems.append(("holidays", f"{day.isoformat()} 不能既是假日又是调休上班日"))
    if len(set(holidays)) != len(holidays) or len(set(working_weekends)) != len(working_weekends):
        problems.append(("holidays", "日期有重复"))
    return problems


class Deadline(Struct, frozen=True):
    due: date
    provisional: bool  # True when a day counted lies in a year without the official arrangement

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            **({"note": "该年度国务院节假日安排尚未载入，暂按周末计算，载入后重算"} if self.provisional else {}),
        }


@cache
def _official() -> Any:
    """The State Council's published arrangements (the chinesecalendar package), loaded when a deadline
    is first counted: its tables cost 2 ms of every cold start otherwise."""
    import chinese_calendar

    return chinese_calendar


def _covered(day: date) -> bool:
    try:
        _official().is_workday(day)
        return True
    except NotImplementedError:
        return False


def is_workday(day: date, arrangements: dict[int, Arrangement] | None = None) -> tuple[bool, bool]:
    """(whether `day` is a working day, whether that answer is provisional)."""
    if _covered(day):
        return _official().is_workday(day), False
    if arrangements and day.year in arrangements:
        return arrangements[day.year].is_workday(day), False
    return day.weekday() < 5, True


def add_working_days(start: date, n: int, arrangements: dict[int, Arrangement] | None = None) -> Deadline:
    """The n-th working day after `start` (start itself not counted): "within 10 working days" of a
    change made on `start` ends on this day (Art. 16, 26). `arrangements`: loaded years by number."""
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        working, guessed = is_workday(day, arrangements)
        provisional = provisional or guessed
        counted += working
    return Deadline(day, provisional)


def period_end(start: date, days: int = 0, months: int = 0) -> date:
    """The last day of a period of calendar days or months counted from the day after `start` (Civil
    Code art. 201); a month-end carries over to the last day of the shorter month."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(start.day, last)) + timedelta(days=days)


def roll_forward(last_day: date, arrangements: dict[int, Arrangement] | None = None) -> Deadline:
    """PRC Civil Code art. 203: a period counted in days or months whose last day is a statutory rest day
    (法定休假日) ends on the first day after it. Reading: a rest day is any day the official calendar does
    not work, weekends included, and an adjusted working weekend (调休) is a working day; so the period
    ends on the first working day on or after `last_day` (1 October 2025 -> 9 October 2025)."""
    day, provisional = last_day, False
    while True:
        working, guessed = is_workday(day, arrangements)
        provisional = provisional or guessed
        if working:
            return Deadline(day, provisional)
        day += timedelta(days=1)
