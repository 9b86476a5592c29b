"""Records of the public security bureau: household registration, travel documents, vehicles."""

from __future__ import annotations

import datetime

from gateway.domain.records import doc, record


@record
class HouseholdRegistration:
    """户籍信息 / Household registration"""

    name: str = doc("姓名 / Name")
    # 男 / 女
    gender: str = doc("性别 / Gender")
    birth_date: datetime.date = doc("出生日期 / Date of birth")
    ethnicity: str = doc("民族 / Ethnicity")
    address: str = doc("户籍地址 / Registered address")
    police_station: str = doc("登记派出所 / Registering police station")
    household_number: str = doc("户号 / Household number")
    # 正常 / 迁出 / 死亡注销
    status: str = doc("户籍状态 / Registration status")


@record
class TravelDocument:
    """出入境证件 / Exit-entry travel document"""

    # 普通护照 / 往来港澳通行证 / 往来台湾通行证
    document_type: str = doc("证件类型 / Document type")
    number: str = doc("证件号码 / Document number")
    issued_on: datetime.date = doc("签发日期 / Issued on")
    expires_on: datetime.date = doc("有效期至 / Expires on")
    issuing_authority: str = doc("签发机关 / Issuing authority")
    # 有效 / 已作废 / 已宣布作废 / 过期
    status: str = doc("证件状态 / Status")
    last_exit_on: datetime.date | None = doc("最近出境日期 / Last exit date", default=None)


@record
class Vehicle:
    """机动车 / Motor vehicle"""

    # 苏H·A1234
    plate: str = doc("号牌号码 / Plate")
    # 小型轿车 / 重型货车 ...
    vehicle_type: str = doc("车辆类型 / Vehicle type")
    brand_model: str = doc("品牌型号 / Make and model")
    color: str = doc("车身颜色 / Colour")
    vin: str = doc("车辆识别代号 / VIN")
    registered_on: datetime.date = doc("初次登记日期 / Registered on")
    # 正常 / 抵押 / 查封 / 被盗抢
    status: str = doc("机动车状态 / Status")
    seizure_count: int = doc("已有查封数 / Existing seizures", default=0)


@record
class PoliceRecords:
    """公安反馈 / What the police hold"""

    household: HouseholdRegistration | None = doc(
        "户籍（仅自然人） / Household registration (natural persons only)", default=None
    )
    travel_documents: tuple[TravelDocument, ...] = doc(
        "护照、通行证 / Passports and travel permits", default=()
    )
    vehicles: tuple[Vehicle, ...] = doc("机动车 / Vehicles", default=())

    def count(self) -> int:
        return (self.household is not None) + len(self.travel_documents) + len(self.vehicles)
