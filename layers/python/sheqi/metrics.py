"""Operational metrics, in CloudWatch's embedded metric format (Powertools): each is one JSON line in
the function's log, which CloudWatch turns into a metric with no API call and no extra permission.
Namespace POWERTOOLS_METRICS_NAMESPACE (sheqi/<stage>), dimension service=sheqi; the alarms in
infra/alarms.js name DeliveriesFailed and DeliveriesDead. POWERTOOLS_METRICS_DISABLED=true (the local
stack) writes nothing.

Names: ScansAccepted (by outcome: opened, joined, pending), ScansRefused (by reason, the finding's
code), VisitsOpened, VisitsClosed, Ratings, DeliveriesSent, DeliveriesFailed (an attempt that
failed: retried or dead), DeliveriesDead, RunDuration (milliseconds, by run).
"""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable

from aws_lambda_powertools.metrics import MetricUnit, single_metric


def _emit(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count, **dimensions: str) -> None:
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return
    with single_metric(name=name, unit=unit, value=value) as metric:
        for key, label in dimensions.items():
            metric.add_dimension(name=key, value=label)


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
    for name, value in (("DeliveriesSent", counts.get("sent", 0)), ("DeliveriesFailed", failed),
                        ("DeliveriesDead", counts.get("dead", 0))):
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
                _emit("RunDuration", (time.perf_counter() - start) * 1000, MetricUnit.Milliseconds, run=run)
        return timing
    return wrap
