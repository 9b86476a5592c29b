"""许可 / Permit offices' records: work safety, drugs and medical devices, customs credit."""

from __future__ import annotations

import datetime

import strawberry

from gateway.domain import permits as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="安全生产许可证 / Work-safety permit")
class SafetyPermit:
    permit_number: str = strawberry.field(description="许可证编号 / Permit number")
    scope: str = strawberry.field(description="许可范围 / Scope")
    issued_by: str = strawberry.field(description="发证机关 / Issued by")
    issued_on: datetime.date = strawberry.field(description="发证日期 / Issued on")
    expires_on: datetime.date = strawberry.field(description="有效期至 / Valid until")
    status: str = strawberry.field(
        description="许可证状态（有效/暂扣/吊销/注销/过期） / Status (valid, suspended, revoked, "
        "cancelled, expired)"
    )


@strawberry.type(description="药品、医疗器械注册或备案 / Drug or medical-device registration")
class ProductRegistration:
    category: str = strawberry.field(
        description="类别（药品、第一/二/三类医疗器械） / Category (drug, or class I, II or III "
        "medical device)"
    )
    registration_number: str = strawberry.field(
        description="批准文号、注册证号或备案编号 / Approval, registration or filing number"
    )
    product_name: str = strawberry.field(description="产品名称 / Product")
    issued_by: str = strawberry.field(description="批准或备案部门 / Issued by")
    issued_on: datetime.date = strawberry.field(description="批准日期 / Issued on")
    expires_on: datetime.date | None = strawberry.field(
        description="有效期至（备案无期限） / Valid until (none for a filing)"
    )
    status: str = strawberry.field(
        description="状态（有效/注销/过期） / Status (valid, cancelled, expired)"
    )


@strawberry.type(description="海关（出入境检验检疫）信用等级 / Customs inspection credit rating")
class InspectionCredit:
    customs_code: str = strawberry.field(description="海关注册编码 / Customs registration code")
    rating: str = strawberry.field(
        description="信用等级（高级认证企业/一般信用企业/失信企业） / Rating (advanced certified, "
        "general credit, or dishonest enterprise)"
    )
    rated_on: datetime.date = strawberry.field(description="认定日期 / Rated on")
    authority: str = strawberry.field(description="认定海关 / Customs office")


@strawberry.type(description="安监、卫生、检验检疫反馈 / What the permit offices hold")
class PermitRecords:
    safety_permits: list[SafetyPermit] = strawberry.field(
        description="安全生产许可证 / Work-safety permits"
    )
    product_registrations: list[ProductRegistration] = strawberry.field(
        description="药品、医疗器械注册与备案 / Drug and medical-device registrations"
    )
    inspection_credit: InspectionCredit | None = strawberry.field(
        description="海关信用等级（未在海关注册则为空） / Customs credit rating (none if not "
        "registered with customs)"
    )

    @staticmethod
    def from_domain(records: domain.PermitRecords) -> PermitRecords:
        credit = records.inspection_credit
        return PermitRecords(
            safety_permits=[copy_fields(SafetyPermit, p) for p in records.safety_permits],
            product_registrations=[
                copy_fields(ProductRegistration, r) for r in records.product_registrations
            ],
            inspection_credit=None if credit is None else copy_fields(InspectionCredit, credit),
        )
