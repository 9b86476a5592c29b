"""What an error message echoes of a refused value: identifiers masked before the value is cut.

Cut first, an ID number that runs across the cut is no longer one the masking recognises: up to
17 of its 18 digits showed (the 18th, the check digit, follows from them). A refused value also
has any run of 15 digits or more masked, even one glued to letters. Every parser that echoes what
it refused goes through ``echoed``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from gateway.domain.cases import parse_case_number
from gateway.domain.courts import parse_court_code
from gateway.domain.errors import ChakongError
from gateway.domain.listing import normalize_organisation_code
from gateway.domain.register import amount
from gateway.domain.subjects import echoed

ID = "320802198503150018"  # shaped as a resident ID number (masking does not check the digit)
CREDIT_CODE = "91320802MA1ABCDE8X"[:17] + "0"  # the shape the masking matches
SEVEN_DIGITS = re.compile(r"\d{7}")  # a masked ID shows six, then stars


@pytest.mark.parametrize("before", range(0, 41))
def test_an_id_number_is_masked_wherever_the_cut_falls(before: int):
    value = "号" * before + ID + " and more"
    shown = echoed(value, 40)
    assert len(shown) == min(40, len(value))
    assert shown.startswith("号" * before)
    assert SEVEN_DIGITS.search(shown) is None, shown
    assert ID[6:14] not in shown  # the birth date


def test_what_is_not_an_identifier_is_cut_as_written():
    assert echoed("abc\x00" + "1" * 50, 10) == "abc\ufffd111111"
    assert echoed("short", 40) == "short"


def test_a_credit_code_across_the_cut_is_masked():
    shown = echoed("x " * 15 + CREDIT_CODE, 40)  # the cut falls after its tenth character
    assert shown == "x " * 15 + CREDIT_CODE[:6] + "****"


PARSERS: dict[str, tuple[Callable[[str], object], int]] = {
    "case number": (parse_case_number, 40),
    "amount": (lambda text: amount(text, "金额", "the amount"), 30),
    "organisation code": (normalize_organisation_code, 32),
    "court code": (parse_court_code, 20),
}


@pytest.mark.parametrize("name", PARSERS)
@pytest.mark.parametrize("cut_digits", [15, 16, 17])
def test_a_refused_value_never_echoes_an_id_number_across_the_cut(name: str, cut_digits: int):
    parse, limit = PARSERS[name]
    refused = "号" * (limit - cut_digits) + ID
    with pytest.raises(ChakongError) as caught:
        parse(refused)
    for message in (caught.value.message_zh, caught.value.message_en):
        assert SEVEN_DIGITS.search(message) is None, message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # glued to letters: not a number standing alone, which is all mask_ids_in_text masks
        ("xxx" + ID, "xxx320802********0018"),
        (ID + "号", "320802********0018号"),
        # a lower-case check letter, and full-width digits (what \d matches, NFKC or not)
        (ID[:17] + "x", "320802********001X"),
        ("３２０８０２１９８５０３１５００１８", "３２０８０２********００１８"),
        # inside a longer run of digits
        ("7" + ID + "7", "732080" + "*" * 10 + "0187"),
    ],
)
def test_a_long_run_of_digits_is_masked_wherever_it_stands(value: str, shown: str):
    assert echoed(value) == shown


def test_what_holds_no_long_run_of_digits_is_quoted_as_written():
    for value in ("(2026)苏0812执123号", "12345678901234", "abc 1234-5678-9012-3456"):
        assert echoed(value) == value


@pytest.mark.parametrize("name", PARSERS)
def test_a_refused_value_never_echoes_an_id_number_glued_to_letters(name: str):
    parse, _ = PARSERS[name]
    with pytest.raises(ChakongError) as caught:
        parse("x" + ID)
    for message in (caught.value.message_zh, caught.value.message_en):
        assert SEVEN_DIGITS.search(message) is None, message


def test_a_bidirectional_control_is_not_echoed():
    # a right-to-left override would reorder the rest of the message as the reader sees it
    shown = echoed("\u202e32081219820315125\u2066x\u200f")
    assert not {"\u202e", "\u2066", "\u200f"} & set(shown)
    assert shown.count("\ufffd") == 3
    assert "320812198203151" not in shown  # and the digits are masked as before
