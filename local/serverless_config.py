"""Routes and schedules as serverless.yml declares them: the local gateway and scheduler serve
exactly these, so a route missing from serverless.yml is missing locally too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

import yaml

from .config import ROOT


@dataclass(frozen=True)
class Route:
    function: str
    handler: str  # "functions/x/handler.handler"
    method: str
    path: str  # "/enterprises/{enterprise_id}"
    authorized: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$")

    def match(self, method: str, path: str) -> dict | None:
        if method != self.method:
            return None
        found = self.pattern.match(path)
        return found.groupdict() if found else None


@dataclass(frozen=True)
class Schedule:
    function: str
    handler: str
    expression: str  # "cron(0 1 * * ? *)" or "rate(1 day)"


@lru_cache(maxsize=1)
def load() -> dict:
    return yaml.safe_load((ROOT / "serverless.yml").read_text())


@cache
def routes() -> tuple[Route, ...]:
    found = []
    for name, fn in load()["functions"].items():
        for event in fn.get("events", []):
            if "httpApi" in event:
                spec = event["httpApi"]
                found.append(Route(name, fn["handler"], spec["method"].upper(), spec["path"], "authorizer" in spec))
    return tuple(found)


def schedules() -> list[Schedule]:
    found = []
    for name, fn in load()["functions"].items():
        for event in fn.get("events", []):
            if "schedule" in event:
                spec = event["schedule"]
                rates = spec["rate"] if isinstance(spec, dict) else spec
                for rate in rates if isinstance(rates, list) else [rates]:
                    found.append(Schedule(name, fn["handler"], rate))
    return found


@dataclass(frozen=True)
class QueueTrigger:
    function: str
    handler: str
    queue: str  # logical id of the AWS::SQS::Queue in infra/queues.yml
    batch_size: int


def queue_triggers() -> list[QueueTrigger]:
    found = []
    for name, fn in load()["functions"].items():
        for event in fn.get("events", []):
            if "sqs" in event:
                spec = event["sqs"]
                found.append(QueueTrigger(name, fn["handler"], spec["arn"]["Fn::GetAtt"][0], int(spec.get("batchSize", 10))))
    return found


@cache
def _by_method() -> dict[str, list[Route]]:
    """Each method's routes, a literal route before a parameterised one (API Gateway's rule), e.g.
    /code.png before /{x}: built once, not on every request."""
    table: dict[str, list[Route]] = {}
    for route in sorted(routes(), key=lambda r: r.path.count("{")):
        table.setdefault(route.method, []).append(route)
    return table


def resolve(method: str, path: str) -> tuple[Route, dict] | tuple[None, None]:
    for route in _by_method().get(method, ()):
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None, None
