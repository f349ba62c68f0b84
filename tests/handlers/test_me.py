"""`GET /me`: the phone's first call, for every role: who the token names, with the registry's record."""

import json

import pytest

from local.demo_data import ENTERPRISES, IDENTITIES, MARKET, POLICE
from local.invoke import invoke
from tests.helpers import call, sample_event


def test_an_inspector_learns_their_agency_and_certificate_with_its_validity(june):
    status, me = call("GET", "/me", "market-wang")
    assert status == 200
    assert (me["subject"], me["role"], me["roles"], me["notice_box"]) == (
        "market-wang",
        "inspector",
        ["inspector"],
        "inspector:market-wang",
    )
    assert me["agency"]["agency_id"] == MARKET and me["agency"]["name"] == "张北县市场监督管理局"
    assert me["inspector"]["name"] and me["inspector"]["status"] == "active"
    certificate = me["certificate"]
    assert certificate["certificate_no"] and certificate["valid_until"] > "2026-06-15"
    assert certificate["may_inspect"] is True and certificate["as_of"] == "2026-06-15"
    assert me["region"]["region_code"] == "130722"


@pytest.mark.parametrize("who", [n for n, (_, i) in IDENTITIES.items() if i.role == "inspector"])
def test_each_inspectors_certificate_validity_is_the_registrys(june, who):
    status, me = call("GET", "/me", who)
    _, check = (
        call("GET", f"/certificates/{me['certificate']['certificate_no']}", "enterprise-1")
        if me["certificate"]["certificate_no"]
        else (None, None)
    )
    assert status == 200
    if check is not None:
        assert check["may_inspect"] == me["certificate"]["may_inspect"]
    else:  # an auxiliary without a certificate may not inspect (Art. 4)
        assert me["certificate"]["may_inspect"] is False and me["certificate"]["findings"]


def test_an_enterprise_sees_its_own_record_summary_and_not_its_credit_tier(june):
    status, me = call("GET", "/me", "enterprise-1")
    assert status == 200 and me["role"] == "enterprise"
    assert me["enterprise"]["enterprise_id"] == ENTERPRISES[0]["enterprise_id"]
    assert me["enterprise"]["name"] == ENTERPRISES[0]["name"] and me["enterprise"]["code_status"] == "active"
    assert "credit_tier" not in json.dumps(me) and "agency" not in me and "certificate" not in me


@pytest.mark.parametrize(
    "who,keys",
    [
        ("admin-police", {"agency"}),
        ("judicial-zhangbei", {"region"}),
        ("science-city", {"region"}),
        ("government-zhangbei", {"region"}),
        ("platform", set()),
    ],
)
def test_every_other_role_gets_its_scope(june, who, keys):
    status, me = call("GET", "/me", who)
    assert status == 200
    assert {"agency", "region", "enterprise", "inspector", "certificate"} & set(me) == keys | (
        {"region"} if who.startswith("admin") else set()
    )
    if "agency" in keys:
        assert me["agency"]["agency_id"] == POLICE


def test_every_role_has_its_label():
    from sheqi.auth import ROLES
    from sheqi.registry.registers import ROLE_LABELS

    assert set(ROLE_LABELS) == set(ROLES)


def test_a_token_naming_no_registered_inspector_is_a_404(june):
    from sheqi.auth import Identity

    status, body = call("GET", "/me", Identity("nobody", "inspector", agency_id=MARKET, region_code="130722"))
    assert status == 404 and body["error"]["code"] == "inspector_not_found" and body["error"]["request_id"]


def test_the_sample_event(june):
    event = sample_event("http/get_me.json")
    result = invoke("functions/inspectors/handler.handler", "inspectors", event)
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["certificate"]["may_inspect"] is True
