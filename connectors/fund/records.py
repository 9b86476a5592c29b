"""Records of the housing provident fund centre: accounts, fund loans, existing freezes."""

from __future__ import annotations

import datetime

from gateway.domain.records import BoundedDecimal, doc, record


@record
class FundAccount:
    """个人住房公积金账户 / Personal housing provident fund account"""

    # 管理中心: 淮安市住房公积金管理中心 or one of its county offices (管理部)
    centre: str = doc("管理中心 / Fund centre (or county office)")
    # 个人公积金账号
    account_number: str = doc("个人账号 / Account number")
    # 单位名称
    employer: str = doc("缴存单位 / Employer")
    employer_uscc: str = doc("单位统一社会信用代码 / Employer's unified social credit code")
    # 缴存基数 (monthly, yuan)
    deposit_base: BoundedDecimal = doc("缴存基数 / Monthly deposit base")
    # 个人缴存比例, percent (5-12)
    personal_rate: int = doc("个人缴存比例（%） / Employee's contribution rate (percent)")
    # 单位缴存比例, percent (5-12)
    employer_rate: int = doc("单位缴存比例（%） / Employer's contribution rate (percent)")
    # 月缴存额: personal + employer parts
    monthly_deposit: BoundedDecimal = doc(
        "月缴存额（个人与单位合计） / Monthly deposit (employee and employer)"
    )
    balance: BoundedDecimal = doc("账户余额 / Balance")
    opened_on: datetime.date = doc("开户日期 / Opened on")
    # 最近缴存年月, "2025-06"
    last_deposit_month: str = doc("最近缴存年月（YYYY-MM） / Last month paid in (YYYY-MM)")
    # 正常 / 封存 / 销户 / 冻结
    status: str = doc("账户状态：正常、封存、销户、冻结 / Status: active, dormant, closed, frozen")


@record
class FundLoan:
    """住房公积金贷款 / Provident fund housing loan"""

    loan_number: str = doc("借款合同编号 / Loan contract number")
    # the borrower's fund account
    account_number: str = doc("借款人公积金账号 / Borrower's account")
    # 受托银行 (the bank that services the loan)
    entrusted_bank: str = doc("受托银行 / Servicing bank")
    principal: BoundedDecimal = doc("贷款金额 / Principal")
    outstanding: BoundedDecimal = doc("贷款余额 / Outstanding principal")
    issued_on: datetime.date = doc("放款日期 / Issued on")
    matures_on: datetime.date = doc("到期日期 / Matures on")
    # 正常 / 逾期 / 结清
    status: str = doc("贷款状态：正常、逾期、结清 / Status: current, overdue, repaid")


@record
class FundFreeze:
    """已有冻结 / Existing freeze"""

    account_number: str = doc("公积金账号 / Account number")
    court: str = doc("冻结法院 / Court")
    case_number: str = doc("案号 / Case number")
    frozen_amount: BoundedDecimal = doc("冻结金额 / Amount frozen")
    frozen_from: datetime.date = doc("冻结起始日 / From")
    frozen_until: datetime.date = doc("冻结到期日 / Until")


@record
class FundRecords:
    """住房公积金反馈 / What the provident fund centre holds"""

    accounts: tuple[FundAccount, ...] = doc("公积金账户 / Fund accounts", default=())
    loans: tuple[FundLoan, ...] = doc("公积金贷款 / Fund loans", default=())
    freezes: tuple[FundFreeze, ...] = doc("已有冻结 / Existing freezes", default=())

    def count(self) -> int:
        return len(self.accounts) + len(self.loans) + len(self.freezes)
