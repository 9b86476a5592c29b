"""Scalar inputs: refused text, the identifier normal form, points in time."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.errors import InvalidInputError
from gateway.domain.inputs import (
    InvalidDateTimeError,
    InvalidTextError,
    aware_utc,
    check_text,
    fold_identifier,
    fold_judge_id,
    printable,
    refused_character,
)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("张三", None),
        ("line\nbreak\tand\rreturn", None),
        ("a\x00b", "U+0000"),
        ("\x1b[2J", "U+001B"),
        ("del\x7f", "U+007F"),
        ("next\x85line", "U+0085"),
        ("lone \ud800", "U+D800"),
        ("zero\u200bwidth", None),  # a format character: stored fine, harmless in text
    ],
)
def test_refused_characters(text, refused):
    assert refused_character(text) == refused


def test_check_text_names_the_character_never_the_text():
    with pytest.raises(InvalidTextError) as caught:
        check_text("320812198001011234\x00", "名称", "the name")
    error = caught.value
    assert error.code == "INVALID_TEXT"
    assert isinstance(error, InvalidInputError)
    assert "U+0000" in error.message_zh
    assert "U+0000" in error.message_en
    assert "320812" not in str(error)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("３２０８１２", "320812"),
        ("3208 12\u3000X", "320812X"),
        ("x²³", "x23"),
        ("①②", "12"),
        ("（２０２６）苏０８１２执１２３号", "(2026)苏0812执123号"),
        ("٣٢", "٣٢"),  # Arabic-Indic digits have no compatibility form: left for the formats
    ],
)
def test_fold_identifier(typed, folded):
    assert fold_identifier(typed) == folded


@given(st.text(max_size=30))
def test_fold_identifier_is_idempotent(text):
    once = fold_identifier(text)
    assert fold_identifier(once) == once


def test_printable_cuts_and_replaces_refused_characters():
    assert printable("ab\x00c\ud800", 4) == "ab\ufffdc"


def test_a_datetime_without_a_timezone_is_refused_and_says_so():
    with pytest.raises(InvalidDateTimeError, match="no timezone") as caught:
        aware_utc(datetime.datetime(2026, 1, 1), "起始时间", "since")
    assert caught.value.code == "INVALID_DATETIME"
    assert "起始时间缺少时区" in caught.value.message_zh


def test_an_aware_datetime_is_converted_to_utc():
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    got = aware_utc(datetime.datetime(2026, 1, 1, 8, tzinfo=beijing), "起", "since")
    assert got == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert got.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime.min.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        datetime.datetime.max.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    ],
)
def test_a_datetime_outside_what_utc_can_hold_is_refused(value):
    with pytest.raises(InvalidDateTimeError, match="range"):
        aware_utc(value, "起", "since")


@pytest.mark.parametrize(
    ("typed", "judge"), [("Ｊ００１", "J001"), (" J 001 ", "J001"), ("j-7", "j-7")]
)
def test_a_judge_id_is_read_in_its_normal_form(typed: str, judge: str):
    assert fold_judge_id(typed) == judge


@pytest.mark.parametrize(
    ("typed", "named"),
    [("J001\u200b", "U+200B"), ("٣٣", "U+0663"), ("法官甲", "U+6CD5"), ("J\u00ad1", "U+00AD")],
)
def test_a_judge_id_that_is_not_ascii_once_folded_is_refused(typed: str, named: str):
    with pytest.raises(InvalidInputError) as caught:
        fold_judge_id(typed)
    assert caught.value.code == "INVALID_JUDGE_ID"
    assert named in caught.value.message_en
    assert named in caught.value.message_zh
