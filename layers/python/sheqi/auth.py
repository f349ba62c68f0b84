"""Identity and authorisation.

In production API Gateway's JWT authoriser verifies the bearer token and puts its claims at
`requestContext.authorizer.jwt.claims`; handlers read them from there and never verify tokens
themselves. Locally the gateway verifies tokens signed by `issue_token` and fills the same field.

Claims: `sub`, `role`, and the scope the role needs: `agency_id` + `region_code` (the agency's
region) for inspector and agency_admin, `enterprise_id` for enterprise, `region_code` (the
jurisdiction) for judicial and science_bureau, `region_code` for government: the people's government
(人民政府) of that region, which issues supervision decision letters at its judicial bureau's request
(Art. 30). A deployment gives this role to the government office (政府办) that signs for it.
"""

from __future__ import annotations

import time

from msgspec import Struct

from sheqi.errors import Forbidden, Unauthorized, ValidationError
from sheqi.rules import regions

ROLES = ("inspector", "enterprise", "agency_admin", "judicial", "science_bureau", "government", "platform_admin")
_SCOPE_CLAIMS = {
    "inspector": ("agency_id", "region_code"),
    "agency_admin": ("agency_id", "region_code"),
    "enterprise": ("enterprise_id",),
    "judicial": ("region_code",),
    "science_bureau": ("region_code",),
    "government": ("region_code",),
    "platform_admin": (),
}
ISSUER = "sheqi-local"
AUDIENCE = "sheqi-api"


class Identity(Struct, frozen=True):
    subject: str
    role: str
    agency_id: str | None = None
    enterprise_id: str | None = None
    region_code: str | None = None

    @classmethod
    def from_claims(cls, claims: dict | None) -> Identity:
        if not claims or not claims.get("sub"):
            raise Unauthorized("未登录或令牌无效，请携带有效的 Bearer 令牌")
        role = claims.get("role")
        if role not in ROLES:
            raise Unauthorized(f"令牌中的角色“{role}”无效", code="invalid_role")
        missing = [c for c in _SCOPE_CLAIMS[role] if not claims.get(c)]
        if missing:
            raise Unauthorized(f"令牌缺少角色 {role} 所需的声明 {missing[0]}", code="incomplete_claims")
        return cls(
            subject=claims["sub"],
            role=role,
            agency_id=claims.get("agency_id"),
            enterprise_id=claims.get("enterprise_id"),
            region_code=claims.get("region_code"),
        )

    def to_claims(self) -> dict:
        claims = {
            "sub": self.subject,
            "role": self.role,
            "agency_id": self.agency_id,
            "enterprise_id": self.enterprise_id,
            "region_code": self.region_code,
        }
        return {k: v for k, v in claims.items() if v}

    @property
    def recipient(self) -> str:
        """The notice box this identity reads (see store.Notice)."""
        return {
            "inspector": f"inspector:{self.subject}",
            "agency_admin": f"agency:{self.agency_id}",
            "enterprise": f"enterprise:{self.enterprise_id}",
            "judicial": f"judicial:{self.region_code}",
            "science_bureau": f"science_bureau:{self.region_code}",
            "government": f"government:{self.region_code}",
            "platform_admin": "platform",
        }[self.role]


def require_role(identity: Identity, *roles: str) -> None:
    if identity.role not in roles:
        raise Forbidden(f"角色 {identity.role} 无权执行此操作", code="role_not_allowed")


def region_or_own(identity: Identity, region_code: str | None) -> str:
    """The region a list is asked for, by default the caller's own."""
    region_code = region_code or identity.region_code
    if not region_code:
        raise ValidationError("请指定 region_code", field="region_code", code="missing_field")
    return region_code


def deny_scope(what: str) -> Forbidden:
    return Forbidden(f"无权查看或操作该{what}：超出本身份的管辖或所属范围", code="out_of_scope")


# Who may see which records. Each takes the caller and the record's owning keys, returns bool.


def can_see_enterprise(identity: Identity, enterprise_id: str, region_code: str) -> bool:
    if identity.role == "platform_admin":
        return True
    if identity.role == "enterprise":
        return identity.enterprise_id == enterprise_id
    if identity.role in ("inspector", "agency_admin", "judicial", "science_bureau"):  # within their jurisdiction
        return regions.covers(identity.region_code, region_code)
    return False  # e.g. the government: it issues supervision decisions and reads no enterprise records


def can_see_agency(identity: Identity, agency_id: str, region_code: str) -> bool:
    if identity.role == "platform_admin":
        return True
    if identity.role in ("agency_admin", "inspector"):
        return identity.agency_id == agency_id
    if identity.role == "judicial":
        return regions.covers(identity.region_code, region_code)
    return False


def supervises(identity: Identity, region_code: str | None, role: str = "judicial") -> bool:
    """The platform, or a bureau of `role` (the judicial bureau unless said) whose jurisdiction covers
    the region: who reads a region's supervision records."""
    return identity.role == "platform_admin" or (identity.role == role and regions.covers(identity.region_code, region_code))


def can_see_rating(identity: Identity, enterprise_id: str, region_code: str) -> bool:
    """An individual rating of a visit (Art. 24): the enterprise that gave it, the judicial bureau
    supervising its region and the platform. Never an agency or inspector, the inspected one least of
    all, whatever else of the visit they read: they see only guarded aggregates (ratings.summary)."""
    return supervises(identity, region_code) or (identity.role == "enterprise" and identity.enterprise_id == enterprise_id)


def can_manage_agency_staff(identity: Identity, agency_id: str) -> bool:
    return identity.role == "platform_admin" or (identity.role == "agency_admin" and identity.agency_id == agency_id)


def issue_token(identity: Identity, secret: str, ttl_seconds: int = 12 * 3600) -> str:
    """A signed token for local use (the local gateway's stand-in for the production identity provider)."""
    import jwt  # local/dev only; handlers never call this

    now = int(time.time())
    claims = {**identity.to_claims(), "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(token: str, secret: str) -> dict:
    """The claims of a local token, checked as API Gateway's JWT authoriser checks them: signature,
    issuer, audience, and numeric `exp` (after now) and `iat` (not after now). The error's code says
    which failed, so the gateway can tell an expired token (refresh) from a bad one (sign in again)."""
    import jwt

    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        for claim in ("exp", "iat", "nbf"):
            value = unverified.get(claim, 0 if claim == "nbf" else None)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise Unauthorized(f"令牌的 {claim} 声明缺失或不是数字", code="invalid_time_claims")
        return jwt.decode(
            token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "iat"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("令牌已过期，请重新获取", code="token_expired") from None
    except jwt.InvalidAudienceError:
        raise Unauthorized("令牌的受众（aud）不是本系统", code="invalid_audience") from None
    except jwt.InvalidIssuerError:
        raise Unauthorized("令牌的签发方（iss）不是本系统", code="invalid_issuer") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("令牌签名错误", code="invalid_signature") from None
    except jwt.DecodeError:
        raise Unauthorized("令牌格式错误", code="malformed_token") from None
    except jwt.PyJWTError:
        raise Unauthorized("令牌无效", code="invalid_token") from None
