"""Court codes (法院代码), as current case numbers carry them: ``苏0812`` in
``(2026)苏0812执123号``.

A code is the abbreviation of a provincial-level region (苏), or 兵 for the courts of the
Xinjiang Production and Construction Corps or 军 for military courts, then 2 digits (an
intermediate court, 苏08) or 4 (a basic court, 苏0812), or none (the high court, 苏). It is what
a token's ``court`` claim must hold for the case rules to match a case of that court
(``Principal.court == CaseNumber.court``), so ``chakong token`` refuses anything else.
"""

from __future__ import annotations

import re

from gateway.domain.errors import InvalidInputError
from gateway.domain.subjects import echoed

# 31 provincial-level regions, then the Production and Construction Corps and military courts
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新兵军"
_COURT_CODE = re.compile(rf"[{PROVINCES}](?:[0-9]{{2}}|[0-9]{{4}})?")


class InvalidCourtCodeError(InvalidInputError):
    code = "INVALID_COURT_CODE"


def parse_court_code(value: str) -> str:
    """``value`` as a court code (surrounding spaces dropped); ``InvalidCourtCodeError`` if it
    is not one."""
    code = value.strip()
    if not _COURT_CODE.fullmatch(code):
        shown = echoed(code, 20)
        raise InvalidCourtCodeError(
            f"未知的法院代码“{shown}”：应为省级简称加 0、2 或 4 位数字，如 苏0812",
            f"unknown court code '{shown}': expected a province abbreviation and 0, 2 or 4 "
            "digits, as in case numbers (苏0812)",
        )
    return code
