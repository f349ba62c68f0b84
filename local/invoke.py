"""Calls a handler the way Lambda does: by its serverless.yml handler string, one event at a time
per container. Handler modules keep per-invocation state in globals (the edge's App holds the event), so
concurrent calls get separate containers: fresh imports of the module, reused once idle."""

from __future__ import annotations

import base64
import contextvars
import importlib.util
import itertools
import json
import threading
from collections import defaultdict

from .config import ROOT
from .events import LambdaContext, http_event

_idle: dict[str, list] = defaultdict(list)
_lock = threading.Lock()
_serial = itertools.count()
current_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_function", default=None)
"""The serverless.yml function whose handler this thread is running (tests check its AWS calls against its role)."""


def _cold_start(spec: str):
    """'functions/enterprises/handler.handler' -> the function object of a freshly loaded module."""
    module_path, _, attr = spec.rpartition(".")
    name = f"{module_path.replace('/', '.')}__container{next(_serial)}"
    loader = importlib.util.spec_from_file_location(name, ROOT / f"{module_path}.py")
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return getattr(module, attr)


def load_handler(spec: str):
    """A handler for inspection (used by tests that only check it imports)."""
    return _cold_start(spec)


def invoke(spec: str, function_name: str, event: dict) -> dict:
    with _lock:
        handler = _idle[spec].pop() if _idle[spec] else None
    if handler is None:
        handler = _cold_start(spec)
    token = current_function.set(function_name)
    try:
        return handler(event, LambdaContext(function_name))
    finally:
        current_function.reset(token)
        with _lock:
            _idle[spec].append(handler)


def call(
    method: str, path: str, identity=None, body=None, query: str = "", headers: dict | None = None
) -> tuple[int, dict | bytes | str]:
    """Invoke the handler serverless.yml routes `method path` to, with a real-shaped v2.0 event carrying
    `identity`'s claims (a sheqi.auth.Identity, or None); returns the status and the decoded body."""
    from . import serverless_config

    route, params = serverless_config.resolve(method, path)
    assert route is not None, f"no route for {method} {path} in serverless.yml"
    raw = body if isinstance(body, (bytes, type(None))) else json.dumps(body, ensure_ascii=False).encode()
    event = http_event(
        method=method,
        raw_path=path,
        route_key=route.route_key,
        path_parameters=params,
        raw_query_string=query,
        headers={"content-type": "application/json", **(headers or {})},
        body=raw,
        claims=identity.to_claims() if (identity and route.authorized) else None,
    )
    result = invoke(route.handler, route.function, event)
    content_type = (result.get("headers") or {}).get("Content-Type", "")
    if content_type.startswith("application/json"):
        return result["statusCode"], json.loads(result["body"])
    return result["statusCode"], base64.b64decode(result["body"]) if result.get("isBase64Encoded") else result["body"]
