"""Operational metrics (sheqi/metrics.py) as CloudWatch reads them from the log (embedded metric format),
and the request id that joins a function's log lines to the API's access log."""

import json
from datetime import timedelta

import pytest

from local.invoke import invoke
from sheqi import clock
from sheqi.edge import api
from sheqi.reminders import delivery
from tests.handlers.scanning import close_compliant, new_task, open_visit, scan
from tests.helpers import as_function, sample_event


@pytest.fixture
def emitted(monkeypatch, capsys):
    """The metrics written from here on, as (name, value, dimensions other than service)."""
    monkeypatch.setenv("METRICS_DISABLED", "false")
    monkeypatch.setenv("METRICS_NAMESPACE", "sheqi/test")
    capsys.readouterr()

    def read():
        found = []
        for line in capsys.readouterr().out.splitlines():
            if not line.startswith('{"_aws"'):
                continue
            record = json.loads(line)
            (directive,) = record["_aws"]["CloudWatchMetrics"]
            assert directive["Namespace"] == "sheqi/test" and record["service"] == "sheqi"
            for metric in directive["Metrics"]:
                dimensions = {d: record[d] for d in directive["Dimensions"][0] if d != "service"}
                found.append((metric["Name"], record[metric["Name"]][0], dimensions))
        return found

    return read


def test_scans_accepted_and_refused_by_reason_and_visits_opened_and_closed(june, emitted):
    task = new_task()
    visit_id = open_visit(task)[1]["visit_id"]
    assert scan("market-aux-sun", task)[1]["outcome"] == "refused"
    close_compliant(visit_id)
    counts = [(name, dims) for name, value, dims in emitted() if name != "RunDuration"]
    assert counts == [
        ("ScansAccepted", {"outcome": "pending"}),
        ("ScansAccepted", {"outcome": "opened"}),
        ("VisitsOpened", {}),
        ("ScansRefused", {"reason": "no_certificate"}),
        ("ScansRefused", {"reason": "not_formal_staff"}),
        ("ScansRefused", {"reason": "not_on_task_team"}),
        ("VisitsClosed", {}),
    ]


def test_a_delivery_run_reports_sent_failed_and_its_duration(demo, emitted, monkeypatch, tmp_path):
    monkeypatch.setenv("DELIVERY_LOG", str(tmp_path / "deliveries.log"))
    monkeypatch.setitem(delivery.CHANNELS, "sms", lambda address, notice: (_ for _ in ()).throw(RuntimeError("短信网关超时")))
    with as_function("deliveryDispatch"):
        counts = delivery.run(clock.now() + timedelta(seconds=1))
    metrics = {name: (value, dims) for name, value, dims in emitted()}
    assert metrics["DeliveriesSent"][0] == counts.get("sent", 0)
    assert metrics["DeliveriesFailed"][0] == counts.get("retry", 0) > 0
    assert metrics["DeliveriesDead"][0] == 0
    assert metrics["RunDuration"][1] == {"run": "deliveries"} and metrics["RunDuration"][0] > 0


def test_every_log_line_of_a_request_carries_its_api_gateway_request_id(demo):
    event = sample_event("http/get_enterprise.json")
    assert invoke("functions/enterprises/handler.handler", "enterprises", event)["statusCode"] == 200
    assert api.logger.request_id == event["requestContext"]["requestId"]
