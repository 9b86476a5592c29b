"""住房公积金 / Housing provident fund records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import fund as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="个人住房公积金账户 / Personal housing provident fund account")
class FundAccount:
    centre: str = strawberry.field(description="管理中心 / Fund centre (or county office)")
    account_number: str = strawberry.field(description="个人账号 / Account number")
    employer: str = strawberry.field(description="缴存单位 / Employer")
    employer_uscc: str = strawberry.field(
        description="单位统一社会信用代码 / Employer's unified social credit code"
    )
    deposit_base: Decimal = strawberry.field(description="缴存基数 / Monthly deposit base")
    personal_rate: int = strawberry.field(
        description="个人缴存比例（%） / Employee's contribution rate (percent)"
    )
    employer_rate: int = strawberry.field(
        description="单位缴存比例（%） / Employer's contribution rate (percent)"
    )
    monthly_deposit: Decimal = strawberry.field(
        description="月缴存额（个人与单位合计） / Monthly deposit (employee and employer)"
    )
    balance: Decimal = strawberry.field(description="账户余额 / Balance")
    opened_on: datetime.date = strawberry.field(description="开户日期 / Opened on")
    last_deposit_month: str = strawberry.field(
        description="最近缴存年月（YYYY-MM） / Last month paid in (YYYY-MM)"
    )
    status: str = strawberry.field(
        description="账户状态：正常、封存、销户、冻结 / Status: active, dormant, closed, frozen"
    )


@strawberry.type(description="住房公积金贷款 / Provident fund housing loan")
class FundLoan:
    loan_number: str = strawberry.field(description="借款合同编号 / Loan contract number")
    account_number: str = strawberry.field(description="借款人公积金账号 / Borrower's account")
    entrusted_bank: str = strawberry.field(description="受托银行 / Servicing bank")
    principal: Decimal = strawberry.field(description="贷款金额 / Principal")
    outstanding: Decimal = strawberry.field(description="贷款余额 / Outstanding principal")
    issued_on: datetime.date = strawberry.field(description="放款日期 / Issued on")
    matures_on: datetime.date = strawberry.field(description="到期日期 / Matures on")
    status: str = strawberry.field(
        description="贷款状态：正常、逾期、结清 / Status: current, overdue, repaid"
    )


@strawberry.type(description="已有冻结 / Existing freeze")
class FundFreeze:
    account_number: str = strawberry.field(description="公积金账号 / Account number")
    court: str = strawberry.field(description="冻结法院 / Court")
    case_number: str = strawberry.field(description="案号 / Case number")
    frozen_amount: Decimal = strawberry.field(description="冻结金额 / Amount frozen")
    frozen_from: datetime.date = strawberry.field(description="冻结起始日 / From")
    frozen_until: datetime.date = strawberry.field(description="冻结到期日 / Until")


@strawberry.type(description="住房公积金反馈 / What the provident fund centre holds")
class FundRecords:
    accounts: list[FundAccount] = strawberry.field(description="公积金账户 / Fund accounts")
    loans: list[FundLoan] = strawberry.field(description="公积金贷款 / Fund loans")
    freezes: list[FundFreeze] = strawberry.field(description="已有冻结 / Existing freezes")

    @staticmethod
    def from_domain(records: domain.FundRecords) -> FundRecords:
        return FundRecords(
            accounts=[copy_fields(FundAccount, a) for a in records.accounts],
            loans=[copy_fields(FundLoan, loan) for loan in records.loans],
            freezes=[copy_fields(FundFreeze, f) for f in records.freezes],
        )
