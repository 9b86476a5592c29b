"""Case numbers (案号) in the two forms courts use.

* current form (since 2016): ``(2026)苏0802执123号`` — year, court code (province abbreviation
  plus 0, 2 or 4 digits), case-type code, sequence number;
* pre-2016 form: ``（2015）淮中执字第00123号`` — full-width brackets, the court's short
  name, case type, ``字第``, sequence number.

Either bracket style (``()``, ``（）``, ``〔〕``, ``[]``) is accepted in both forms. The
gateway acts only on enforcement cases (a case type starting with 执).

A case number is read in the normal form of ``gateway.domain.inputs.fold_identifier`` (NFKC,
no whitespace): full-width digits and brackets become ASCII (``（２０２６）`` is ``(2026)``);
digits NFKC leaves non-ASCII (Arabic-Indic, ...) do not match the formats and are refused.
Its canonical form (``CaseNumber.canonical``, the key it is stored under) has ASCII brackets
in the current form, which is also what NFKC makes of the full-width brackets of official
documents, and full-width brackets in the pre-2016 form, as printed in the old case files.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass

from gateway.domain.clock import court_today
from gateway.domain.errors import InvalidCaseNumberError
from gateway.domain.inputs import fold_identifier
from gateway.domain.subjects import echoed


class CaseNumberForm(enum.Enum):
    CURRENT = "current"
    LEGACY = "legacy"


@dataclass(frozen=True, slots=True)
class CaseNumber:
    year: int
    court: str  # court code (苏0802) or, in the legacy form, the court's short name (淮中)
    case_type: str  # 执, 执恢, 执保, ...
    sequence: int
    form: CaseNumberForm

    @property
    def canonical(self) -> str:
        if self.form is CaseNumberForm.CURRENT:
            return f"({self.year}){self.court}{self.case_type}{self.sequence}号"
        return f"（{self.year}）{self.court}{self.case_type}字第{self.sequence}号"

    def __str__(self) -> str:
        return self.canonical


_OPEN = r"[(（〔\[]"
_CLOSE = r"[)）〕\]]"
_HAN = r"\u4e00-\u9fff"
_DIGIT = "[0-9]"  # ASCII only: ``\d`` would match every Unicode digit
_CURRENT = re.compile(
    rf"^{_OPEN}(?P<year>{_DIGIT}{{4}}){_CLOSE}"
    rf"(?P<court>[{_HAN}](?:{_DIGIT}{{4}}|{_DIGIT}{{2}})?)"
    rf"(?P<type>[{_HAN}]{{1,4}}?)(?P<seq>{_DIGIT}{{1,7}})号$"
)
_LEGACY = re.compile(
    rf"^{_OPEN}(?P<year>{_DIGIT}{{4}}){_CLOSE}"
    rf"(?P<prefix>[{_HAN}]{{2,15}})字第(?P<seq>{_DIGIT}{{1,7}})号$"
)


# no enforcement case is older: a case number's year, and the floor of every date about a case
EARLIEST_YEAR = 1990


def parse_case_number(value: str, *, today: datetime.date | None = None) -> CaseNumber:
    """Parse and validate an enforcement case number; raises ``InvalidCaseNumberError``."""
    text = fold_identifier(value)
    if not text:
        raise InvalidCaseNumberError("案号不能为空", "the case number must not be empty")
    legacy = _LEGACY.match(text) if "字第" in text else None
    current = None if "字第" in text else _CURRENT.match(text)
    match = current or legacy
    if match is None:
        shown = _shown(text)
        raise InvalidCaseNumberError(
            f"无法识别的案号“{shown}”，应如 (2026)苏0802执123号 或 （2015）淮中执字第00123号",
            f"unrecognised case number '{shown}': expected the form (2026)苏0802执123号 "
            "or the pre-2016 form （2015）淮中执字第00123号",
        )
    year = int(match["year"])
    this_year = (today or court_today()).year
    if not EARLIEST_YEAR <= year <= this_year:
        raise InvalidCaseNumberError(
            f"案号年份 {year} 不在 {EARLIEST_YEAR} 至 {this_year} 之间",
            f"the case number's year {year} is not between {EARLIEST_YEAR} and {this_year}",
        )
    if legacy is not None:
        # 淮中执恢 -> court 淮中, type 执恢: the court's short name ends at the first 执
        prefix = legacy["prefix"]
        court, found, rest = prefix.partition("执")
        case_type = "执" + rest if found and court else prefix
    else:
        court, case_type = match["court"], match["type"]
    if not case_type.startswith("执"):
        shown = _shown(text)
        raise InvalidCaseNumberError(
            f"案号“{shown}”不是执行案件（案件类型“{case_type}”）",
            f"case number '{shown}' is not an enforcement case (case type '{case_type}')",
            code="CASE_NOT_ENFORCEMENT",
        )
    sequence = int(match["seq"])
    if sequence == 0:
        raise InvalidCaseNumberError("案件序号不能为0", "the case sequence number must not be 0")
    form = CaseNumberForm.CURRENT if current else CaseNumberForm.LEGACY
    return CaseNumber(year=year, court=court, case_type=case_type, sequence=sequence, form=form)


def _shown(text: str) -> str:
    """A refused case number as its error message shows it: printable, identifiers masked
    (built only for the message: a valid number, every inquiry's, needs none)."""
    return echoed(text)
