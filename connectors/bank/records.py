"""Records of the banks (through the central bank branch): accounts, cards, deposits, products."""

from __future__ import annotations

import datetime

from gateway.domain.records import BoundedDecimal, doc, record


@record
class BankAccount:
    """银行账户 / Bank account"""

    bank: str = doc("开户银行 / Bank")
    branch: str = doc("开户网点 / Branch")
    account_number: str = doc("账号 / Account number")
    # I类户 / II类户 / 基本存款账户 / 一般存款账户
    account_type: str = doc("账户类型 / Account type")
    # ISO 4217: CNY, USD
    currency: str = doc("币种 / Currency (ISO 4217)")
    balance: BoundedDecimal = doc("余额 / Balance")
    available_balance: BoundedDecimal = doc("可用余额 / Available balance")
    opened_on: datetime.date = doc("开户日期 / Opened on")
    # 正常 / 冻结 / 销户 / 久悬
    status: str = doc("账户状态 / Status")


@record
class BankCard:
    """银行卡 / Bank card"""

    bank: str = doc("发卡银行 / Bank")
    card_number: str = doc("卡号 / Card number")
    # 借记卡 / 信用卡
    card_type: str = doc("卡种 / Card type")
    # linked account
    account_number: str = doc("关联账号 / Linked account")
    status: str = doc("状态 / Status")


@record
class Deposit:
    """存款 / Deposit"""

    bank: str = doc("银行 / Bank")
    account_number: str = doc("账号 / Account number")
    # 活期 / 定期 / 大额存单 / 通知存款
    deposit_type: str = doc("存款种类 / Deposit type")
    currency: str = doc("币种 / Currency")
    amount: BoundedDecimal = doc("金额 / Amount")
    matures_on: datetime.date | None = doc("到期日 / Matures on", default=None)


@record
class WealthProduct:
    """理财产品 / Wealth-management product"""

    bank: str = doc("银行 / Bank")
    product_code: str = doc("产品代码 / Product code")
    product_name: str = doc("产品名称 / Product name")
    currency: str = doc("币种 / Currency")
    holding_value: BoundedDecimal = doc("持有市值 / Value held")
    matures_on: datetime.date | None = doc("到期日 / Matures on", default=None)
    asset_id: str | None = doc(
        "查控标识（冻结、扣划时指明的财产） / Asset id a control names", default=None
    )


@record
class AccountFreeze:
    """已有冻结 / Existing freeze"""

    bank: str = doc("银行 / Bank")
    account_number: str = doc("账号 / Account number")
    court: str = doc("冻结法院 / Court")
    case_number: str = doc("案号 / Case number")
    frozen_amount: BoundedDecimal = doc("冻结金额 / Amount frozen")
    frozen_from: datetime.date = doc("冻结起始日 / From")
    frozen_until: datetime.date = doc("冻结到期日 / Until")


@record
class BankRecords:
    """银行反馈 / What the banks hold"""

    accounts: tuple[BankAccount, ...] = doc("账户 / Accounts", default=())
    cards: tuple[BankCard, ...] = doc("银行卡 / Cards", default=())
    deposits: tuple[Deposit, ...] = doc("存款 / Deposits", default=())
    wealth_products: tuple[WealthProduct, ...] = doc(
        "理财产品 / Wealth-management products", default=()
    )
    freezes: tuple[AccountFreeze, ...] = doc("已有冻结 / Existing freezes", default=())

    def count(self) -> int:
        return (
            len(self.accounts)
            + len(self.cards)
            + len(self.deposits)
            + len(self.wealth_products)
            + len(self.freezes)
        )
