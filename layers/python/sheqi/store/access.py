"""Reading and writing records: the one get-or-404, the one batched read, conditional writes and
transactions. Contexts use these, never PynamoDB's exceptions, connections or TransactWrite."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

from pynamodb.attributes import Attribute
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from sheqi.errors import NotFound

M = TypeVar("M", bound=Model)
Key = str | int


def get_or_none(model: type[M], hash_key: Key, range_key: Key | None = None, *, consistent_read: bool = False) -> M | None:
    """The record with this key, or None."""
    try:
        return model.get(hash_key, range_key, consistent_read=consistent_read)
    except DoesNotExist:
        return None


def get_or_404(
    model: type[M],
    hash_key: Key,
    range_key: Key | None = None,
    *,
    message: str,
    code: str,
    field: str | None = None,
    consistent_read: bool = False,
) -> M:
    """The record with this key, else NotFound (404) with `message` (Chinese, naming what is missing)."""
    record = get_or_none(model, hash_key, range_key, consistent_read=consistent_read)
    if record is None:
        raise NotFound(message, code=code, field=field)
    return record


@cache
def _key_names(model: type[Model]) -> tuple[str, ...]:
    """The model's key attribute names, hash key first (read from its schema once)."""
    schema = model._get_schema()["key_schema"]
    return tuple(k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"] != "HASH"))


class Found:
    """What a batched read found, by model and key."""

    def __init__(self, records: dict[tuple[Any, ...], Model]) -> None:
        self._records = records

    def get(self, model: type[M], hash_key: str, range_key: str | None = None) -> M | None:
        record = self._records.get((model, hash_key) if range_key is None else (model, hash_key, range_key))
        return record if isinstance(record, model) else None


BATCH_GET_KEYS = 100


def batch_read(wanted: Sequence[tuple[Any, ...]]) -> Found:
    """One strongly consistent BatchGetItem across tables (string keys), or one per 100 distinct keys
    (DynamoDB's limit). `wanted` holds (model class, hash key[, range key]); `.get(model, key...)` of the
    answer gives the record, or None."""
    wanted = list(dict.fromkeys(wanted))  # a repeated key is refused by DynamoDB
    if not wanted:
        return Found({})
    client = wanted[0][0]._get_connection().connection.client
    names: dict[str, tuple[str, ...]] = {}
    raw: dict[tuple[str, ...], dict[str, Any]] = {}
    for start in range(0, len(wanted), BATCH_GET_KEYS):
        request: dict[str, dict[str, Any]] = {}
        for model, *key in wanted[start : start + BATCH_GET_KEYS]:
            table = model.Meta.table_name
            names[table] = _key_names(model)
            entry = {name: {"S": value} for name, value in zip(names[table], key)}
            request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(entry)
        while request:
            response = client.batch_get_item(RequestItems=request)
            for table, items in response["Responses"].items():
                for item in items:
                    raw[(table, *(item[n]["S"] for n in names[table]))] = item
            request = response.get("UnprocessedKeys") or {}
    found: dict[tuple[Any, ...], Model] = {}
    for model, *key in wanted:
        item = raw.get((model.Meta.table_name, *key))
        if item is not None:
            found[(model, *key)] = model.from_raw_data(item)
    return Found(found)


def _condition_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def save_if(record: Model, condition: Condition | None = None) -> bool:
    """Save the record unless `condition` (or its version's) fails: then nothing is written and the
    answer is False."""
    if _pending() is not None:
        return _claimed_write(lambda tx: tx.save(record, condition, label=_WRITE))
    try:
        record.save(condition=condition)
    except PutError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def put_if_absent(record: Model, key: Attribute[Any] | None = None) -> bool:
    """Save `record` only if no item has its key; True if this call created it. The one way records are
    created exactly once. `key`: the key attribute to test (the hash key by default)."""
    return save_if(record, (key or type(record)._hash_key_attribute()).does_not_exist())


def update_if(record: Model, actions: Sequence[Action], condition: Condition | None = None) -> bool:
    """Update the record unless `condition` (or its version's) fails: then nothing is written and the
    answer is False. The record then holds the item as updated."""
    if _pending() is not None:
        updated = _claimed_write(lambda tx: tx.update(record, actions, condition, label=_WRITE))
        if updated:  # a transaction returns no item: read it, as UpdateItem's ALL_NEW would give it
            record.refresh(consistent_read=True)
        return updated
    try:
        record.update(actions=list(actions), condition=condition)
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


_CONFLICTS = ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded")


class Cancelled(Exception):
    """DynamoDB wrote none of a transaction. `failed`: the labels of the actions whose condition failed
    ("" for an unlabelled one; empty when it was cancelled for another reason); `conflict`: other writers
    were on the same items at that moment (DynamoDB's TransactionConflict, or throttling of a hot item),
    so trying again may succeed."""

    def __init__(self, failed: frozenset[str], conflict: bool, reason: str):
        super().__init__(reason)
        self.failed, self.conflict = failed, conflict

    @classmethod
    def of(cls, labels: Sequence[str], codes: Sequence[str | None], reason: str) -> Cancelled:
        """From the actions' labels and DynamoDB's cancellation reason codes, both in request order."""
        return cls(
            frozenset(label for label, code in zip(labels, codes) if code == "ConditionalCheckFailed"),
            any(code in _CONFLICTS for code in codes),
            reason,
        )

    @property
    def contended(self) -> bool:
        """Cancelled by concurrent writers: a condition another writer made false, or a conflict.
        Reading afresh and trying again may succeed."""
        return bool(self.failed) or self.conflict


_ORDER = ("check", "delete", "put", "update")  # PynamoDB's request order, in which DynamoDB gives reasons


class Transaction:
    """One TransactWriteItems: all of its actions are written or none. Label an action to learn whether
    its own condition failed (`Cancelled.failed`). Committed on leaving a `with` block, or by `commit()`."""

    def __init__(self) -> None:
        self._actions: dict[str, list[tuple[str, type[Model], Callable[[TransactWrite], None]]]] = {k: [] for k in _ORDER}

    def save(self, record: Model, condition: Condition | None = None, label: str = "") -> None:
        self._actions["put"].append((label, type(record), lambda tx: tx.save(record, condition=condition)))

    def update(self, record: Model, actions: Sequence[Action], condition: Condition | None = None, label: str = "") -> None:
        self._actions["update"].append((label, type(record), lambda tx: tx.update(record, list(actions), condition=condition)))

    def delete(self, record: Model, condition: Condition | None = None, label: str = "") -> None:
        self._actions["delete"].append((label, type(record), lambda tx: tx.delete(record, condition=condition)))

    def check(
        self, model: type[Model], hash_key: Key, range_key: Key | None = None, *, condition: Condition, label: str = ""
    ) -> None:
        self._actions["check"].append((label, model, lambda tx: tx.condition_check(model, hash_key, range_key, condition)))

    def commit(self) -> None:
        actions = [action for kind in _ORDER for action in self._actions[kind]]
        if not actions:
            return
        claim = _pending()
        if claim is not None:  # the request's idempotency key, written with its first effects
            record, condition = claim.record, type(claim.record)._hash_key_attribute().does_not_exist()
            actions.insert(
                sum(len(self._actions[k]) for k in _ORDER[:2]),  # among the puts, in PynamoDB's order
                (_CLAIM, type(record), lambda tx: tx.save(record, condition=condition)),
            )
        try:
            with TransactWrite(connection=actions[0][1]._get_connection().connection) as tx:
                for _, _, add in actions:
                    add(tx)
        except TransactWriteError as error:
            cancelled = Cancelled.of(
                [label for label, _, _ in actions],
                [reason.code if reason else None for reason in error.cancellation_reasons],
                str(error),
            )
            if _CLAIM in cancelled.failed:
                raise KeyTaken(str(error)) from error
            raise cancelled from error
        if claim is not None:
            claim.consumed = True

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.commit()


# --- idempotency keys -------------------------------------------------------------------------------

_CLAIM, _WRITE = "idempotency", "write"


class KeyTaken(Exception):
    """Another request with the same idempotency key wrote its effects first: this one wrote nothing."""


class Claim:
    """A request's idempotency record, waiting to be written with the request's first effects."""

    def __init__(self, record: Model) -> None:
        self.record, self.consumed = record, False


_claim: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)


def _pending() -> Claim | None:
    claim = _claim.get()
    return claim if claim is not None and not claim.consumed else None


@contextmanager
def claiming(record: Model) -> Iterator[Claim]:
    """Inside, the first write through this module (a Transaction, save_if, put_if_absent, update_if)
    also puts `record` if its key is absent, in the same transaction: the request's effects and its
    idempotency key are written together or not at all. If the key is there already, that write raises
    KeyTaken and writes nothing. `consumed` says whether the record was written."""
    claim = Claim(record)
    token = _claim.set(claim)
    try:
        yield claim
    finally:
        _claim.reset(token)


def _claimed_write(add: Callable[[Transaction], None]) -> bool:
    """One conditional write under a claim: a transaction of the write and the idempotency record."""
    tx = Transaction()
    add(tx)
    try:
        tx.commit()
    except Cancelled as error:
        if _WRITE in error.failed:
            return False
        raise
    return True
