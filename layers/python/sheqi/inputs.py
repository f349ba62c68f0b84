"""Bases of every request model (bodies and query strings), the types they share, and `parse`, which
turns decoded JSON into a model or a ValidationError in the one error shape with a Chinese message.
Domain modules declare their inputs on these; the HTTP edge (sheqi.edge.api) parses requests into them.

Models are msgspec Structs: JSON types, lengths, ranges and patterns are checked by msgspec as it
converts (and written into the JSON Schema it generates, msgspec.json.schema_components); what JSON
Schema cannot say is a `Check` in a field's Annotated metadata, run on that field after converting;
rules across fields are a model's `check()`. Both raise ValueError with a Chinese message, or an
AppError of their own.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import UNSET, Meta, Struct, StructMeta, to_builtins

from sheqi import clock
from sheqi.errors import AppError, ValidationError
from sheqi.numbers import decimal_text
from sheqi.rules import regions, uscc

M = TypeVar("M")
MAX_KEY_CHARS = 200  # ids, recipients, path parameters: far inside DynamoDB's 1,024-byte key
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # the years this system serves


class Invalid(ValueError):
    """A refused value: `message` in Chinese about `field` (a name within its model; None: the model),
    or the AppError a check raised (its code and message are kept)."""

    def __init__(self, message: str, field: str | None = None, error: AppError | None = None):
        super().__init__(message)
        self.message, self.field, self.error = message, field, error


class Check:
    """Annotated metadata: `fn(value)` returns the value (possibly normalised) or raises. With
    `named`, `fn(value, field)`, for checks whose own messages name the field."""

    __slots__ = ("fn", "named")

    def __init__(self, fn: Callable, named: bool = False):
        self.fn, self.named = fn, named

    def __call__(self, value, name: str):
        try:
            return self.fn(value, name) if self.named else self.fn(value)
        except AppError as error:
            raise Invalid(error.message, name, error) from error
        except ValueError as error:
            raise Invalid(str(error), name) from error


class OneOf(Check):
    """Annotated metadata of a string field that takes one of the codes of a table, e.g.
    `Annotated[str, OneOf(FINDINGS)]`: typed as `str`, checked against the codes (a `Literal` of a table
    is not a type a checker accepts)."""

    __slots__ = ("codes",)

    def __init__(self, codes: Iterable[str]):
        self.codes = tuple(codes)
        super().__init__(self._member)

    def _member(self, value: str) -> str:
        if value not in self.codes:
            raise ValueError(f"取值无效，可选值：{'、'.join(self.codes)}")
        return value


def _field_checks(tp) -> Callable | None:
    """What checks a value of annotation `tp`: its own Checks, or those of a list's items or a dict's values."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        inner, checks = _field_checks(args[0]), [m for m in tp.__metadata__ if isinstance(m, Check)]
        if not checks:
            return inner

        def run(value: Any, name: str) -> Any:
            value = inner(value, name) if inner else value
            for check in checks:
                value = check(value, name)
            return value

        return run
    if origin in (typing.Union, types.UnionType):
        found = [c for c in map(_field_checks, args) if c]
        return found[0] if found else None
    if origin is list and args and (item := _field_checks(args[0])):
        each: Callable = item
        return lambda values, name: [each(v, f"{name}.{i}") for i, v in enumerate(values)]
    if origin is dict and len(args) == 2 and (value := _field_checks(args[1])):
        every: Callable = value
        return lambda values, name: {k: every(v, f"{name}.{k}") for k, v in values.items()}
    return None


_CHECKS: dict[type, dict[str, Callable]] = {}


def field_checks(model: type[Struct]) -> dict[str, Callable]:
    """Field name -> its checks, worked out on a model's first use, not at import (cold starts)."""
    found = _CHECKS.get(model)
    if found is None:
        hints = typing.get_type_hints(model, include_extras=True)
        found = _CHECKS[model] = {name: c for name in model.__struct_fields__ if (c := _field_checks(hints[name]))}
    return found


class _Model(StructMeta):
    """Fields are passed by name in every model, subclasses' too (msgspec's kw_only is per class), so a
    required field may follow an optional one."""

    def __new__(mcls, name, bases, namespace, **options):
        return super().__new__(mcls, name, bases, namespace, **{"kw_only": True, **options})


class Body(Struct, metaclass=_Model, forbid_unknown_fields=True):
    """Base of every request body: unknown fields and wrong JSON types are errors, not coerced; every
    date lies in the years the system serves, so no deadline counted from it leaves the calendar."""

    def __post_init__(self):
        for name in self.__struct_fields__:
            value = getattr(self, name)
            for day in value if isinstance(value, list) else (value,):
                if isinstance(day, date) and not FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY:
                    raise Invalid(f"日期须在{FIRST_DAY.year}年至{LAST_DAY.year}年之间", name)
        for name, check in field_checks(type(self)).items():
            value = getattr(self, name)
            if value is not None and value is not UNSET:
                setattr(self, name, check(value, name))
        self.check()

    def check(self) -> None:
        """Rules across fields: raise ValueError (a Chinese message; `Invalid(message, field)` names the
        field) or an AppError."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates and instants as ISO 8601 text; fields left out of a Patch are left out."""
        return to_builtins(self)


class Patch(Body):
    """Base of PATCH bodies: every field defaults to UNSET (left out: the value is kept). A field
    typed `X | UnsetType` refuses null; one the record may lack is `X | None | UnsetType` (null clears it)."""

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__struct_fields__ if getattr(self, name) is not UNSET}


class Query(Struct, metaclass=_Model, forbid_unknown_fields=True):
    """Base of query-string models: values arrive as strings and are parsed (sheqi.edge.api.query)."""

    def __post_init__(self) -> None:
        Body.__post_init__(self)  # type: ignore[arg-type]   # the same checks, on a query's fields

    def check(self) -> None:
        """Rules across fields, as Body.check."""


class PageQuery(Query):
    limit: Annotated[int, Meta(ge=1, le=100)] = 50
    cursor: str | None = None


# Shared field types.
Year = Annotated[int, Meta(ge=FIRST_DAY.year, le=LAST_DAY.year)]
Instant = Annotated[datetime, Meta(tz=True), Check(lambda v: v.astimezone(clock.CST))]  # kept in China time
RegionCode = Annotated[str, Check(regions.validate, named=True)]  # GB/T 2260
Uscc = Annotated[str, Check(uscc.validate, named=True)]  # GB 32100-2015, upper-cased
# A string the store looks a record up by: never empty (DynamoDB refuses empty keys), never longer than a key can be.
Key = Annotated[str, Meta(min_length=1, max_length=MAX_KEY_CHARS)]


def _decimal_within(low: int, high: int) -> Check:
    def check(value: str) -> str:
        decimal_text(value, Decimal(low), Decimal(high), above_low=True)
        return value

    return Check(check)


Ratio = Annotated[str, _decimal_within(0, 1)]  # a share as plain decimal text (sheqi.numbers): (0, 1], e.g. "0.20"
Weight = Annotated[str, _decimal_within(0, 1000)]  # a relative weight: (0, 1000]
# Coordinates kept to 1e-7 degree (about a centimetre), which also keeps them within what DynamoDB stores.
Latitude = Annotated[float, Meta(ge=-90, le=90), Check(lambda v: round(v, 7))]
Longitude = Annotated[float, Meta(ge=-180, le=180), Check(lambda v: round(v, 7))]
Meters = Annotated[float, Meta(ge=0, le=100_000), Check(lambda v: round(v, 1))]


class RegionPageQuery(PageQuery):
    """A page of a region's records; without `region_code`, the caller's own region."""

    region_code: RegionCode | None = None


class RegionListQuery(PageQuery, kw_only=True):
    """A page of the records of the region named."""

    region_code: RegionCode


def parse(model: type[M], data: Any, *, strict: bool = True) -> M:
    """`data` (decoded JSON; a query string's values, which `strict=False` parses from text) as `model`.
    Text is stripped of surrounding whitespace first."""
    data = _stripped(data)
    try:
        return msgspec.convert(data, model, strict=strict)
    except msgspec.ValidationError as error:
        raise translate(error, model, data, strict=strict) from None


def _stripped(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: _stripped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stripped(v) for v in value]
    return value


# --- msgspec's errors in our shape ----------------------------------------------------------------

_AT = r"^(?P<what>.*?)(?: - at (?:`key` in )?`\$(?P<path>[^`]*)`)?$"
_KINDS = [  # msgspec's message -> (kind, Chinese message); {field} and the pattern's groups are filled in
    (r"Object missing required field `(?P<name>[^`]+)`", "missing", "缺少必填字段 {field}"),
    (r"Object contains unknown field `(?P<name>[^`]+)`", "unknown_field", "不允许的字段 {field}"),
    (r"Expected `str` of length >= (?P<n>\d+)", "too_short", "字段 {field} 不能为空或过短（至少 {n} 个字符）"),
    (r"Expected `str` of length <= (?P<n>\d+)", "too_long", "字段 {field} 过长（至多 {n} 个字符）"),
    (r"Expected `(array|object)` of length >= (?P<n>\d+)", "too_few", "字段 {field} 至少应有 {n} 项"),
    (r"Expected `(array|object)` of length <= (?P<n>\d+)", "too_many", "字段 {field} 至多 {n} 项"),
    (r"Expected `str` matching regex .*", "pattern", "字段 {field} 格式不正确"),
    (r"Expected `\w+` >= (?P<n>\S+)", "too_small", "字段 {field} 不得小于 {n}"),
    (r"Expected `\w+` > (?P<n>\S+)", "too_small", "字段 {field} 应大于 {n}"),
    (r"Expected `\w+` <= (?P<n>\S+)", "too_large", "字段 {field} 不得大于 {n}"),
    (r"Expected `\w+` < (?P<n>\S+)", "too_large", "字段 {field} 应小于 {n}"),
    (r"Invalid enum value .*", "choice", "字段 {field} 取值无效，可选值：{choices}"),
    (r"Invalid RFC3339 encoded date", "date", "字段 {field} 应为日期，格式 YYYY-MM-DD"),
    (
        r"(Invalid RFC3339 encoded datetime|Expected `datetime` with a timezone component)",
        "datetime",
        "字段 {field} 应为带时区的时间，例如 2026-12-01T09:00:00+08:00",
    ),
    (r"Number out of range", "out_of_range", "字段 {field} 的数值超出可处理的范围"),
    (r"Expected `[^`]+`, got `null`", "null", "字段 {field} 不能为 null（不填请省略该字段）"),
    (r"Expected `(?P<want>\w+)`, got `\w+`", "type", "字段 {field} 应为{want}"),
]


@cache
def _compiled_kinds() -> list:
    """Compiled when a request is first refused, not at every cold start."""
    return [(re.compile(pattern + "$", re.S), kind, message) for pattern, kind, message in _KINDS]


_JSON_TYPES = {
    "str": "字符串",
    "int": "整数",
    "float": "数字",
    "bool": "布尔值（true 或 false）",
    "array": "数组",
    "object": "JSON 对象",
    "null": "null",
}


def _problem(error: msgspec.ValidationError, prefix: str = "") -> tuple[str, str, str, AppError | None]:
    """(field, kind, Chinese message, the AppError a check raised) for one msgspec error."""
    where = re.match(_AT, str(error), re.S)
    assert where is not None  # _AT matches any text
    path = re.sub(r"\[(\d+)\]", r".\1", where["path"] or "").strip(".")
    field = ".".join(p for p in (prefix, path) if p)
    cause = error.__cause__
    if isinstance(cause, ValueError):  # a Check or a model's check() refused it
        if not isinstance(cause, Invalid):
            cause = Invalid(str(cause))
        field = ".".join(p for p in (field, cause.field) if p)
        return field, "check", (f"字段 {field}：{cause.message}" if field and not cause.error else cause.message), cause.error
    for pattern, kind, message in _compiled_kinds():
        if found := pattern.match(where["what"]):
            groups = found.groupdict()
            if groups.get("name"):
                field = ".".join(p for p in (field, groups["name"]) if p)
            if kind == "type" and not field:
                return field, kind, "请求体须为 JSON 对象", None
            want = _JSON_TYPES.get(groups.get("want") or "", groups.get("want"))
            return field, kind, message.format(field=field, n=groups.get("n"), want=want, choices="{choices}"), None
    return field, "invalid", f"字段 {field} 无效", None


def translate(error: msgspec.ValidationError, model: type, data: Any, *, strict: bool) -> AppError:
    """The first error as our error shape; every error found (msgspec stops at the first) in details."""
    field, kind, message, raised = _problem(error)
    if "{choices}" in message:
        message = message.replace("{choices}", "、".join(map(str, _choices(model, field))))
    problems = _all_problems(model, data, "", strict) if data is not None else []
    details = {"errors": [{"field": f or None, "type": k} for f, k in problems or [(field, kind)]]}
    if raised is not None:
        raised.field, raised.details = field or raised.field, details
        return raised
    return ValidationError(
        message, field=field or None, code="missing_field" if kind == "missing" else "invalid_field", details=details
    )


def _unwrapped(tp):
    """The type inside Annotated, Optional and a Patch's UnsetType."""
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif (
            (args := [a for a in typing.get_args(tp) if a not in (type(None), msgspec.UnsetType)])
            and len(args) == 1
            and typing.get_origin(tp) not in (list, dict, typing.Literal)
        ):
            tp = args[0]
        else:
            return tp


def _choices(model: type, field: str) -> tuple:
    tp: Any = model
    for part in field.split(".") if field else []:
        tp = _unwrapped(tp)
        if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
            tp = typing.get_type_hints(tp, include_extras=True).get(part)
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
    tp = _unwrapped(tp)
    if typing.get_origin(tp) is dict:  # a refused key
        tp = _unwrapped(typing.get_args(tp)[0])
    return typing.get_args(tp) if typing.get_origin(tp) is typing.Literal else ()


def _all_problems(tp, value, path: str, strict: bool) -> list[tuple[str, str]]:
    """Every field's error in `value` as `tp`: each field converted and checked on its own, into nested
    models and lists of them. Only runs once a request is refused."""
    try:
        msgspec.convert(value, tp, strict=strict)
        return []
    except msgspec.ValidationError as error:
        first = _problem(error, path)
    model = _unwrapped(tp)
    found = []
    if isinstance(model, type) and issubclass(model, msgspec.Struct) and isinstance(value, dict):
        fields = {f.name: f for f in msgspec.structs.fields(model)}
        checks = field_checks(model)
        found += [(_join(path, k), "unknown_field") for k in value if k not in fields]
        for name, info in fields.items():
            where = _join(path, name)
            if name not in value:
                found += [(where, "missing")] if info.required else []
                continue
            inner = _all_problems(info.type, value[name], where, strict)
            if not inner and name in checks and value[name] is not None:
                try:
                    checks[name](msgspec.convert(value[name], info.type, strict=strict), name)
                except Invalid:
                    inner = [(where, "check")]
            found += inner
    elif typing.get_origin(model) is list and isinstance(value, list):
        for i, item in enumerate(value):
            found += _all_problems(typing.get_args(model)[0], item, _join(path, str(i)), strict)
    return found or [first[:2]]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
