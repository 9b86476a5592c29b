"""Scalar inputs as the gateway accepts them: text, the normal form of typed identifiers, and
points in time. (Money amounts: ``gateway.domain.register.amount``.)

Each rule is one function, used wherever such a value enters:

* ``refused_character``: text may not hold control characters (U+0000-U+001F, U+007F-U+009F)
  other than tab, line feed and carriage return, nor lone surrogates (U+D800-U+DFFF).
  PostgreSQL refuses NUL in text and no database can store a lone surrogate (it is not UTF-8),
  and none of them has a meaning in a name, a case number or a filter. Such text is refused
  with ``INVALID_TEXT``, never stripped: a caller should learn that its data is broken.
* ``fold_identifier``: Unicode NFKC, then without whitespace. Full-width digits and letters
  (``３２０８``, ``Ｘ``), superscripts (``²``), circled digits (``①``) and full-width brackets
  (``（）``) become their ASCII forms, so that one number typed three ways is one person or one
  case. Digits NFKC leaves alone (Arabic-Indic ``٣``, Devanagari ``३``, ...) stay non-ASCII,
  and the formats refuse them (``gateway.domain.subjects``, ``gateway.domain.cases``).
* ``aware_utc``: a point in time must carry its timezone (an offset or ``Z``); one without is
  refused with ``INVALID_DATETIME`` rather than guessed (the gateway runs in UTC, courts write
  Beijing time: a guess would be eight hours off for one of them).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from gateway.domain.errors import InvalidInputError


class InvalidTextError(InvalidInputError):
    """Text with a character the gateway does not accept (see ``refused_character``)."""

    code = "INVALID_TEXT"


class InvalidDateTimeError(InvalidInputError):
    """A point in time without a timezone, or one that cannot be expressed in UTC."""

    code = "INVALID_DATETIME"


# Cc (C0 and C1 controls) but tab, line feed and carriage return; Cs (surrogates)
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refused_character(text: str) -> str | None:
    """The first character of ``text`` the gateway refuses, as ``U+0000``; ``None`` if none."""
    found = _REFUSED.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_text(value: str, name_zh: str, name_en: str) -> str:
    """``value`` if it holds no refused character; ``InvalidTextError`` naming it otherwise
    (the text itself is never echoed: it may not even be encodable)."""
    refused = refused_character(value)
    if refused is not None:
        space = " " if name_zh[-1:].isascii() else ""  # "参数 subject 含有", "姓名含有"
        raise InvalidTextError(
            f"{name_zh}{space}含有不允许的字符 {refused}（控制字符或单独的代理项）",
            f"{name_en} contains {refused}: control characters and lone surrogates are not "
            "accepted",
        )
    return value


def fold_identifier(value: str) -> str:
    """The normal form every identifier typed by a person is read in: NFKC, no whitespace.

    Idempotent: removing a space can join characters that NFKC then composes (``a ̈`` is
    ``ä``), so the two steps repeat until nothing changes (each repetition removes a space).
    """
    text = value
    while True:
        folded = "".join(unicodedata.normalize("NFKC", text).split())
        if folded == text:
            return folded
        text = folded


def fold_judge_id(value: str) -> str:
    """A judge id in its normal form (``fold_identifier``: ``Ｊ００１`` and ``J 001`` are
    ``J001``), which must then be printable ASCII, as every identifier is: an invisible
    character (``J001\u200b`` looks like J001 and is not) or another script's digits (``٣``) is
    ``INVALID_JUDGE_ID``, named by its code point."""
    folded = fold_identifier(value)
    odd = next((c for c in folded if not (c.isascii() and c.isprintable())), None)
    if odd is not None:
        raise InvalidInputError(
            f"法官标识含有无法识别的字符 U+{ord(odd):04X}（只接受 ASCII 字母、数字和符号）",
            f"a judge id holds U+{ord(odd):04X}: only ASCII letters, digits and punctuation are "
            "accepted",
            code="INVALID_JUDGE_ID",
        )
    return folded


def printable(value: str, limit: int = 40) -> str:
    """``value`` cut to ``limit`` characters, refused characters and the bidirectional controls
    shown as U+FFFD: safe to echo in a message (after masking identifiers,
    ``gateway.domain.subjects.mask_ids_in_text``). A right-to-left override (U+202E) echoed in
    a message would reorder what the reader sees after it, the message's own words included."""
    return "".join(
        "\ufffd" if refused_character(c) is not None or c in _BIDI_CONTROLS else c
        for c in value[:limit]
    )


# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the marks (U+200E, U+200F,
# U+061C): the Unicode bidirectional algorithm's explicit formatting characters
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def aware_utc(value: datetime.datetime, name_zh: str, name_en: str) -> datetime.datetime:
    """``value`` in UTC; ``InvalidDateTimeError`` if it has no timezone or leaves the range."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidDateTimeError(
            f"{name_zh}缺少时区，请写明，如 2026-01-01T00:00:00+08:00 或 2026-01-01T00:00:00Z",
            f"{name_en} has no timezone: give one, e.g. 2026-01-01T00:00:00+08:00 or "
            "2026-01-01T00:00:00Z",
        )
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00+08:00 is before the first representable instant
        raise InvalidDateTimeError(
            f"{name_zh}超出可表示的范围", f"{name_en} is out of the representable range"
        ) from None
