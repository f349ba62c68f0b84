"""Calls a handler the way Lambda does: by its serverless.yml handler string."""
from __future__ import annotations

import importlib
from functools import lru_cache

from .events import LambdaContext


@lru_cache(maxsize=None)
def load_handler(spec: str):
    """'functions/enterprises/handler.handler' -> the function object."""
    module_path, _, attr = spec.rpartition(".")
    return getattr(importlib.import_module(module_path.replace("/", ".")), attr)


def invoke(spec: str, function_name: str, event: dict) -> dict:
    return load_handler(spec)(event, LambdaContext(function_name))
