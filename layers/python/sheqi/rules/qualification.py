"""Who may inspect (Art. 4, Art. 19 of the Zhangjiakou rules), as pure functions of plain values.

Art. 4: only agencies with enforcement power (acting within their remit), organisations authorised by
law, and entrusted organisations inspect. Coordination bodies, testing institutions, research institutes
and intermediaries may not; nor may auxiliary staff, grid workers or temporary staff without an
enforcement certificate. Art. 19: inspectors show their certificates, not another kind (police: 人民警察证).
"""

from __future__ import annotations

from datetime import date

from msgspec import Struct
from msgspec.structs import asdict

from sheqi.rules.articles import ART

ART4 = ART[4]

AGENCY_KINDS_WITH_POWER = ("enforcement_agency", "authorised_organisation", "entrusted_organisation")
AGENCY_KINDS_WITHOUT_POWER = ("coordination_body", "testing_institution", "research_institute", "intermediary")
AGENCY_KINDS = AGENCY_KINDS_WITH_POWER + AGENCY_KINDS_WITHOUT_POWER
STAFF_CATEGORIES = ("formal", "auxiliary", "grid_worker", "temporary")
CERTIFICATE_KINDS = ("enforcement", "police")  # 行政执法证 / 人民警察证
INSPECTOR_STATUSES = ("active", "suspended", "revoked")


class Finding(Struct, frozen=True):
    """One reason an inspection may not go ahead, with the article it comes from."""

    code: str
    article: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def agency_findings(kind: str) -> list[Finding]:
    if kind in AGENCY_KINDS_WITH_POWER:
        return []
    return [
        Finding(
            "agency_without_enforcement_power",
            ART4,
            "该单位不具有行政执法权，不得实施涉企行政检查（议事协调机构、检验检测机构、科研院所、中介机构等第三方仅可协助）",
        )
    ]


def inspector_findings(
    *,
    staff_category: str,
    status: str,
    certificate_no: str | None,
    certificate_kind: str | None,
    valid_from: date | None,
    valid_until: date | None,
    agency_kind: str,
    agency_certificate_kind: str,
    on: date,
) -> list[Finding]:
    """Every reason this inspector may not inspect on `on`; empty means qualified."""
    found = agency_findings(agency_kind)
    if staff_category != "formal":
        found.append(Finding("not_formal_staff", ART4, "执法辅助人员、网格员、临时工等不得实施行政检查"))
    if status != "active":
        found.append(
            Finding(
                f"inspector_{status}",
                ART4,
                {"suspended": "该执法人员已被暂停执法资格", "revoked": "该执法人员的执法资格已被撤销"}[status],
            )
        )
    if not certificate_no:
        found.append(Finding("no_certificate", ART4, "未取得执法证件的人员不得实施行政检查"))
        return found
    if certificate_kind != agency_certificate_kind:
        found.append(
            Finding(
                "certificate_kind_mismatch",
                ART[19],  # 严禁以其他证件代替; police show 人民警察证
                f"证件类型不符：本单位执法人员应持{certificate_label(agency_certificate_kind)}",
            )
        )
    if valid_from and on < valid_from:
        found.append(Finding("certificate_not_yet_valid", ART4, f"执法证件自{valid_from.isoformat()}起生效，当前尚未生效"))
    if valid_until and on > valid_until:
        found.append(Finding("certificate_expired", ART4, f"执法证件已于{valid_until.isoformat()}到期"))
    return found


def certificate_label(kind: str | None) -> str | None:
    return {"enforcement": "行政执法证", "police": "人民警察证"}.get(kind or "")
