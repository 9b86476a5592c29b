"""Records of the public security bureau: household registration, travel documents, vehicles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HouseholdRegistration:  # 户籍
    name: str
    gender: str  # 男 / 女
    birth_date: datetime.date
    ethnicity: str
    address: str  # 户籍地址
    police_station: str  # 登记派出所
    household_number: str  # 户号
    status: str  # 正常 / 迁出 / 死亡注销


@dataclass(frozen=True, slots=True)
class TravelDocument:  # 出入境证件
    document_type: str  # 普通护照 / 往来港澳通行证 / 往来台湾通行证
    number: str
    issued_on: datetime.date
    expires_on: datetime.date
    issuing_authority: str
    status: str  # 有效 / 已作废 / 已宣布作废 / 过期
    last_exit_on: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:  # 机动车
    plate: str  # 苏H·A1234
    vehicle_type: str  # 小型轿车 / 重型货车 ...
    brand_model: str
    color: str
    vin: str
    registered_on: datetime.date
    status: str  # 正常 / 抵押 / 查封 / 被盗抢
    seizure_count: int = 0  # 已有查封数


@dataclass(frozen=True, slots=True)
class PoliceRecords:
    household: HouseholdRegistration | None
    travel_documents: tuple[TravelDocument, ...]
    vehicles: tuple[Vehicle, ...]

    def count(self) -> int:
        return (self.household is not None) + len(self.travel_documents) + len(self.vehicles)
