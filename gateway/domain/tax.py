"""Records of the tax bureau: registration, recent payments, arrears, administrative penalties."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TaxRegistration:  # 税务登记
    taxpayer_id: str  # 纳税人识别号: the USCC of an enterprise, the ID number of a person
    taxpayer_name: str  # 纳税人名称
    tax_authority: str  # 主管税务机关: 国家税务总局淮安市清江浦区税务局
    registered_on: datetime.date  # 登记日期
    taxpayer_type: str  # 一般纳税人 / 小规模纳税人 / 自然人
    credit_rating: str | None  # 纳税信用等级 A / B / M / C / D; None for natural persons
    status: str  # 正常 / 非正常户 / 注销


@dataclass(frozen=True, slots=True)
class TaxPayment:  # 缴税记录 (入库税款)
    tax_type: str  # 增值税 / 企业所得税 / 个人所得税 / 房产税 / 城镇土地使用税 / 契税 / 印花税 ...
    period: str  # 税款所属期: "2025-05" (month), "2025-Q1" (quarter) or "2024" (year)
    amount: Decimal
    paid_on: datetime.date  # 缴款日期
    withholder: str | None  # 扣缴义务人 (the employer that withheld a person's income tax)


@dataclass(frozen=True, slots=True)
class TaxArrears:  # 欠税
    tax_type: str
    period: str
    amount: Decimal  # 欠税金额
    late_fee: Decimal  # 滞纳金: 0.05% a day from ``since`` to the reference date
    since: datetime.date  # the first day after the payment deadline


@dataclass(frozen=True, slots=True)
class TaxPenalty:  # 税务行政处罚
    decision_number: str  # 处罚决定书文号: 淮税稽罚〔2024〕37号
    authority: str  # 处罚机关
    reason: str  # 违法事实
    amount: Decimal  # 罚款金额
    decided_on: datetime.date  # 决定日期
    status: str  # 已缴纳 / 未缴纳


@dataclass(frozen=True, slots=True)
class TaxRecords:
    registration: TaxRegistration | None
    payments: tuple[TaxPayment, ...]
    arrears: tuple[TaxArrears, ...]
    penalties: tuple[TaxPenalty, ...]

    def count(self) -> int:
        return (
            (self.registration is not None)
            + len(self.payments)
            + len(self.arrears)
            + len(self.penalties)
        )
