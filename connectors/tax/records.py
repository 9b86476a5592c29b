"""Records of the tax bureau: registration, recent payments, arrears, administrative penalties."""

from __future__ import annotations

import datetime

from gateway.domain.records import BoundedDecimal, doc, record


@record
class TaxRegistration:
    """税务登记 / Tax registration"""

    # 纳税人识别号: the USCC of an enterprise, the ID number of a person
    taxpayer_id: str = doc(
        "纳税人识别号（企业为统一社会信用代码，个人为身份证号码） / Taxpayer number (the "
        "unified social credit code of an enterprise, the ID number of a person)"
    )
    taxpayer_name: str = doc("纳税人名称 / Taxpayer's name")
    # 主管税务机关: 国家税务总局淮安市清江浦区税务局
    tax_authority: str = doc("主管税务机关 / Competent tax office")
    registered_on: datetime.date = doc("登记日期 / Registered on")
    # 一般纳税人 / 小规模纳税人 / 自然人
    taxpayer_type: str = doc(
        "纳税人类型：一般纳税人、小规模纳税人、自然人 / Taxpayer type: general VAT taxpayer, "
        "small-scale taxpayer, natural person"
    )
    # 纳税信用等级 A / B / M / C / D; None for natural persons
    credit_rating: str | None = doc(
        "纳税信用等级（A、B、M、C、D；个人无） / Tax credit rating (A, B, M, C, D; none for persons)",
        default=None,
    )
    # 正常 / 非正常户 / 注销
    status: str = doc("登记状态：正常、非正常户、注销 / Status: normal, abnormal, deregistered")


@record
class TaxPayment:
    """缴税记录 / Tax paid"""

    # 缴税记录 (入库税款)
    # 增值税 / 企业所得税 / 个人所得税 / 房产税 / 城镇土地使用税 / 契税 / 印花税 ...
    tax_type: str = doc("税种 / Tax")
    # 税款所属期: "2025-05" (month), "2025-Q1" (quarter) or "2024" (year)
    period: str = doc(
        "税款所属期（YYYY-MM、YYYY-Qn 或 YYYY） / Tax period (YYYY-MM, YYYY-Qn or YYYY)"
    )
    amount: BoundedDecimal = doc("实缴金额 / Amount paid")
    paid_on: datetime.date = doc("缴款日期 / Paid on")
    # 扣缴义务人 (the employer that withheld a person's income tax)
    withholder: str | None = doc(
        "扣缴义务人 / Withholding agent (the employer, for wages)", default=None
    )


@record
class TaxArrears:
    """欠税 / Tax arrears"""

    tax_type: str = doc("税种 / Tax")
    period: str = doc("税款所属期 / Tax period")
    amount: BoundedDecimal = doc("欠税金额 / Amount owed")
    # 滞纳金: 0.05% a day from ``since`` to the reference date
    late_fee: BoundedDecimal = doc("滞纳金 / Late-payment surcharge")
    # the first day after the payment deadline
    since: datetime.date = doc("欠缴起始日 / Owed since")


@record
class TaxPenalty:
    """税务行政处罚 / Tax administrative penalty"""

    # 处罚决定书文号: 淮税稽罚〔2024〕37号
    decision_number: str = doc("处罚决定书文号 / Penalty decision number")
    authority: str = doc("处罚机关 / Deciding tax office")
    reason: str = doc("违法事实 / Violation")
    amount: BoundedDecimal = doc("罚款金额 / Fine")
    # 决定日期
    decided_on: datetime.date = doc("处罚日期 / Decided on")
    # 已缴纳 / 未缴纳
    status: str = doc("执行情况：已缴纳、未缴纳 / Status: paid, unpaid")


@record
class TaxRecords:
    """税务反馈 / What the tax bureau holds"""

    registration: TaxRegistration | None = doc("税务登记 / Tax registration", default=None)
    payments: tuple[TaxPayment, ...] = doc(
        "近两年缴税记录 / Tax paid in the last two years", default=()
    )
    arrears: tuple[TaxArrears, ...] = doc("欠税 / Tax arrears", default=())
    penalties: tuple[TaxPenalty, ...] = doc("税务行政处罚 / Administrative penalties", default=())

    def count(self) -> int:
        return (
            (self.registration is not None)
            + len(self.payments)
            + len(self.arrears)
            + len(self.penalties)
        )
