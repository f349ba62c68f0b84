"""Opaque cursors over DynamoDB's LastEvaluatedKey."""
from __future__ import annotations

import base64
import json

from sheqi.errors import ValidationError


def decode(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except ValueError:
        raise ValidationError("字段 cursor 无效：请使用上一页返回的 next_cursor", field="cursor",
                              code="invalid_cursor") from None


def encode(last_evaluated_key: dict | None) -> str | None:
    if not last_evaluated_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_evaluated_key, separators=(",", ":")).encode()).decode().rstrip("=")


def page(results, view) -> dict:
    """Drain one page of a PynamoDB ResultIterator (queried with `limit`) into the API shape."""
    items = [view(r) for r in results]
    return {"items": items, "next_cursor": encode(results.last_evaluated_key)}
