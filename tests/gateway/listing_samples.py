"""Subjects, particulars and decisions shared by the list's tests (not a test module)."""

from __future__ import annotations

import datetime
from typing import Any

from stdnum.cn import ric

from gateway.domain.listing import Decision, LegalGround, Particulars
from gateway.domain.subjects import Subject, SubjectKind, uscc_check_character

D = datetime.date


def resident_id(born: datetime.date, serial: str = "001", region: str = "320812") -> str:
    first17 = f"{region}{born:%Y%m%d}{serial}"
    return first17 + ric.calc_check_digit(first17 + "0")


def uscc(first17: str = "91320812MA1ABCDE1") -> str:
    return first17 + uscc_check_character(first17)


ADULT = Subject(SubjectKind.NATURAL, resident_id(D(1980, 5, 17)), "张三")
COMPANY = Subject(SubjectKind.LEGAL, uscc(), "某某有限公司")


def particulars(
    subject: Subject = ADULT, case_number: str = "(2026)苏0812执123号", **overrides: Any
) -> Particulars:
    values: dict[str, Any] = {
        "case_number": case_number,
        "court": "苏0812",
        "subject": subject,
        "basis_document_number": "(2025)苏0812民初45号",
        "basis_issuer": "淮安市清江浦区人民法院",
        "obligation": "支付货款100000元",
        "unperformed_part": "100000元",
        "legal_representative": "王五" if subject.kind is SubjectKind.LEGAL else None,
        "judge": "J001",
    }
    values.update(overrides)
    return Particulars(**values)


def decision(on: datetime.date, **overrides: Any) -> Decision:
    values: dict[str, Any] = {
        "document_number": "(2026)苏0812执123号之一",
        "decided_on": on,
        "ground": LegalGround.ASSET_REPORT,
        "circumstance": "违反财产报告制度",
    }
    values.update(overrides)
    return Decision(**values)
