"""The HTTP edge shared by every handler: routing, identity, request parsing, one error shape.

A handler module builds `app = create_app()`, registers its routes with
`@app.post("/x/<x_id>/y", roles=("agency_admin",), status=201)` and the like, and exposes
`handler = lambda_handler(app)`. A route function's signature says what it takes
(`def add_y(caller: Identity, x_id: str, body: YIn)`): the router parses and validates exactly those
types, and the OpenAPI document is generated from them (see Route). Its docstring is the operation's
Chinese summary. Events are API Gateway HTTP API payload 2.0. Domain code raises
`sheqi.errors.AppError`; this module is the one place that turns it into HTTP. Request bodies and query
strings become the models of sheqi.inputs (`inputs.parse`).
Every response carries API Gateway's request id (`X-Request-Id`), and every error body too
(`error.request_id`), as every log line does: what a caller quotes to a help desk.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote

import msgspec

from sheqi import auth, clock, settings
from sheqi.auth import Identity
from sheqi.errors import AppError, BadRequest, Conflict, IdempotencyKeyReused, NotFound, ValidationError
from sheqi.inputs import FIRST_DAY, LAST_DAY, MAX_KEY_CHARS, Body, Key, Query, RegionCode, parse  # noqa: F401  (handlers' query models)
from sheqi.log import logger

MAX_BODY_BYTES = 64 * 1024
MAX_SAFE_INTEGER = 2**53 - 1  # beyond it a JSON number is not exact in a phone's JavaScript either
REQUEST_ID_HEADER = "X-Request-Id"
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
IN_FLIGHT_SECONDS = 30  # beyond any function's timeout: a key still without its answer lost it
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
        return {
            "statusCode": self.status_code,
            "headers": {"Content-Type": self.content_type, **self.headers},
            "body": body,
            "isBase64Encoded": binary,
        }


class Route:
    """One route function and what it declares: `roles` that may call it (none: public, unless it takes
    the caller), the success `status` (the first is used when the function returns data rather than a
    Response), the media types it answers with when not JSON alone (`content`: a binary answer, or JSON
    and a page by content negotiation). Its parameters say what it reads, by annotation: `Identity` the
    caller, a `Body` the request body, a `Query` the query string, `str` a path parameter (by name), a
    `Literal` of strings a path parameter that takes only those values. These are worked out on the
    first call (cold starts), and the OpenAPI document (local/openapi.py) is generated from the same
    annotations."""

    def __init__(
        self,
        method: str,
        path: str,
        function: Callable,
        roles: tuple[str, ...] | None,
        status: int | tuple[int, ...],
        content: tuple[str, ...],
        key_in_body: str | None = None,
    ):
        self.method, self.path, self.function, self.roles, self.content = method, path, function, roles, content
        self.key_in_body = key_in_body  # a POST whose body names its own idempotency key (scans)
        self.status = status if isinstance(status, tuple) else (status,)
        self._parameters: dict[str, Any] | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        """Parameter name -> `Identity`, a Body or Query model, or `str` (a path parameter)."""
        if self._parameters is None:
            code, hints = self.function.__code__, typing.get_type_hints(self.function)
            self._parameters = {name: hints[name] for name in code.co_varnames[: code.co_argcount]}
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
                    raise NotFound("接口不存在", code="route_not_found")  # a path segment of a fixed set
                arguments[name] = path_params[name]
        result = self.function(**arguments)
        return result if isinstance(result, Response) else json_response(result, self.status[0])


class App:
    """One handler module's routes. `event` is the event being handled (a Lambda container handles one
    at a time)."""

    def __init__(self):
        self.event: dict = {}
        self._routes: dict[str, list[tuple[tuple[str, ...], Route]]] = {}

    def route(
        self,
        method: str,
        path: str,
        roles: tuple[str, ...] | None = None,
        status: int | tuple[int, ...] = 200,
        content: tuple[str, ...] = (),
        key_in_body: str | None = None,
    ):
        def register(function: Callable) -> Callable:
            routes = self._routes.setdefault(method, [])
            route = Route(method, path, function, roles, status, content, key_in_body)
            routes.append((tuple(path.strip("/").split("/")), route))
            routes.sort(key=lambda r: sum(s.startswith("<") for s in r[0]))  # a literal segment beats a parameter
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
        request_id = (event.get("requestContext") or {}).get("requestId")
        try:
            found = self.match(event["requestContext"]["http"]["method"], event.get("rawPath") or "/")
            if found is None:
                raise NotFound("接口不存在", code="route_not_found")
            route, params = found
            for name, value in params.items():  # every path parameter becomes a key or part of one
                if len(value) > MAX_KEY_CHARS or _control_character(value):
                    raise ValidationError(f"路径参数 {name} 无效（过长或含控制字符）", field=name, code="invalid_path_parameter")
            response = self._call(route, params)
        except AppError as error:
            response = error_response(error, request_id)
        except Exception:
            logger.exception("unhandled error")
            response = error_response(
                AppError("服务器内部错误，请稍后重试；如持续出现请联系平台管理员（请提供 request_id）"), request_id
            )
        finally:
            self.event = {}
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response.to_result()

    def _call(self, route: Route, params: dict[str, str]) -> Response:
        """The route's answer; a POST with an Idempotency-Key answers a retry with the first answer."""
        key = (self.event.get("headers") or {}).get("idempotency-key")
        if key is None or self.event["requestContext"]["http"]["method"] != "POST":
            return route.call(self, params)
        if not IDEMPOTENCY_KEY.match(key):
            raise ValidationError(
                "请求头 Idempotency-Key 无效：应为8至64位字母、数字、下划线或连字符",
                field="Idempotency-Key",
                code="invalid_idempotency_key",
            )
        if field := route.key_in_body:
            sent = _json_or_text(self.event)
            if isinstance(sent, dict) and sent.get(field, key) != key:
                raise ValidationError(
                    f"请求头 Idempotency-Key 须与请求体字段 {field} 相同", field=field, code="idempotency_key_mismatch"
                )
            return route.call(self, params)
        return _idempotent(identity(self).subject, key, _request_hash(self.event), lambda: route.call(self, params))


def _json_or_text(event: dict) -> Any:
    """The body as JSON if it is JSON, else as text: what a request's hash is taken over."""
    raw = event.get("body") or ""
    text = base64.b64decode(raw).decode(errors="replace") if event.get("isBase64Encoded") else raw
    try:
        return json.loads(text)
    except ValueError:
        return text


def _request_hash(event: dict) -> str:
    """SHA-256 of method, path and body (as canonical JSON: key order and spacing do not count)."""
    http = event["requestContext"]["http"]
    canonical = json.dumps(
        [http["method"], event.get("rawPath") or "/", _json_or_text(event)],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _idempotent(subject: str, key: str, digest: str, run: Callable[[], Response]) -> Response:
    """Run a POST once per idempotency key. The key is written in the same transaction as the request's
    first effects (store.claiming), so two requests with one key never both write; the answer is added
    to it as soon as the handler has shaped it. A request that wrote nothing (an error, or a POST that
    only computes) leaves no key, except that a computed answer is kept as it is."""
    # Here: the store reads its settings at import, and the spec generator imports this module first.
    from sheqi import store
    from sheqi.store.idempotency import IdempotencyKey

    key_id = IdempotencyKey.key(subject, key)
    first = store.get_or_none(IdempotencyKey, key_id, consistent_read=True)
    if first is not None:
        return _replay(first, digest)
    now = clock.now()
    record = IdempotencyKey(
        key_id,
        request_hash=digest,
        created_at=now.isoformat(timespec="seconds"),
        expires_at=int(now.timestamp()) + settings.get().idempotency_days * 86400,
    )
    try:
        with store.claiming(record) as claim:
            try:
                response = run()
            except AppError as error:
                if not claim.consumed:
                    raise
                response = error_response(error)  # effects written, then refused: that is the answer
    except store.KeyTaken:
        return _replay(IdempotencyKey.get(key_id, consistent_read=True), digest)
    except AppError:
        # A request with the same key may have written first, and this one failed on what it found.
        first = store.get_or_none(IdempotencyKey, key_id, consistent_read=True)
        if first is None:
            raise
        return _replay(first, digest)
    body = response.body if isinstance(response.body, str) else base64.b64encode(response.body).decode()
    answer = [
        IdempotencyKey.status.set(response.status_code),
        IdempotencyKey.content_type.set(response.content_type),
        IdempotencyKey.answer.set(body),
    ]
    if claim.consumed:
        store.update_if(record, answer, IdempotencyKey.status.does_not_exist())
    elif response.status_code < 300:  # nothing written: keep the answer all the same
        record.status, record.content_type, record.answer = response.status_code, response.content_type, body
        if not store.put_if_absent(record):
            return _replay(IdempotencyKey.get(key_id, consistent_read=True), digest)
    return response


def _replay(first, digest: str) -> Response:
    if first.request_hash != digest:
        raise IdempotencyKeyReused()
    if first.status is None:
        if (clock.now() - datetime.fromisoformat(first.created_at)).total_seconds() < IN_FLIGHT_SECONDS:
            raise Conflict(
                "使用该幂等键的请求正在处理中，请稍后重试", field="Idempotency-Key", code="idempotency_key_in_progress"
            )
        raise Conflict(
            "使用该幂等键的请求已执行，但其结果未能记录；请刷新查看结果，不要再用该幂等键重试",
            field="Idempotency-Key",
            code="idempotency_answer_lost",
        )
    body = first.answer if first.content_type.startswith("application/json") else base64.b64decode(first.answer)
    return Response(int(first.status), first.content_type, body, {"Idempotent-Replayed": "true"})


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


def error_response(error: AppError, request_id: str | None = None) -> Response:
    if error.status >= 500:
        logger.error("request failed", extra={"code": error.code})
    body = error.to_dict()
    if request_id:
        body["request_id"] = request_id
    return json_response({"error": body}, error.status)


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
    except msgspec.ValidationError:  # a number no float holds (msgspec's ValidationError is a DecodeError)
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


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode's Cc, less tab and line breaks


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
