"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), institution category (1), administrative division
code (6 digits, GB/T 2260), organisation code (9), check character (1). The character set leaves
out I, O, Z, S and V.
"""

from __future__ import annotations

from sheqi.errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str, field: str = "enterprise_id") -> str:
    """Return the code normalised to upper case, or raise ValidationError naming the fault."""
    if not isinstance(code, str):
        raise ValidationError(f"字段 {field} 应为18位统一社会信用代码", field=field, code="invalid_uscc")
    code = code.strip().upper()
    if len(code) != 18:
        raise ValidationError(f"字段 {field}：统一社会信用代码应为18位，实际为{len(code)}位", field=field, code="invalid_uscc")
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        raise ValidationError(
            f"字段 {field}：统一社会信用代码含非法字符“{bad[0]}”（GB 32100-2015 不使用 I、O、Z、S、V）",
            field=field,
            code="invalid_uscc",
        )
    if not code[2:8].isdigit():
        raise ValidationError(f"字段 {field}：第3至8位应为6位行政区划码", field=field, code="invalid_uscc")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            f"字段 {field}：统一社会信用代码校验位错误（应为“{expected}”，实为“{code[17]}”），请核对",
            field=field,
            code="invalid_uscc_check_character",
        )
    return code
