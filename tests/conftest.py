"""Shared fixtures. One moto server for the session (the same server mode the local stack runs);
tests that touch the store get fresh tables and queues, made from infra/, via the `tables` fixture.
Every handler runs with only its function's permissions (`least_privilege`)."""
# isort: skip_file
from tests.helpers import MOTO_PORT  # first: it points the store at the test server before sheqi is imported

from datetime import datetime  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from botocore.client import BaseClient  # noqa: E402

from local import demo_data, dynamo  # noqa: E402
from local.invoke import current_function  # noqa: E402
from sheqi import clock, secrets, settings, store  # noqa: E402
from tests import iam  # noqa: E402
from sheqi.clock import CST  # noqa: E402
from tests.handlers.scanning import NOW  # noqa: E402


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
    emit = BaseClient._emit_api_params      # every API call and every presigned URL passes here
    read = secrets.get

    def checked_call(client, api_params, operation_model, context):
        if function := current_function.get():
            denied.extend((function, *need) for need in iam.missing(
                function, client.meta.service_model.service_name, operation_model.name, api_params))
        return emit(client, api_params=api_params, operation_model=operation_model, context=context)

    def checked_read(name):
        if function := current_function.get():
            denied.extend((function, *need) for need in iam.missing(
                function, "secretsmanager", "GetSecretValue", {"SecretId": iam.secret(name)}))
        return read(name)

    monkeypatch.setattr(BaseClient, "_emit_api_params", checked_call)
    monkeypatch.setattr(secrets, "get", checked_read)
    yield
    assert not denied, "infra/permissions.yml does not allow: " + "; ".join(
        f"{function}: {action} on {resource}" for function, action, resource in sorted(set(denied)))


@pytest.fixture
def tables(moto_endpoint):
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=30).raise_for_status()
    dynamo.create_tables(moto_endpoint)
    dynamo.create_queues(moto_endpoint)
    dynamo.create_buckets(moto_endpoint)
    dynamo.verify_sender(moto_endpoint)
    return moto_endpoint


@pytest.fixture
def demo(tables):
    demo_data.load()
    return demo_data


@pytest.fixture
def june(tables, monkeypatch):
    """Demo data with plans for 2026 acknowledged on 1 January, then the clock at mid-June."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 1, 1, 9, 0, tzinfo=CST))
    demo_data.load()
    li = store.Inspector.get("market-li")            # the demo's "expiring soon" certificate, renewed
    li.valid_until, li.expiry_month = "2027-12-31", "2027-12"
    li.save()
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
