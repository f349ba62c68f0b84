import pytest

from sheqi import auth
from sheqi.auth import Identity
from sheqi.errors import Forbidden, Unauthorized

SECRET = "test-secret-" + "x" * 32


def test_token_round_trip_gives_the_same_identity():
    who = Identity("market-wang", "inspector", agency_id="A1", region_code="130722")
    claims = auth.verify_token(auth.issue_token(who, SECRET), SECRET)
    assert Identity.from_claims(claims) == who


def test_expired_and_forged_tokens_are_refused():
    who = Identity("p", "platform_admin")
    with pytest.raises(Unauthorized) as raised:
        auth.verify_token(auth.issue_token(who, SECRET, ttl_seconds=-10), SECRET)
    assert raised.value.code == "token_expired"
    with pytest.raises(Unauthorized) as raised:
        auth.verify_token(auth.issue_token(who, "another-secret-" + "y" * 32), SECRET)
    assert raised.value.code == "invalid_token"


@pytest.mark.parametrize("claims,code", [
    (None, "unauthorized"),
    ({"role": "inspector"}, "unauthorized"),
    ({"sub": "x", "role": "mayor"}, "invalid_role"),
    ({"sub": "x", "role": "inspector", "agency_id": "A1"}, "incomplete_claims"),   # no region
    ({"sub": "x", "role": "enterprise"}, "incomplete_claims"),
])
def test_claims_without_role_or_scope_are_refused(claims, code):
    with pytest.raises(Unauthorized) as raised:
        Identity.from_claims(claims)
    assert raised.value.code == code


def test_enterprise_sees_only_itself():
    me = Identity("e1", "enterprise", enterprise_id="E1")
    assert auth.can_see_enterprise(me, "E1", "130722")
    assert not auth.can_see_enterprise(me, "E2", "130722")


def test_region_scoped_roles_see_their_jurisdiction_only():
    city_judicial = Identity("j", "judicial", region_code="130700")
    county_admin = Identity("a", "agency_admin", agency_id="A1", region_code="130722")
    assert auth.can_see_enterprise(city_judicial, "E", "130730")
    assert auth.can_see_enterprise(county_admin, "E", "130722")
    assert not auth.can_see_enterprise(county_admin, "E", "130730")


def test_agency_visibility():
    admin = Identity("a", "agency_admin", agency_id="A1", region_code="130722")
    assert auth.can_see_agency(admin, "A1", "130722")
    assert not auth.can_see_agency(admin, "A2", "130722")
    assert not auth.can_see_agency(Identity("e", "enterprise", enterprise_id="E"), "A1", "130722")
    assert auth.can_manage_agency_staff(admin, "A1") and not auth.can_manage_agency_staff(admin, "A2")


def test_require_role():
    auth.require_role(Identity("p", "platform_admin"), "platform_admin")
    with pytest.raises(Forbidden):
        auth.require_role(Identity("e", "enterprise", enterprise_id="E"), "platform_admin")
