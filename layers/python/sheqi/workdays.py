"""Working days on China's official calendar: public holidays and the adjusted working weekends
(调休) the State Council publishes each year, from the maintained `chinesecalendar` package.

A year the package does not cover yet (the next year, until its notice is out and the package
updated) is counted provisionally on weekends only, and every answer says whether it is provisional,
so a deadline can be recomputed once the year's arrangement is known.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool      # True when a day counted lies in a year without the official arrangement

    def to_dict(self) -> dict:
        return {"due": self.due.isoformat(), "provisional": self.provisional,
                **({"note": "该年度国务院节假日安排尚未载入，暂按周末计算，载入后重算"} if self.provisional else {})}


def _covered(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


def is_workday(day: date) -> tuple[bool, bool]:
    """(whether `day` is a working day, whether that answer is provisional)."""
    if _covered(day):
        return chinese_calendar.is_workday(day), False
    return day.weekday() < 5, True


def add_working_days(start: date, n: int) -> Deadline:
    """The n-th working day after `start` (start itself not counted): "within 10 working days" of a
    change made on `start` ends on this day (Art. 16, 26)."""
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        working, guessed = is_workday(day)
        provisional = provisional or guessed
        counted += working
    return Deadline(day, provisional)
