"""Art. 3 scope by the credit code's class, Art. 4/8 territory, Art. 12 exception grounds: pure rules."""

import pytest

from sheqi.rules.articles import ART
from sheqi.rules.jurisdiction import enterprise_scope, territory_findings
from sheqi.rules.scan_rules import EXCEPTION_GROUNDS, exception_ground_finding


@pytest.mark.parametrize(
    "code,scope",
    [
        ("91130722MA0A1B2C3U", "enterprise"),
        ("92130722MA0A1B2C3Q", "by_reference"),
        ("93130722MA0A1B2C3M", "by_reference"),
        ("12130700000013070L", "out_of_scope"),
        ("51130700MJ0000000J", "out_of_scope"),
        ("52130700MJ0000000F", "out_of_scope"),
        ("53130700MJ0000000C", "out_of_scope"),
        ("11130722000013072R", "out_of_scope"),
    ],
)
def test_what_is_an_enterprise_under_article_3(code, scope):
    found, why = enterprise_scope(code)
    assert found == scope
    assert (why is None) == (scope != "out_of_scope")
    if why:
        assert why.code == "not_an_enterprise" and why.article == ART[3]


def test_public_institutions_and_foundations_are_named():
    assert "事业单位" in enterprise_scope("12130700000013070L")[1].message
    assert "基金会" in enterprise_scope("53130700MJ0000000C")[1].message


def test_a_county_agency_inspects_its_own_county_and_a_city_agency_the_city():
    def codes(agency, lead, enterprise):
        return [
            f.code
            for f in territory_findings(agency_region=agency, lead_region=lead, enterprise_region=enterprise, enterprise="某公司")
        ]

    assert codes("130722", "130722", "130722") == []
    assert codes("130722", "130722", "130730") == ["outside_jurisdiction"]
    assert codes("130700", "130700", "130730") == []
    assert codes("130700", "130700", "130900") == ["outside_jurisdiction"]  # another city
    assert codes("130722", "130730", "130730") == []  # a participant under a competent lead
    assert codes("130722", "130723", "130730") == ["lead_not_competent"]
    found = territory_findings(agency_region="130722", lead_region="130722", enterprise_region="130730", enterprise="某公司")
    assert found[0].article == ART[8] and "怀来县" in found[0].message and "张北县" in found[0].message


def test_every_exception_reason_names_the_ground_it_needs():
    assert exception_ground_finding(1, "complaint") is None
    assert exception_ground_finding(5, "enterprise_request") is None
    wrong = exception_ground_finding(5, "complaint")
    assert wrong.code == "exception_ground_mismatch" and wrong.article == ART[12] and "检查申请" in wrong.message
    assert exception_ground_finding(3, "referral").code == "exception_ground_mismatch"
    assert set(EXCEPTION_GROUNDS) == {1, 2, 3, 4, 5}
