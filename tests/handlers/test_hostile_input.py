"""Hostile input never gets a server error, and a refused request changes nothing: each cause the
attack run of issue 12 found, fixed where it arose (shared types in sheqi.numbers and sheqi.edge.api)."""

import base64
import json

from local.demo_data import ENTERPRISES, MARKET
from sheqi import clock
from sheqi.store.registers import Enterprise
from tests.helpers import call

E1 = ENTERPRISES[0]["enterprise_id"]
HOSTILE_DECIMALS = [
    "NaN",
    "sNaN",
    "-NaN",
    "abc",
    "Infinity",
    "-Infinity",
    "1e999999999",
    "1e-999999999",
    "0x10",
    "",
    "1_0",
    "١",
    "0",
    "-0.5",
    "1.5",
    "0.12345678901234",
]


def tables_now() -> dict:
    """Every item of every table: what "nothing changed" is checked against. Read from the memory of
    the moto server, which the tests run in this process (scanning every table over HTTP for every
    request would take most of the property test's time)."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends["123456789012"]["cn-north-1"]
    return {
        name: sorted(json.dumps(item.to_json(), sort_keys=True) for item in table.all_items())
        for name, table in sorted(backend.tables.items())
    }


def plan(ratio) -> dict:
    year = clock.today().year + 2
    return {
        "year": year,
        "entries": [
            {
                "item_id": "food-business",
                "legal_basis": "《中华人民共和国食品安全法》第八十七条",
                "inspecting_body": "张北县市场监督管理局",
                "region_codes": ["130722"],
                "scope": "辖区食品经营者",
                "sampling_ratio": ratio,
                "window_start": f"{year}-03-01",
                "window_end": f"{year}-11-30",
                "method": "on_site",
                "frequency": 1,
            }
        ],
    }


def test_a_sampling_ratio_is_a_plain_decimal_in_0_to_1(demo):
    for ratio in HOSTILE_DECIMALS + [0.2]:
        before = tables_now()
        status, answer = call("POST", f"/agencies/{MARKET}/plans", "admin-market", plan(ratio))
        assert status == 422 and answer["error"]["field"] == "entries.0.sampling_ratio", (ratio, answer)
        assert tables_now() == before
    assert call("POST", f"/agencies/{MARKET}/plans", "admin-market", plan("0.25"))[0] == 201


def test_draw_tier_weights_are_plain_positive_decimals(demo):
    for weight in [w for w in HOSTILE_DECIMALS if w != "1.5"] + ["1001", 2]:
        before = tables_now()
        status, answer = call(
            "POST",
            f"/agencies/{MARKET}/draws",
            "admin-market",
            {
                "year": clock.today().year,
                "version": 1,
                "entry_index": 0,
                "seed": "2026年第138期福彩3D",
                "draw_date": clock.today().isoformat(),
                "tier_weights": {"good": weight, "average": "1", "poor": "2"},
            },
        )
        assert status == 422 and answer["error"]["field"].startswith("tier_weights"), (weight, answer)
        assert tables_now() == before


def test_draw_tasks_across_the_year_end_are_refused_clearly(demo):
    year = clock.today().year
    status, draw = call(
        "POST",
        f"/agencies/{MARKET}/draws",
        "admin-market",
        {"year": year, "version": 1, "entry_index": 0, "seed": "2026年第138期福彩3D", "draw_date": clock.today().isoformat()},
    )
    assert status == 201, draw
    before = tables_now()
    status, answer = call(
        "POST",
        f"/draws/{draw['draw_id']}/tasks",
        "admin-market",
        {"window_start": f"{year}-12-30T09:00:00+08:00", "window_end": f"{year + 1}-01-05T17:00:00+08:00"},
    )
    assert status == 422 and answer["error"]["field"] == "window_end" and "跨年度" in answer["error"]["message"], answer
    assert tables_now() == before


def test_null_for_a_required_field_in_a_patch_is_refused(demo):
    for field in ["name", "credit_tier", "credit_source"]:
        before = tables_now()
        status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {field: None})
        assert status == 422 and answer["error"]["field"] == field and not answer["error"]["message"].isascii(), answer
        assert tables_now() == before


def test_null_clears_an_optional_field_in_a_patch(demo):
    status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {"contact_name": None})
    assert status == 200 and answer["contact_name"] is None
    status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {"latitude": None})
    assert status == 422 and "latitude" in answer["error"]["message"]  # a position is both or neither
    status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {"latitude": None, "longitude": None})
    assert status == 200 and answer["latitude"] is None and answer["longitude"] is None


def test_coordinates_are_kept_to_a_centimetre_within_their_range(demo):
    for latitude in [40.123456789012345, 1e-50, -0.0]:
        status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {"latitude": latitude, "longitude": 114.7})
        assert status == 200, answer
        assert float(Enterprise.get(E1).latitude) == round(latitude, 7)
    for latitude in [90.0000001, -91, 1e308, "40.1", 5e-324, -5e-324, 2.2250738585072014e-308, 1e-131]:
        before = tables_now()
        status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {"latitude": latitude, "longitude": 114.7})
        assert status == 422 and answer["error"]["field"] == "latitude", (latitude, answer)
        assert tables_now() == before


def test_empty_or_huge_strings_never_become_keys(demo):
    for body in [
        {"recipient": "", "notice_id": "x"},
        {"recipient": "platform", "notice_id": ""},
        {"recipient": "   ", "notice_id": "x"},
        {"recipient": "a" * 5000, "notice_id": "x"},
    ]:
        before = tables_now()
        status, answer = call("POST", "/deliveries/dead-letters/retry", "platform", body)
        assert status == 422 and answer["error"]["field"] in body, answer
        assert tables_now() == before
    for path in [
        "/visits/{}",
        "/tasks/{}",
        "/complaints/{}",
        "/letters/{}",
        "/draws/{}",
        "/subsidies/runs/{}",
        "/inspectors/{}",
        "/enterprises/{}",
    ]:
        status, answer = call("GET", path.format("x" * 3000), "platform")
        assert status == 422 and answer["error"]["code"] == "invalid_path_parameter", answer
    status, answer = call("GET", "/enterprises", "platform", query="region_code=")
    assert status == 422 and answer["error"]["field"] == "region_code", answer
    for empty in ["", "x" * 5000]:  # ids in bodies that the store looks up
        before = tables_now()
        status, answer = call(
            "POST",
            "/complaints",
            "enterprise-1",
            {"subject": "refused_attempt", "scan_id": empty, "description": "检查人员未扫码即进入企业开展检查了"},
        )
        assert status == 422 and answer["error"]["field"] == "scan_id", answer
        status, answer = call(
            "POST",
            "/letters",
            "judicial-zhangbei",
            {"agency_id": MARKET, "findings": ["发现问题一"], "requirements": "限期整改并书面答复", "case_ids": [empty]},
        )
        assert status == 422 and answer["error"]["field"] == "case_ids.0", answer
        assert tables_now() == before


def forged(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


FORGED_CURSORS = [
    forged({"enterprise_id": {"S": E1}}),  # the table's key, not the index's
    forged({"region_code": {"N": "130722"}, "enterprise_id": {"S": E1}}),  # a number where a string is
    forged({"region_code": {"S": "130730"}, "enterprise_id": {"S": E1}}),  # another partition
    forged({"region_code": {"S": ""}, "enterprise_id": {"S": ""}}),
    forged({"region_code": {"S": "130722"}, "enterprise_id": {"S": E1}, "x": {"S": "1"}}),
    forged({"region_code": {"BOOL": True}, "enterprise_id": {"S": E1}}),
    forged({"region_code": "130722", "enterprise_id": E1}),
    forged([1, 2]),
    forged("text"),
    forged(7),
    forged(None),
    "%%%",
    "bm90IGpzb24",
]


def test_a_forged_cursor_is_a_400_and_a_real_one_pages_on(demo):
    for cursor in FORGED_CURSORS:
        status, answer = call("GET", "/enterprises", "platform", query=f"region_code=130722&cursor={cursor}")
        assert status == 400 and answer["error"]["code"] == "invalid_cursor" and answer["error"]["field"] == "cursor", answer
    status, first = call("GET", "/enterprises", "platform", query="region_code=130722&limit=1")
    assert status == 200 and first["next_cursor"]
    status, second = call("GET", "/enterprises", "platform", query=f"region_code=130722&limit=1&cursor={first['next_cursor']}")
    assert status == 200 and second["items"][0]["enterprise_id"] != first["items"][0]["enterprise_id"]


def test_a_date_outside_the_years_served_is_refused_before_any_deadline_is_counted(demo):
    """A project ending 9999-12-31 would have its acceptance due beyond the calendar (a 500 before)."""
    for day in ["9999-12-31", "0001-01-01", "2101-01-01", "1999-12-31"]:
        before = tables_now()
        status, answer = call(
            "POST",
            "/science/projects",
            "science-city",
            {"project_id": "p-1", "name": "测试项目", "unit_name": "测试单位", "region_code": "130722", "ended_on": day},
        )
        assert status == 422 and answer["error"]["field"] == "ended_on", (day, answer)
        assert tables_now() == before
    status, answer = call(
        "POST",
        f"/draws/{'0' * 32}/tasks",
        "admin-market",
        {"window_start": "9999-12-31T09:00:00+08:00", "window_end": "9999-12-31T10:00:00+08:00"},
    )
    assert status == 422 and answer["error"]["field"] == "window_start", answer
