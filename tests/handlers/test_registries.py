"""Registry handlers on real-shaped events against the moto server."""

import copy
import json

import pytest

from local.demo_data import ENTERPRISES, LAB, MARKET, POLICE
from local.invoke import invoke
from sheqi.store.registers import Enterprise, Inspector, Item
from tests.helpers import call, sample_event

E1, E4 = ENTERPRISES[0]["enterprise_id"], ENTERPRISES[3]["enterprise_id"]  # 张北, 怀来


def test_sample_create_event_registers_the_enterprise(demo):
    event = sample_event("http/create_enterprise.json")
    result = invoke("functions/enterprises/handler.handler", "enterprises", event)
    assert result["statusCode"] == 201, result["body"]
    saved = Enterprise.get("91130722MA0R7T8U9H")
    assert saved.name == "张北县光伏新能源有限公司" and saved.credit_tier == "average"
    again = invoke("functions/enterprises/handler.handler", "enterprises", event)
    assert again["statusCode"] == 409 and json.loads(again["body"])["error"]["code"] == "already_exists"


def test_sample_get_event_reads_own_record(demo):
    result = invoke("functions/enterprises/handler.handler", "enterprises", sample_event("http/get_enterprise.json"))
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["name"] == ENTERPRISES[0]["name"]


def test_enterprise_asking_for_another_by_id_is_refused_without_leaking_existence(demo):
    event = sample_event("http/get_enterprise.json")
    for other in (E4, "91130722MA0R7T8U9H"):  # exists / does not exist: same answer
        forged = copy.deepcopy(event)
        forged["pathParameters"]["enterprise_id"] = other
        forged["rawPath"] = forged["requestContext"]["http"]["path"] = f"/enterprises/{other}"
        result = invoke("functions/enterprises/handler.handler", "enterprises", forged)
        assert result["statusCode"] == 403
        assert json.loads(result["body"])["error"]["code"] == "out_of_scope"


def test_bad_check_character_is_named(demo):
    body = json.loads(sample_event("http/create_enterprise.json")["body"])
    body["enterprise_id"] = body["enterprise_id"][:-1] + "X"
    status, answer = call("POST", "/enterprises", "platform", body)
    assert status == 422
    assert answer["error"]["code"] == "invalid_uscc_check_character"
    assert answer["error"]["field"] == "enterprise_id"
    assert "校验位" in answer["error"]["message"]


def test_credit_change_requires_source_and_is_versioned(demo):
    status, answer = call("PATCH", f"/enterprises/{E1}", "platform", {"credit_tier": "poor"})
    assert status == 422 and "credit_source" in answer["error"]["message"]
    status, answer = call(
        "PATCH", f"/enterprises/{E1}", "platform", {"credit_tier": "poor", "credit_source": "张北县市场监督管理局 经营异常名录"}
    )
    assert status == 200 and answer["credit_tier"] == "poor"
    assert Enterprise.get(E1).credit_source == "张北县市场监督管理局 经营异常名录"


def test_listing_by_region_paginates_with_a_cursor(demo):
    status, first = call("GET", "/enterprises", "judicial-city", query="region_code=130722&limit=2")
    assert status == 200 and len(first["items"]) == 2 and first["next_cursor"]
    status, second = call(
        "GET", "/enterprises", "judicial-city", query=f"region_code=130722&limit=2&cursor={first['next_cursor']}"
    )
    ids = [e["enterprise_id"] for e in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 3 and second["next_cursor"] is None
    status, answer = call("GET", "/enterprises", "judicial-zhangbei", query="region_code=130730")
    assert status == 403


def test_agency_without_enforcement_power_is_recorded_and_flagged(demo):
    status, lab = call("GET", f"/agencies/{LAB}", "admin-lab")
    assert status == 200
    assert lab["may_inspect"] is False
    assert lab["findings"][0]["code"] == "agency_without_enforcement_power"
    assert lab["findings"][0]["article"].endswith("第四条")
    status, market = call("GET", f"/agencies/{MARKET}", "admin-market")
    assert market["may_inspect"] is True


def test_agency_level_must_match_region(demo):
    status, answer = call(
        "POST",
        "/agencies",
        "platform",
        {
            "agency_id": "11130722000013099H",
            "name": "张北县应急管理局",
            "level": "city",
            "region_code": "130722",
            "kind": "enforcement_agency",
        },
    )
    assert status == 422 and "层级" in answer["error"]["message"]


@pytest.mark.parametrize(
    "inspector,codes",
    [
        ("market-wang", []),
        ("market-zhao", ["certificate_expired"]),
        ("market-aux-sun", ["not_formal_staff", "no_certificate"]),
        ("police-zhang", []),
        ("lab-chen", ["agency_without_enforcement_power"]),
    ],
)
def test_inspector_qualification_reflects_article_4(demo, inspector, codes):
    status, answer = call("GET", f"/inspectors/{inspector}", inspector)
    assert status == 200
    assert [f["code"] for f in answer["qualification"]["findings"]] == codes
    assert answer["qualification"]["may_inspect"] is (codes == [])


def test_enterprise_verifies_a_certificate_at_the_door(demo):
    status, answer = call("GET", "/certificates/13072201003", "enterprise-1")
    assert status == 200
    assert answer["name"] == "赵志强" and answer["agency_name"] == "张北县市场监督管理局"
    assert answer["may_inspect"] is False and answer["findings"][0]["code"] == "certificate_expired"
    assert "staff_category" not in answer and "inspector_id" not in answer
    status, answer = call("GET", "/certificates/99999999", "enterprise-1")
    assert status == 404 and answer["error"]["code"] == "certificate_not_found"


def test_certificate_numbers_are_unique(demo):
    spec = {
        "name": "周新",
        "staff_category": "formal",
        "certificate_no": "13072201001",
        "certificate_kind": "enforcement",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
    }
    status, answer = call("POST", f"/agencies/{MARKET}/inspectors", "admin-market", spec)
    assert status == 409 and answer["error"]["field"] == "certificate_no"
    assert [i.name for i in Inspector.by_agency.query(MARKET) if i.name == "周新"] == []


def test_suspending_an_inspector_withdraws_qualification(demo):
    status, answer = call(
        "PATCH", "/inspectors/market-wang", "admin-market", {"status": "suspended", "reason": "涉嫌违规检查，暂停执法资格"}
    )
    assert status == 200
    assert [f["code"] for f in answer["qualification"]["findings"]] == ["inspector_suspended"]
    status, _ = call("PATCH", "/inspectors/police-zhang", "admin-market", {"status": "suspended", "reason": "越权操作"})
    assert status == 403
    assert Inspector.get("police-zhang").status == "active"


def test_items_publish_and_public_list(demo):
    item = {
        "item_id": "price-check",
        "name": "明码标价检查",
        "legal_basis": "《中华人民共和国价格法》第十三条",
        "responsible_unit": "价格监督检查股",
        "frequency_caps": {"good": 1, "average": 2, "poor": 3},
    }
    status, created = call("POST", f"/agencies/{MARKET}/items", "admin-market", item)
    assert status == 201 and created["status"] == "draft"
    _, public = call("GET", f"/public/agencies/{MARKET}/items")
    assert "price-check" not in [i["item_id"] for i in public["items"]]  # Art. 14: unpublished
    status, published = call("POST", f"/agencies/{MARKET}/items/price-check/publish", "admin-market")
    assert status == 200 and published["published_on"]
    _, public = call("GET", f"/public/agencies/{MARKET}/items")
    assert "price-check" in [i["item_id"] for i in public["items"]]
    status, _ = call("POST", f"/agencies/{MARKET}/items/price-check/withdraw", "admin-police")
    assert status == 403


def test_item_caps_must_fall_with_better_credit(demo):
    item = {
        "item_id": "odd-caps",
        "name": "倒挂频次事项",
        "legal_basis": "《某某条例》第一条",
        "responsible_unit": "综合股",
        "frequency_caps": {"good": 3, "average": 2, "poor": 1},
    }
    status, answer = call("POST", f"/agencies/{MARKET}/items", "admin-market", item)
    assert status == 422
    assert answer["error"]["code"] == "caps_not_by_credit" and answer["error"]["article"].endswith("第十八条")
    with pytest.raises(Item.DoesNotExist):
        Item.get(MARKET, "odd-caps")


def test_police_agency_staff_need_police_certificates(demo):
    spec = {
        "inspector_id": "police-new",
        "name": "马文",
        "staff_category": "formal",
        "certificate_no": "13073001009",
        "certificate_kind": "enforcement",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
    }
    status, answer = call("POST", f"/agencies/{POLICE}/inspectors", "admin-police", spec)
    assert status == 201
    assert [f["code"] for f in answer["qualification"]["findings"]] == ["certificate_kind_mismatch"]


def test_published_items_by_region(demo):
    status, answer = call("GET", "/public/items", query="region_code=130722")
    assert status == 200 and answer["region_name"] == "张北县"
    assert [(a["name"], sorted(i["item_id"] for i in a["items"])) for a in answer["agencies"]] == [
        ("张北县市场监督管理局", ["food-business", "special-equipment"])
    ]
    assert call("GET", "/public/items", query="region_code=99")[0] == 422
