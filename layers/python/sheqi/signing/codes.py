"""Signed enterprise scan-in codes (扫码入企码, Art. 24).

A code is a URL `<PUBLIC_CODE_URL><token>`; the token is
    1.<enterprise_id>.<code_version>.<key_id>.<signature>
where the signature is HMAC-SHA256 over the first four parts, truncated to 128 bits and
base64url-encoded (22 characters). Short enough for a low-density QR that scans from a distance.

Keys rotate by key id (keyrings.py): new codes are signed with the active key, older codes verify for
as long as their key stays in the keyring as a retired key; deleting it kills them. Revoking a code
(lost or copied poster) bumps the enterprise's code_version, so every earlier code fails with
`code_superseded`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from msgspec import Struct

from sheqi import settings
from sheqi.errors import AppError
from sheqi.signing.keyrings import Keyring, load

SCHEME = "1"


class CodeRejected(AppError):
    """A scanned code that does not identify an enterprise; `code` says why."""

    status = 422
    code = "code_rejected"


def keyring() -> Keyring:
    """The code keyring, from QR_SIGNING_KEYS (see keyrings.py)."""
    return load("QR_SIGNING_KEYS")


class CodeClaim(Struct, frozen=True):
    enterprise_id: str
    code_version: int
    key_id: str


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(enterprise_id: str, code_version: int, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    payload = f"{SCHEME}.{enterprise_id}.{code_version}.{ring.active}"
    return f"{payload}.{_signature(ring.signing_key, payload)}"


def verify(token: str, ring: Keyring | None = None) -> CodeClaim:
    """The claim a token makes, if its signature holds. Whether the code is still current is
    `check_current`'s question, which needs the enterprise record."""
    ring = ring or keyring()
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 5 or parts[0] != SCHEME or not parts[2].isdigit():
        raise CodeRejected("二维码格式无法识别，不是本系统签发的入企码", code="code_malformed", field="token")
    _, enterprise_id, version, kid, signature = parts
    key = ring.keys.get(kid)
    if key is None:
        raise CodeRejected("二维码签名密钥未知或已停用，请企业重新申领入企码", code="code_key_unknown", field="token")
    if not hmac.compare_digest(signature, _signature(key, ".".join(parts[:4]))):
        raise CodeRejected("二维码签名校验失败，可能系伪造或被篡改", code="code_signature_invalid", field="token")
    return CodeClaim(enterprise_id=enterprise_id, code_version=int(version), key_id=kid)


def check_current(claim: CodeClaim, *, current_version: int, status: str) -> None:
    if status == "revoked":
        raise CodeRejected("该企业入企码已被注销，请联系企业或主管部门", code="code_revoked", field="token")
    if claim.code_version != current_version:
        raise CodeRejected(
            "该二维码已作废（企业已重新申领），请扫描企业现场张贴的最新入企码", code="code_superseded", field="token"
        )


def code_url(token: str) -> str:
    return settings.get().public_code_url + token
