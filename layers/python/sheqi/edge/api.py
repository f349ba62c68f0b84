"""The HTTP edge shared by every handler: routing, identity, request parsing, one error shape.

A handler module builds `app = create_app()`, registers routes, and exposes
`handler = app.resolve`-style entry point via `lambda_handler(app)`. Domain code raises
`sheqi.errors.AppError`; this module is the one place that turns it into HTTP.
"""
from __future__ import annotations

import json
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from sheqi.auth import Identity
from sheqi.errors import AppError, BadRequest, NotFound, ValidationError
from sheqi.log import logger

MAX_BODY_BYTES = 64 * 1024
M = TypeVar("M", bound=BaseModel)


class PayloadTooLarge(BadRequest):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(BadRequest):
    status = 415
    code = "unsupported_media_type"


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.exception_handler(AppError)
    def _app_error(error: AppError) -> Response:
        return error_response(error)

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return error_response(NotFound("接口不存在", code="route_not_found"))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(AppError("服务器内部错误，请稍后重试；如持续出现请联系平台管理员"))

    return app


def lambda_handler(app: APIGatewayHttpResolver):
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict, context: Any) -> dict:
        return app.resolve(event, context)
    return handler


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status_code=status, content_type="application/json; charset=utf-8",
                    body=json.dumps(data, ensure_ascii=False, default=str))


def error_response(error: AppError) -> Response:
    if error.status >= 500:
        logger.error("request failed", extra={"code": error.code})
    return json_response({"error": error.to_dict()}, error.status)


def identity(app: APIGatewayHttpResolver) -> Identity:
    """The caller, from the claims API Gateway's JWT authoriser verified."""
    authorizer = app.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    return Identity.from_claims((authorizer.get("jwt") or {}).get("claims"))


def body(app: APIGatewayHttpResolver, model: type[M]) -> M:
    event = app.current_event
    raw = event.decoded_body or ""
    raw_bytes = raw.encode() if isinstance(raw, str) else raw
    if len(raw_bytes) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"请求体过大（{len(raw_bytes)} 字节），上限为 {MAX_BODY_BYTES} 字节")
    content_type = (event.headers or {}).get("content-type", "application/json")
    if not content_type.startswith("application/json"):
        raise UnsupportedMediaType(f"请求体须为 application/json，收到 {content_type}")
    if not raw_bytes.strip():
        raise BadRequest("缺少请求体（JSON 对象）", code="empty_body")
    try:
        return model.model_validate_json(raw_bytes)
    except PydanticError as error:
        raise translate(error) from None


def year(value: str) -> int:
    """A year in a path: four digits, 2000 to 2100."""
    if not (value.isdigit() and 2000 <= int(value) <= 2100):
        raise ValidationError("年度应为2000至2100之间的4位数字", field="year", code="invalid_field")
    return int(value)


def query(app: APIGatewayHttpResolver, model: type[M]) -> M:
    try:
        return model.model_validate(app.current_event.query_string_parameters or {})
    except PydanticError as error:
        raise translate(error) from None


_MESSAGES = {
    "missing": "缺少必填字段 {field}",
    "extra_forbidden": "不允许的字段 {field}",
    "literal_error": "字段 {field} 取值无效，可选值：{expected}",
    "enum": "字段 {field} 取值无效，可选值：{expected}",
    "date_from_datetime_parsing": "字段 {field} 应为日期，格式 YYYY-MM-DD",
    "date_parsing": "字段 {field} 应为日期，格式 YYYY-MM-DD",
    "date_type": "字段 {field} 应为日期，格式 YYYY-MM-DD",
    "string_too_short": "字段 {field} 不能为空或过短",
    "string_too_long": "字段 {field} 过长",
    "string_pattern_mismatch": "字段 {field} 格式不正确",
    "greater_than_equal": "字段 {field} 不得小于 {ge}",
    "less_than_equal": "字段 {field} 不得大于 {le}",
    "json_type": "请求体须为 JSON 对象",
    "model_type": "请求体须为 JSON 对象",
}


def translate(error: PydanticError) -> AppError:
    """Pydantic's first error as our error shape, all of them in details."""
    problems = error.errors(include_url=False)
    first = problems[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    kind = first["type"]
    if kind == "json_invalid":
        return BadRequest("请求体不是合法的 JSON", code="malformed_json")
    ctx = first.get("ctx") or {}
    if kind == "value_error":
        message = f"字段 {field}：{ctx.get('error')}"
    elif kind in _MESSAGES:
        message = _MESSAGES[kind].format(field=field, **{k: ctx.get(k, "") for k in ("expected", "ge", "le")})
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        message = f"字段 {field} 类型错误"
    else:
        message = f"字段 {field} 无效"
    details = {"errors": [{"field": ".".join(str(p) for p in p_["loc"]), "type": p_["type"]} for p_ in problems]}
    return ValidationError(message, field=field, code="missing_field" if kind == "missing" else "invalid_field",
                           details=details)
