"""银行 / Bank records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import bank as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="银行账户 / Bank account")
class BankAccount:
    bank: str = strawberry.field(description="开户银行 / Bank")
    branch: str = strawberry.field(description="开户网点 / Branch")
    account_number: str = strawberry.field(description="账号 / Account number")
    account_type: str = strawberry.field(description="账户类型 / Account type")
    currency: str = strawberry.field(description="币种 / Currency (ISO 4217)")
    balance: Decimal = strawberry.field(description="余额 / Balance")
    available_balance: Decimal = strawberry.field(description="可用余额 / Available balance")
    opened_on: datetime.date = strawberry.field(description="开户日期 / Opened on")
    status: str = strawberry.field(description="账户状态 / Status")


@strawberry.type(description="银行卡 / Bank card")
class BankCard:
    bank: str = strawberry.field(description="发卡银行 / Bank")
    card_number: str = strawberry.field(description="卡号 / Card number")
    card_type: str = strawberry.field(description="卡种 / Card type")
    account_number: str = strawberry.field(description="关联账号 / Linked account")
    status: str = strawberry.field(description="状态 / Status")


@strawberry.type(description="存款 / Deposit")
class Deposit:
    bank: str = strawberry.field(description="银行 / Bank")
    account_number: str = strawberry.field(description="账号 / Account number")
    deposit_type: str = strawberry.field(description="存款种类 / Deposit type")
    currency: str = strawberry.field(description="币种 / Currency")
    amount: Decimal = strawberry.field(description="金额 / Amount")
    matures_on: datetime.date | None = strawberry.field(description="到期日 / Matures on")


@strawberry.type(description="理财产品 / Wealth-management product")
class WealthProduct:
    bank: str = strawberry.field(description="银行 / Bank")
    product_code: str = strawberry.field(description="产品代码 / Product code")
    product_name: str = strawberry.field(description="产品名称 / Product name")
    currency: str = strawberry.field(description="币种 / Currency")
    holding_value: Decimal = strawberry.field(description="持有市值 / Value held")
    matures_on: datetime.date | None = strawberry.field(description="到期日 / Matures on")


@strawberry.type(description="已有冻结 / Existing freeze")
class AccountFreeze:
    bank: str = strawberry.field(description="银行 / Bank")
    account_number: str = strawberry.field(description="账号 / Account number")
    court: str = strawberry.field(description="冻结法院 / Court")
    case_number: str = strawberry.field(description="案号 / Case number")
    frozen_amount: Decimal = strawberry.field(description="冻结金额 / Amount frozen")
    frozen_from: datetime.date = strawberry.field(description="冻结起始日 / From")
    frozen_until: datetime.date = strawberry.field(description="冻结到期日 / Until")


@strawberry.type(description="银行反馈 / What the banks hold")
class BankRecords:
    accounts: list[BankAccount] = strawberry.field(description="账户 / Accounts")
    cards: list[BankCard] = strawberry.field(description="银行卡 / Cards")
    deposits: list[Deposit] = strawberry.field(description="存款 / Deposits")
    wealth_products: list[WealthProduct] = strawberry.field(
        description="理财产品 / Wealth-management products"
    )
    freezes: list[AccountFreeze] = strawberry.field(description="已有冻结 / Existing freezes")

    @staticmethod
    def from_domain(records: domain.BankRecords) -> BankRecords:
        return BankRecords(
            accounts=[copy_fields(BankAccount, a) for a in records.accounts],
            cards=[copy_fields(BankCard, c) for c in records.cards],
            deposits=[copy_fields(Deposit, d) for d in records.deposits],
            wealth_products=[copy_fields(WealthProduct, w) for w in records.wealth_products],
            freezes=[copy_fields(AccountFreeze, f) for f in records.freezes],
        )
