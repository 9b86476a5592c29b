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

Every number is read through ``ascii_identifier`` first: the normal form of
``gateway.domain.inputs.fold_identifier`` (NFKC: full-width ``３２０８…`` and superscript ``²``
become ASCII digits), without dashes, upper-cased (the ``X`` check digit, a credit code's
letters), and ASCII only: what NFKC leaves non-ASCII (Arabic-Indic or other digits) is refused.
Every error message shows the number masked (``mask_id``), whatever kind it was sent as.

A subject's name is optional and free text, but at most ``MAX_NAME_LENGTH`` characters: the
length the agency contract carries (``connectors.envelope.SubjectRef``) and the register stores.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass, field

from stdnum.cn import ric

from gateway.domain.clock import court_today
from gateway.domain.errors import InvalidSubjectError, InvalidSubjectNameError
from gateway.domain.inputs import fold_identifier, printable

MAX_NAME_LENGTH = 200  # a subject's name: SubjectRef.name of the agency contract, case_parties.name


class SubjectKind(enum.Enum):
    NATURAL = "natural"  # 自然人
    LEGAL = "legal"  # 法人或其他组织


@dataclass(frozen=True, slots=True)
class Subject:
    """A validated subject; ``id`` is canonical (18 characters, upper case)."""

    kind: SubjectKind
    id: str
    name: str | None = None
    # "natural:320...": the subject's key in every map of the fan-out, the cache and the audit
    # (the name is not part of it); made once, as an inquiry reads it about a hundred times
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.kind.value}:{self.id}")

    @property
    def masked_id(self) -> str:
        return mask_id(self.id)


def mask_id(value: str) -> str:
    """Mask an ID number or credit code for logs and public output: ``320802********1234``."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# 18-digit resident ids, old 15-digit ids and unified social credit codes
_ID_FORMS = r"\d{17}[0-9X]|\d{15}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"
# ... standing alone
_ID_LIKE = re.compile(rf"(?<![0-9A-Z])(?:{_ID_FORMS})(?![0-9A-Z])", re.IGNORECASE)
# ... anywhere, glued to other letters and digits or not
_ID_INSIDE = re.compile(_ID_FORMS, re.IGNORECASE)
# a run of letters and digits (any digits, as _ID_FORMS reads them) long enough to hold one
_ID_WORD = re.compile(r"[\dA-Z]{15,}", re.IGNORECASE)


def contains_id_like(text: str) -> bool:
    """Whether ``mask_ids_in_text`` would mask anything in ``text``."""
    return _ID_LIKE.search(text) is not None


def mask_ids_in_text(text: str) -> str:
    """``text`` with every ID-number-like token masked as ``mask_id`` does."""
    return _ID_LIKE.sub(lambda m: mask_id(m.group(0).upper()), text)


def mask_ids_in_words(text: str) -> str:
    """``text`` with every run of letters and digits that holds an ID number or credit code
    masked whole, as ``mask_id`` masks one: standing alone, as ``mask_ids_in_text`` masks it,
    and glued to other letters or digits too (``abc320812199001011256``,
    ``a91320812MA00020007``), which ``mask_ids_in_text`` leaves alone. For text that quotes a
    refused value whole (GraphQL's own messages); it hides at least what ``echoed`` hides, as a
    run of 15 digits or more is such a run. A run that holds none (a name, a short number) is
    left as written."""

    def word(match: re.Match[str]) -> str:
        run = match.group(0)
        if not _ID_INSIDE.search(run):
            return run
        return mask_id(run.upper() if _ID_LIKE.fullmatch(run) else run)

    return _ID_WORD.sub(word, text)


# 15 digits or more (of any script) in one run, with at most one space, dash or dot between two
# of them, and perhaps a final X: an ID number however a person spaced it in free text
_SPACED_DIGITS = re.compile(r"\d(?:[ \u3000.\-]?\d){14,}(?:[ \u3000.\-]?[Xx])?")


def mask_ids_in_prose(text: str) -> str:
    """Free text written by a person and shown to the public (the dishonest-debtor list's
    obligation, circumstance, documents): ``mask_ids_in_words``, then any run of 15 digits or
    more however spaced (``3208 1219 8001 0148 00``) or whatever their script (full-width), all
    but its first six and last four digits hidden, as ``mask_id`` hides them. A bank account
    number written there is hidden the same way."""

    def spaced(match: re.Match[str]) -> str:
        run = match.group(0)
        digits = [i for i, ch in enumerate(run) if ch.isdigit() or ch in "Xx"]
        hidden = set(digits[6:-4])
        return "".join("*" if i in hidden else ch for i, ch in enumerate(run))

    return _SPACED_DIGITS.sub(spaced, mask_ids_in_words(text))


_LONGEST_ID = 18  # what _ID_LIKE matches is at most this long
# in a refused value, any run of 15 digits or more, glued to letters or not: an ID number written
# inside a longer token, which _ID_LIKE leaves alone (it matches numbers standing alone only)
_LONG_DIGITS = re.compile(r"\d{15,}X?", re.IGNORECASE)


def cut_masked(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with its identifiers masked first, as
    ``mask_ids_in_text`` masks them in the whole text: cut first, an ID number running across the
    cut would no longer be one it recognises, and up to 17 of its 18 digits would show. Only the
    first ``limit`` + 18 characters are read: an identifier that starts before the cut ends
    within them, and is matched as in the whole text."""
    return mask_ids_in_text(text[: limit + _LONGEST_ID])[:limit]


def echoed(value: str, limit: int = 40) -> str:
    """``value`` as an error message may echo it: ``cut_masked``, refused characters shown as
    U+FFFD (``printable``).

    A refused value is masked more widely than text in general: any run of 15 digits or more
    too, wherever it stands (``abc320812199001011256``). Masking too much of a value that was
    refused costs the caller nothing; a number that is part of a longer token would otherwise
    be quoted whole."""
    runs = _LONG_DIGITS.sub(lambda m: mask_id(m.group(0).upper()), value[: limit + _LONGEST_ID])
    return printable(cut_masked(runs, limit), limit)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority codes of GB 32100-2015: 1-9 for the registering departments,
# A (central military reform office), N (agriculture), Y (others).
_USCC_AUTHORITIES = frozenset("123456789ANY")


def uscc_check_character(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


_DIGITS = frozenset("0123456789")


# an ID number's digits, between characters that are not digits (letters, say)
_DIGIT_RUN_ID = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9X]|[0-9]{15})(?![0-9])")


def valid_ids_inside(text: str) -> list[tuple[int, int]]:
    """Where ID numbers and credit codes are written in ``text``, glued to letters or not
    (ASCII, either case), each one's span: a run of 18 digits (or 17 and an ``X``) or 15 that
    holds a birth date, and 18 characters that make a valid credit code (authority, region
    digits and check character), found from the left.

    The forms alone (``mask_ids_in_words``) would be found too often in a hash: a credit code's
    in about one 32-digit hex run in three, so a log could not keep one whole."""
    text = text.upper()
    spans: list[tuple[int, int]] = []
    for match in _DIGIT_RUN_ID.finditer(text):
        number = match.group(0)
        # YYYYMMDD from the seventh digit, or an old number's YYMMDD (the 1900s)
        birth = number[6:14] if len(number) == 18 else "19" + number[6:12]
        if _a_date(birth[:4], birth[4:6], birth[6:8]):
            spans.append(match.span())
    start = 0
    while start <= len(text) - 18:
        end = start + 18
        if _valid_credit_code(text[start:end]) and not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
            start = end
        else:
            start += 1
    return sorted(spans)


def _valid_credit_code(text: str) -> bool:
    return _uscc_problem(text) is None


def _a_date(year: str, month: str, day: str) -> bool:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def ascii_identifier(value: str) -> str:
    """The normal form of a typed ID number or credit code: NFKC, no whitespace or dashes,
    upper case, ASCII only (``InvalidSubjectError`` otherwise). Idempotent."""
    folded = fold_identifier(value).replace("-", "")
    if not folded.isascii():
        shown = _shown(folded)
        raise InvalidSubjectError(
            f"证件号码 {shown} 含有无法识别的字符（只接受数字0-9和字母）",
            f"identifier {shown} contains characters other than the digits 0-9 and letters",
        )
    return folded.upper()


def _all_digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def normalize_uscc(value: str) -> str:
    """Validate a unified social credit code and return it in its normal form."""
    code = ascii_identifier(value)
    problem = _uscc_problem(code)
    if problem is not None:
        raise _bad_uscc(code, *problem)
    return code


def _uscc_problem(code: str) -> tuple[str, str] | None:
    """Why ``code`` (upper case ASCII) is not a valid credit code, in each language; None if
    it is one."""
    if len(code) != 18:
        return "长度应为18位", "it must have 18 characters"
    if code[0] not in _USCC_AUTHORITIES:
        return "登记管理部门代码无效", "the registration authority code is invalid"
    if any(c not in _USCC_ALPHABET for c in code):
        return "含有无效字符", "it contains characters a credit code cannot have"
    if not _all_digits(code[2:8]):
        return "登记管理机关行政区划码无效", "the region code is not six digits"
    if code[17] != uscc_check_character(code[:17]):
        return "校验码不符", "the check character does not match"
    return None


def normalize_resident_id(value: str) -> str:
    """Validate a resident ID number (18 digits, or the old 15) and return the 18-digit form."""
    number = ascii_identifier(value)
    if len(number) == 15 and _all_digits(number):
        number = _upgrade_15(number)
    if len(number) != 18 or not _all_digits(number[:17]) or number[17] not in "0123456789X":
        raise _bad_id(number, "应为18位（或旧式15位）数字", "it must be 18 digits (or the old 15)")
    try:
        birth = ric.get_birth_date(number)
    except Exception:  # stdnum raises its own InvalidComponent; any failure means a bad date
        raise _bad_id(number, "出生日期无效", "the birth date in it is not a date") from None
    if birth > court_today():
        raise _bad_id(number, "出生日期在未来", "the birth date in it is in the future")
    if number[17] != ric.calc_check_digit(number):
        raise _bad_id(number, "校验码不符", "the check digit does not match")
    return number


def parse_subject(kind: SubjectKind, value: str, name: str | None = None) -> Subject:
    """Validate a subject from user input; raises ``InvalidSubjectError`` with a bilingual text."""
    if kind is SubjectKind.NATURAL:
        canonical = normalize_resident_id(value)
    else:
        canonical = normalize_uscc(value)
    clean_name = name.strip() if name else None
    if clean_name and len(clean_name) > MAX_NAME_LENGTH:
        raise InvalidSubjectNameError(
            f"姓名或名称超过 {MAX_NAME_LENGTH} 个字符",
            f"the name is longer than {MAX_NAME_LENGTH} characters",
        )
    return Subject(kind=kind, id=canonical, name=clean_name or None)


def infer_subject(value: str, name: str | None = None) -> Subject:
    """A subject given without its kind (a clerk's list, a report's link): a resident ID number
    if it is one, else a credit code (which may be all digits too). An invalid number is told as
    what it looks like: all digits (with a final X), a resident ID number."""
    number = ascii_identifier(value)
    if not (_all_digits(number[:-1]) and number[-1:] in tuple("0123456789X")):
        return parse_subject(SubjectKind.LEGAL, value, name)
    try:
        return parse_subject(SubjectKind.NATURAL, value, name)
    except InvalidSubjectError as as_id_number:
        try:
            return parse_subject(SubjectKind.LEGAL, value, name)
        except InvalidSubjectError:
            raise as_id_number from None


def _upgrade_15(number: str) -> str:
    if not _a_date("19" + number[6:8], number[8:10], number[10:12]):
        raise _bad_id(number, "出生日期无效", "the birth date in it is not a date")
    first17 = number[:6] + "19" + number[6:]
    # calc_check_digit expects the check position present and ignores it
    return first17 + ric.calc_check_digit(first17 + "0")


def _shown(value: str) -> str:
    """How an error message shows a number: masked, and safe to print."""
    return mask_id(printable(value, 32))


def _bad_id(number: str, zh: str, en: str) -> InvalidSubjectError:
    shown = _shown(number)
    return InvalidSubjectError(
        f"身份证号码 {shown} 无效：{zh}", f"resident ID number {shown} is invalid: {en}"
    )


def _bad_uscc(code: str, zh: str, en: str) -> InvalidSubjectError:
    shown = _shown(code)
    return InvalidSubjectError(
        f"统一社会信用代码 {shown} 无效：{zh}",
        f"unified social credit code {shown} is invalid: {en}",
    )
