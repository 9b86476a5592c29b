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

from gateway.domain.records import BoundedDecimal, doc, record


@record
class SecuritiesAccount:
    """证券账户 / Securities account"""

    account_number: str = doc("证券账户号码 / Securities account number")
    # 上海 / 深圳 / 北京
    market: str = doc("市场（上海/深圳/北京） / Market")
    # A股 / B股 / 基金 / 股转
    account_type: str = doc("账户类别（A股/B股/基金/股转） / Account type")
    # 托管证券公司营业部, e.g. 华泰证券淮安淮海东路营业部
    broker: str = doc("托管证券公司营业部 / Custodian broker branch")
    opened_on: datetime.date = doc("开户日期 / Opened on")
    # 正常 / 冻结 / 休眠 / 销户
    status: str = doc("账户状态 / Status")


@record
class Holding:
    """证券持仓 / Securities holding"""

    # the securities account holding it
    account_number: str = doc("证券账户号码 / Securities account")
    # 证券代码, six digits of the account's market
    security_code: str = doc("证券代码 / Security code")
    security_name: str = doc("证券简称 / Security name")
    # 持有数量 (shares or fund units; multiples of 100)
    quantity: int = doc("持有数量（股/份） / Quantity held")
    # 市值, yuan, at the closing price of valued_on
    market_value: BoundedDecimal = doc("市值（元） / Market value, yuan")
    valued_on: datetime.date = doc("估值日 / Valued on")


@record
class FundsAccount:
    """证券资金账户 / Cash account at a broker"""

    # 资金账户 (客户交易结算资金)
    broker: str = doc("证券公司营业部 / Broker branch")
    account_number: str = doc("资金账号 / Cash account number")
    # 资金余额, yuan
    balance: BoundedDecimal = doc("资金余额（元） / Cash balance, yuan")


@record
class SecuritiesFreeze:
    """证券已有冻结 / Existing securities freeze"""

    # the securities account frozen
    account_number: str = doc("证券账户号码 / Securities account")
    # None: the whole account is frozen
    security_code: str | None = doc(
        "冻结证券代码（空为整户冻结） / Security frozen (empty: the whole account)", default=None
    )
    # 冻结数量; None with a whole-account freeze
    quantity: int | None = doc("冻结数量 / Quantity frozen", default=None)
    court: str = doc("冻结法院 / Court")
    case_number: str = doc("案号 / Case number")
    frozen_from: datetime.date = doc("冻结起始日 / From")
    # 冻结期限 (at most three years)
    frozen_until: datetime.date = doc("冻结到期日 / Until")


@record
class SecuritiesRecords:
    """证券反馈 / What the securities depository and brokers hold"""

    accounts: tuple[SecuritiesAccount, ...] = doc("证券账户 / Securities accounts", default=())
    holdings: tuple[Holding, ...] = doc("持仓 / Holdings", default=())
    funds_accounts: tuple[FundsAccount, ...] = doc(
        "资金账户 / Cash accounts at brokers", default=()
    )
    freezes: tuple[SecuritiesFreeze, ...] = doc("已有冻结 / Existing freezes", default=())

    def count(self) -> int:
        return (
            len(self.accounts) + len(self.holdings) + len(self.funds_accounts) + len(self.freezes)
        )
