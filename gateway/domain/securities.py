"""Records of the securities depository and brokers: accounts, holdings, cash, freezes.

Account numbers follow the depository's forms: on the Shanghai market ``A`` and nine digits
for a person, ``B`` and nine digits for an institution (``F`` for a fund account); on the
Shenzhen and Beijing markets ``0`` and nine digits for a person, ``08`` and eight digits for an
institution (``05`` for a fund account). Security codes belong to their market: 600/601/603
(and 51 for exchange-traded funds) in Shanghai, 000/002/300 (and 159) in Shenzhen, 43/83/87 in
Beijing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SecuritiesAccount:  # 证券账户
    account_number: str  # 证券账户号码
    market: str  # 上海 / 深圳 / 北京
    account_type: str  # A股 / B股 / 基金 / 股转
    broker: str  # 托管证券公司营业部, e.g. 华泰证券淮安淮海东路营业部
    opened_on: datetime.date  # 开户日期
    status: str  # 正常 / 冻结 / 休眠 / 销户


@dataclass(frozen=True, slots=True)
class Holding:  # 持仓
    account_number: str  # the securities account holding it
    security_code: str  # 证券代码, six digits of the account's market
    security_name: str  # 证券简称
    quantity: int  # 持有数量 (shares or fund units; multiples of 100)
    market_value: Decimal  # 市值, yuan, at the closing price of valued_on
    valued_on: datetime.date  # 估值日


@dataclass(frozen=True, slots=True)
class FundsAccount:  # 资金账户 (客户交易结算资金)
    broker: str  # 证券公司营业部
    account_number: str  # 资金账号
    balance: Decimal  # 资金余额, yuan


@dataclass(frozen=True, slots=True)
class SecuritiesFreeze:  # 已有冻结
    account_number: str  # the securities account frozen
    security_code: str | None  # None: the whole account is frozen
    quantity: int | None  # 冻结数量; None with a whole-account freeze
    court: str  # 冻结法院
    case_number: str  # 案号
    frozen_from: datetime.date
    frozen_until: datetime.date  # 冻结期限 (at most three years)


@dataclass(frozen=True, slots=True)
class SecuritiesRecords:
    accounts: tuple[SecuritiesAccount, ...]
    holdings: tuple[Holding, ...]
    funds_accounts: tuple[FundsAccount, ...]
    freezes: tuple[SecuritiesFreeze, ...]

    def count(self) -> int:
        return (
            len(self.accounts) + len(self.holdings) + len(self.funds_accounts) + len(self.freezes)
        )
