"""The permissions table (infra/permissions.yml) and what each AWS call needs of it.

Handler tests run every handler under its function's row of the table: `needed` turns each AWS call
the code makes into the IAM actions and resources it takes (a transaction needs each item's own
action), and `missing` says which of them the function's role would not allow. The deploy check
(tests/deploy) holds the generated template's roles to the same table.
"""

from __future__ import annotations

import fnmatch
import os
from functools import lru_cache
from pathlib import Path

import yaml

from local.dynamo import bucket_names, infra_resources

TABLE = Path(__file__).resolve().parent.parent / "infra" / "permissions.yml"
# Actions the Lambda service takes with the function's role, never the code: reading its trigger queue.
PLATFORM_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, set[str]]]:
    """function -> resource -> actions, as infra/permissions.yml grants them."""
    rows = yaml.safe_load(TABLE.read_text())
    return {function: {resource: set(actions) for resource, actions in grants.items()} for function, grants in rows.items()}


@lru_cache(maxsize=1)
def _logical_ids() -> dict[str, str]:
    """Local physical names (tables, queues, buckets) -> logical ids in infra/."""
    prefix = os.environ["TABLE_PREFIX"]
    names = {res["Properties"]["TableName"]: logical for logical, res in infra_resources("tables.yml", prefix).items()}
    names.update({res["Properties"]["QueueName"]: logical for logical, res in infra_resources("queues.yml", prefix).items()})
    names.update({bucket: logical for logical, bucket in bucket_names(prefix).items()})
    return names


def _table(name: str, index: str | None = None) -> str:
    logical = _logical_ids()[name]
    return f"{logical}/index/{index}" if index else logical


_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def needed(service: str, operation: str, params: dict) -> list[tuple[str, str]]:
    """(action, resource) pairs an API call needs; resource as the table names it."""
    if service == "dynamodb":
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", _table(name)) for name in params["RequestItems"]]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return [
                (f"dynamodb:{_TRANSACT[kind]}", _table(spec["TableName"]))
                for item in params["TransactItems"]
                for kind, spec in item.items()
            ]
        return [(f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName")))]
    if service == "s3":
        action = {"HeadObject": "GetObject"}.get(operation, operation)
        return [(f"s3:{action}", f"{_logical_ids()[params['Bucket']]}/{params['Key']}")]
    if service == "sqs":
        return [(f"sqs:{operation}", _logical_ids()[params["QueueUrl"].rsplit("/", 1)[1]])]
    if service == "sns" and "PhoneNumber" in params:
        return [("sns:Publish", "sms")]
    if service == "ses":
        return [(f"ses:{operation}", "mail")]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params["SecretId"])]
    return [(f"{service}:{operation}", "?")]


def secret(name: str) -> str:
    """The table's name for the secret behind variable `name`: QR_SIGNING_KEYS -> secret:qr-signing-keys."""
    return "secret:" + name.lower().replace("_", "-")


def missing(function: str, service: str, operation: str, params: dict) -> list[tuple[str, str]]:
    """What of the call's needs the function's row does not grant."""
    grants = table().get(function, {})
    return [
        (action, resource)
        for action, resource in needed(service, operation, params)
        if not any(action in actions and fnmatch.fnmatchcase(resource, pattern) for pattern, actions in grants.items())
    ]
