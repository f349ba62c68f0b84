"""Bad input gets a 4xx in the one error shape, naming the field, and writes nothing."""

import json

import pytest

from local.demo_data import MARKET
from sheqi.store.registers import Enterprise, Inspector
from tests.helpers import call, sample_event

GOOD = json.loads(sample_event("http/create_enterprise.json")["body"])
NEW_ID = GOOD["enterprise_id"]


@pytest.mark.parametrize(
    "body,status,code,field",
    [
        (b'{"enterprise_id": "91130722MA0R7T8U9H", ', 400, "malformed_json", None),
        (b"[1, 2, 3]", 422, "invalid_field", None),
        (b"", 400, "empty_body", None),
        ({**GOOD, "credit_tier": 3}, 422, "invalid_field", "credit_tier"),
        ({**GOOD, "credit_tier": "excellent"}, 422, "invalid_field", "credit_tier"),
        ({**GOOD, "is_admin": True}, 422, "invalid_field", "is_admin"),
        ({k: v for k, v in GOOD.items() if k != "name"}, 422, "missing_field", "name"),
        ({**GOOD, "name": "Zhangbei Solar Ltd"}, 422, "invalid_field", "name"),
        ({**GOOD, "region_code": "99072"}, 422, "invalid_region_code", "region_code"),
        ({**GOOD, "contact_phone": "12345"}, 422, "invalid_field", "contact_phone"),
        ({**GOOD, "credit_rated_on": "2026-13-40"}, 422, "invalid_field", "credit_rated_on"),
        ({**GOOD, "address": "长" * 5000}, 422, "invalid_field", "address"),
        ({**GOOD, "address": "长" * 30000}, 413, "payload_too_large", None),
    ],
)
def test_bad_bodies(demo, body, status, code, field):
    got, answer = call("POST", "/enterprises", "platform", body)
    assert got == status, answer
    error = answer["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert error["message"] and not error["message"].isascii()  # a person reads it, in Chinese
    with pytest.raises(Enterprise.DoesNotExist):
        Enterprise.get(NEW_ID)


def test_wrong_content_type(demo):
    got, answer = call("POST", "/enterprises", "platform", GOOD, headers={"content-type": "text/plain"})
    assert got == 415 and answer["error"]["code"] == "unsupported_media_type"


def test_bad_query_parameters(demo):
    got, answer = call("GET", "/enterprises", "platform", query="region_code=130722&limit=0")
    assert got == 422 and answer["error"]["field"] == "limit"
    got, answer = call("GET", "/enterprises", "platform", query="region_code=130722&cursor=%%%")
    assert got == 400 and answer["error"]["field"] == "cursor"
    got, answer = call("GET", "/enterprises", "platform", query="")
    assert got == 422 and answer["error"]["code"] == "missing_field" and answer["error"]["field"] == "region_code"


def test_incomplete_certificate_is_refused_and_nothing_written(demo):
    before = {i.inspector_id for i in Inspector.by_agency.query(MARKET)}
    got, answer = call(
        "POST",
        f"/agencies/{MARKET}/inspectors",
        "admin-market",
        {"name": "钱多", "staff_category": "formal", "certificate_no": "13072209999"},
    )
    assert got == 422 and "certificate_kind" in answer["error"]["message"]
    assert {i.inspector_id for i in Inspector.by_agency.query(MARKET)} == before


def test_unknown_route_uses_the_error_shape(demo):
    from local.invoke import invoke

    event = sample_event("http/get_enterprise.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/enterprises/x/y/z"
    result = invoke("functions/enterprises/handler.handler", "enterprises", event)
    assert result["statusCode"] == 404
    assert json.loads(result["body"])["error"]["code"] == "route_not_found"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/jsonx",
        "application/json-patch+json",
        "text/json",
        "application/x-json; charset=utf-8",
        "application/json/evil",
    ],
)
def test_only_json_is_taken_as_json(demo, content_type):
    got, answer = call("POST", "/enterprises", "platform", GOOD, headers={"content-type": content_type})
    assert got == 415 and answer["error"]["code"] == "unsupported_media_type", (content_type, answer)
    with pytest.raises(Enterprise.DoesNotExist):
        Enterprise.get(NEW_ID)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        " application/json ; charset=utf-8",
    ],
)
def test_json_with_parameters_in_any_case_is_json(demo, content_type):
    got, answer = call("POST", "/enterprises", "platform", GOOD, headers={"content-type": content_type})
    assert got == 201, (content_type, answer)
