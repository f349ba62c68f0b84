"""The PynamoDB models and infra/tables.yml describe the same tables, keys and indexes."""

import pytest

from local import dynamo
from sheqi import store
from sheqi.store import catalog
from sheqi.store.registers import CertificateClaim, Inspector
from sheqi.store.tables import PREFIX


def model_schema(model) -> dict:
    meta = model._get_schema()
    return {
        "KeySchema": sorted((k["AttributeName"], k["KeyType"]) for k in meta["key_schema"]),
        "Attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in meta["attribute_definitions"]),
        "Indexes": sorted(
            (i["index_name"], tuple(sorted((k["AttributeName"], k["KeyType"]) for k in i["key_schema"])))
            for i in meta["global_secondary_indexes"]
        ),
    }


def infra_schema(spec: dict) -> dict:
    return {
        "KeySchema": sorted((k["AttributeName"], k["KeyType"]) for k in spec["KeySchema"]),
        "Attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in spec["AttributeDefinitions"]),
        "Indexes": sorted(
            (i["IndexName"], tuple(sorted((k["AttributeName"], k["KeyType"]) for k in i["KeySchema"])))
            for i in spec.get("GlobalSecondaryIndexes", [])
        ),
    }


INFRA = {spec["TableName"]: spec for spec in dynamo.table_definitions(PREFIX).values()}


@pytest.mark.parametrize("model", catalog.TABLES, ids=lambda m: m.__name__)
def test_model_matches_infra(model):
    assert model.Meta.table_name in INFRA, f"{model.Meta.table_name} missing from infra/tables.yml"
    assert model_schema(model) == infra_schema(INFRA[model.Meta.table_name])


def test_every_infra_table_has_a_model():
    assert {m.Meta.table_name for m in catalog.TABLES} == set(INFRA)


def test_certificate_guard_shares_the_inspectors_key():
    guard, inspectors = model_schema(CertificateClaim), infra_schema(INFRA[Inspector.Meta.table_name])
    assert CertificateClaim.Meta.table_name == Inspector.Meta.table_name
    assert guard["KeySchema"] == inspectors["KeySchema"]


@pytest.mark.parametrize(
    "codes,expected",
    [
        (["None", "ConditionalCheckFailed"], True),
        (["TransactionConflict", "None"], True),
        (["ThrottlingError"], True),
        (["None", "ValidationError"], False),
        ([], False),
    ],
)
def test_which_cancelled_transactions_are_contention(codes, expected):
    cancelled = store.Cancelled.of([f"action{n}" for n in range(len(codes))], [None if c == "None" else c for c in codes], "")
    assert cancelled.contended is expected
