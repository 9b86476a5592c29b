"""Who an inquiry is about: a natural person (resident ID number) or a legal person (USCC).

python-stdnum validates both, but gets three real cases wrong, so it is wrapped here:

* first-generation ID cards carry 15 digits (``YYMMDD`` birth date, no check digit); they are
  still found in old case files. They are converted to the 18-digit form, so that one person has
  one key whichever number the court typed.
* ``stdnum.cn.uscc`` requires the first eight characters to be digits, yet the registration
  authority code (the first character) may be ``A`` (military reform office), ``N`` (agriculture)
  or ``Y`` (other), and such codes are valid (GB 32100-2015).
* ``stdnum.cn.ric`` refuses a region code that did not exist in the birth year, but region
  codes are those of the place where the number was issued (from 1984 on), so older people
  legitimately carry newer codes. Only the date and the check digit are checked here.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

from stdnum.cn import ric

from gateway.domain.errors import InvalidSubjectError


class SubjectKind(enum.Enum):
    NATURAL = "natural"  # 自然人
    LEGAL = "legal"  # 法人或其他组织


@dataclass(frozen=True, slots=True)
class Subject:
    """A validated subject; ``id`` is canonical (18 characters, upper case)."""

    kind: SubjectKind
    id: str
    name: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @property
    def masked_id(self) -> str:
        return mask_id(self.id)


def mask_id(value: str) -> str:
    """Mask an ID number or credit code for logs and public output: ``320802********1234``."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# 18-digit resident ids, old 15-digit ids and unified social credit codes, standing alone
_ID_LIKE = re.compile(
    r"(?<![0-9A-Z])(?:\d{17}[0-9X]|\d{15}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})"
    r"(?![0-9A-Z])",
    re.IGNORECASE,
)


def mask_ids_in_text(text: str) -> str:
    """``text`` with every ID-number-like token masked as ``mask_id`` does."""
    return _ID_LIKE.sub(lambda m: mask_id(m.group(0).upper()), text)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority codes of GB 32100-2015: 1-9 for the registering departments,
# A (central military reform office), N (agriculture), Y (others).
_USCC_AUTHORITIES = frozenset("123456789ANY")


def uscc_check_character(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    """Validate a unified social credit code and return it compacted and upper-cased."""
    code = _compact(value)
    if len(code) != 18:
        raise _bad_uscc(value, "长度应为18位", "it must have 18 characters")
    if code[0] not in _USCC_AUTHORITIES:
        raise _bad_uscc(value, "登记管理部门代码无效", "the registration authority code is invalid")
    if any(c not in _USCC_ALPHABET for c in code):
        raise _bad_uscc(value, "含有无效字符", "it contains characters a credit code cannot have")
    if not code[2:8].isdigit():
        raise _bad_uscc(value, "登记管理机关行政区划码无效", "the region code is not six digits")
    if code[17] != uscc_check_character(code[:17]):
        raise _bad_uscc(value, "校验码不符", "the check character does not match")
    return code


def normalize_resident_id(value: str) -> str:
    """Validate a resident ID number (18 digits, or the old 15) and return the 18-digit form."""
    number = _compact(value)
    if len(number) == 15 and number.isdigit():
        number = _upgrade_15(value, number)
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise _bad_id(value, "应为18位（或旧式15位）数字", "it must be 18 digits (or the old 15)")
    try:
        birth = ric.get_birth_date(number)
    except Exception:  # stdnum raises its own InvalidComponent; any failure means a bad date
        raise _bad_id(value, "出生日期无效", "the birth date in it is not a date") from None
    if birth > datetime.date.today():
        raise _bad_id(value, "出生日期在未来", "the birth date in it is in the future")
    if number[17] != ric.calc_check_digit(number):
        raise _bad_id(value, "校验码不符", "the check digit does not match")
    return number


def parse_subject(kind: SubjectKind, value: str, name: str | None = None) -> Subject:
    """Validate a subject from user input; raises ``InvalidSubjectError`` with a bilingual text."""
    if kind is SubjectKind.NATURAL:
        canonical = normalize_resident_id(value)
    else:
        canonical = normalize_uscc(value)
    clean_name = name.strip() if name else None
    return Subject(kind=kind, id=canonical, name=clean_name or None)


def infer_subject(value: str, name: str | None = None) -> Subject:
    """A subject given without its kind (a clerk's list, a report's link): a resident ID number
    if it is one, else a credit code (which may be all digits too). An invalid number is told as
    what it looks like: all digits (with a final X), a resident ID number."""
    number = _compact(value)
    if not (number[:-1].isdigit() and number[-1:] in tuple("0123456789X")):
        return parse_subject(SubjectKind.LEGAL, value, name)
    try:
        return parse_subject(SubjectKind.NATURAL, value, name)
    except InvalidSubjectError as as_id_number:
        try:
            return parse_subject(SubjectKind.LEGAL, value, name)
        except InvalidSubjectError:
            raise as_id_number from None


def _upgrade_15(original: str, number: str) -> str:
    try:
        datetime.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        raise _bad_id(original, "出生日期无效", "the birth date in it is not a date") from None
    first17 = number[:6] + "19" + number[6:]
    # calc_check_digit expects the check position present and ignores it
    return first17 + ric.calc_check_digit(first17 + "0")


def _compact(value: str) -> str:
    return "".join(value.split()).replace("-", "").upper()


def _bad_id(value: str, zh: str, en: str) -> InvalidSubjectError:
    shown = mask_id(_compact(value))
    return InvalidSubjectError(
        f"身份证号码 {shown} 无效：{zh}", f"resident ID number {shown} is invalid: {en}"
    )


def _bad_uscc(value: str, zh: str, en: str) -> InvalidSubjectError:
    shown = _compact(value)[:20]
    return InvalidSubjectError(
        f"统一社会信用代码 {shown} 无效：{zh}",
        f"unified social credit code {shown} is invalid: {en}",
    )
