"""Records of the civil affairs bureau: marriage registrations, the current spouse, assistance."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Spouse:  # 配偶（现任）
    name: str
    id_number: str  # 身份证号码: the full 18 characters (a lead; mask it in public output)


@dataclass(frozen=True, slots=True)
class MarriageRegistration:  # 婚姻登记
    registration_type: str  # 结婚 / 离婚
    spouse_name: str  # 对方姓名
    spouse_id_number: str  # 对方身份证号码
    registered_on: datetime.date  # 登记日期
    registry: str  # 登记机关: 淮安市清江浦区民政局婚姻登记处
    certificate_number: str  # 结婚证/离婚证字号: J320812-2010-001234 / L320812-2019-000456


@dataclass(frozen=True, slots=True)
class Assistance:  # 社会救助
    program: str  # 最低生活保障 / 特困人员救助供养（五保）
    status: str  # 在保 / 停保
    since: datetime.date  # 救助起始日期
    until: datetime.date | None  # 停保日期; None while 在保
    monthly_amount: Decimal  # 月救助金额（元）
    office: str  # 经办机构: 淮安市清江浦区民政局


@dataclass(frozen=True, slots=True)
class CivilRecords:
    current_spouse: Spouse | None  # from the last 结婚 not followed by a 离婚
    marriages: tuple[MarriageRegistration, ...]  # oldest first
    assistance: tuple[Assistance, ...]

    def count(self) -> int:
        return (self.current_spouse is not None) + len(self.marriages) + len(self.assistance)
