"""The securities mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class SecuritiesAccount:
    account_number: str
    market: str
    account_type: str
    broker: str
    opened_on: datetime.date
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Holding:
    account_number: str
    security_code: str
    security_name: str
    quantity: int
    market_value: Decimal
    valued_on: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class FundsAccount:
    broker: str
    account_number: str
    balance: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class SecuritiesFreeze:
    account_number: str
    security_code: str | None = None
    quantity: int | None = None
    court: str
    case_number: str
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class SecuritiesRecords:
    accounts: list[SecuritiesAccount] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    funds_accounts: list[FundsAccount] = field(default_factory=list)
    freezes: list[SecuritiesFreeze] = field(default_factory=list)
