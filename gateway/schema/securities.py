"""证券 / Securities records (the securities depository and brokers)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import securities as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="证券账户 / Securities account")
class SecuritiesAccount:
    account_number: str = strawberry.field(description="证券账户号码 / Securities account number")
    market: str = strawberry.field(description="市场（上海/深圳/北京） / Market")
    account_type: str = strawberry.field(description="账户类别（A股/B股/基金/股转） / Account type")
    broker: str = strawberry.field(description="托管证券公司营业部 / Custodian broker branch")
    opened_on: datetime.date = strawberry.field(description="开户日期 / Opened on")
    status: str = strawberry.field(description="账户状态 / Status")


@strawberry.type(description="证券持仓 / Securities holding")
class Holding:
    account_number: str = strawberry.field(description="证券账户号码 / Securities account")
    security_code: str = strawberry.field(description="证券代码 / Security code")
    security_name: str = strawberry.field(description="证券简称 / Security name")
    quantity: int = strawberry.field(description="持有数量（股/份） / Quantity held")
    market_value: Decimal = strawberry.field(description="市值（元） / Market value, yuan")
    valued_on: datetime.date = strawberry.field(description="估值日 / Valued on")


@strawberry.type(description="证券资金账户 / Cash account at a broker")
class FundsAccount:
    broker: str = strawberry.field(description="证券公司营业部 / Broker branch")
    account_number: str = strawberry.field(description="资金账号 / Cash account number")
    balance: Decimal = strawberry.field(description="资金余额（元） / Cash balance, yuan")


@strawberry.type(description="证券已有冻结 / Existing securities freeze")
class SecuritiesFreeze:
    account_number: str = strawberry.field(description="证券账户号码 / Securities account")
    security_code: str | None = strawberry.field(
        description="冻结证券代码（空为整户冻结） / Security frozen (empty: the whole account)"
    )
    quantity: int | None = strawberry.field(description="冻结数量 / Quantity frozen")
    court: str = strawberry.field(description="冻结法院 / Court")
    case_number: str = strawberry.field(description="案号 / Case number")
    frozen_from: datetime.date = strawberry.field(description="冻结起始日 / From")
    frozen_until: datetime.date = strawberry.field(description="冻结到期日 / Until")


@strawberry.type(description="证券反馈 / What the securities depository and brokers hold")
class SecuritiesRecords:
    accounts: list[SecuritiesAccount] = strawberry.field(
        description="证券账户 / Securities accounts"
    )
    holdings: list[Holding] = strawberry.field(description="持仓 / Holdings")
    funds_accounts: list[FundsAccount] = strawberry.field(
        description="资金账户 / Cash accounts at brokers"
    )
    freezes: list[SecuritiesFreeze] = strawberry.field(description="已有冻结 / Existing freezes")

    @staticmethod
    def from_domain(records: domain.SecuritiesRecords) -> SecuritiesRecords:
        return SecuritiesRecords(
            accounts=[copy_fields(SecuritiesAccount, a) for a in records.accounts],
            holdings=[copy_fields(Holding, h) for h in records.holdings],
            funds_accounts=[copy_fields(FundsAccount, f) for f in records.funds_accounts],
            freezes=[copy_fields(SecuritiesFreeze, f) for f in records.freezes],
        )
