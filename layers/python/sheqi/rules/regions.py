"""Administrative division codes (GB/T 2260) and jurisdiction.

A code is six digits: province (2), city (2), county (2). A province code ends in 0000, a city code
in 00. A body's jurisdiction covers its own code and, for a city or province, every code below it.
"""

from __future__ import annotations

from sheqi.errors import ValidationError

_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}

# Names of the divisions the product runs in today; unknown codes are still valid, shown by code.
NAMES = {
    "130000": "河北省",
    "130700": "张家口市",
    "130702": "桥东区",
    "130703": "桥西区",
    "130705": "宣化区",
    "130706": "下花园区",
    "130708": "万全区",
    "130709": "崇礼区",
    "130722": "张北县",
    "130723": "康保县",
    "130724": "沽源县",
    "130725": "尚义县",
    "130726": "蔚县",
    "130727": "阳原县",
    "130728": "怀安县",
    "130730": "怀来县",
    "130731": "涿鹿县",
    "130732": "赤城县",
    "130900": "沧州市",
}


def validate(code: str, field: str = "region_code") -> str:
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        raise ValidationError(f"字段 {field} 应为6位行政区划代码（GB/T 2260）", field=field, code="invalid_region_code")
    if code[:2] not in _PROVINCES:
        raise ValidationError(f"字段 {field}：“{code[:2]}”不是有效的省级行政区划代码", field=field, code="invalid_region_code")
    return code


def level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def covers(scope: str | None, code: str | None) -> bool:
    """Whether a body whose jurisdiction is `scope` may see records located in `code`."""
    if not scope or not code:
        return False
    return code.startswith(prefix(scope))


def prefix(scope: str) -> str:
    """What every code within a jurisdiction begins with (a store condition's `begins_with`)."""
    return {"province": scope[:2], "city": scope[:4], "county": scope}[level(scope)]


def name(code: str) -> str:
    return NAMES.get(code, code)


def within(code: str) -> list[str]:
    """The known division codes a body with jurisdiction `code` oversees, itself included (records are
    kept under the county they are in; a city bureau's lists gather its counties')."""
    return [code] + sorted(c for c in NAMES if c != code and covers(code, c) and level(c) == "county")
