"""GB 11643-1999 identity numbers: validation, decoding, upgrade and masking.

The expected check characters are computed here from the standard's own
definition (weight of position i is 2^(17-i) mod 11; check value is
(12 - sum mod 11) mod 11, 10 written X), not from the code under test.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.core import idnumber
from jiuzhu.core.idnumber import InvalidIdNumber, check_char, mask, parse, upgrade_15

pytestmark = pytest.mark.core

TODAY = dt.date(2024, 6, 1)


def standard_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2, written from the standard rather than copied."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    value = (12 - sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def valid(first17: str) -> str:
    return first17 + standard_check_char(first17)


def find_first17_with_check(check: str, *, prefix: str = "53012819800101") -> str:
    for seq in range(1000):
        first17 = f"{prefix}{seq:03d}"
        if standard_check_char(first17) == check:
            return first17
    raise AssertionError(f"no sequence gives check character {check}")


# --- fixed cases -------------------------------------------------------------


def test_the_standard_weights_match_the_published_table():
    # Published in GB 11643-1999 Annex A; guards our independent helper.
    assert [pow(2, 17 - i, 11) for i in range(17)] == [
        7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
    ]  # fmt: skip


def test_the_published_example_number_is_valid():
    # The worked example of GB 11643-1999 Annex A: 11010519491231002X.
    parsed = parse("11010519491231002X", today=TODAY)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.address_code == "110105"


def test_an_eighteen_digit_number_with_check_character_x_is_valid():
    number = find_first17_with_check("X") + "X"
    parsed = parse(number, today=TODAY)
    assert parsed.number == number
    assert not parsed.upgraded_from_15


def test_a_wrong_check_character_is_rejected_with_a_chinese_reason():
    first17 = find_first17_with_check("5")
    with pytest.raises(InvalidIdNumber, match="校验码"):
        parse(first17 + "6", today=TODAY)


def test_a_lowercase_x_check_character_is_accepted_and_normalised():
    first17 = find_first17_with_check("X")
    assert parse(first17 + "x", today=TODAY).number == first17 + "X"


def test_an_impossible_date_is_rejected_even_with_a_correct_check_character():
    number = valid("530128" + "19990230" + "123")
    with pytest.raises(InvalidIdNumber, match="19990230"):
        parse(number, today=TODAY)


def test_a_date_after_today_is_rejected():
    number = valid("530128" + "20240602" + "123")
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse(number, today=TODAY)
    # The same number is accepted once that day has come.
    assert parse(number, today=dt.date(2024, 6, 2)).birth_date == dt.date(2024, 6, 2)


def test_a_birth_date_before_1890_is_rejected():
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse(valid("530128" + "18891231" + "123"), today=TODAY)


@pytest.mark.parametrize("province", ["00", "10", "19", "29", "39", "55", "66", "80", "99"])
def test_a_province_code_that_does_not_exist_is_rejected(province):
    number = valid(province + "0128" + "19800101" + "123")
    with pytest.raises(InvalidIdNumber, match="地址码"):
        parse(number, today=TODAY)


def test_an_address_code_with_county_but_no_city_is_rejected():
    with pytest.raises(InvalidIdNumber, match="地址码"):
        parse(valid("530028" + "19800101" + "123"), today=TODAY)


@pytest.mark.parametrize("text", ["", "5301281980", "53012819800101123", "5301281980010112345"])
def test_a_number_of_the_wrong_length_is_rejected_naming_the_length(text):
    with pytest.raises(InvalidIdNumber, match=f"实际为{len(text)}位"):
        parse(text, today=TODAY)


@pytest.mark.parametrize(
    "text",
    ["53012819800101A23X", "5301281980010112Y3", "X30128198001011234", "53012819800101123Y"],
)
def test_letters_other_than_a_final_x_are_rejected(text):
    with pytest.raises(InvalidIdNumber, match="只能包含数字"):
        parse(text, today=TODAY)


def test_surrounding_and_inner_spaces_are_ignored():
    number = valid("53012819800101" + "123")
    spaced = f"  {number[:6]} {number[6:14]} {number[14:]} "
    assert parse(spaced, today=TODAY).number == number


def test_a_fifteen_digit_number_is_upgraded_to_eighteen_digits():
    # A made-up old-style number: 530128 (禄劝), born 1975-08-09, sequence 357.
    old = "530128750809357"
    expected = valid("530128" + "19750809" + "357")
    parsed = parse(old, today=TODAY)
    assert upgrade_15(old) == expected
    assert parsed.number == expected
    assert parsed.upgraded_from_15
    assert parsed.birth_date == dt.date(1975, 8, 9)
    assert parsed.sex == "M"


def test_a_fifteen_digit_number_with_an_impossible_date_is_rejected():
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse("530128750230357", today=TODAY)


@pytest.mark.parametrize(("seq", "sex"), [("001", "M"), ("002", "F"), ("999", "M"), ("000", "F")])
def test_sex_follows_the_parity_of_the_sequence_digits(seq, sex):
    assert parse(valid("530128" + "20000229" + seq), today=TODAY).sex == sex


def test_birth_date_is_decoded_from_digits_seven_to_fourteen():
    parsed = parse(valid("530128" + "20000229" + "456"), today=TODAY)
    assert parsed.birth_date == dt.date(2000, 2, 29)


def test_masking_keeps_only_the_first_six_and_last_four_characters():
    number = find_first17_with_check("X") + "X"
    masked = mask(number)
    assert masked == number[:6] + "********" + number[-4:]
    assert len(masked) == 18
    assert number[6:14] not in masked
    assert parse(number, today=TODAY).masked == masked


def test_masking_an_empty_value_gives_an_empty_text():
    assert mask("") == ""


# --- properties ----------------------------------------------------------------

addresses = st.builds(
    lambda province, city, county: f"{province}{city:02d}{county:02d}",
    st.sampled_from(sorted(idnumber.PROVINCE_CODES)),
    st.integers(1, 99),
    st.integers(0, 99),
)
births = st.dates(min_value=dt.date(1890, 1, 1), max_value=TODAY)
sequences = st.integers(0, 999)


@given(address=addresses, birth=births, seq=sequences)
def test_any_generated_valid_number_parses_and_round_trips_sex_and_birth_date(address, birth, seq):
    number = valid(f"{address}{birth:%Y%m%d}{seq:03d}")
    parsed = parse(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if seq % 2 else "F")
    assert parsed.address_code == address
    assert check_char(number[:17]) == number[17]


@given(
    address=addresses,
    birth=births,
    seq=sequences,
    position=st.integers(0, 17),
    replacement_index=st.integers(0, 10),
)
def test_changing_any_single_character_of_a_valid_number_makes_it_invalid(
    address, birth, seq, position, replacement_index
):
    number = valid(f"{address}{birth:%Y%m%d}{seq:03d}")
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = alphabet[replacement_index % len(alphabet)]
    if replacement == number[position]:
        replacement = alphabet[(alphabet.index(replacement) + 1) % len(alphabet)]
    changed = number[:position] + replacement + number[position + 1 :]

    # The claim itself: MOD 11-2 gives a different check character for every
    # single-digit change in the first 17, so no such change can go unnoticed.
    if position < 17:
        assert standard_check_char(changed[:17]) != number[17]
    assert not idnumber.is_valid(changed)
    with pytest.raises(InvalidIdNumber):
        parse(changed, today=TODAY)


def test_mod_11_2_detects_every_single_digit_substitution_exhaustively():
    # Since 11 is prime and no weight is 0 mod 11, w*(a-b) is never 0 mod 11
    # for two different digits: check it over all positions and digit pairs.
    base = "53012819800101123"
    for position in range(17):
        for digit in "0123456789":
            if digit == base[position]:
                continue
            changed = base[:position] + digit + base[position + 1 :]
            assert standard_check_char(changed) != standard_check_char(base), (position, digit)
