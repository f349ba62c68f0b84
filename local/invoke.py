"""Calls a handler the way Lambda does: by its serverless.yml handler string, one event at a time
per container. Handler modules keep per-invocation state in globals (the edge's App holds the event), so
concurrent calls get separate containers: fresh imports of the module, reused once idle."""
from __future__ import annotations

import contextvars
import importlib.util
import itertools
import threading
from collections import defaultdict

from .config import ROOT
from .events import LambdaContext

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
