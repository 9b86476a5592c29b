"""市场监管（工商） / Business registry records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import business as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="营业执照登记信息 / The enterprise's own registration")
class BusinessRegistration:
    uscc: str = strawberry.field(description="统一社会信用代码 / Unified social credit code")
    name: str = strawberry.field(description="企业名称 / Name")
    enterprise_type: str = strawberry.field(description="企业类型 / Type of enterprise")
    legal_representative: str = strawberry.field(description="法定代表人 / Legal representative")
    registered_capital: Decimal = strawberry.field(
        description="注册资本（元） / Registered capital, yuan"
    )
    established_on: datetime.date = strawberry.field(description="成立日期 / Established on")
    address: str = strawberry.field(description="住所 / Registered address")
    business_scope: str = strawberry.field(description="经营范围 / Business scope")
    registry: str = strawberry.field(description="登记机关 / Registration authority")
    status: str = strawberry.field(
        description="登记状态（存续、在业、吊销、注销、迁出） / Status: active, revoked, "
        "deregistered or moved out"
    )
    operating_until: datetime.date | None = strawberry.field(
        description="营业期限至（空为长期） / Licensed to operate until (null: no limit)"
    )
    approved_on: datetime.date | None = strawberry.field(
        description="核准日期 / Date of the latest approved registration"
    )


@strawberry.type(description="股东及出资信息 / Shareholder and contribution")
class Shareholder:
    name: str = strawberry.field(description="股东名称 / Shareholder")
    kind: str = strawberry.field(description="股东类型（自然人、企业法人） / Person or enterprise")
    identifier: str | None = strawberry.field(
        description="企业股东的统一社会信用代码（自然人不公示） / Credit code of a corporate "
        "shareholder (none for persons)"
    )
    share_ratio: Decimal = strawberry.field(description="持股比例（%） / Share, percent")
    subscribed_capital: Decimal = strawberry.field(
        description="认缴出资额（元） / Subscribed capital, yuan"
    )
    paid_in_capital: Decimal = strawberry.field(
        description="实缴出资额（元） / Paid-in capital, yuan"
    )


@strawberry.type(description="分支机构 / Branch")
class BusinessBranch:
    uscc: str = strawberry.field(description="统一社会信用代码 / Unified social credit code")
    name: str = strawberry.field(description="名称 / Name")
    address: str = strawberry.field(description="营业场所 / Premises")
    status: str = strawberry.field(description="登记状态 / Status")
    principal: str | None = strawberry.field(description="负责人 / Person in charge")
    established_on: datetime.date | None = strawberry.field(description="成立日期 / Established on")


@strawberry.type(description="任职及投资企业 / An enterprise the debtor runs or invests in")
class EnterpriseRole:
    uscc: str = strawberry.field(description="统一社会信用代码 / Unified social credit code")
    name: str = strawberry.field(description="企业名称 / Name")
    roles: list[str] = strawberry.field(
        description="身份（法定代表人、执行董事、董事、监事、经理、股东） / Roles: legal "
        "representative, executive director, director, supervisor, manager, shareholder"
    )
    share_ratio: Decimal | None = strawberry.field(
        description="持股比例（%，非股东为空） / Share, percent (null when not a shareholder)"
    )
    enterprise_status: str = strawberry.field(description="企业登记状态 / Enterprise status")
    controls: bool = strawberry.field(
        description="是否控制（法定代表人或持股不低于50%） / Controlled by the debtor: legal "
        "representative or at least 50%"
    )

    @staticmethod
    def from_domain(role: domain.EnterpriseRole) -> EnterpriseRole:
        return EnterpriseRole(
            uscc=role.uscc,
            name=role.name,
            roles=list(role.roles),
            share_ratio=role.share_ratio,
            enterprise_status=role.enterprise_status,
            controls=role.controls(),
        )


@strawberry.type(description="持有股权 / Equity held")
class EquityHolding:
    uscc: str = strawberry.field(
        description="被投资企业统一社会信用代码 / Credit code of the company"
    )
    company: str = strawberry.field(description="被投资企业 / Company")
    share_ratio: Decimal = strawberry.field(description="持股比例（%） / Share, percent")
    subscribed_capital: Decimal = strawberry.field(
        description="认缴出资额（元） / Subscribed capital, yuan"
    )
    paid_in_capital: Decimal = strawberry.field(
        description="实缴出资额（元） / Paid-in capital, yuan"
    )
    subscribed_on: datetime.date = strawberry.field(description="认缴日期 / Subscribed on")


@strawberry.type(description="股权冻结 / Equity freeze")
class EquityFreeze:
    uscc: str = strawberry.field(
        description="股权所在企业统一社会信用代码 / Credit code of the company"
    )
    company: str = strawberry.field(description="股权所在企业 / Company")
    frozen_amount: Decimal = strawberry.field(
        description="冻结股权数额（元） / Equity frozen, yuan of contribution"
    )
    court: str = strawberry.field(description="执行法院 / Court")
    case_number: str = strawberry.field(description="案号 / Case number")
    frozen_from: datetime.date = strawberry.field(description="冻结起始日 / From")
    frozen_until: datetime.date = strawberry.field(description="冻结到期日 / Until")
    status: str = strawberry.field(
        description="状态（冻结、续行冻结、解除冻结） / Status: frozen, continued or lifted"
    )
    publicized_on: datetime.date = strawberry.field(description="公示日期 / Publicised on")
    released_on: datetime.date | None = strawberry.field(
        description="解除冻结日期 / Lifted on, if lifted"
    )


@strawberry.type(description="设立、变更、注销登记 / Registration event")
class RegistrationEvent:
    uscc: str = strawberry.field(description="统一社会信用代码 / Unified social credit code")
    company: str = strawberry.field(description="企业名称 / Company")
    event: str = strawberry.field(
        description="登记事项（设立、变更、注销、吊销） / Establishment, change, deregistration "
        "or revocation"
    )
    item: str | None = strawberry.field(description="变更事项 / What changed")
    before: str | None = strawberry.field(description="变更前 / Before")
    after: str | None = strawberry.field(description="变更后 / After")
    date: datetime.date = strawberry.field(description="核准日期 / Approved on")


@strawberry.type(description="市场监管局反馈 / What the business registry holds")
class BusinessRecords:
    registration: BusinessRegistration | None = strawberry.field(
        description="营业执照登记信息（法人） / Own registration (legal persons)"
    )
    shareholders: list[Shareholder] = strawberry.field(description="股东 / Shareholders")
    branches: list[BusinessBranch] = strawberry.field(description="分支机构 / Branches")
    enterprises: list[EnterpriseRole] = strawberry.field(
        description="任职及投资企业 / Enterprises run or invested in"
    )
    equity_holdings: list[EquityHolding] = strawberry.field(description="持有股权 / Equity held")
    equity_freezes: list[EquityFreeze] = strawberry.field(description="股权冻结 / Equity freezes")
    events: list[RegistrationEvent] = strawberry.field(
        description="设立、变更、注销登记 / Registration events"
    )
    controlled_enterprises: list[str] = strawberry.field(
        description="控制企业的统一社会信用代码 / Credit codes of the enterprises controlled"
    )

    @staticmethod
    def from_domain(records: domain.BusinessRecords) -> BusinessRecords:
        registration = records.registration
        return BusinessRecords(
            registration=(
                None if registration is None else copy_fields(BusinessRegistration, registration)
            ),
            shareholders=[copy_fields(Shareholder, s) for s in records.shareholders],
            branches=[copy_fields(BusinessBranch, b) for b in records.branches],
            enterprises=[EnterpriseRole.from_domain(e) for e in records.enterprises],
            equity_holdings=[copy_fields(EquityHolding, h) for h in records.equity_holdings],
            equity_freezes=[copy_fields(EquityFreeze, f) for f in records.equity_freezes],
            events=[copy_fields(RegistrationEvent, e) for e in records.events],
            controlled_enterprises=list(records.controlled_enterprises()),
        )
