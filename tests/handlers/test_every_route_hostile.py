"""Every route that takes a body or a query, driven with requests generated from its own request
model (its JSON schema as msgspec writes it, turned into hypothesis strategies below) and with hostile values put into them
(non-finite and huge numbers, nulls, empty strings, control characters, wrong types), as a caller
the route admits, through real-shaped API Gateway v2.0 events. Never a 5xx, and a 4xx changes
nothing in any table.

Examples per route: SHEQI_FUZZ_EXAMPLES (default 4, derandomised so every run tries the same);
`SHEQI_FUZZ_EXAMPLES=200 pytest tests/handlers/test_every_route_hostile.py` searches deeper.
"""

import json
import os
import re
import uuid
from datetime import datetime
from urllib.parse import urlencode

import msgspec
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import demo_data, dynamo, openapi, serverless_config
from local.demo_data import ENTERPRISES, MARKET
from sheqi import clock
from sheqi.clock import CST
from sheqi.inputs import Body, Query
from sheqi.store.registers import Inspector
from tests.handlers.scanning import NOW, new_task, open_visit
from tests.handlers.test_hostile_input import tables_now
from tests.helpers import call, identity

EXAMPLES = int(os.environ.get("SHEQI_FUZZ_EXAMPLES", "4"))
E1 = ENTERPRISES[0]["enterprise_id"]


# --- which model each route parses: what its function's signature declares ---------------------------

OPERATIONS = {o.key: o for o in openapi.operations()}
MODELS = {
    key: {kind: m for kind, base in (("body", Body), ("query", Query)) if (m := o.route.model(base))}
    for key, o in OPERATIONS.items()
}
DRIVEN = sorted(key for key in OPERATIONS if MODELS[key])

# The caller each route admits (the route's own rules decide the rest), and path parameters naming
# records the world below holds.
CALLERS = {
    "/agencies/{agency_id}/plans": "admin-market",
    "/agencies/{agency_id}/draws": "admin-market",
    "/draws/": "admin-market",
    "/agencies/{agency_id}/inspectors": "admin-market",
    "/inspectors/": "admin-market",
    "/agencies/{agency_id}/items": "admin-market",
    "/agencies/{agency_id}/campaigns": "admin-market",
    "/agencies/{agency_id}/plans/{year}/{version}/return": "judicial-zhangbei",
    "/tasks": "admin-market",
    "/scans": "market-wang",
    "/service-visits": "market-wang",
    "/visits/{visit_id}/rating": "enterprise-1",
    "/visits/": "market-wang",
    "/complaints/{complaint_id}/status": "judicial-zhangbei",
    "/complaints": "enterprise-1",
    "/letters/{letter_id}/reply": "admin-market",
    "/letters": "judicial-zhangbei",
    "/return-visits": "judicial-zhangbei",
    "/supervision": "judicial-zhangbei",
    "/subsidies": "science-city",
    "/science": "science-city",
    "/ratings": "judicial-zhangbei",
    "/obligations": "judicial-zhangbei",
    "/enterprises/{enterprise_id}/inspections": "enterprise-1",
    "/enterprises/{enterprise_id}/poster": "enterprise-1",
    "/contacts": "platform",
    "/notices": "enterprise-1",
    "/reminders": "admin-market",
    "/agencies/{agency_id}/rating-summary": "admin-market",
    "/subsidies/results": "enterprise-1",
    "/enterprises/{enterprise_id}/inspection-requests": "enterprise-1",
    "/letters/{letter_id}/decline": "government-zhangbei",
    "/accountability": "judicial-zhangbei",
    "/agencies/{agency_id}/accountability": "admin-market",
}


def caller(route_key: str) -> str:
    path = route_key.split(" ", 1)[1]
    matches = [prefix for prefix in CALLERS if path.startswith(prefix)]
    return CALLERS[max(matches, key=len)] if matches else "platform"


@pytest.fixture(scope="module")
def world(moto_endpoint):
    """Demo data at mid-June 2026 with an open visit, a draw, a complaint and a subsidy run to aim at."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=30).raise_for_status()
    dynamo.create_tables(moto_endpoint)
    dynamo.create_queues(moto_endpoint)
    dynamo.create_buckets(moto_endpoint)
    dynamo.verify_sender(moto_endpoint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: datetime(2026, 1, 1, 9, 0, tzinfo=CST))  # as the `june` fixture
        demo_data.load()
        li = Inspector.get("market-li")
        li.valid_until, li.expiry_month = "2027-12-31", "2027-12"
        li.save()
        patch.setattr(clock, "now", lambda: NOW)
        task = new_task()
        visit = open_visit(task)[1]["visit_id"]
        draw = call(
            "POST",
            f"/agencies/{MARKET}/draws",
            "admin-market",
            {"year": 2026, "version": 1, "entry_index": 0, "seed": "2026年第138期福彩3D", "draw_date": "2026-06-15"},
        )[1]
        complaint = call(
            "POST",
            "/complaints",
            "enterprise-1",
            {"subject": "visit", "visit_id": visit, "description": "检查人员到场后未出示执法证件即开展检查"},
        )[1]
        run = call("POST", "/subsidies/2025/runs", "science-city")[1]
        assert "complaint_id" in complaint and "draw_id" in draw, (complaint, draw)
        yield {
            "agency_id": MARKET,
            "enterprise_id": E1,
            "visit_id": visit,
            "draw_id": draw.get("draw_id", "d"),
            "complaint_id": complaint.get("complaint_id", "c"),
            "run_id": run["run_id"],
            "year": "2026",
            "version": "1",
            "inspector_id": "market-wang",
            "item_id": "food-business",
            "task_id": task,
            "recipient": f"enterprise:{E1}",
            "name": "frequency",
            "letter_id": uuid.uuid4().hex,
            "measure_id": uuid.uuid4().hex,
            "sample_id": uuid.uuid4().hex,
            "collection": "projects",
            "region_code": "130722",
            "key": "p-1",
            "campaign_id": uuid.uuid4().hex,
            "notice_id": "n-1",
            "applicant_id": E1,
            "certificate_no": "13072200001",
            "token": "x",
        }


# --- what is sent -------------------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        None,
        "",
        " ",
        "\x00",
        "a\u0007b",
        "\u202e",
        "NaN",
        "sNaN",
        "Infinity",
        "1e999999999",
        "-1",
        "0",
        "abc",
        "x" * 3000,
        float("nan"),
        float("inf"),
        float("-inf"),
        1e308,
        5e-324,
        -5e-324,
        10**30,
        10**400,
        -1,
        0,
        True,
        [],
        {},
        [None],
        {"$ne": 1},
        "2026-13-45",
        "9999-12-31",
        "9999-12-31T23:59:59+08:00",
        "0001-01-01",
        "\ud800",
    ]
)


def from_schema(schema: dict, defs: dict | None = None):
    """Values a JSON schema (the subset msgspec writes) describes; close enough to valid that most
    pass validation and reach the domain, with the hostile values mixed in by `_mutate`."""
    defs = schema.get("$defs", {}) if defs is None else defs
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, defs) for s in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        if not properties:  # free-form (subsidy facts): small JSON objects
            return st.dictionaries(
                st.text(max_size=30), st.one_of(st.integers(), st.text(max_size=20), st.booleans()), max_size=4
            )
        return st.fixed_dictionaries(
            {k: from_schema(v, defs) for k, v in properties.items() if k in required},
            optional={k: from_schema(v, defs) for k, v in properties.items() if k not in required},
        )
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {}), defs),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 3), 3),
        )
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "date":
            return st.dates().map(str)
        if schema.get("format") == "date-time":
            return st.datetimes(timezones=st.just(CST)).map(lambda d: d.isoformat())
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    return st.one_of(st.none(), st.integers(), st.text(max_size=20))


def _schema(model) -> dict:
    return msgspec.json.schema(model)


def _mutate(value, data):
    """Put a hostile value somewhere in `value`: a field, an item, the whole, or an extra field."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: _mutate(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        return value[:index] + [_mutate(value[index], data)] + value[index + 1 :]
    if isinstance(value, dict) and data.draw(st.integers(0, 5)) == 0:
        return {**value, data.draw(st.sampled_from(["is_admin", "", "\x00", "region_code"])): data.draw(HOSTILE)}
    return data.draw(HOSTILE)


def _query_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def request_for(draw, route_key: str):
    models = MODELS[route_key]
    body = query = None
    if "body" in models:
        body = draw(from_schema(_schema(models["body"])))
        if draw(st.booleans()):
            body = _mutate(body, _Drawer(draw))
    if "query" in models:
        params = draw(from_schema(_schema(models["query"])))
        if draw(st.booleans()):
            params = _mutate(params, _Drawer(draw))
        query = urlencode({k: _query_text(v) for k, v in params.items()}) if isinstance(params, dict) else ""
    return body, query


class _Drawer:
    """`data.draw` for _mutate inside a composite strategy."""

    def __init__(self, draw):
        self.draw = draw


def _json(body) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: send it escaped, as JSON allows
        return json.dumps(body).encode()


@pytest.mark.parametrize("route_key", DRIVEN)
def test_no_input_gets_a_server_error_and_a_refusal_changes_nothing(world, route_key):
    route = OPERATIONS[route_key]
    path = route.path.format(**{name: world[name] for name in re.findall(r"\{(\w+)\}", route.path)})
    who = caller(route_key)
    assert route.route.roles is None or identity(who).role in route.route.roles, f"{who} is refused before the input is read"

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(request=request_for(route_key))
    def check(request):
        body, query = request
        before = tables_now()
        status, answer = call(
            route.route.method, path, who, _json(body) if "body" in MODELS[route_key] else None, query=query or ""
        )
        assert status < 500, (route_key, body, query, answer)
        if 400 <= status < 500:
            assert tables_now() == before, (route_key, body, query, status, answer)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: NOW)
        check()


def test_every_route_is_driven_or_takes_no_input():
    """A route added to serverless.yml without a handler function would be missed: every route reaches
    a decorated function."""
    reached = {o.deployed.route_key for o in OPERATIONS.values()}
    assert reached == {r.route_key for r in serverless_config.routes()}
    assert len(DRIVEN) >= 50
