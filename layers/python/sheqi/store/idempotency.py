"""Idempotency keys of retried POSTs.

IdempotencyKeys  PK key_id = <caller's subject>#<Idempotency-Key> (TTL expires_at, IDEMPOTENCY_DAYS)
  - the first answer to a retried POST                                 GetItem (before the request runs)
  - claimed with the request's first effects                           Put if absent, in their TransactWriteItems
  - given the answer once the handler has shaped it                    UpdateItem if it has none
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from sheqi.store.tables import table


class IdempotencyKey(Model):
    """A caller's Idempotency-Key on a POST: the request it came with (SHA-256 of method, path and body)
    and, once given, the answer. Written in the same transaction as the request's first effects
    (`claiming`); DynamoDB deletes it after `expires_at` (epoch seconds)."""

    Meta = table("idempotency")
    key_id = UnicodeAttribute(hash_key=True)
    request_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()
    status = NumberAttribute(null=True)
    content_type = UnicodeAttribute(null=True)
    answer = UnicodeAttribute(null=True)

    @staticmethod
    def key(subject: str, key: str) -> str:
        return f"{subject}#{key}"
