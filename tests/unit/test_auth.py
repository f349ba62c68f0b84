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
    assert raised.value.code == "invalid_signature"


@pytest.mark.parametrize(
    "claims,code",
    [
        (None, "unauthorized"),
        ({"role": "inspector"}, "unauthorized"),
        ({"sub": "x", "role": "mayor"}, "invalid_role"),
        ({"sub": "x", "role": "inspector", "agency_id": "A1"}, "incomplete_claims"),  # no region
        ({"sub": "x", "role": "enterprise"}, "incomplete_claims"),
    ],
)
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


def _signed(claims: dict) -> str:
    import jwt

    return jwt.encode(
        {"sub": "p", "role": "platform_admin", "iss": auth.ISSUER, "aud": auth.AUDIENCE, **claims}, SECRET, algorithm="HS256"
    )


@pytest.mark.parametrize(
    "times,code",
    [
        ({"iat": 1_700_000_000}, "invalid_time_claims"),  # no exp: a token that never expires
        ({"exp": 4_000_000_000}, "invalid_time_claims"),  # no iat
        ({"iat": 1_700_000_000, "exp": "4000000000"}, "invalid_time_claims"),
        ({"iat": "1700000000", "exp": 4_000_000_000}, "invalid_time_claims"),
        ({"iat": 1_700_000_000, "exp": True}, "invalid_time_claims"),
        ({"iat": 1_700_000_000, "exp": 4_000_000_000, "nbf": "0"}, "invalid_time_claims"),
        ({"iat": 4_000_000_000, "exp": 4_000_000_100}, "invalid_token"),  # issued in the future
    ],
)
def test_exp_and_iat_must_be_numbers_as_api_gateway_requires(times, code):
    with pytest.raises(Unauthorized) as raised:
        auth.verify_token(_signed(times), SECRET)
    assert raised.value.code == code


def test_numeric_exp_and_iat_pass():
    import time

    now = int(time.time())
    assert auth.verify_token(_signed({"iat": now - 5, "exp": now + 60.5}), SECRET)["sub"] == "p"
