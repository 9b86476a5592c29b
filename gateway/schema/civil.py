"""民政 / Civil affairs records: marriage registrations, the spouse, social assistance."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import civil as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="现任配偶 / Current spouse")
class Spouse:
    name: str = strawberry.field(description="姓名 / Name")
    id_number: str = strawberry.field(description="身份证号码 / Resident ID number")


@strawberry.type(description="婚姻登记 / Marriage registration")
class MarriageRegistration:
    registration_type: str = strawberry.field(
        description="登记类型（结婚/离婚） / Kind of registration (marriage or divorce)"
    )
    spouse_name: str = strawberry.field(description="对方姓名 / The other party's name")
    spouse_id_number: str = strawberry.field(
        description="对方身份证号码 / The other party's resident ID number"
    )
    registered_on: datetime.date = strawberry.field(description="登记日期 / Registered on")
    registry: str = strawberry.field(description="登记机关 / Registry")
    certificate_number: str = strawberry.field(
        description="结婚证/离婚证字号 / Marriage or divorce certificate number"
    )


@strawberry.type(description="社会救助 / Social assistance")
class Assistance:
    program: str = strawberry.field(
        description="救助类别（最低生活保障、特困人员救助供养） / Programme (minimum living "
        "allowance, or support of people in extreme poverty: the five guarantees)"
    )
    status: str = strawberry.field(
        description="救助状态（在保/停保） / Status (receiving, or stopped)"
    )
    since: datetime.date = strawberry.field(description="救助起始日期 / Receiving since")
    until: datetime.date | None = strawberry.field(
        description="停保日期 / Stopped on (none while receiving)"
    )
    monthly_amount: Decimal = strawberry.field(
        description="月救助金额（元） / Monthly amount, yuan"
    )
    office: str = strawberry.field(description="经办机构 / Administering office")


@strawberry.type(description="民政反馈 / What civil affairs holds")
class CivilRecords:
    current_spouse: Spouse | None = strawberry.field(
        description="现任配偶（未婚、离异或丧偶则为空） / Current spouse (none if unmarried, "
        "divorced or widowed)"
    )
    marriages: list[MarriageRegistration] = strawberry.field(
        description="婚姻登记，按时间先后 / Marriage registrations, oldest first"
    )
    assistance: list[Assistance] = strawberry.field(
        description="低保、特困（五保）救助 / Minimum-living and five-guarantee assistance"
    )

    @staticmethod
    def from_domain(records: domain.CivilRecords) -> CivilRecords:
        spouse = records.current_spouse
        return CivilRecords(
            current_spouse=None if spouse is None else copy_fields(Spouse, spouse),
            marriages=[copy_fields(MarriageRegistration, m) for m in records.marriages],
            assistance=[copy_fields(Assistance, a) for a in records.assistance],
        )
