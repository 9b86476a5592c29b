"""Records of the business registry (市场监管局): registrations, roles, equity and its freezes.

For a natural person the registry answers the enterprises they run or hold shares in, their
equity (股权), freezes on that equity and the registration events of those enterprises. For a
legal person it answers the enterprise's own registration (营业执照), shareholders, branches and
events, plus the enterprises it invests in. Ratios are percentages with two places
(``Decimal("60.00")``); money is in yuan with two places.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from gateway.domain.records import BoundedDecimal, doc, record

LEGAL_REPRESENTATIVE = "法定代表人"
CONTROLLING_SHARE = Decimal("50.00")  # 持股比例 at or above which a shareholder controls


@record
class EnterpriseRole:
    """任职及投资企业 / An enterprise the debtor runs or invests in"""

    # 任职及投资企业: the subject's relation to one enterprise
    uscc: str = doc("统一社会信用代码 / Unified social credit code")
    name: str = doc("企业名称 / Name")
    # 法定代表人 / 执行董事 / 董事 / 监事 / 经理 / 股东
    roles: tuple[str, ...] = doc(
        "身份（法定代表人、执行董事、董事、监事、经理、股东） / Roles: legal representative, "
        "executive director, director, supervisor, manager, shareholder",
        default=(),
    )
    # 持股比例 (%), None when not a shareholder
    share_ratio: BoundedDecimal | None = doc(
        "持股比例（%，非股东为空） / Share, percent (null when not a shareholder)", default=None
    )
    # 登记状态: 存续 / 在业 / 吊销 / 注销 / 迁出
    enterprise_status: str = doc("企业登记状态 / Enterprise status")

    @property
    def controls(self) -> bool:
        """是否控制（法定代表人或持股不低于50%） / Controlled by the debtor: legal representative
        or at least 50%"""
        if LEGAL_REPRESENTATIVE in self.roles:
            return True
        return self.share_ratio is not None and self.share_ratio >= CONTROLLING_SHARE


@record
class EquityHolding:
    """持有股权 / Equity held"""

    # the enterprise whose equity is held
    uscc: str = doc("被投资企业统一社会信用代码 / Credit code of the company")
    company: str = doc("被投资企业 / Company")
    # 持股比例 (%)
    share_ratio: BoundedDecimal = doc("持股比例（%） / Share, percent")
    subscribed_capital: BoundedDecimal = doc("认缴出资额（元） / Subscribed capital, yuan")
    paid_in_capital: BoundedDecimal = doc("实缴出资额（元） / Paid-in capital, yuan")
    # 认缴（入股）日期
    subscribed_on: datetime.date = doc("认缴日期 / Subscribed on")
    asset_id: str | None = doc(
        "查控标识（冻结、扣划时指明的财产） / Asset id a control names", default=None
    )


@record
class EquityFreeze:
    """股权冻结 / Equity freeze"""

    # the enterprise whose equity is frozen
    uscc: str = doc("股权所在企业统一社会信用代码 / Credit code of the company")
    company: str = doc("股权所在企业 / Company")
    # 冻结股权数额 (出资额)
    frozen_amount: BoundedDecimal = doc("冻结股权数额（元） / Equity frozen, yuan of contribution")
    court: str = doc("执行法院 / Court")
    # 执行案号
    case_number: str = doc("案号 / Case number")
    frozen_from: datetime.date = doc("冻结起始日 / From")
    frozen_until: datetime.date = doc("冻结到期日 / Until")
    # 冻结 / 续行冻结 / 解除冻结
    status: str = doc("状态（冻结、续行冻结、解除冻结） / Status: frozen, continued or lifted")
    # 公示日期 (国家企业信用信息公示系统)
    publicized_on: datetime.date = doc("公示日期 / Publicised on")
    # 解除冻结日期, for 解除冻结
    released_on: datetime.date | None = doc("解除冻结日期 / Lifted on, if lifted", default=None)


@record
class RegistrationEvent:
    """设立、变更、注销登记 / Registration event"""

    uscc: str = doc("统一社会信用代码 / Unified social credit code")
    company: str = doc("企业名称 / Company")
    # 设立 / 变更 / 注销 / 吊销
    event: str = doc(
        "登记事项（设立、变更、注销、吊销） / Establishment, change, deregistration or revocation"
    )
    # 变更事项: 注册资本 / 法定代表人 / 住所 / 股东 ...; None unless 变更
    item: str | None = doc("变更事项 / What changed", default=None)
    before: str | None = doc("变更前 / Before", default=None)
    after: str | None = doc("变更后 / After", default=None)
    date: datetime.date = doc("核准日期 / Approved on")


@record
class BusinessRegistration:
    """营业执照登记信息 / The enterprise's own registration"""

    # 营业执照登记信息 of a legal-person subject
    uscc: str = doc("统一社会信用代码 / Unified social credit code")
    name: str = doc("企业名称 / Name")
    # 有限责任公司（自然人投资或控股） / 有限责任公司（自然人独资） ...
    enterprise_type: str = doc("企业类型 / Type of enterprise")
    legal_representative: str = doc("法定代表人 / Legal representative")
    # 注册资本 (yuan)
    registered_capital: BoundedDecimal = doc("注册资本（元） / Registered capital, yuan")
    established_on: datetime.date = doc("成立日期 / Established on")
    address: str = doc("住所 / Registered address")
    business_scope: str = doc("经营范围 / Business scope")
    # 登记机关: 淮安市清江浦区市场监督管理局
    registry: str = doc("登记机关 / Registration authority")
    # 登记状态: 存续 / 在业 / 吊销 / 注销 / 迁出
    status: str = doc(
        "登记状态（存续、在业、吊销、注销、迁出） / Status: active, revoked, deregistered or moved out"
    )
    # 营业期限至; None: 长期
    operating_until: datetime.date | None = doc(
        "营业期限至（空为长期） / Licensed to operate until (null: no limit)", default=None
    )
    # 核准日期 (the latest registration event)
    approved_on: datetime.date | None = doc(
        "核准日期 / Date of the latest approved registration", default=None
    )


@record
class Shareholder:
    """股东及出资信息 / Shareholder and contribution"""

    name: str = doc("股东名称 / Shareholder")
    # 自然人 / 企业法人
    kind: str = doc("股东类型（自然人、企业法人） / Person or enterprise")
    # USCC of a corporate shareholder; None for persons (not published)
    identifier: str | None = doc(
        "企业股东的统一社会信用代码（自然人不公示） / Credit code of a corporate shareholder (none for persons)",
        default=None,
    )
    # 持股比例 (%)
    share_ratio: BoundedDecimal = doc("持股比例（%） / Share, percent")
    subscribed_capital: BoundedDecimal = doc("认缴出资额（元） / Subscribed capital, yuan")
    paid_in_capital: BoundedDecimal = doc("实缴出资额（元） / Paid-in capital, yuan")


@record
class BusinessBranch:
    """分支机构 / Branch"""

    uscc: str = doc("统一社会信用代码 / Unified social credit code")
    name: str = doc("名称 / Name")
    address: str = doc("营业场所 / Premises")
    # 存续 / 注销
    status: str = doc("登记状态 / Status")
    principal: str | None = doc("负责人 / Person in charge", default=None)
    established_on: datetime.date | None = doc("成立日期 / Established on", default=None)


@record
class BusinessRecords:
    """市场监管局反馈 / What the business registry holds"""

    # only for a legal-person subject
    registration: BusinessRegistration | None = doc(
        "营业执照登记信息（法人） / Own registration (legal persons)", default=None
    )
    shareholders: tuple[Shareholder, ...] = doc("股东 / Shareholders", default=())
    branches: tuple[BusinessBranch, ...] = doc("分支机构 / Branches", default=())
    # enterprises the subject runs or invests in
    enterprises: tuple[EnterpriseRole, ...] = doc(
        "任职及投资企业 / Enterprises run or invested in", default=()
    )
    equity_holdings: tuple[EquityHolding, ...] = doc("持有股权 / Equity held", default=())
    equity_freezes: tuple[EquityFreeze, ...] = doc("股权冻结 / Equity freezes", default=())
    events: tuple[RegistrationEvent, ...] = doc(
        "设立、变更、注销登记 / Registration events", default=()
    )

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

    @property
    def controlled_enterprises(self) -> tuple[str, ...]:
        """控制企业的统一社会信用代码 / Credit codes of the enterprises controlled"""
        return tuple(dict.fromkeys(e.uscc for e in self.enterprises if e.controls))
