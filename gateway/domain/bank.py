"""Records of the banks (through the central bank branch): accounts, cards, deposits, products."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class BankAccount:  # 银行账户
    bank: str
    branch: str
    account_number: str
    account_type: str  # I类户 / II类户 / 基本存款账户 / 一般存款账户
    currency: str  # ISO 4217: CNY, USD
    balance: Decimal
    available_balance: Decimal
    opened_on: datetime.date
    status: str  # 正常 / 冻结 / 销户 / 久悬


@dataclass(frozen=True, slots=True)
class BankCard:  # 银行卡
    bank: str
    card_number: str
    card_type: str  # 借记卡 / 信用卡
    account_number: str  # linked account
    status: str


@dataclass(frozen=True, slots=True)
class Deposit:  # 存款
    bank: str
    account_number: str
    deposit_type: str  # 活期 / 定期 / 大额存单 / 通知存款
    currency: str
    amount: Decimal
    matures_on: datetime.date | None


@dataclass(frozen=True, slots=True)
class WealthProduct:  # 理财产品
    bank: str
    product_code: str
    product_name: str
    currency: str
    holding_value: Decimal
    matures_on: datetime.date | None


@dataclass(frozen=True, slots=True)
class AccountFreeze:  # 已有冻结
    bank: str
    account_number: str
    court: str
    case_number: str
    frozen_amount: Decimal
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True)
class BankRecords:
    accounts: tuple[BankAccount, ...]
    cards: tuple[BankCard, ...]
    deposits: tuple[Deposit, ...]
    wealth_products: tuple[WealthProduct, ...]
    freezes: tuple[AccountFreeze, ...]

    def count(self) -> int:
        return (
            len(self.accounts)
            + len(self.cards)
            + len(self.deposits)
            + len(self.wealth_products)
            + len(self.freezes)
        )
