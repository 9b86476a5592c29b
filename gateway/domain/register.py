"""The case register (执行案件登记): enforcement cases, their judges and parties.

A court's case system (``COURT_SYSTEM``) writes cases; the gateway allows an asset inquiry only
for a party of an open case, by a judge assigned to it or a system of its court. ``new_case``
validates a case; ``Case`` objects built any other way are trusted as they are (the store
rebuilds them from rows it wrote itself).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.clock import court_today
from gateway.domain.errors import InvalidInputError
from gateway.domain.inputs import check_text, fold_judge_id
from gateway.domain.subjects import MAX_NAME_LENGTH, Subject, echoed, mask_ids_in_text

# NUMERIC(18, 2) holds more, but SQLite keeps amounts exactly only up to 15 significant digits
MAX_AMOUNT = Decimal("9999999999999.99")
_CENT = Decimal("0.01")
MAX_JUDGE_ID_LENGTH = 64


class InvalidAmountError(InvalidInputError):
    """An amount outside 0 to ``MAX_AMOUNT``, with more than two decimals, or not a number."""

    code = "INVALID_AMOUNT"


class CaseStatus(enum.Enum):
    OPEN = "OPEN"  # 执行中
    SUSPENDED = "SUSPENDED"  # 中止执行
    CLOSED = "CLOSED"  # 结案 (执行完毕)
    TERMINATED = "TERMINATED"  # 终结执行 (含终结本次执行程序)

    @property
    def label_zh(self) -> str:
        return _STATUS_ZH[self]


_STATUS_ZH = {
    CaseStatus.OPEN: "执行中",
    CaseStatus.SUSPENDED: "中止",
    CaseStatus.CLOSED: "结案",
    CaseStatus.TERMINATED: "终结",
}


class PartyRole(enum.Enum):
    DEBTOR = "DEBTOR"  # 被执行人
    CREDITOR = "CREDITOR"  # 申请执行人

    @property
    def label_zh(self) -> str:
        return "被执行人" if self is PartyRole.DEBTOR else "申请执行人"


@dataclass(frozen=True, slots=True)
class Party:
    """A party (当事人) of a case: its role and who it is (kind, canonical id, name)."""

    role: PartyRole
    subject: Subject

    @property
    def key(self) -> str:
        return self.subject.key


@dataclass(frozen=True, slots=True)
class Case:
    """An enforcement case (执行案件). Amounts are in ``currency`` (人民币 by default)."""

    case_number: CaseNumber
    court: str  # court code, equal to case_number.court
    judges: tuple[str, ...]  # assigned judges (承办法官), by judge id
    parties: tuple[Party, ...]
    obligation: Decimal  # 执行标的金额
    performed: Decimal  # 已履行金额 (cumulative)
    status: CaseStatus
    filed_on: datetime.date | None = None  # 立案日期
    currency: str = "CNY"

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN

    @property
    def unperformed(self) -> Decimal:
        """未履行金额: what the debtors still owe."""
        return self.obligation - self.performed

    def party(self, subject_key: str) -> Party | None:
        """The party whose ``Subject.key`` (``natural:320...``) is ``subject_key``, if any."""
        for party in self.parties:
            if party.key == subject_key:
                return party
        return None

    def debtors(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role is PartyRole.DEBTOR)

    def has_judge(self, judge_id: str) -> bool:
        return judge_id in self.judges


def new_case(
    case_number: CaseNumber | str,
    *,
    court: str,
    judges: Iterable[str],
    parties: Iterable[Party],
    obligation: Decimal | int | str,
    performed: Decimal | int | str = Decimal(0),
    status: CaseStatus = CaseStatus.OPEN,
    filed_on: datetime.date | None = None,
    currency: str = "CNY",
) -> Case:
    """A validated case; raises ``InvalidInputError`` (bilingual) when a rule is broken."""
    number = parse_case_number(case_number) if isinstance(case_number, str) else case_number
    court = court.strip()
    if court != number.court:
        raise InvalidInputError(
            f"法院代码“{court}”与案号 {number} 的法院代码“{number.court}”不一致",
            f"the court '{court}' is not the court of case {number} ('{number.court}')",
            code="CASE_COURT_MISMATCH",
        )
    if filed_on is not None:
        check_filed_on(filed_on, number)
    judge_ids = _judges(judges)
    party_list = _parties(parties)
    owed = amount(obligation, "执行标的金额", "the obligation")
    paid = amount(performed, "已履行金额", "the performed amount")
    if paid > owed:
        raise InvalidInputError(
            f"已履行金额 {paid} 超过执行标的金额 {owed}",
            f"the performed amount {paid} exceeds the obligation {owed}",
        )
    if (
        len(currency) != 3
        or not currency.isascii()
        or not currency.isalpha()
        or not currency.isupper()
    ):
        raise InvalidInputError(
            "币种无效，应为三位大写字母代码（如 CNY）",
            "invalid currency: expected a three-letter code such as CNY",
        )
    return Case(
        case_number=number,
        court=court,
        judges=judge_ids,
        parties=party_list,
        obligation=owed,
        performed=paid,
        status=status,
        filed_on=filed_on,
        currency=currency,
    )


def amount(value: Decimal | int | str, name_zh: str, name_en: str) -> Decimal:
    """A money amount: a finite number from 0 to ``MAX_AMOUNT`` with at most two decimals
    (``InvalidAmountError`` otherwise), returned with exactly two."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        shown = echoed(str(value), 30)
        raise InvalidAmountError(
            f"{name_zh}“{shown}”不是数字", f"{name_en} '{shown}' is not a number"
        ) from None
    if not number.is_finite():
        raise InvalidAmountError(f"{name_zh}必须是有限数值", f"{name_en} must be a finite number")
    if number < 0:
        raise InvalidAmountError(f"{name_zh}不能为负数", f"{name_en} must not be negative")
    # the range first: quantizing 1E+26 to cents needs more digits than the context has
    if number > MAX_AMOUNT:
        raise InvalidAmountError(
            f"{name_zh}超过上限 {MAX_AMOUNT}", f"{name_en} exceeds the maximum {MAX_AMOUNT}"
        )
    cents = number.quantize(_CENT)
    if number != cents:
        raise InvalidAmountError(
            f"{name_zh}最多保留两位小数", f"{name_en} has more than two decimals"
        )
    return cents + 0  # + 0: -0.00 is 0.00


def check_filed_on(filed_on: datetime.date, number: CaseNumber) -> None:
    """A case is filed in its number's year or later (the year of a case number is the year the
    court took the case), and not after today: a filing date outside would put the case among
    the list's leads on a date it never had, or publish it on a list entry (its 立案时间)."""
    first, today = datetime.date(number.year, 1, 1), court_today()
    if not first <= filed_on <= today:
        raise InvalidInputError(
            f"立案日期 {filed_on} 应在 {first} 至今天（{today}）之间",
            f"the filing date {filed_on} must fall between {first} (the case number's year) "
            f"and today ({today})",
        )


def _judges(judges: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for judge in judges:
        judge_id = judge.strip() if isinstance(judge, str) else ""
        check_text(judge_id, "法官标识", "a judge id")
        judge_id = fold_judge_id(judge_id)  # Ｊ００１ is J001, as the judge's token says
        if not judge_id:
            raise InvalidInputError("法官标识不能为空", "a judge id must be a non-empty string")
        if len(judge_id) > MAX_JUDGE_ID_LENGTH:
            raise InvalidInputError(
                f"法官标识超过 {MAX_JUDGE_ID_LENGTH} 个字符",
                f"a judge id is longer than {MAX_JUDGE_ID_LENGTH} characters",
            )
        if judge_id in out:
            shown = mask_ids_in_text(judge_id)
            raise InvalidInputError(f"法官“{shown}”重复", f"judge '{shown}' is listed twice")
        out.append(judge_id)
    if not out:
        raise InvalidInputError(
            "案件至少需要一名承办法官", "a case needs at least one assigned judge"
        )
    return tuple(out)


def _parties(parties: Iterable[Party]) -> tuple[Party, ...]:
    out: list[Party] = []
    seen: set[str] = set()
    for party in parties:
        name = party.subject.name or ""
        check_text(name, "当事人名称", "a party's name")
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInputError(
                f"当事人名称超过 {MAX_NAME_LENGTH} 个字符",
                f"a party's name is longer than {MAX_NAME_LENGTH} characters",
            )
        if party.key in seen:
            shown = party.subject.masked_id
            raise InvalidInputError(
                f"当事人 {shown} 重复", f"party {shown} is listed more than once"
            )
        seen.add(party.key)
        out.append(party)
    if not any(p.role is PartyRole.DEBTOR for p in out):
        raise InvalidInputError(
            "案件至少需要一名被执行人", "a case needs at least one debtor (被执行人)"
        )
    return tuple(out)
