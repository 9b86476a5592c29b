"""The bank mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class BankAccount:
    bank: str
    branch: str
    account_number: str
    account_type: str
    currency: str
    balance: Decimal
    available_balance: Decimal
    opened_on: datetime.date
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BankCard:
    bank: str
    card_number: str
    card_type: str
    account_number: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Deposit:
    bank: str
    account_number: str
    deposit_type: str
    currency: str
    amount: Decimal
    matures_on: datetime.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WealthProduct:
    bank: str
    product_code: str
    product_name: str
    currency: str
    holding_value: Decimal
    matures_on: datetime.date | None = None
    asset_id: str | None = None  # 查控标识: what a control names


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountFreeze:
    bank: str
    account_number: str
    court: str
    case_number: str
    frozen_amount: Decimal
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class BankRecords:
    accounts: list[BankAccount] = field(default_factory=list)
    cards: list[BankCard] = field(default_factory=list)
    deposits: list[Deposit] = field(default_factory=list)
    wealth_products: list[WealthProduct] = field(default_factory=list)
    freezes: list[AccountFreeze] = field(default_factory=list)
