"""The committed OpenAPI document is what the code generates, and it says what the router enforces."""

import json

from local import openapi, serverless_config
from sheqi.auth import ROLES
from tests.helpers import call

SPEC = json.loads(openapi.SPEC.read_text())


def test_committed_spec_is_what_the_code_generates():
    assert openapi.text() == openapi.SPEC.read_text(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_deployed_route_is_documented_and_signed_in_as_deployed():
    operations = openapi.operations()
    assert {o.deployed.route_key for o in operations} == {r.route_key for r in serverless_config.routes()}
    for o in operations:
        assert o.route.signed_in == o.deployed.authorized, o.key  # the JWT authoriser guards exactly these
        documented = SPEC["paths"][o.path][o.route.method.lower()]
        assert documented["security"] == ([{"bearerJWT": []}] if o.deployed.authorized else []), o.key
        assert any("\u4e00" <= c <= "\u9fff" for c in documented["summary"]), o.key  # a Chinese summary


def test_one_of_codes_are_enums_and_errors_list_their_codes():
    complaint = SPEC["components"]["schemas"]["ComplaintIn"]["properties"]
    assert complaint["subject"]["enum"] == ["refused_attempt", "unregistered_inspection", "visit"]
    assert "enum" in complaint["prohibited_practices"]["items"]
    answers = SPEC["paths"]["/complaints"]["post"]["responses"]
    assert answers["403"]["content"]["application/json"]["schema"]["properties"]["error"]["properties"]["code"]["enum"] == [
        "out_of_scope",
        "role_not_allowed",
    ]
    assert SPEC["paths"]["/scans"]["post"]["requestBody"]["content"]["application/json"]["examples"]["sample"]["value"]


def test_declared_roles_are_enforced_before_the_body_is_read(demo):
    # An inspector may not file a complaint: refused for the role, whatever the (here empty) body.
    status, answer = call("POST", "/complaints", "market-wang", b"")
    assert (status, answer["error"]["code"]) == (403, "role_not_allowed")
    assert SPEC["paths"]["/complaints"]["post"]["x-roles"] == ["enterprise"]
    assert SPEC["paths"]["/notices"]["get"]["x-roles"] == list(ROLES)


def test_a_literal_path_parameter_is_an_enum_and_takes_no_other_value(demo):
    parameter = SPEC["paths"]["/science/{collection}/{region_code}/{key}/done"]["post"]["parameters"][0]
    assert parameter["name"] == "collection" and "rectifications" in parameter["schema"]["enum"]
    status, answer = call("POST", "/science/plans/130700/x/done", "science-city", {"done_on": "2026-06-01"})
    assert (status, answer["error"]["code"]) == (404, "route_not_found")
    status, answer = call("POST", "/science/projects/130700/none/done", "science-city", {"done_on": "2026-06-01"})
    assert (status, answer["error"]["code"]) == (404, "obligation_not_found")


def test_the_door_page_is_documented_beside_the_json():
    answers = SPEC["paths"]["/c/{token}"]["get"]["responses"]
    assert set(answers["200"]["content"]) == set(answers["422"]["content"]) == {"application/json", "text/html"}
    assert set(answers["500"]["content"]) == {"application/json"}  # the router's own errors are JSON
