from datetime import date

import pytest

from sheqi.rules import qualification

TODAY = date(2026, 11, 25)
QUALIFIED = dict(
    staff_category="formal",
    status="active",
    certificate_no="13072201001",
    certificate_kind="enforcement",
    valid_from=date(2025, 1, 1),
    valid_until=date(2027, 12, 31),
    agency_kind="enforcement_agency",
    agency_certificate_kind="enforcement",
    on=TODAY,
)


def codes(**changes):
    return [f.code for f in qualification.inspector_findings(**{**QUALIFIED, **changes})]


def test_formal_certified_inspector_of_an_enforcement_agency_may_inspect():
    assert codes() == []


@pytest.mark.parametrize("kind", qualification.AGENCY_KINDS_WITHOUT_POWER)
def test_bodies_without_enforcement_power_may_not_inspect(kind):
    assert codes(agency_kind=kind) == ["agency_without_enforcement_power"]


@pytest.mark.parametrize("kind", qualification.AGENCY_KINDS_WITH_POWER)
def test_bodies_with_power_may(kind):
    assert codes(agency_kind=kind) == []


@pytest.mark.parametrize("category", ["auxiliary", "grid_worker", "temporary"])
def test_non_formal_staff_may_not_inspect_even_with_a_certificate(category):
    assert codes(staff_category=category) == ["not_formal_staff"]


def test_auxiliary_without_certificate_has_both_findings():
    assert codes(staff_category="auxiliary", certificate_no=None, certificate_kind=None, valid_from=None, valid_until=None) == [
        "not_formal_staff",
        "no_certificate",
    ]


def test_certificate_validity_bounds_are_inclusive():
    assert codes(valid_until=TODAY) == []
    assert codes(valid_from=TODAY) == []
    assert codes(valid_until=date(2026, 11, 24)) == ["certificate_expired"]
    assert codes(valid_from=date(2026, 11, 26)) == ["certificate_not_yet_valid"]


def test_police_agency_needs_police_certificate():
    assert codes(agency_certificate_kind="police") == ["certificate_kind_mismatch"]
    assert qualification.inspector_findings(**{**QUALIFIED, "agency_certificate_kind": "police"})[0].article.endswith("第十九条")
    assert codes(agency_certificate_kind="police", certificate_kind="police") == []


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_suspended_or_revoked_may_not_inspect(status):
    assert codes(status=status) == [f"inspector_{status}"]


def test_every_finding_cites_article_4():
    findings = qualification.inspector_findings(
        **{**QUALIFIED, "agency_kind": "intermediary", "staff_category": "temporary", "status": "revoked"}
    )
    assert len(findings) == 3
    assert all(f.article.endswith("第四条") and f.message for f in findings)
