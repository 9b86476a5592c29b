"""保险 / Insurance records (through the insurance regulator's platform)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import insurance as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="保单 / Insurance policy")
class Policy:
    policy_number: str = strawberry.field(description="保单号 / Policy number")
    insurer: str = strawberry.field(description="保险公司 / Insurer")
    product_name: str = strawberry.field(description="险种名称 / Product")
    policy_type: str = strawberry.field(description="险种类别 / Kind of cover")
    role: str = strawberry.field(
        description="被执行人的身份（投保人/被保险人/受益人） / The debtor's role: policyholder, "
        "insured or beneficiary"
    )
    policyholder: str = strawberry.field(description="投保人 / Policyholder")
    insured: str = strawberry.field(description="被保险人 / Insured")
    insured_object: str | None = strawberry.field(
        description="保险标的（车牌号、财产地址） / What is insured (plate, property address)"
    )
    sum_insured: Decimal = strawberry.field(description="保额（元） / Sum insured, yuan")
    cash_value: Decimal = strawberry.field(
        description="现金价值（元，仅投保人可被执行） / Cash value, yuan (enforceable only "
        "against the policyholder)"
    )
    premium: Decimal = strawberry.field(description="年缴保费（元） / Annual premium, yuan")
    payment_years: int = strawberry.field(
        description="缴费年期（1为趸交） / Years of premiums (1: single premium)"
    )
    effective_on: datetime.date = strawberry.field(description="生效日 / Effective on")
    expires_on: datetime.date | None = strawberry.field(
        description="满期日（终身为空） / Expires on (empty: whole-life cover)"
    )
    status: str = strawberry.field(description="保单状态 / Status")


@strawberry.type(
    description="保险理财类产品（万能账户、投连账户、保险资管产品） / Insurance wealth product "
    "(universal-life or unit-linked account, insurance asset-management product)"
)
class InsuranceWealthProduct:
    insurer: str = strawberry.field(description="保险机构 / Insurer")
    product_code: str = strawberry.field(description="产品代码 / Product code")
    product_name: str = strawberry.field(description="产品名称 / Product name")
    product_type: str = strawberry.field(description="产品类别 / Kind of product")
    account_value: Decimal = strawberry.field(description="账户价值（元） / Account value, yuan")
    purchased_on: datetime.date = strawberry.field(description="购买日 / Purchased on")


@strawberry.type(description="保单已有冻结 / Existing freeze of a policy")
class PolicyFreeze:
    policy_number: str = strawberry.field(description="保单号 / Policy number")
    insurer: str = strawberry.field(description="保险公司 / Insurer")
    court: str = strawberry.field(description="冻结法院 / Court")
    case_number: str = strawberry.field(description="案号 / Case number")
    frozen_from: datetime.date = strawberry.field(description="冻结起始日 / From")
    frozen_until: datetime.date = strawberry.field(description="冻结到期日 / Until")


@strawberry.type(description="保险反馈 / What the insurers hold")
class InsuranceRecords:
    policies: list[Policy] = strawberry.field(description="保单 / Policies")
    wealth_products: list[InsuranceWealthProduct] = strawberry.field(
        description="保险理财类产品 / Insurance wealth products"
    )
    freezes: list[PolicyFreeze] = strawberry.field(description="已有冻结 / Existing freezes")

    @staticmethod
    def from_domain(records: domain.InsuranceRecords) -> InsuranceRecords:
        return InsuranceRecords(
            policies=[copy_fields(Policy, p) for p in records.policies],
            wealth_products=[
                copy_fields(InsuranceWealthProduct, w) for w in records.wealth_products
            ],
            freezes=[copy_fields(PolicyFreeze, f) for f in records.freezes],
        )
