"""The OpenAPI 3.1 document of the whole API, generated from the code: paths from serverless.yml (each
function's routes, as its handler module's router declares them), request models from the route
functions' signatures (the same types sheqi.edge.api validates with), schemas from
msgspec.json.schema_components, summaries from the route functions' docstrings, roles from the routes'
declarations, error codes from the domain code each route calls (see `errors`), examples from events/.

    python -m local.openapi           writes docs/openapi.json (`make openapi`)
    python -m local.openapi --check   fails if docs/openapi.json differs from what the code generates
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import json
import operator
import re
import shutil
import sys
import textwrap
import types
import typing
from dataclasses import dataclass

import msgspec

from sheqi import auth, errors
from sheqi.edge import api
from sheqi.inputs import Body, Check, OneOf, Query

from . import config, serverless_config
from .config import ROOT

SPEC = ROOT / "docs" / "openapi.json"
PAGE = "text/html"  # a route offering it answers a browser (Accept) with a page, an app with JSON
EVENTS = ROOT / "events" / "http"


@dataclass(frozen=True)
class Operation:
    path: str  # "/agencies/{agency_id}/plans/{year}/{version}/file"
    deployed: serverless_config.Route  # the serverless.yml route API Gateway sends it by
    route: api.Route

    @property
    def key(self) -> str:
        return f"{self.route.method} {self.path}"


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every route of every function, each with the serverless.yml route that reaches it."""
    found = []
    for module_name in sorted({r.handler.rpartition(".")[0].replace("/", ".") for r in serverless_config.routes()}):
        module = importlib.import_module(module_name)
        for route in module.app.routes():
            path = re.sub(r"<(\w+)>", r"{\1}", route.path)
            deployed, _ = serverless_config.resolve(route.method, path)
            assert deployed is not None and deployed.handler.startswith(module_name.replace(".", "/")), (
                f"{route.method} {path} of {module_name} is not routed to it by serverless.yml"
            )
            found.append(Operation(path, deployed, route))
    return tuple(sorted(found, key=lambda o: (o.path, o.route.method)))


# --- error codes each operation may answer -----------------------------------------------------------


@functools.cache
def _error_classes() -> dict[str, tuple[int, str]]:
    """Every AppError subclass of the layer by name -> (status, default code)."""
    classes: dict[str, tuple[int, str]] = {}
    pending = [errors.AppError]
    while pending:
        cls = pending.pop()
        classes[cls.__name__] = (cls.status, cls.code)
        pending += cls.__subclasses__()
    return classes


@functools.cache
def _module_functions(module_name: str) -> tuple[dict[str, ast.FunctionDef], dict[str, str]]:
    """A module's top-level functions (methods too, by bare name) and its imported names -> module or
    module.name."""
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    functions: dict[str, ast.FunctionDef] = {}
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            functions.setdefault(node.name, node)
        elif isinstance(node, ast.ImportFrom):
            source = (
                importlib.util.resolve_name("." * node.level + (node.module or ""), module.__package__)
                if node.level
                else node.module
            )
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported[alias.asname or alias.name] = alias.name
    return functions, imported


def _raised(function: ast.FunctionDef, module_name: str, seen: set, depth: int = 0) -> set[tuple[int, str]]:
    """(status, code) of every AppError this function raises or builds, and of those the sheqi
    functions it calls raise, to a few calls deep: an over-approximation of what the operation answers."""
    if (module_name, function.name) in seen or depth > 6:
        return set()
    seen.add((module_name, function.name))
    classes = _error_classes()
    found: set[tuple[int, str]] = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        last = name.rpartition(".")[2]
        if last in classes:
            code = next(
                (k.value.value for k in node.keywords if k.arg == "code" and isinstance(k.value, ast.Constant)), classes[last][1]
            )
            found.add((classes[last][0], code))
            continue
        callee, owner = _callee(name, module_name)
        if callee is None:
            continue
        found |= _raised(callee, owner, seen, depth + 1)
        code = next((k.value.value for k in node.keywords if k.arg == "code" and isinstance(k.value, ast.Constant)), None)
        if code is not None:  # a helper that raises with the code it is given, e.g. store.get_or_404(..., code="x")
            found |= {(status, code) for status in _passes_code(callee)}
    return found


def _callee(name: str, module_name: str) -> tuple[ast.FunctionDef | None, str]:
    """The sheqi function a call's `name` refers to in `module_name`, and its module."""
    functions, imported = _module_functions(module_name)
    head, _, rest = name.partition(".")
    target = imported.get(head, "")
    if not rest and name in functions:
        return functions[name], module_name
    if not target.startswith("sheqi"):
        return None, ""
    owner, attr = (target, rest) if rest else target.rpartition(".")[::2]
    if "." in attr:
        return None, ""
    try:
        functions, imported = _module_functions(owner)
    except (ImportError, TypeError, OSError):
        return None, ""  # a name imported from a package, not a module: a class or a constant
    if attr in functions:
        return functions[attr], owner
    return _callee(attr, owner) if imported.get(attr, "").startswith("sheqi") else (None, "")  # re-exported


def _passes_code(function: ast.FunctionDef) -> set[int]:
    """Statuses of the errors a function raises with the `code` it was passed."""
    classes = _error_classes()
    return {
        classes[last][0]
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and (last := ast.unparse(node.func).rpartition(".")[2]) in classes
        and any(k.arg == "code" and isinstance(k.value, ast.Name) and k.value.id == "code" for k in node.keywords)
    }


def _raised_by(function) -> set[tuple[int, str]]:
    """What a function object (a model's check, a field's Check) raises; nothing known of a lambda."""
    if getattr(function, "__name__", "<lambda>") == "<lambda>":
        return set()
    tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    return _raised(tree, function.__module__, set()) if isinstance(tree, ast.FunctionDef) else set()


def _model_errors(model: type, seen: set | None = None) -> set[tuple[int, str]]:
    """What a request model's field Checks and check() raise, nested models' too (their AppErrors keep
    their codes; a ValueError becomes invalid_field)."""
    seen = set() if seen is None else seen
    if model in seen:
        return set()
    seen.add(model)
    found = _raised_by(model.check) if "check" in vars(model) else set()
    pending = list(typing.get_type_hints(model, include_extras=True).values())
    while pending:
        tp = pending.pop()
        if typing.get_origin(tp) is typing.Annotated:
            found |= {e for m in tp.__metadata__ if isinstance(m, Check) for e in _raised_by(m.fn)}
        if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
            found |= _model_errors(tp, seen)
        pending += typing.get_args(tp)
    return found


def _page_statuses(operation: Operation) -> set[int]:
    """The error statuses a content-negotiating route's function may answer a browser with a page
    (those of the errors it raises itself; the router's and the authoriser's are JSON)."""
    function = operation.route.function
    tree = _module_functions(function.__module__)[0][function.__name__]
    return {status for status, _ in _raised(tree, function.__module__, set()) if status < 500}


def errors_of(operation: Operation) -> dict[int, set[str]]:
    """Status -> the error codes the operation may answer with it."""
    route = operation.route
    function = route.function
    module_name = function.__module__
    tree = _module_functions(module_name)[0][function.__name__]
    found = _raised(tree, module_name, set())
    found |= {
        (404, "route_not_found"),
        (422, "invalid_path_parameter") if "{" in operation.path else (404, "not_found"),
        (500, "internal_error"),
    }
    if route.signed_in:
        found |= {(401, "unauthorized"), (401, "invalid_role"), (401, "incomplete_claims")}
    if route.roles is not None and set(route.roles) != set(auth.ROLES):
        found.add((403, "role_not_allowed"))
    for model in (route.model(Body), route.model(Query)):
        if model is not None:
            found |= {(422, "invalid_field"), (422, "missing_field")} | _model_errors(model)
    if route.model(Body):
        found |= {(400, "malformed_json"), (400, "empty_body"), (413, "payload_too_large"), (415, "unsupported_media_type")}
    if route.method == "POST":  # the Idempotency-Key header (sheqi.edge.api._call)
        found |= {
            (422, "invalid_idempotency_key"),
            (409, "idempotency_key_reused"),
            (409, "idempotency_key_in_progress"),
            (409, "idempotency_answer_lost"),
        } | ({(422, "idempotency_key_mismatch")} if route.key_in_body else set())
    by_status: dict[int, set[str]] = {}
    for status, code in found:
        by_status.setdefault(status, set()).add(code)
    return by_status


# --- the document --------------------------------------------------------------------------------

ROLE_NAMES = {
    "inspector": "执法人员",
    "enterprise": "企业",
    "agency_admin": "机关管理员",
    "judicial": "司法行政机关",
    "science_bureau": "科技局",
    "government": "人民政府",
    "platform_admin": "平台管理员",
}
REASONS = {
    400: "请求格式错误",
    401: "未登录或令牌无效",
    403: "无权执行",
    404: "不存在",
    409: "与现有记录冲突",
    413: "请求体过大",
    415: "媒体类型不受支持",
    422: "输入无效或违反规则",
    500: "服务器内部错误",
}


def _error_schema(codes: set[str]) -> dict:
    return {
        "allOf": [{"$ref": "#/components/schemas/Error"}],
        "properties": {"error": {"properties": {"code": {"enum": sorted(codes)}}}},
    }


def _examples() -> dict[str, dict]:
    """Route key -> the sample API Gateway event of that route in events/http."""
    found = {}
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text())
        if event.get("body"):
            found[event["routeKey"]] = {"summary": f"events/http/{path.name}", "value": json.loads(event["body"])}
    return found


def _path_schema(kind) -> dict:
    if typing.get_origin(kind) is typing.Literal:
        return {"type": "string", "enum": list(typing.get_args(kind))}
    return {"type": "string", "minLength": 1, "maxLength": api.MAX_KEY_CHARS, "pattern": "^[^/]+$"}


def _parameters(operation: Operation, schemas: dict) -> list[dict]:
    kinds = operation.route.parameters
    found = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(kinds.get(name))}
        for name in re.findall(r"\{(\w+)\}", operation.path)
    ]
    if operation.route.method == "POST":
        found.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": api.IDEMPOTENCY_KEY.pattern},
                "description": "客户端生成的请求编号：网络重试时带同一编号，只生效一次并得到第一次的答复；同一编号换了请求内容则答复 409"
                + (
                    f"（本接口以请求体字段 {operation.route.key_in_body} 为编号，请求头如带则须与之相同）"
                    if operation.route.key_in_body
                    else ""
                ),
            }
        )
    model = operation.route.model(Query)
    if model is not None:
        schema = schemas[model.__name__]
        for name in model.__struct_fields__:
            found.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", ()),
                    "schema": schema["properties"][name],
                }
            )
    return found


def _headers(route: api.Route) -> dict:
    found = {"X-Request-Id": {"description": "本次请求的编号，咨询时请提供", "schema": {"type": "string"}}}
    if route.method == "POST":
        found["Idempotent-Replayed"] = {
            "description": "true：这是同一 Idempotency-Key 第一次请求的答复",
            "schema": {"type": "string"},
        }
    return found


def _operation(operation: Operation, schemas: dict, examples: dict) -> dict:
    route = operation.route
    doc = inspect.getdoc(route.function) or ""
    summary, _, description = doc.partition("\n")
    roles = route.roles or (auth.ROLES if route.signed_in else ())
    who = "、".join(ROLE_NAMES[r] for r in roles) if roles else "公开，无需登录"
    answer: dict = {
        "x-roles": list(roles),
        "summary": summary.strip(),
        "description": textwrap.dedent(description).strip() + ("\n\n" if description.strip() else "") + f"可调用的角色：{who}。",
        "operationId": f"{route.function.__module__.split('.')[1]}.{route.function.__name__}",
        "tags": [operation.deployed.function],
    }
    if parameters := _parameters(operation, schemas):
        answer["parameters"] = parameters
    model = route.model(Body)
    if model is not None:
        content: dict = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        if example := examples.get(operation.deployed.route_key):
            content["examples"] = {"sample": example}
        answer["requestBody"] = {"required": True, "content": {"application/json": content}}
    responses: dict = {}
    for status in route.status:
        responses[str(status)] = {
            "description": "成功",
            "headers": _headers(route),
            "content": {
                media: {
                    "schema": {"type": "object"} if media == "application/json" else {"type": "string", "contentMediaType": media}
                }
                for media in route.content or ("application/json",)
            },
        }
    pages = _page_statuses(operation) if PAGE in route.content else set()
    for status, codes in sorted(errors_of(operation).items()):
        schema = _error_schema(codes)
        if status == 401:  # API Gateway's JWT authoriser answers a missing or refused token before any function
            schema = {"anyOf": [schema, {"$ref": "#/components/schemas/GatewayUnauthorized"}]}
        content = {"application/json": {"schema": schema}}
        if status in pages:
            content[PAGE] = {"schema": {"type": "string", "contentMediaType": PAGE}}
        responses[str(status)] = {
            "description": REASONS.get(status, "错误") + ("（浏览器得到说明页）" if status in pages else ""),
            "content": content,
        }
    answer["responses"] = responses
    answer["security"] = [{"bearerJWT": []}] if route.signed_in else []
    return answer


def _enumerated(tp):
    """`tp` with every `Annotated[str, OneOf(codes)]` in it a `Literal` of the codes, and every model a
    twin built so (msgspec writes a Literal as `enum`; a OneOf is a check it does not see)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        one_of = next((m for m in tp.__metadata__ if isinstance(m, OneOf)), None)
        if one_of is not None:
            return typing.Literal[one_of.codes]
        return typing.Annotated[(_enumerated(args[0]), *tp.__metadata__)]
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return _twin(tp)
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, map(_enumerated, args))
    if origin in (list, dict) and args:
        return origin[tuple(_enumerated(a) for a in args)]
    return tp


@functools.cache
def _twin(model: type) -> type:
    hints = typing.get_type_hints(model, include_extras=True)
    fields = []
    for field in msgspec.structs.fields(model):
        default = (
            msgspec.field(default_factory=field.default_factory)
            if field.default_factory is not msgspec.NODEFAULT
            else field.default
        )
        fields.append(
            (field.name, _enumerated(hints[field.name]))
            if field.required
            else (field.name, _enumerated(hints[field.name]), default)
        )
    config = model.__struct_config__
    twin = msgspec.defstruct(model.__name__, fields, kw_only=True, forbid_unknown_fields=config.forbid_unknown_fields)
    twin.__doc__ = model.__doc__
    return twin


def document() -> dict:
    ops = operations()
    models = sorted(
        {m for o in ops for m in (o.route.model(Body), o.route.model(Query)) if m is not None}, key=lambda m: m.__name__
    )
    names = [m.__name__ for m in models]
    assert len(set(names)) == len(names), f"two request models share a name: {sorted(names)}"
    _, schemas = msgspec.json.schema_components([_twin(m) for m in models], ref_template="#/components/schemas/{name}")
    schemas["Error"] = ERROR_SCHEMA
    schemas["GatewayUnauthorized"] = {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"const": "Unauthorized"}},
        "description": "API Gateway 的 JWT 授权方拒绝令牌时的答复（响应头 www-authenticate 说明原因）",
    }
    examples = _examples()
    paths: dict = {}
    for operation in ops:
        paths.setdefault(operation.path, {})[operation.route.method.lower()] = _operation(operation, schemas, examples)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "涉企行政检查 API",
            "version": "1.0.0",
            "description": '由代码生成（python -m local.openapi），请勿手工修改。错误统一为 {"error": {...}} 结构：'
            "code 为稳定的英文错误码，message 为中文说明，field 指出出错字段，article 引用所依据的条款。",
        },
        "servers": [{"url": "/", "description": "本地网关（make run）或部署的 API Gateway"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerJWT": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "身份提供方签发的 JWT（本地：make token NAME=<身份>）；声明 role 及其所需的 agency_id、enterprise_id、region_code",
                }
            },
        },
    }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "稳定的英文错误码"},
                "message": {"type": "string", "description": "中文说明"},
                "field": {"type": "string", "description": "出错的字段"},
                "article": {"type": "string", "description": "所依据的条款"},
                "details": {"type": "object"},
                "request_id": {"type": "string", "description": "本次请求的编号（与响应头 X-Request-Id 相同），咨询时请提供"},
            },
        }
    },
}


def text() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    config.configure_scratch("sheqi-openapi-")  # the handlers' settings, read as they are imported
    try:
        generated = text()
    finally:
        shutil.rmtree(config.DATA_DIR, ignore_errors=True)
    if argv == ["--check"]:
        if not SPEC.exists() or SPEC.read_text() != generated:
            print(f"{SPEC.relative_to(ROOT)} 与代码生成的不一致：运行 make openapi 并提交", file=sys.stderr)
            return 1
        return 0
    SPEC.parent.mkdir(exist_ok=True)
    SPEC.write_text(generated)
    print(f"已写入 {SPEC.relative_to(ROOT)}：{len(operations())} 个操作")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
