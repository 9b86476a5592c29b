"""税务 / Tax records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import tax as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="税务登记 / Tax registration")
class TaxRegistration:
    taxpayer_id: str = strawberry.field(
        description=(
            "纳税人识别号（企业为统一社会信用代码，个人为身份证号码） / Taxpayer number (the "
            "unified social credit code of an enterprise, the ID number of a person)"
        )
    )
    taxpayer_name: str = strawberry.field(description="纳税人名称 / Taxpayer's name")
    tax_authority: str = strawberry.field(description="主管税务机关 / Competent tax office")
    registered_on: datetime.date = strawberry.field(description="登记日期 / Registered on")
    taxpayer_type: str = strawberry.field(
        description=(
            "纳税人类型：一般纳税人、小规模纳税人、自然人 / Taxpayer type: general VAT "
            "taxpayer, small-scale taxpayer, natural person"
        )
    )
    credit_rating: str | None = strawberry.field(
        description="纳税信用等级（A、B、M、C、D；个人无） / Tax credit rating (A, B, M, C, D; "
        "none for persons)"
    )
    status: str = strawberry.field(
        description="登记状态：正常、非正常户、注销 / Status: normal, abnormal, deregistered"
    )


@strawberry.type(description="缴税记录 / Tax paid")
class TaxPayment:
    tax_type: str = strawberry.field(description="税种 / Tax")
    period: str = strawberry.field(
        description="税款所属期（YYYY-MM、YYYY-Qn 或 YYYY） / Tax period (YYYY-MM, YYYY-Qn or YYYY)"
    )
    amount: Decimal = strawberry.field(description="实缴金额 / Amount paid")
    paid_on: datetime.date = strawberry.field(description="缴款日期 / Paid on")
    withholder: str | None = strawberry.field(
        description="扣缴义务人 / Withholding agent (the employer, for wages)"
    )


@strawberry.type(description="欠税 / Tax arrears")
class TaxArrears:
    tax_type: str = strawberry.field(description="税种 / Tax")
    period: str = strawberry.field(description="税款所属期 / Tax period")
    amount: Decimal = strawberry.field(description="欠税金额 / Amount owed")
    late_fee: Decimal = strawberry.field(description="滞纳金 / Late-payment surcharge")
    since: datetime.date = strawberry.field(description="欠缴起始日 / Owed since")


@strawberry.type(description="税务行政处罚 / Tax administrative penalty")
class TaxPenalty:
    decision_number: str = strawberry.field(description="处罚决定书文号 / Penalty decision number")
    authority: str = strawberry.field(description="处罚机关 / Deciding tax office")
    reason: str = strawberry.field(description="违法事实 / Violation")
    amount: Decimal = strawberry.field(description="罚款金额 / Fine")
    decided_on: datetime.date = strawberry.field(description="处罚日期 / Decided on")
    status: str = strawberry.field(description="执行情况：已缴纳、未缴纳 / Status: paid, unpaid")


@strawberry.type(description="税务反馈 / What the tax bureau holds")
class TaxRecords:
    registration: TaxRegistration | None = strawberry.field(
        description="税务登记 / Tax registration"
    )
    payments: list[TaxPayment] = strawberry.field(
        description="近两年缴税记录 / Tax paid in the last two years"
    )
    arrears: list[TaxArrears] = strawberry.field(description="欠税 / Tax arrears")
    penalties: list[TaxPenalty] = strawberry.field(
        description="税务行政处罚 / Administrative penalties"
    )

    @staticmethod
    def from_domain(records: domain.TaxRecords) -> TaxRecords:
        registration = records.registration
        return TaxRecords(
            registration=None
            if registration is None
            else copy_fields(TaxRegistration, registration),
            payments=[copy_fields(TaxPayment, p) for p in records.payments],
            arrears=[copy_fields(TaxArrears, a) for a in records.arrears],
            penalties=[copy_fields(TaxPenalty, p) for p in records.penalties],
        )
