"""The HTTP edge shared by every handler: routing, identity, request parsing, one error shape.

A handler module builds `app = create_app()`, registers routes, and exposes
`handler = app.resolve`-style entry point via `lambda_handler(app)`. Domain code raises
`sheqi.errors.AppError`; this module is the one place that turns it into HTTP.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from sheqi.auth import Identity
from sheqi.errors import AppError, BadRequest, NotFound, ValidationError
from sheqi.inputs import FIRST_DAY, LAST_DAY, MAX_KEY_CHARS, Key, Patch, RegionCode  # noqa: F401  (handlers' query models)
from sheqi.log import logger

MAX_BODY_BYTES = 64 * 1024
MAX_SAFE_INTEGER = 2**53 - 1  # beyond it a JSON number is not exact in a phone's JavaScript either
M = TypeVar("M", bound=BaseModel)

class PayloadTooLarge(BadRequest):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(BadRequest):
    status = 415
    code = "unsupported_media_type"


def _path_parameters(app: APIGatewayHttpResolver, next_middleware) -> Response:
    """Every path parameter becomes a key or part of one: refuse one no key could be."""
    for name, value in (app.context.get("_route_args") or {}).items():
        if len(value) > MAX_KEY_CHARS or _control_character(value):
            raise ValidationError(f"路径参数 {name} 无效（过长或含控制字符）", field=name, code="invalid_path_parameter")
    return next_middleware(app)


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()
    app.use(middlewares=[_path_parameters])

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
    # Every log line carries the API Gateway request id, as the API's access log does: the two join up.
    @logger.inject_lambda_context(clear_state=True, correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
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
    if media_type(content_type) != "application/json":
        raise UnsupportedMediaType(f"请求体须为 application/json，收到 {content_type}")
    if not raw_bytes.strip():
        raise BadRequest("缺少请求体（JSON 对象）", code="empty_body")
    try:
        parsed = model.model_validate_json(raw_bytes)
    except PydanticError as error:
        raise translate(error) from None
    try:
        plain = json.loads(raw_bytes, parse_constant=lambda name: math.nan)
    except ValueError:   # an integer of thousands of digits: pydantic took it, Python's parser will not
        raise ValidationError("请求体中的数值超出可处理的范围", code="invalid_field") from None
    _hygiene(plain)
    return parsed


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")   # Unicode's Cc, less tab and line breaks


def _control_character(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _hygiene(value, where: str = "") -> None:
    """What no field may hold, wherever it is in the body (free-form parts included): control
    characters in text, numbers that are not finite or beyond exact integers, or so small that no
    store keeps them."""
    field = where or None
    if isinstance(value, dict):
        for key, item in value.items():
            _hygiene(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _hygiene(item, f"{where}.{index}" if where else str(index))
    elif isinstance(value, str):
        if _control_character(value):
            raise ValidationError(f"字段 {where} 含有控制字符", field=field, code="invalid_field")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > MAX_SAFE_INTEGER or 0 < abs(value) < 1e-100:
            raise ValidationError(f"字段 {where} 的数值超出可处理的范围", field=field, code="invalid_field")


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, without its parameters (RFC 9110: case-insensitive)."""
    return content_type.split(";", 1)[0].strip().lower()


def year(value: str) -> int:
    """A year in a path: four digits, 2000 to 2100."""
    if not (value.isdigit() and FIRST_DAY.year <= int(value) <= LAST_DAY.year):
        raise ValidationError("年度应为2000至2100之间的4位数字", field="year", code="invalid_field")
    return int(value)


def query(app: APIGatewayHttpResolver, model: type[M]) -> M:
    params = app.current_event.query_string_parameters or {}
    try:
        parsed = model.model_validate(params)
    except PydanticError as error:
        raise translate(error) from None
    _hygiene(params)
    return parsed


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
