"""Records of the business registry (市场监管局): registrations, roles, equity and its freezes.

For a natural person the registry answers the enterprises they run or hold shares in, their
equity (股权), freezes on that equity and the registration events of those enterprises. For a
legal person it answers the enterprise's own registration (营业执照), shareholders, branches and
events, plus the enterprises it invests in. Ratios are percentages with two places
(``Decimal("60.00")``); money is in yuan with two places.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

LEGAL_REPRESENTATIVE = "法定代表人"
CONTROLLING_SHARE = Decimal("50.00")  # 持股比例 at or above which a shareholder controls


@dataclass(frozen=True, slots=True)
class EnterpriseRole:  # 任职及投资企业: the subject's relation to one enterprise
    uscc: str  # 统一社会信用代码
    name: str  # 企业名称
    roles: tuple[str, ...]  # 法定代表人 / 执行董事 / 董事 / 监事 / 经理 / 股东
    share_ratio: Decimal | None  # 持股比例 (%), None when not a shareholder
    enterprise_status: str  # 登记状态: 存续 / 在业 / 吊销 / 注销 / 迁出

    def controls(self) -> bool:
        """Whether the subject controls the enterprise: its legal representative, or >= 50%."""
        if LEGAL_REPRESENTATIVE in self.roles:
            return True
        return self.share_ratio is not None and self.share_ratio >= CONTROLLING_SHARE


@dataclass(frozen=True, slots=True)
class EquityHolding:  # 持有股权
    uscc: str  # the enterprise whose equity is held
    company: str
    share_ratio: Decimal  # 持股比例 (%)
    subscribed_capital: Decimal  # 认缴出资额
    paid_in_capital: Decimal  # 实缴出资额
    subscribed_on: datetime.date  # 认缴（入股）日期


@dataclass(frozen=True, slots=True)
class EquityFreeze:  # 股权冻结
    uscc: str  # the enterprise whose equity is frozen
    company: str
    frozen_amount: Decimal  # 冻结股权数额 (出资额)
    court: str  # 执行法院
    case_number: str  # 执行案号
    frozen_from: datetime.date
    frozen_until: datetime.date
    status: str  # 冻结 / 续行冻结 / 解除冻结
    publicized_on: datetime.date  # 公示日期 (国家企业信用信息公示系统)
    released_on: datetime.date | None = None  # 解除冻结日期, for 解除冻结


@dataclass(frozen=True, slots=True)
class RegistrationEvent:  # 设立、变更、注销登记
    uscc: str
    company: str
    event: str  # 设立 / 变更 / 注销 / 吊销
    item: str | None  # 变更事项: 注册资本 / 法定代表人 / 住所 / 股东 ...; None unless 变更
    before: str | None  # 变更前
    after: str | None  # 变更后
    date: datetime.date  # 核准日期


@dataclass(frozen=True, slots=True)
class Registration:  # 营业执照登记信息 of a legal-person subject
    uscc: str
    name: str
    enterprise_type: str  # 有限责任公司（自然人投资或控股） / 有限责任公司（自然人独资） ...
    legal_representative: str  # 法定代表人
    registered_capital: Decimal  # 注册资本 (yuan)
    established_on: datetime.date  # 成立日期
    address: str  # 住所
    business_scope: str  # 经营范围
    registry: str  # 登记机关: 淮安市清江浦区市场监督管理局
    status: str  # 登记状态: 存续 / 在业 / 吊销 / 注销 / 迁出
    operating_until: datetime.date | None = None  # 营业期限至; None: 长期
    approved_on: datetime.date | None = None  # 核准日期 (the latest registration event)


@dataclass(frozen=True, slots=True)
class Shareholder:  # 股东及出资信息
    name: str
    kind: str  # 自然人 / 企业法人
    identifier: str | None  # USCC of a corporate shareholder; None for persons (not published)
    share_ratio: Decimal  # 持股比例 (%)
    subscribed_capital: Decimal  # 认缴出资额
    paid_in_capital: Decimal  # 实缴出资额


@dataclass(frozen=True, slots=True)
class Branch:  # 分支机构
    uscc: str
    name: str
    address: str  # 营业场所
    status: str  # 存续 / 注销
    principal: str | None = None  # 负责人
    established_on: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class BusinessRecords:
    registration: Registration | None  # only for a legal-person subject
    shareholders: tuple[Shareholder, ...]
    branches: tuple[Branch, ...]
    enterprises: tuple[EnterpriseRole, ...]  # enterprises the subject runs or invests in
    equity_holdings: tuple[EquityHolding, ...]
    equity_freezes: tuple[EquityFreeze, ...]
    events: tuple[RegistrationEvent, ...]

    def count(self) -> int:
        return (
            (self.registration is not None)
            + len(self.shareholders)
            + len(self.branches)
            + len(self.enterprises)
            + len(self.equity_holdings)
            + len(self.equity_freezes)
            + len(self.events)
        )

    def controlled_enterprises(self) -> tuple[str, ...]:
        """USCCs of the enterprises the subject controls, in order, each once."""
        return tuple(dict.fromkeys(e.uscc for e in self.enterprises if e.controls()))
