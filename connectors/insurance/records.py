"""Records of the insurers (through the regulator's platform): policies, wealth products, freezes.

Only the policyholder (投保人) owns a policy's cash value (现金价值), so only policies the
subject holds in that role are enforceable; pure-protection and property policies have no cash
value at all.
"""

from __future__ import annotations

import datetime

from gateway.domain.records import BoundedDecimal, doc, record


@record
class Policy:
    """保单 / Insurance policy"""

    policy_number: str = doc("保单号 / Policy number")
    # 保险公司 (the branch that issued it)
    insurer: str = doc("保险公司 / Insurer")
    product_name: str = doc("险种名称 / Product")
    # 终身寿险 / 两全保险 / 年金保险 / 重疾险 / 意外险 / 车险 / 财产险 / 团体意外险
    policy_type: str = doc("险种类别 / Kind of cover")
    # the subject's role: 投保人 / 被保险人 / 受益人
    role: str = doc(
        "被执行人的身份（投保人/被保险人/受益人） / The debtor's role: policyholder, insured or beneficiary"
    )
    # 投保人 (name of the person or organisation)
    policyholder: str = doc("投保人 / Policyholder")
    insured: str = doc("被保险人 / Insured")
    # 保险标的: a plate for 车险, an address for 财产险
    insured_object: str | None = doc(
        "保险标的（车牌号、财产地址） / What is insured (plate, property address)", default=None
    )
    sum_insured: BoundedDecimal = doc("保额（元） / Sum insured, yuan")
    # 现金价值 (0 for pure-protection and property policies)
    cash_value: BoundedDecimal = doc(
        "现金价值（元，仅投保人可被执行） / Cash value, yuan (enforceable only against the policyholder)"
    )
    # 年缴保费 (the single premium when payment_years is 1)
    premium: BoundedDecimal = doc("年缴保费（元） / Annual premium, yuan")
    # 缴费年期 (1 = 趸交)
    payment_years: int = doc("缴费年期（1为趸交） / Years of premiums (1: single premium)")
    effective_on: datetime.date = doc("生效日 / Effective on")
    # 满期日; None for whole-life cover
    expires_on: datetime.date | None = doc(
        "满期日（终身为空） / Expires on (empty: whole-life cover)", default=None
    )
    # 有效 / 满期 / 退保 / 冻结
    status: str = doc("保单状态 / Status")


@record
class InsuranceWealthProduct:
    """保险理财类产品（万能账户、投连账户、保险资管产品） / Insurance wealth product
    (universal-life or unit-linked account, insurance asset-management product)"""

    # 保险资管产品 / 万能账户 / 投连账户
    insurer: str = doc("保险机构 / Insurer")
    product_code: str = doc("产品代码 / Product code")
    product_name: str = doc("产品名称 / Product name")
    # 万能账户 / 投连账户 / 保险资管产品
    product_type: str = doc("产品类别 / Kind of product")
    # 账户价值, yuan
    account_value: BoundedDecimal = doc("账户价值（元） / Account value, yuan")
    purchased_on: datetime.date = doc("购买日 / Purchased on")


@record
class PolicyFreeze:
    """保单已有冻结 / Existing freeze of a policy"""

    # 已有冻结 (of a policy's cash value)
    policy_number: str = doc("保单号 / Policy number")
    insurer: str = doc("保险公司 / Insurer")
    court: str = doc("冻结法院 / Court")
    case_number: str = doc("案号 / Case number")
    frozen_from: datetime.date = doc("冻结起始日 / From")
    frozen_until: datetime.date = doc("冻结到期日 / Until")


@record
class InsuranceRecords:
    """保险反馈 / What the insurers hold"""

    policies: tuple[Policy, ...] = doc("保单 / Policies", default=())
    wealth_products: tuple[InsuranceWealthProduct, ...] = doc(
        "保险理财类产品 / Insurance wealth products", default=()
    )
    freezes: tuple[PolicyFreeze, ...] = doc("已有冻结 / Existing freezes", default=())

    def count(self) -> int:
        return len(self.policies) + len(self.wealth_products) + len(self.freezes)
