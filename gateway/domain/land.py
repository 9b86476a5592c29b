"""Records of the land and real-estate registry: property, land use rights, mortgages, seizures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class RealEstate:  # 不动产
    unit_number: str  # 不动产单元号
    certificate_number: str  # 不动产权证书号
    location: str
    usage: str  # 住宅 / 商业 / 办公 / 工业
    floor_area_m2: Decimal
    ownership: str  # 单独所有 / 共同共有 / 按份共有
    share: str | None  # 份额, for 按份共有
    co_owners: tuple[str, ...]
    registered_on: datetime.date
    status: str  # 正常 / 抵押 / 查封 / 预告登记


@dataclass(frozen=True, slots=True)
class LandParcel:  # 土地使用权
    parcel_number: str  # 宗地号
    location: str
    usage: str
    area_m2: Decimal
    right_type: str  # 出让 / 划拨
    grant_contract_number: str | None  # 出让合同编号
    grant_price: Decimal | None  # 出让价款
    grant_paid: Decimal | None  # 已缴价款
    construction_started_on: datetime.date | None  # 开工
    construction_completed_on: datetime.date | None  # 竣工
    registered_on: datetime.date


@dataclass(frozen=True, slots=True)
class Mortgage:  # 抵押权
    certificate_number: str  # 不动产登记证明号
    unit_number: str  # the mortgaged unit
    mortgagee: str  # 抵押权人
    secured_amount: Decimal
    term_start: datetime.date
    term_end: datetime.date
    registered_on: datetime.date


@dataclass(frozen=True, slots=True)
class PropertySeizure:  # 已有查封
    unit_number: str
    court: str
    case_number: str
    seized_from: datetime.date
    seized_until: datetime.date
    waiting: bool  # 轮候查封


@dataclass(frozen=True, slots=True)
class LandRecords:
    real_estate: tuple[RealEstate, ...]
    land: tuple[LandParcel, ...]
    mortgages: tuple[Mortgage, ...]
    seizures: tuple[PropertySeizure, ...]

    def count(self) -> int:
        return len(self.real_estate) + len(self.land) + len(self.mortgages) + len(self.seizures)
