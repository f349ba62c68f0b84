"""Shared fixtures. One moto server for the session (the same server mode the local stack runs);
tests that touch the store get fresh tables and queues, made from infra/, via the `tables` fixture.
Every handler runs with only its function's permissions (`least_privilege`).

Each seeded state (empty tables; the demo data; the demo data acknowledged on 1 January) is made once
a session (per xdist worker), through the same code as ever, and snapshotted; a test then gets it back
with one `dynamo.restore` instead of re-creating the tables and reloading the data (tests.helpers.seeded)."""

# isort: skip_file
from tests.helpers import MOTO_PORT  # first: it points the store at the test server before sheqi is imported

from datetime import datetime  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from botocore.client import BaseClient  # noqa: E402

from local import demo_data, dynamo  # noqa: E402
from local.invoke import current_function  # noqa: E402
from sheqi import clock, secrets, settings  # noqa: E402
from tests import iam  # noqa: E402
from sheqi.clock import CST  # noqa: E402
from tests.handlers.scanning import NOW  # noqa: E402
from tests.helpers import seeded  # noqa: E402
from sheqi.store.registers import Inspector

_REAL_NOW = clock.now


def _empty_tables() -> None:
    endpoint = f"http://127.0.0.1:{MOTO_PORT}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=30).raise_for_status()
    dynamo.create_tables(endpoint)
    dynamo.create_queues(endpoint)
    dynamo.create_buckets(endpoint)
    dynamo.verify_sender(endpoint)


@pytest.fixture(scope="session")
def moto_endpoint():
    server, endpoint = dynamo.start_server(MOTO_PORT)
    yield endpoint
    server.shutdown()


@pytest.fixture(autouse=True)
def least_privilege(monkeypatch):
    """Fails a test in which a handler makes an AWS call (or reads a secret) that its function's role
    in infra/permissions.yml would not allow: IAM's AccessDenied, found before deploying."""
    denied = []
    emit = BaseClient._emit_api_params  # every API call and every presigned URL passes here
    read = secrets.get

    def checked_call(client, api_params, operation_model, context):
        if function := current_function.get():
            denied.extend(
                (function, *need)
                for need in iam.missing(function, client.meta.service_model.service_name, operation_model.name, api_params)
            )
        return emit(client, api_params=api_params, operation_model=operation_model, context=context)

    def checked_read(name):
        if function := current_function.get():
            denied.extend(
                (function, *need)
                for need in iam.missing(function, "secretsmanager", "GetSecretValue", {"SecretId": iam.secret(name)})
            )
        return read(name)

    monkeypatch.setattr(BaseClient, "_emit_api_params", checked_call)
    monkeypatch.setattr(secrets, "get", checked_read)
    yield
    assert not denied, "infra/permissions.yml does not allow: " + "; ".join(
        f"{function}: {action} on {resource}" for function, action, resource in sorted(set(denied))
    )


@pytest.fixture
def tables(moto_endpoint):
    seeded(("tables",), _empty_tables)
    return moto_endpoint


@pytest.fixture
def demo(tables):
    # Keyed by the day the data is made for (the demo's dates follow the clock, which a test may have set).
    # Without the demo's scenarios (joint task, transfer, emergency campaign): tests/handlers/test_demo_data.py has them.
    seeded(("demo", clock.today() if clock.now is _REAL_NOW else clock.now_iso()), lambda: demo_data.load(scenarios=False))
    return demo_data


@pytest.fixture
def june(tables, monkeypatch):
    """Demo data with plans for 2026 acknowledged on 1 January, then the clock at mid-June."""

    def seed():
        monkeypatch.setattr(clock, "now", lambda: datetime(2026, 1, 1, 9, 0, tzinfo=CST))
        demo_data.load(scenarios=False)
        li = Inspector.get("market-li")  # the demo's "expiring soon" certificate, renewed
        li.valid_until, li.expiry_month = "2027-12-31", "2027-12"
        li.save()

    seeded(("june",), seed)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


@pytest.fixture
def env(monkeypatch):
    """Set environment variables for one test, as a deploy would; the settings are read afresh, and
    again after the test, once monkeypatch has put the old values back."""

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        settings.reset()

    yield set_
    settings.reset()


def pytest_terminal_summary(terminalreporter):
    """Figures a test recorded (record_property "figures"), e.g. schemathesis's: printed after the run,
    from xdist's workers too (user properties travel with the reports)."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", ()):
            if name == "figures" and report.when == "call":
                terminalreporter.write_line(value)
