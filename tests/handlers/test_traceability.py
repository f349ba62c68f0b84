"""Every answer carries API Gateway's request id: in the `X-Request-Id` header, in the error body, and
in every log line written while handling it, so a person can quote it and the help desk find the logs."""

import json
import logging
import re

import pytest

from local import events
from local.invoke import invoke
from sheqi.edge import api
from sheqi.log import _JsonLines
from tests.helpers import call, sample_event

ENTERPRISES = "functions/enterprises/handler.handler"


@pytest.fixture
def log_lines():
    """The JSON lines the logger writes, as written."""
    lines: list[str] = []

    class Sink(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    sink = Sink()
    sink.setFormatter(_JsonLines(api.logger))
    api.logger._log.addHandler(sink)
    yield lines
    api.logger._log.removeHandler(sink)


def test_a_success_carries_the_request_id_in_its_header(demo):
    event = sample_event("http/get_enterprise.json")
    result = invoke(ENTERPRISES, "enterprises", event)
    assert result["statusCode"] == 200
    assert result["headers"]["X-Request-Id"] == event["requestContext"]["requestId"]
    assert "request_id" not in json.loads(result["body"])


def test_an_error_carries_it_in_the_header_and_the_body(demo):
    event = sample_event("http/get_enterprise.json")
    event["rawPath"] = "/enterprises/91130722MA0A1B2C3X"
    result = invoke(ENTERPRISES, "enterprises", event)
    body = json.loads(result["body"])
    assert 400 <= result["statusCode"] < 500
    assert body["error"]["request_id"] == result["headers"]["X-Request-Id"] == event["requestContext"]["requestId"]


def test_a_server_error_is_logged_and_answered_with_the_same_id(demo, log_lines, monkeypatch):
    from sheqi.registry import registers

    monkeypatch.setattr(registers, "get_enterprise", lambda *a, **k: 1 / 0)
    event = sample_event("http/get_enterprise.json")
    result = invoke(ENTERPRISES, "enterprises", event)
    request_id = event["requestContext"]["requestId"]
    assert result["statusCode"] == 500
    assert json.loads(result["body"])["error"]["request_id"] == request_id
    logged = [json.loads(line) for line in log_lines]
    assert {line["message"] for line in logged} >= {"unhandled error", "request failed"}
    assert all(line["request_id"] == request_id for line in logged)
    assert "ZeroDivisionError" in next(line["exception"] for line in logged if "exception" in line)


def test_each_request_logs_under_its_own_id(demo, log_lines, monkeypatch):
    from sheqi.errors import NotFound
    from sheqi.registry import registers

    def missing(enterprise_id):
        api.logger.warning("looking for an enterprise", extra={"enterprise_id": enterprise_id})
        raise NotFound("企业不存在", code="enterprise_not_found")

    monkeypatch.setattr(registers, "get_enterprise", missing)
    answers = [call("GET", "/enterprises/91130722MA0A1B2C3U", "platform")[1]["error"]["request_id"] for _ in range(2)]
    logged = [json.loads(line) for line in log_lines]
    assert [line["request_id"] for line in logged] == answers
    assert answers[0] != answers[1]


def test_local_request_ids_are_shaped_as_api_gateways():
    ids = {events.request_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9+/]{15}=", i) for i in ids)
    assert re.fullmatch(r"[A-Za-z0-9+/]{15}=", sample_event("http/scan.json")["requestContext"]["requestId"])
