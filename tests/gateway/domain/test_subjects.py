"""ID numbers and credit codes: python-stdnum, wrapped for the cases it gets wrong."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from gateway.domain.errors import InvalidSubjectError, InvalidSubjectNameError
from gateway.domain.subjects import (
    SubjectKind,
    infer_subject,
    mask_id,
    normalize_resident_id,
    normalize_uscc,
    parse_subject,
    uscc_check_character,
)


def resident_id(region: str, birth: datetime.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def credit_code(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def test_a_valid_18_digit_id_is_kept_and_upper_cased():
    number = resident_id("320802", datetime.date(1985, 3, 15), 1)
    assert normalize_resident_id(number) == number
    with_x = next(
        resident_id("320802", datetime.date(1990, 1, 1), s)
        for s in range(1000)
        if resident_id("320802", datetime.date(1990, 1, 1), s).endswith("X")
    )
    assert normalize_resident_id(with_x.lower()) == with_x
    assert normalize_resident_id(f" {number[:6]} {number[6:]} ") == number


def test_an_old_15_digit_id_becomes_its_18_digit_form():
    new = resident_id("320802", datetime.date(1965, 7, 1), 123)
    old = new[:6] + new[8:17]
    assert normalize_resident_id(old) == new


def test_an_id_issued_under_a_region_code_newer_than_the_birth_is_valid():
    # 320802 dates from the 1980s; people born before then got IDs under it when the cards
    # were first issued (1984 on). stdnum checks the region against the birth year and refuses.
    number = resident_id("320802", datetime.date(1965, 7, 1), 123)
    assert not ric.is_valid(number)
    assert normalize_resident_id(number) == number


@pytest.mark.parametrize(
    "bad",
    ["", "12345", "32080219850315001", "3208021985031500177", "32080219851315001X", "ABCDEF"],
)
def test_malformed_ids_are_rejected(bad):
    with pytest.raises(InvalidSubjectError):
        normalize_resident_id(bad)


def test_wrong_check_digit_and_impossible_dates_are_rejected():
    good = resident_id("320802", datetime.date(1985, 3, 15), 1)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(InvalidSubjectError, match="check digit"):
        normalize_resident_id(wrong)
    with pytest.raises(InvalidSubjectError, match="birth date"):
        normalize_resident_id("320802198502300011")  # 30 February
    with pytest.raises(InvalidSubjectError, match="birth date"):
        normalize_resident_id("320802651301123")  # month 13, 15-digit form
    future = datetime.date.today() + datetime.timedelta(days=400)
    with pytest.raises(InvalidSubjectError, match="future"):
        normalize_resident_id(resident_id("320802", future, 1))


def test_error_messages_are_bilingual_and_mask_the_number():
    with pytest.raises(InvalidSubjectError) as caught:
        normalize_resident_id("320802198503150018")
    error = caught.value
    assert "身份证号码" in error.message_zh
    assert "resident ID number" in error.message_en
    assert "198503" not in str(error)


def test_credit_codes_valid_in_stdnum_are_valid_here():
    code = credit_code("91320800MA1N7B5K3")
    assert uscc.is_valid(code)
    assert normalize_uscc(code.lower()) == code


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_credit_codes_of_authorities_a_n_y_are_valid_though_stdnum_rejects_them(authority):
    code = credit_code(f"{authority}1320800MA1N7B5K3")
    assert not uscc.is_valid(code)
    assert normalize_uscc(code) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91320800MA1N7B5K3", "18"),
        ("Z1320800MA1N7B5K3A", "authority"),
        ("9132O800MA1N7B5K3A", "characters"),  # letter O is not in the alphabet
        ("91A20800MA1N7B5K3A", "region"),
    ],
)
def test_malformed_credit_codes_are_rejected(code, reason):
    with pytest.raises(InvalidSubjectError, match=reason):
        normalize_uscc(code)


def test_a_credit_code_with_a_wrong_check_character_is_rejected():
    code = credit_code("91320800MA1N7B5K3")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(InvalidSubjectError, match="check character"):
        normalize_uscc(wrong)


@given(st.text(max_size=30))
def test_any_text_either_validates_or_raises_the_documented_error(text):
    for kind in SubjectKind:
        try:
            subject = parse_subject(kind, text)
        except InvalidSubjectError:
            continue
        assert len(subject.id) == 18


@given(
    st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["320802", "320803", "110101", "440305"]),
)
def test_every_generated_valid_id_is_accepted(birth, seq, region):
    number = resident_id(region, birth, seq)
    assert parse_subject(SubjectKind.NATURAL, number).id == number


def test_subject_key_and_masking():
    subject = parse_subject(
        SubjectKind.NATURAL, resident_id("320802", datetime.date(1985, 3, 15), 1), " 张三 "
    )
    assert subject.name == "张三"
    assert subject.key == f"natural:{subject.id}"
    assert subject.masked_id == subject.id[:6] + "********" + subject.id[-4:]
    assert mask_id("12345") == "*****"


def test_a_name_longer_than_the_agency_contract_carries_is_refused_with_a_code():
    number = resident_id("320802", datetime.date(1985, 3, 15), 1)
    assert parse_subject(SubjectKind.NATURAL, number, f" {'名' * 200} ").name == "名" * 200
    for make in (
        lambda: parse_subject(SubjectKind.NATURAL, number, "名" * 201),
        lambda: parse_subject(SubjectKind.LEGAL, "91320812MA00020007", "x" * 201),
        lambda: infer_subject(number, "名" * 201),
    ):
        with pytest.raises(InvalidSubjectNameError) as caught:
            make()
        assert caught.value.code == "INVALID_INPUT"
        assert "200" in caught.value.message_zh
        assert "200" in caught.value.message_en
        # named by its position wherever a bad number is
        assert isinstance(caught.value, InvalidSubjectError)


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
DIGIT_SPELLINGS = [
    str.maketrans({}),
    FULL_WIDTH,
    str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"),  # superscripts
    str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"),  # subscripts
    str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"),  # mathematical bold
]


@given(
    st.dates(datetime.date(1930, 1, 1), datetime.date(1999, 12, 31)),
    st.integers(0, 999),
    st.lists(st.sampled_from(DIGIT_SPELLINGS), min_size=18, max_size=18),
    st.booleans(),
)
def test_every_compatibility_spelling_of_an_id_is_one_person(birth, seq, spellings, old_form):
    number = resident_id("320812", birth, seq)
    typed = number[:6] + number[8:17] if old_form else number
    spelled = "".join(c.translate(s) for c, s in zip(typed, spellings, strict=False))
    assert normalize_resident_id(spelled) == number
    assert parse_subject(SubjectKind.NATURAL, spelled).id == number


def test_a_full_width_credit_code_is_its_ascii_form():
    code = credit_code("91320800MA1N7B5K3")
    spelled = code.translate(str.maketrans("0123456789ABKMN", "０１２３４５６７８９ＡＢＫＭＮ"))
    assert normalize_uscc(spelled) == code
    assert normalize_uscc(spelled.lower()) == code


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "០១២៣៤៥៦៧៨៩"])
def test_digits_without_a_compatibility_form_are_refused_whatever_the_check_digit(digits):
    # with an X check digit the old check took any Unicode digit: a second identity
    number = next(
        n
        for s in range(1000)
        if (n := resident_id("320802", datetime.date(1990, 1, 1), s))[-1] == "X"
    )
    spelled = number.translate(str.maketrans("0123456789", digits))
    for parse in (normalize_resident_id, normalize_uscc):
        with pytest.raises(InvalidSubjectError) as caught:
            parse(spelled)
        assert "digits 0-9" in caught.value.message_en
    old = (number[:6] + number[8:17]).translate(str.maketrans("0123456789", digits))
    with pytest.raises(InvalidSubjectError):
        normalize_resident_id(old)


@given(st.text(st.characters(categories=["Nd", "No", "Nl", "Cc", "Cs", "Zs"]), max_size=20))
def test_any_digit_like_text_validates_or_raises_the_documented_error(text):
    for kind in SubjectKind:
        try:
            subject = parse_subject(kind, text)
        except InvalidSubjectError:
            continue
        assert subject.id.isascii()
        assert len(subject.id) == 18


def test_a_superscript_digit_is_read_as_the_digit():
    number = resident_id("320802", datetime.date(1985, 3, 15), 1)
    superscript = number[-2].translate(DIGIT_SPELLINGS[2])
    assert normalize_resident_id(number[:-2] + superscript + number[-1]) == number


@pytest.mark.parametrize("kind", list(SubjectKind))
def test_an_id_is_masked_in_the_error_whatever_kind_it_was_sent_as(kind):
    number = resident_id("320802", datetime.date(1985, 3, 15), 1)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    typed_values = [wrong, number + "9"] + ([number] if kind is SubjectKind.LEGAL else [])
    for typed in typed_values:
        with pytest.raises(InvalidSubjectError) as caught:
            parse_subject(kind, typed)
        assert typed not in str(caught.value)
        assert number[6:14] not in str(caught.value)
        assert mask_id(typed) in caught.value.message_en


def test_a_subject_without_its_kind_is_told_from_its_number():
    person = resident_id("320812", datetime.date(1982, 3, 15), 125)
    assert infer_subject(person, " 周坤 ") == parse_subject(SubjectKind.NATURAL, person, "周坤")
    assert infer_subject("91320812MA00020007").kind is SubjectKind.LEGAL
    # a credit code may be all digits: still a credit code when it is not an ID number
    digits = next(
        code for n in range(1000) if (code := credit_code(f"123208004660{n:05d}")).isdigit()
    )
    assert infer_subject(digits).kind is SubjectKind.LEGAL
    # a mistyped ID number is told as one
    wrong = person[:-1] + ("0" if person[-1] != "0" else "1")
    with pytest.raises(InvalidSubjectError) as raised:
        infer_subject(wrong)
    assert "resident ID" in raised.value.message_en
    # in full-width digits too: the same person
    wide = person.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert infer_subject(wide) == infer_subject(person)
