"""Who these rules apply to (Art. 3) and which agency may inspect where (Art. 4, 8): pure functions.

Art. 3: an "enterprise" is a company, sole proprietorship or other enterprise; public institutions,
social organisations, foundations and social service bodies are not. Individual businesses and farmers'
cooperatives are inspected "by reference" to the rules (参照). The reading chosen: the unified social
credit code's first two characters (GB 32100-2015: registration authority and organisation class) say
which a body is: 91 enterprise, 92 individual business and 93 farmers' cooperative (by reference);
every other class (12 public institution, 51 social organisation, 52 social service body, 53
foundation, organs, law firms, religious sites...) is out of scope and not registered.

Art. 4 and 8: an agency inspects within its remit (its published items, Art. 14) and its territory: a
county agency its county, a city agency the whole city (where both levels may, the county one
"generally" does: a preference the rules state, not enforced). A participant of a joint task may act
outside its territory only when the task's lead agency is competent for the enterprise (Art. 17:
谁牵头、谁发起、谁负责); so every task's lead must cover every target.
"""

from __future__ import annotations

from sheqi.rules import regions
from sheqi.rules.articles import ART
from sheqi.rules.qualification import Finding

ENTERPRISE_CLASSES = {"91": "enterprise", "92": "by_reference", "93": "by_reference"}
CLASS_NAMES = {
    "11": "机关",
    "12": "事业单位",
    "13": "群众团体",
    "51": "社会团体",
    "52": "社会服务机构（民办非企业单位）",
    "53": "基金会",
    "31": "律师事务所等司法行政登记机构",
    "71": "宗教活动场所",
    "81": "工会",
}


def enterprise_scope(uscc: str) -> tuple[str, Finding | None]:
    """('enterprise' | 'by_reference', None), or ('out_of_scope', why) for a body the rules exclude (Art. 3)."""
    scope = ENTERPRISE_CLASSES.get(uscc[:2])
    if scope:
        return scope, None
    kind = CLASS_NAMES.get(uscc[:2], f"统一社会信用代码类别“{uscc[:2]}”所示的非企业组织")
    return "out_of_scope", Finding(
        "not_an_enterprise",
        ART[3],
        f"{kind}不属于本细则所称企业（有限责任公司、股份有限公司、个人独资企业和其他企业；"
        "不包括事业单位、社会团体、基金会、社会服务机构等），不纳入涉企行政检查",
    )


def territory_findings(*, agency_region: str, lead_region: str, enterprise_region: str, enterprise: str) -> list[Finding]:
    """Why an agency (the task's lead when agency_region == lead_region) may not inspect an enterprise
    located in enterprise_region; empty when it may."""
    if regions.covers(lead_region, enterprise_region):
        return []
    where = f"{enterprise}位于{regions.name(enterprise_region)}"
    if agency_region == lead_region:
        return [
            Finding(
                "outside_jurisdiction",
                ART[8],
                f"{where}，不在本机关辖区（{regions.name(agency_region)}）内：行政执法机关只能在法定职责和辖区范围内"
                "实施检查（第四条、第八条）；跨区域的由市级机关负责，或由有管辖权的机关牵头联合检查",
            )
        ]
    return [
        Finding(
            "lead_not_competent",
            ART[8],
            f"{where}，联合检查的牵头机关（辖区{regions.name(lead_region)}）对其没有管辖权：辖区外的机关只能参加"
            "有管辖权的机关牵头的联合检查（第八条、第十七条）",
        )
    ]
