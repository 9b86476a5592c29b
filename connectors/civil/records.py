"""Records of the civil affairs bureau: marriage registrations, the current spouse, assistance."""

from __future__ import annotations

import datetime

from gateway.domain.records import BoundedDecimal, doc, record


@record
class Spouse:
    """现任配偶 / Current spouse"""

    # 配偶（现任）
    name: str = doc("姓名 / Name")
    # 身份证号码: the full 18 characters (a lead; mask it in public output)
    id_number: str = doc("身份证号码 / Resident ID number")


@record
class MarriageRegistration:
    """婚姻登记 / Marriage registration"""

    # 结婚 / 离婚
    registration_type: str = doc(
        "登记类型（结婚/离婚） / Kind of registration (marriage or divorce)"
    )
    spouse_name: str = doc("对方姓名 / The other party's name")
    spouse_id_number: str = doc("对方身份证号码 / The other party's resident ID number")
    registered_on: datetime.date = doc("登记日期 / Registered on")
    # 登记机关: 淮安市清江浦区民政局婚姻登记处
    registry: str = doc("登记机关 / Registry")
    # 结婚证/离婚证字号: J320812-2010-001234 / L320812-2019-000456
    certificate_number: str = doc("结婚证/离婚证字号 / Marriage or divorce certificate number")


@record
class Assistance:
    """社会救助 / Social assistance"""

    # 最低生活保障 / 特困人员救助供养（五保）
    program: str = doc(
        "救助类别（最低生活保障、特困人员救助供养） / Programme (minimum living allowance, or "
        "support of people in extreme poverty: the five guarantees)"
    )
    # 在保 / 停保
    status: str = doc("救助状态（在保/停保） / Status (receiving, or stopped)")
    since: datetime.date = doc("救助起始日期 / Receiving since")
    # 停保日期; None while 在保
    until: datetime.date | None = doc("停保日期 / Stopped on (none while receiving)", default=None)
    monthly_amount: BoundedDecimal = doc("月救助金额（元） / Monthly amount, yuan")
    # 经办机构: 淮安市清江浦区民政局
    office: str = doc("经办机构 / Administering office")


@record
class CivilRecords:
    """民政反馈 / What civil affairs holds"""

    # from the last 结婚 not followed by a 离婚
    current_spouse: Spouse | None = doc(
        "现任配偶（未婚、离异或丧偶则为空） / Current spouse (none if unmarried, divorced or widowed)",
        default=None,
    )
    marriages: tuple[MarriageRegistration, ...] = doc(
        "婚姻登记，按时间先后 / Marriage registrations, oldest first", default=()
    )
    assistance: tuple[Assistance, ...] = doc(
        "低保、特困（五保）救助 / Minimum-living and five-guarantee assistance", default=()
    )

    def count(self) -> int:
        return (self.current_spouse is not None) + len(self.marriages) + len(self.assistance)
