import pytest

from sheqi.errors import ValidationError
from sheqi.rules import uscc

# Published codes (check characters as issued): a Fuzhou sample from the standard's examples and demo ones.
VALID = ["91350100M000100Y43", "91130722MA0A1B2C3U", "11130722000013072R"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass_and_normalise(code):
    assert uscc.validate(code.lower()) == code


def test_check_character_is_computed_mod_31():
    assert uscc.check_character("91350100M000100Y4") == "3"
    # Weighted sum divisible by 31 gives check character '0' (31 - 0 wraps to 0).
    assert uscc.check_character("00000000000000000") == "0"


@pytest.mark.parametrize(
    "code,error",
    [
        ("91350100M000100Y44", "invalid_uscc_check_character"),  # one-character typo in the check
        ("91350100M000100Y3", "invalid_uscc"),  # 17 characters
        ("91350100M000100I43", "invalid_uscc"),  # I is not in the alphabet
        ("9135A100M000100Y43", "invalid_uscc"),  # division code not digits
    ],
)
def test_bad_codes_are_refused_with_the_reason(code, error):
    with pytest.raises(ValidationError) as raised:
        uscc.validate(code, "agency_id")
    assert raised.value.code == error
    assert raised.value.field == "agency_id"


def test_every_single_character_substitution_is_detected():
    code = VALID[0]
    for position in range(17):
        for replacement in uscc.ALPHABET:
            if replacement == code[position] or (2 <= position < 8 and not replacement.isdigit()):
                continue
            mutated = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(ValidationError):
                uscc.validate(mutated)
