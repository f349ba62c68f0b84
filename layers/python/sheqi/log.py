"""The one structured logger, for handlers and workers alike: a JSON line per entry on stdout (CloudWatch
keeps each function's), carrying the invocation's ids: Lambda's request id and, for HTTP requests,
API Gateway's (`request_id`), which the caller gets in the `X-Request-Id` header and in every error body
and can quote to a help desk. The standard library's logging underneath,
so a cold start pays nothing for a logging framework. Level: LOG_LEVEL (default INFO)."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time

from sheqi import resume_collector
from sheqi.settings import SERVICE


class _JsonLines(logging.Formatter):
    def __init__(self, logger: Logger):
        super().__init__()
        self.logger = logger

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "level": record.levelname,
            "message": record.getMessage(),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "service": self.logger.service,
            **self.logger.keys,
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class Logger:
    def __init__(self, service: str):
        self.service = service
        self.keys: dict = {}
        self._cold = True
        self._log = logging.getLogger(service)
        self._log.propagate = False
        self._log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
        out = logging.StreamHandler(sys.stdout)
        out.setFormatter(_JsonLines(self))
        self._log.handlers[:] = [out]

    def inject_lambda_context(self, handler):
        """Wraps a Lambda handler: every entry logged during one invocation carries its ids."""

        @functools.wraps(handler)
        def wrapped(event, context):
            request = event.get("requestContext") if isinstance(event, dict) else None
            self.keys = {
                "function_name": getattr(context, "function_name", None),
                "cold_start": self._cold,
                "function_request_id": getattr(context, "aws_request_id", None),
            }
            if isinstance(request, dict) and request.get("requestId"):
                self.keys["request_id"] = request["requestId"]
            if self._cold:
                resume_collector()
                self._cold = False
            return handler(event, context)

        return wrapped

    @property
    def request_id(self) -> str | None:
        """API Gateway's id of the HTTP request being handled."""
        return self.keys.get("request_id")

    def info(self, message: str, extra: dict | None = None) -> None:
        self._log.info(message, extra={"fields": extra or {}})

    def warning(self, message: str, extra: dict | None = None) -> None:
        self._log.warning(message, extra={"fields": extra or {}})

    def error(self, message: str, extra: dict | None = None) -> None:
        self._log.error(message, extra={"fields": extra or {}})

    def exception(self, message: str, extra: dict | None = None) -> None:
        self._log.error(message, exc_info=True, extra={"fields": extra or {}})


logger = Logger(service=SERVICE)
