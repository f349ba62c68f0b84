"""Shared fixtures. One moto server for the session (the same server mode the local stack runs);
tests that touch the store get fresh tables and queues, made from infra/, via the `tables` fixture."""
from tests.helpers import MOTO_PORT  # first: it points the store at the test server before sheqi is imported

import pytest  # noqa: E402
import requests  # noqa: E402

from local import demo_data, dynamo  # noqa: E402


@pytest.fixture(scope="session")
def moto_endpoint():
    server, endpoint = dynamo.start_server(MOTO_PORT)
    yield endpoint
    server.shutdown()


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


