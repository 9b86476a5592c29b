"""Records of the insurers (through the regulator's platform): policies, wealth products, freezes.

Only the policyholder (投保人) owns a policy's cash value (现金价值), so only policies the
subject holds in that role are enforceable; pure-protection and property policies have no cash
value at all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Policy:  # 保单
    policy_number: str  # 保单号
    insurer: str  # 保险公司 (the branch that issued it)
    product_name: str  # 险种名称
    # 终身寿险 / 两全保险 / 年金保险 / 重疾险 / 意外险 / 车险 / 财产险 / 团体意外险
    policy_type: str
    role: str  # the subject's role: 投保人 / 被保险人 / 受益人
    policyholder: str  # 投保人 (name of the person or organisation)
    insured: str  # 被保险人
    insured_object: str | None  # 保险标的: a plate for 车险, an address for 财产险
    sum_insured: Decimal  # 保额
    cash_value: Decimal  # 现金价值 (0 for pure-protection and property policies)
    premium: Decimal  # 年缴保费 (the single premium when payment_years is 1)
    payment_years: int  # 缴费年期 (1 = 趸交)
    effective_on: datetime.date  # 生效日
    expires_on: datetime.date | None  # 满期日; None for whole-life cover
    status: str  # 有效 / 满期 / 退保 / 冻结


@dataclass(frozen=True, slots=True)
class InsuranceWealthProduct:  # 保险资管产品 / 万能账户 / 投连账户
    insurer: str
    product_code: str  # 产品代码
    product_name: str
    product_type: str  # 万能账户 / 投连账户 / 保险资管产品
    account_value: Decimal  # 账户价值, yuan
    purchased_on: datetime.date  # 购买日


@dataclass(frozen=True, slots=True)
class PolicyFreeze:  # 已有冻结 (of a policy's cash value)
    policy_number: str
    insurer: str
    court: str  # 冻结法院
    case_number: str  # 案号
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True)
class InsuranceRecords:
    policies: tuple[Policy, ...]
    wealth_products: tuple[InsuranceWealthProduct, ...]
    freezes: tuple[PolicyFreeze, ...]

    def count(self) -> int:
        return len(self.policies) + len(self.wealth_products) + len(self.freezes)
