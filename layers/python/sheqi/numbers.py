"""Numbers from outside, in forms the rules can compute with and the store can keep.

Decimal text (sampling ratios, tier weights, rates) is written plainly: digits, an optional point and
at most ten decimals ("0.30"). Exponents, NaN and Infinity are refused: Python's Decimal takes them,
and then comparisons raise and arithmetic overflows. Money is whole yuan up to a ceiling per field,
so sums stay exact to the cent within Decimal's 28 digits and DynamoDB's 38. The request models' field
types built on these (Ratio, Weight, coordinates) are in sheqi.inputs.
"""

from __future__ import annotations

import re
from decimal import Decimal

_PLAIN = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,10})?$")

# 100万亿元, about China's yearly GDP: the most any money field may hold. Fields set lower ceilings
# of their own (subsidy policy facts: `max` in the policy file).
MONEY_CEILING = 10**14


def decimal_text(value, low: Decimal, high: Decimal, *, above_low: bool = False) -> Decimal:
    """`value` as a Decimal when it is plain decimal text within [low, high] ((low, high] with
    `above_low`); otherwise ValueError with a Chinese message."""
    if not isinstance(value, str) or not _PLAIN.match(value):
        raise ValueError('应为小数字符串，如 "0.30"（不接受指数写法、NaN 或 Infinity）')
    number = Decimal(value)
    if number > high or number < low or (above_low and number == low):
        raise ValueError(f"应在{low}{'（不含）' if above_low else ''}至{high}之间")
    return number


def whole_yuan(value, ceiling: int = MONEY_CEILING) -> Decimal:
    """A money amount: a whole number of yuan (a JSON integer; never a float, to lose no precision)
    from 0 to `ceiling`; otherwise ValueError with a Chinese message."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= ceiling:
        raise ValueError(f"应为0至{ceiling:,}之间的整数，单位元（不接受小数，以免精度损失）")
    return Decimal(value)
