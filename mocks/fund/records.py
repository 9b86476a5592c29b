"""The fund mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class FundAccount:
    centre: str
    account_number: str
    employer: str
    employer_uscc: str
    deposit_base: Decimal
    personal_rate: int
    employer_rate: int
    monthly_deposit: Decimal
    balance: Decimal
    opened_on: datetime.date
    last_deposit_month: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FundLoan:
    loan_number: str
    account_number: str
    entrusted_bank: str
    principal: Decimal
    outstanding: Decimal
    issued_on: datetime.date
    matures_on: datetime.date
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FundFreeze:
    account_number: str
    court: str
    case_number: str
    frozen_amount: Decimal
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class FundRecords:
    accounts: list[FundAccount] = field(default_factory=list)
    loans: list[FundLoan] = field(default_factory=list)
    freezes: list[FundFreeze] = field(default_factory=list)
