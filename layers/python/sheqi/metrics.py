"""Operational metrics, in CloudWatch's embedded metric format: each is one JSON line in the function's
log, which CloudWatch turns into a metric with no API call and no extra permission. Namespace
METRICS_NAMESPACE (sheqi/<stage>), dimension service=sheqi; the alarms in infra/alarms.js name
DeliveriesFailed and DeliveriesDead. METRICS_DISABLED=true (the local stack) writes nothing.

Names: ScansAccepted (by outcome: opened, joined, pending), ScansRefused (by reason, the finding's
code), VisitsOpened, VisitsClosed, Ratings, DeliveriesSent, DeliveriesFailed (an attempt that
failed: retried or dead), DeliveriesDead, RunDuration (milliseconds, by run).
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Iterable

from sheqi.settings import SERVICE


def _emit(name: str, value: float = 1, unit: str = "Count", **dimensions: str) -> None:
    if os.environ.get("METRICS_DISABLED", "").lower() == "true":
        return
    directive = {
        "Namespace": os.environ.get("METRICS_NAMESPACE", SERVICE),
        "Dimensions": [["service", *dimensions]],
        "Metrics": [{"Name": name, "Unit": unit}],
    }
    print(
        json.dumps(
            {
                "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [directive]},
                "service": SERVICE,
                **dimensions,
                name: [value],
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def scan(outcome: str, reasons: Iterable[str]) -> None:
    """A scan judged and recorded (Art. 24): accepted, or refused with each reason."""
    if outcome == "refused":
        for reason in sorted(set(reasons)):
            _emit("ScansRefused", reason=reason)
        return
    _emit("ScansAccepted", outcome=outcome)
    if outcome == "opened":
        _emit("VisitsOpened")


def deliveries(counts: dict[str, int]) -> None:
    """One delivery run's notices by what became of them (delivery.deliver's states)."""
    failed = counts.get("retry", 0) + counts.get("dead", 0)
    for name, value in (
        ("DeliveriesSent", counts.get("sent", 0)),
        ("DeliveriesFailed", failed),
        ("DeliveriesDead", counts.get("dead", 0)),
    ):
        _emit(name, value)


def counted(name: str):
    """Decorator: count `name` each time the function returns (not when it raises)."""

    def wrap(function):
        @functools.wraps(function)
        def counting(*args, **kwargs):
            result = function(*args, **kwargs)
            _emit(name)
            return result

        return counting

    return wrap


def timed(run: str):
    """Decorator: RunDuration of each call, in milliseconds, under dimension run=`run`."""

    def wrap(function):
        @functools.wraps(function)
        def timing(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                _emit("RunDuration", (time.perf_counter() - start) * 1000, "Milliseconds", run=run)

        return timing

    return wrap
