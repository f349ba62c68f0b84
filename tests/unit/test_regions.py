import pytest

from sheqi.errors import ValidationError
from sheqi.rules import regions


def test_levels():
    assert [regions.level(c) for c in ("130000", "130700", "130722")] == ["province", "city", "county"]


@pytest.mark.parametrize(
    "scope,code,expected",
    [
        ("130700", "130722", True),  # city covers its county
        ("130700", "130700", True),
        ("130722", "130722", True),
        ("130722", "130730", False),  # a county does not see its neighbour
        ("130722", "130700", False),  # nor the city above it
        ("130700", "130922", False),  # another city's county
        ("130000", "130922", True),  # the province sees all its cities
        (None, "130722", False),
    ],
)
def test_jurisdiction(scope, code, expected):
    assert regions.covers(scope, code) is expected


@pytest.mark.parametrize("code", ["13072", "1307221", "99 0700", "990700", "abcdef"])
def test_invalid_codes(code):
    with pytest.raises(ValidationError) as raised:
        regions.validate(code)
    assert raised.value.field == "region_code"
