"""Opaque cursors over DynamoDB's LastEvaluatedKey, checked before they reach the store.

A cursor comes back from the client, so it is input like any other: it must be a start key this very
query could have returned (the key attributes of the table and index queried, each of its type, in
the partition asked for). Anything else is a 400 `invalid_cursor`; a start key outside the query's
range condition, which only DynamoDB can judge, is answered the same way when DynamoDB refuses it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from pynamodb.indexes import Index
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from sheqi.errors import BadRequest

_NUMBER = re.compile(r"^-?[0-9]{1,38}(\.[0-9]{1,38})?$")
MAX_KEY_BYTES = 1024  # DynamoDB's limit for a sort key (a partition key may have 2048)

M = TypeVar("M", bound=Model)


def invalid() -> BadRequest:
    return BadRequest("字段 cursor 无效：请使用上一页返回的 next_cursor", field="cursor", code="invalid_cursor")


def _key_types(over: type[Model] | Index[Any]) -> tuple[str, dict[str, str]]:
    """(partition key attribute, {key attribute: DynamoDB type}) of a model or one of its indexes."""
    model: type[Model] = over if isinstance(over, type) else over._model
    attributes = model.get_attributes()
    names = [n for n in (model._hash_keyname, model._range_keyname) if n]
    types = {attributes[n].attr_name: attributes[n].attr_type for n in names}
    if isinstance(over, type):
        return attributes[names[0]].attr_name, types
    schema = over._get_schema()
    types.update({d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]})
    return next(k["AttributeName"] for k in schema["key_schema"] if k["KeyType"] == "HASH"), types


def decode(cursor: str | None, over: type[Model] | Index[Any], partition: str) -> dict[str, Any] | None:
    """The start key in `cursor` for a query of `over` (a model or index) in `partition`."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeError):
        raise invalid() from None
    hash_name, types = _key_types(over)
    if not isinstance(key, dict) or set(key) != set(types):
        raise invalid()
    for name, kind in types.items():
        value = key[name]
        text = value.get(kind) if isinstance(value, dict) and len(value) == 1 else None
        if (
            not isinstance(text, str)
            or not text
            or len(text.encode()) > MAX_KEY_BYTES
            or (kind == "N" and not _NUMBER.match(text))
        ):
            raise invalid()
    if key[hash_name] != {"S": partition}:
        raise invalid()
    return key


def encode(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_evaluated_key, separators=(",", ":")).encode()).decode().rstrip("=")


class Results(Generic[M]):
    """A query's results from a client's cursor: iterate, then read `last_evaluated_key`."""

    def __init__(self, results: ResultIterator[M], cursor: str | None) -> None:
        self.results, self.cursor = results, cursor

    def __iter__(self) -> Iterator[M]:
        try:
            yield from self.results
        except Exception as error:
            if self.cursor and getattr(error, "cause_response_code", None) == "ValidationException":
                raise invalid() from None
            raise

    @property
    def last_evaluated_key(self) -> dict[str, Any] | None:
        return self.results.last_evaluated_key


def query(over: type[M] | Index[M], partition: str, cursor: str | None, *conditions: Any, **options: Any) -> Results[M]:
    """`over.query(partition, *conditions, **options)` from the start key in the client's cursor."""
    options["last_evaluated_key"] = decode(cursor, over, partition)
    return Results(over.query(partition, *conditions, **options), cursor)


def page(results: Results[M], view: Callable[[M], dict[str, Any]]) -> dict[str, Any]:
    """Drain one page of a query (made with `limit`) into the API shape."""
    items = [view(r) for r in results]
    return {"items": items, "next_cursor": encode(results.last_evaluated_key)}
