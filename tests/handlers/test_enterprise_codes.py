"""Scan-in codes: issue, verify at the door, re-issue revokes the old code."""

from local.demo_data import ENTERPRISES
from sheqi.signing import codes
from tests.helpers import call

E1 = ENTERPRISES[0]["enterprise_id"]


def token_of(path_or_url: str) -> str:
    return path_or_url.rsplit("/", 1)[1]


def test_door_view_shows_only_what_a_person_at_the_door_may_see(demo):
    status, code = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    assert status == 200 and code["url"].endswith(code["token"])
    status, door = call("GET", f"/public/codes/{token_of(code['url'])}")
    assert status == 200
    assert door["valid"] is True and door["name"] == ENTERPRISES[0]["name"] and door["region_name"] == "张北县"
    for private in ("contact_phone", "credit_tier", "address", "contact_name"):
        assert private not in door


def test_reissue_revokes_the_old_code_with_a_clear_reason(demo):
    _, old = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    status, new = call("POST", f"/enterprises/{E1}/code/reissue", "enterprise-1")
    assert status == 201 and new["code_version"] == old["code_version"] + 1
    status, answer = call("GET", f"/public/codes/{old['token']}")
    assert status == 422
    assert answer["error"]["code"] == "code_superseded" and "作废" in answer["error"]["message"]
    assert call("GET", f"/public/codes/{new['token']}")[0] == 200


def test_forged_and_unknown_codes(demo):
    _, code = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    other = ENTERPRISES[1]["enterprise_id"]
    status, answer = call("GET", f"/public/codes/{code['token'].replace(E1, other)}")
    assert status == 422 and answer["error"]["code"] == "code_signature_invalid"
    unregistered = codes.sign("91130722MA0R7T8U9H", 1)  # genuinely signed, enterprise not registered
    status, answer = call("GET", f"/public/codes/{unregistered}")
    assert status == 422 and answer["error"]["code"] == "code_enterprise_unknown"
    status, answer = call("GET", "/public/codes/not-a-code")
    assert status == 422 and answer["error"]["code"] == "code_malformed" and answer["error"]["field"] == "token"
