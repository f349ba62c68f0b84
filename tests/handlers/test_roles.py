"""Each function's role (infra/permissions.yml): every function has one, and a call outside it is
found. That every handler keeps within its role is checked in every test (conftest `least_privilege`)."""

import json

import yaml

from local.invoke import invoke
from sheqi.store.tables import PREFIX
from tests import iam
from tests.helpers import EVENTS

FUNCTIONS = yaml.safe_load(open("serverless.yml"))["functions"]


def test_every_function_has_a_row_and_every_row_a_function():
    assert set(iam.table()) == set(FUNCTIONS)


def test_a_call_outside_the_row_is_denied():
    enterprises = f"{PREFIX}-enterprises"
    assert iam.missing("codeVerify", "dynamodb", "GetItem", {"TableName": enterprises}) == []
    assert iam.missing("codeVerify", "dynamodb", "PutItem", {"TableName": enterprises}) == [
        ("dynamodb:PutItem", "EnterprisesTable")
    ]
    assert iam.missing("codeVerify", "dynamodb", "Query", {"TableName": enterprises, "IndexName": "by_region"}) == [
        ("dynamodb:Query", "EnterprisesTable/index/by_region")
    ]
    # A transaction needs each item's own action: visits may delete a day slot but not a count.
    tallies = f"{PREFIX}-tallies"
    transaction = {"TransactItems": [{"Delete": {"TableName": tallies}}, {"Update": {"TableName": tallies}}]}
    assert iam.missing("visits", "dynamodb", "TransactWriteItems", transaction) == [("dynamodb:UpdateItem", "TalliesTable")]
    assert iam.missing("codeVerify", "secretsmanager", "GetSecretValue", {"SecretId": iam.secret("QR_SIGNING_KEYS")}) == []
    assert iam.missing("items", "secretsmanager", "GetSecretValue", {"SecretId": iam.secret("QR_SIGNING_KEYS")}) != []


def test_delivery_dispatch_sends_through_its_handler_with_its_role(demo, monkeypatch, tmp_path):
    monkeypatch.setenv("DELIVERY_LOG", str(tmp_path / "deliveries.log"))
    event = json.loads((EVENTS / "schedule/certificate_watch.json").read_text())
    counts = invoke("functions/delivery_dispatch/handler.handler", "deliveryDispatch", event)
    assert counts.get("sent", 0) >= 1
