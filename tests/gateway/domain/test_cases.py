"""Case numbers in the current and the pre-2016 forms."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.cases import CaseNumberForm, parse_case_number
from gateway.domain.errors import InvalidCaseNumberError


@pytest.mark.parametrize(
    ("text", "court", "case_type", "sequence", "canonical"),
    [
        ("(2026)苏0802执123号", "苏0802", "执", 123, "(2026)苏0802执123号"),
        ("（2026）苏0802执恢12号", "苏0802", "执恢", 12, "(2026)苏0802执恢12号"),
        ("(2017)苏08执5号", "苏08", "执", 5, "(2017)苏08执5号"),
        ("〔2019〕苏执监7号", "苏", "执监", 7, "(2019)苏执监7号"),
        (" (2026) 苏0802 执 123 号 ", "苏0802", "执", 123, "(2026)苏0802执123号"),
    ],
)
def test_current_form(text, court, case_type, sequence, canonical):
    case = parse_case_number(text)
    assert (case.court, case.case_type, case.sequence) == (court, case_type, sequence)
    assert case.form is CaseNumberForm.CURRENT
    assert case.canonical == canonical


@pytest.mark.parametrize(
    ("text", "court", "case_type", "sequence"),
    [
        ("（2015）淮中执字第00123号", "淮中", "执", 123),
        ("(2015)淮中执恢字第7号", "淮中", "执恢", 7),
        ("〔2014〕苏执监字第1号", "苏", "执监", 1),
        ("（2012）清执字第88号", "清", "执", 88),
    ],
)
def test_pre_2016_form(text, court, case_type, sequence):
    case = parse_case_number(text)
    assert (case.court, case.case_type, case.sequence) == (court, case_type, sequence)
    assert case.form is CaseNumberForm.LEGACY
    assert case.canonical == f"（{case.year}）{court}{case_type}字第{sequence}号"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("(2026)苏0802民初123号", "CASE_NOT_ENFORCEMENT"),
        ("（2014）淮民初字第12号", "CASE_NOT_ENFORCEMENT"),
        ("2026苏0802执123号", "INVALID_CASE_NUMBER"),
        ("(2026)苏0802执号", "INVALID_CASE_NUMBER"),
        ("(2026)苏0802执0号", "INVALID_CASE_NUMBER"),
        ("(1989)苏0802执1号", "INVALID_CASE_NUMBER"),
        ("", "INVALID_CASE_NUMBER"),
    ],
)
def test_rejected(text, code):
    with pytest.raises(InvalidCaseNumberError) as caught:
        parse_case_number(text)
    assert caught.value.code == code
    assert caught.value.message_zh
    assert caught.value.message_en


def test_a_year_after_this_one_is_rejected():
    with pytest.raises(InvalidCaseNumberError, match="2027"):
        parse_case_number("(2027)苏0802执1号", today=datetime.date(2026, 12, 31))
    assert parse_case_number("(2027)苏0802执1号", today=datetime.date(2027, 1, 1)).year == 2027


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_the_documented_error(text):
    try:
        case = parse_case_number(text)
    except InvalidCaseNumberError:
        return
    assert case.case_type.startswith("执")
    assert parse_case_number(case.canonical) == case


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("（２０２６）苏０８１２执１２３号", "(2026)苏0812执123号"),
        ("(2026)苏0812执¹²³号", "(2026)苏0812执123号"),
        ("［2026］苏0812执123号", "(2026)苏0812执123号"),
        ("（２０１５）淮中执字第００１２３号", "（2015）淮中执字第123号"),
    ],
)
def test_full_width_and_compatibility_digits_are_the_same_case(text, canonical):
    assert parse_case_number(text).canonical == canonical


@pytest.mark.parametrize(
    "text", ["(٢٠٢٦)苏0812执123号", "(2026)苏٠٨١٢执123号", "(2026)苏0812执१२३号"]
)
def test_digits_without_a_compatibility_form_are_refused(text):
    with pytest.raises(InvalidCaseNumberError) as caught:
        parse_case_number(text)
    assert caught.value.code == "INVALID_CASE_NUMBER"


def test_an_unrecognised_case_number_is_echoed_with_identifiers_masked():
    with pytest.raises(InvalidCaseNumberError) as caught:
        parse_case_number("320802198503150018\x00")
    assert "320802198503150018" not in str(caught.value)
    assert "\x00" not in str(caught.value)
