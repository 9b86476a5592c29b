"""Records of the housing provident fund centre: accounts, fund loans, existing freezes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FundAccount:  # 个人住房公积金账户
    centre: str  # 管理中心: 淮安市住房公积金管理中心 or one of its county offices (管理部)
    account_number: str  # 个人公积金账号
    employer: str  # 单位名称
    employer_uscc: str  # 单位统一社会信用代码
    deposit_base: Decimal  # 缴存基数 (monthly, yuan)
    personal_rate: int  # 个人缴存比例, percent (5-12)
    employer_rate: int  # 单位缴存比例, percent (5-12)
    monthly_deposit: Decimal  # 月缴存额: personal + employer parts
    balance: Decimal  # 账户余额
    opened_on: datetime.date  # 开户日期
    last_deposit_month: str  # 最近缴存年月, "2025-06"
    status: str  # 正常 / 封存 / 销户 / 冻结


@dataclass(frozen=True, slots=True)
class FundLoan:  # 住房公积金贷款
    loan_number: str  # 借款合同编号
    account_number: str  # the borrower's fund account
    entrusted_bank: str  # 受托银行 (the bank that services the loan)
    principal: Decimal  # 贷款金额
    outstanding: Decimal  # 贷款余额
    issued_on: datetime.date  # 放款日期
    matures_on: datetime.date  # 到期日期
    status: str  # 正常 / 逾期 / 结清


@dataclass(frozen=True, slots=True)
class FundFreeze:  # 已有冻结
    account_number: str
    court: str
    case_number: str
    frozen_amount: Decimal
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True)
class FundRecords:
    accounts: tuple[FundAccount, ...]
    loans: tuple[FundLoan, ...]
    freezes: tuple[FundFreeze, ...]

    def count(self) -> int:
        return len(self.accounts) + len(self.loans) + len(self.freezes)
