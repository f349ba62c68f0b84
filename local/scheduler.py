"""The local EventBridge: fires each schedule serverless.yml declares, at its times, with a
real-shaped scheduled event, into the same handler Lambda would run."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

from croniter import croniter

from . import serverless_config
from .events import schedule_event
from .invoke import invoke

_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def next_fire(expression: str, after: datetime) -> datetime:
    """The next instant (UTC) an EventBridge `cron(...)` or `rate(...)` expression fires after `after`."""
    rate = re.fullmatch(r"rate\((\d+) (\w+)\)", expression)
    if rate:
        return after + timedelta(seconds=int(rate[1]) * _RATE_UNITS[rate[2]])
    cron = re.fullmatch(r"cron\((.+)\)", expression)
    if not cron:
        raise ValueError(f"unsupported schedule expression {expression!r}")
    minute, hour, dom, month, dow, _year = cron[1].split()
    # EventBridge uses '?' for "any" in day-of-month/day-of-week and numbers days of week 1-7 from Sunday.
    dow = "*" if dow == "?" else re.sub(r"\d", lambda d: str(int(d[0]) - 1), dow)
    expr = " ".join([minute, hour, "*" if dom == "?" else dom, month, dow])
    return croniter(expr, after.astimezone(UTC)).get_next(datetime)


def fire(schedule: serverless_config.Schedule, when: datetime) -> dict:
    event = schedule_event(f"sheqi-local-{schedule.function}", when)
    return invoke(schedule.handler, schedule.function, event)


class Scheduler(threading.Thread):
    def __init__(self, log=print):
        super().__init__(daemon=True, name="local-scheduler")
        self.stopped = threading.Event()
        self.log = log

    def run(self) -> None:
        now = datetime.now(UTC)
        pending = {s: next_fire(s.expression, now) for s in serverless_config.schedules()}
        while not self.stopped.is_set() and pending:
            schedule, when = min(pending.items(), key=lambda p: p[1])
            if self.stopped.wait(max(0.0, (when - datetime.now(UTC)).total_seconds())):
                return
            try:
                self.log(f"[定时任务] {schedule.function} → {fire(schedule, when)}")
            except Exception as error:  # a failing job must not stop the others
                self.log(f"[定时任务] {schedule.function} 执行失败：{error!r}")
            pending[schedule] = next_fire(schedule.expression, when)
