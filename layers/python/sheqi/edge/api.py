"""The HTTP edge shared by every handler: routing, identity, request parsing, one error shape.

A handler module builds `app = create_app()`, registers its routes with
`@app.post("/x/<x_id>/y", roles=("agency_admin",), status=201)` and the like, and exposes
`handler = lambda_handler(app)`. A route function's signature says what it takes
(`def add_y(caller: Identity, x_id: str, body: YIn)`): the router parses and validates exactly those
types, and the OpenAPI document is generated from them (see Route). Its docstring is the operation's
Chinese summary. Events are API Gateway HTTP API payload 2.0. Domain code raises
`sheqi.errors.AppError`; this module is the one place that turns it into HTTP. Request bodies and query
strings become the models of sheqi.inputs (`inputs.parse`).
"""
from __future__ import annotations

import base64
import json
import math
import re
import typing
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote

import msgspec

from sheqi import auth
from sheqi.auth import Identity
from sheqi.errors import AppError, BadRequest, NotFound, ValidationError
from sheqi.inputs import FIRST_DAY, LAST_DAY, MAX_KEY_CHARS, Body, Key, Query, RegionCode, parse  # noqa: F401  (handlers' query models)
from sheqi.log import logger

MAX_BODY_BYTES = 64 * 1024
MAX_SAFE_INTEGER = 2**53 - 1  # beyond it a JSON number is not exact in a phone's JavaScript either
M = TypeVar("M")


class PayloadTooLarge(BadRequest):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(BadRequest):
    status = 415
    code = "unsupported_media_type"


class Response:
    def __init__(self, status_code: int, content_type: str, body: str | bytes, headers: dict | None = None):
        self.status_code, self.content_type, self.body, self.headers = status_code, content_type, body, headers or {}

    def to_result(self) -> dict:
        """The function's result as API Gateway takes it: binary bodies base64-encoded."""
        binary = isinstance(self.body, bytes)
        body = base64.b64encode(self.body).decode() if isinstance(self.body, bytes) else self.body
        return {"statusCode": self.status_code, "headers": {"Content-Type": self.content_type, **self.headers},
                "body": body, "isBase64Encoded": binary}


class Route:
    """One route function and what it declares: `roles` that may call it (none: public, unless it takes
    the caller), the success `status` (the first is used when the function returns data rather than a
    Response), the media types it answers with when not JSON alone (`content`: a binary answer, or JSON
    and a page by content negotiation). Its parameters say what it reads, by annotation: `Identity` the
    caller, a `Body` the request body, a `Query` the query string, `str` a path parameter (by name), a
    `Literal` of strings a path parameter that takes only those values. These are worked out on the
    first call (cold starts), and the OpenAPI document (local/openapi.py) is generated from the same
    annotations."""

    def __init__(self, method: str, path: str, function: Callable, roles: tuple[str, ...] | None,
                 status: int | tuple[int, ...], content: tuple[str, ...]):
        self.method, self.path, self.function, self.roles, self.content = method, path, function, roles, content
        self.status = status if isinstance(status, tuple) else (status,)
        self._parameters: dict[str, Any] | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        """Parameter name -> `Identity`, a Body or Query model, or `str` (a path parameter)."""
        if self._parameters is None:
            code, hints = self.function.__code__, typing.get_type_hints(self.function)
            self._parameters = {name: hints[name] for name in code.co_varnames[:code.co_argcount]}
        return self._parameters

    @property
    def signed_in(self) -> bool:
        return self.roles is not None or Identity in self.parameters.values()

    def model(self, base: type) -> Any:
        """The route's Body or Query model, if it takes one."""
        return next((t for t in self.parameters.values() if isinstance(t, type) and issubclass(t, base)), None)

    def call(self, app: App, path_params: dict[str, str]) -> Response:
        caller = identity(app) if self.signed_in else None
        if caller is not None and self.roles is not None:
            auth.require_role(caller, *self.roles)
        arguments: dict[str, Any] = {}
        for name, kind in self.parameters.items():
            if kind is Identity:
                arguments[name] = caller
            elif isinstance(kind, type) and issubclass(kind, Query):
                arguments[name] = query(app, kind)
            elif isinstance(kind, type) and issubclass(kind, Body):
                arguments[name] = body(app, kind)
            else:
                if typing.get_origin(kind) is typing.Literal and path_params[name] not in typing.get_args(kind):
                    raise NotFound("接口不存在", code="route_not_found")     # a path segment of a fixed set
                arguments[name] = path_params[name]
        result = self.function(**arguments)
        return result if isinstance(result, Response) else json_response(result, self.status[0])


class App:
    """One handler module's routes. `event` is the event being handled (a Lambda container handles one
    at a time)."""

    def __init__(self):
        self.event: dict = {}
        self._routes: dict[str, list[tuple[tuple[str, ...], Route]]] = {}

    def route(self, method: str, path: str, roles: tuple[str, ...] | None = None, status: int | tuple[int, ...] = 200,
              content: tuple[str, ...] = ()):
        def register(function: Callable) -> Callable:
            routes = self._routes.setdefault(method, [])
            routes.append((tuple(path.strip("/").split("/")), Route(method, path, function, roles, status, content)))
            routes.sort(key=lambda r: sum(s.startswith("<") for s in r[0]))   # a literal segment beats a parameter
            return function
        return register

    def get(self, path: str, **declared):
        return self.route("GET", path, **declared)

    def post(self, path: str, **declared):
        return self.route("POST", path, **declared)

    def put(self, path: str, **declared):
        return self.route("PUT", path, **declared)

    def patch(self, path: str, **declared):
        return self.route("PATCH", path, **declared)

    def delete(self, path: str, **declared):
        return self.route("DELETE", path, **declared)

    def routes(self) -> list[Route]:
        return [route for routes in self._routes.values() for _, route in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        parts = path.strip("/").split("/")
        for segments, route in self._routes.get(method, ()):
            if len(segments) != len(parts):
                continue
            params = {}
            for segment, part in zip(segments, parts):
                if segment.startswith("<") and part:
                    params[segment[1:-1]] = unquote(part)
                elif segment != part:
                    break
            else:
                return route, params
        return None

    def resolve(self, event: dict) -> dict:
        self.event = event
        try:
            found = self.match(event["requestContext"]["http"]["method"], event.get("rawPath") or "/")
            if found is None:
                raise NotFound("接口不存在", code="route_not_found")
            route, params = found
            for name, value in params.items():    # every path parameter becomes a key or part of one
                if len(value) > MAX_KEY_CHARS or _control_character(value):
                    raise ValidationError(f"路径参数 {name} 无效（过长或含控制字符）", field=name, code="invalid_path_parameter")
            response = route.call(self, params)
        except AppError as error:
            response = error_response(error)
        except Exception:
            logger.exception("unhandled error")
            response = error_response(AppError("服务器内部错误，请稍后重试；如持续出现请联系平台管理员"))
        finally:
            self.event = {}
        return response.to_result()


def create_app() -> App:
    return App()


def lambda_handler(app: App):
    @logger.inject_lambda_context
    def handler(event: dict, context: Any) -> dict:
        return app.resolve(event)
    return handler


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False, default=str))


def html_response(page: str, status: int = 200) -> Response:
    return Response(status, "text/html; charset=utf-8", page, {"Vary": "Accept", "Cache-Control": "no-store"})


def prefers_html(app: App) -> bool:
    """Whether the caller asked for a page rather than JSON (RFC 9110 content negotiation, simplified):
    a browser's Accept names text/html at a q not below application/json's; an app sends
    application/json or */* and gets JSON."""
    accept = ((app.event.get("headers") or {}).get("accept") or "").lower()
    weights = {}
    for part in accept.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            weights[kind] = float(q)
        except ValueError:
            weights[kind] = 0.0
    html = weights.get("text/html", 0.0)
    return html > 0 and html >= weights.get("application/json", 0.0)


def error_response(error: AppError) -> Response:
    if error.status >= 500:
        logger.error("request failed", extra={"code": error.code})
    return json_response({"error": error.to_dict()}, error.status)


def identity(app: App) -> Identity:
    """The caller, from the claims API Gateway's JWT authoriser verified."""
    authorizer = app.event.get("requestContext", {}).get("authorizer") or {}
    return Identity.from_claims((authorizer.get("jwt") or {}).get("claims"))


def body(app: App, model: type[M]) -> M:
    event = app.event
    raw = event.get("body") or ""
    raw_bytes = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()
    if len(raw_bytes) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"请求体过大（{len(raw_bytes)} 字节），上限为 {MAX_BODY_BYTES} 字节")
    content_type = (event.get("headers") or {}).get("content-type", "application/json")
    if media_type(content_type) != "application/json":
        raise UnsupportedMediaType(f"请求体须为 application/json，收到 {content_type}")
    if not raw_bytes.strip():
        raise BadRequest("缺少请求体（JSON 对象）", code="empty_body")
    try:
        data = msgspec.json.decode(raw_bytes)
    except msgspec.ValidationError:     # a number no float holds (msgspec's ValidationError is a DecodeError)
        raise ValidationError("请求体中的数值超出可处理的范围", code="invalid_field") from None
    except msgspec.DecodeError:
        raise BadRequest("请求体不是合法的 JSON", code="malformed_json") from None
    parsed = parse(model, data, strict=True)
    _hygiene(data)
    return parsed


def query(app: App, model: type[M]) -> M:
    params = app.event.get("queryStringParameters") or {}
    parsed = parse(model, params, strict=False)
    _hygiene(params)
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
