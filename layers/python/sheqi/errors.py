"""One error hierarchy for the whole system.

Domain code raises these; `sheqi.edge.api` turns them into the one JSON error shape:
    {"error": {"code": "...", "message": "<简体中文>", "field": "...", "article": "..."}}
`code` is stable and machine-readable (English); `message` is for a person (Simplified Chinese);
`field` names the offending input field; `article` cites the rule (DOMAIN.md) when a rule fires.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        article: str | None = None,
        details: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.article = article
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.article:
            body["article"] = self.article
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(AppError):
    """The request itself is malformed (not JSON, too large, wrong content)."""

    status = 400
    code = "bad_request"


class ValidationError(AppError):
    """A field is missing, of the wrong type, or has an invalid value."""

    status = 422
    code = "validation_error"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    """The write would break an invariant held by the store (duplicate, stale version)."""

    status = 409
    code = "conflict"


class IdempotencyKeyReused(Conflict):
    """A retry's idempotency key came with another request than the one it was first used for."""

    code = "idempotency_key_reused"

    def __init__(self, field: str = "Idempotency-Key"):
        super().__init__(f"幂等键（{field}）已用于另一个不同的请求；新的请求须使用新的幂等键", field=field)


class RuleViolation(AppError):
    """A rule of the regulation refuses the request; `article` must be set."""

    status = 422
    code = "rule_violation"
