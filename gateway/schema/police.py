"""公安 / Police records."""

from __future__ import annotations

import datetime

import strawberry

from gateway.domain import police as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="户籍信息 / Household registration")
class HouseholdRegistration:
    name: str = strawberry.field(description="姓名 / Name")
    gender: str = strawberry.field(description="性别 / Gender")
    birth_date: datetime.date = strawberry.field(description="出生日期 / Date of birth")
    ethnicity: str = strawberry.field(description="民族 / Ethnicity")
    address: str = strawberry.field(description="户籍地址 / Registered address")
    police_station: str = strawberry.field(description="登记派出所 / Registering police station")
    household_number: str = strawberry.field(description="户号 / Household number")
    status: str = strawberry.field(description="户籍状态 / Registration status")


@strawberry.type(description="出入境证件 / Exit-entry travel document")
class TravelDocument:
    document_type: str = strawberry.field(description="证件类型 / Document type")
    number: str = strawberry.field(description="证件号码 / Document number")
    issued_on: datetime.date = strawberry.field(description="签发日期 / Issued on")
    expires_on: datetime.date = strawberry.field(description="有效期至 / Expires on")
    issuing_authority: str = strawberry.field(description="签发机关 / Issuing authority")
    status: str = strawberry.field(description="证件状态 / Status")
    last_exit_on: datetime.date | None = strawberry.field(
        description="最近出境日期 / Last exit date"
    )


@strawberry.type(description="机动车 / Motor vehicle")
class Vehicle:
    plate: str = strawberry.field(description="号牌号码 / Plate")
    vehicle_type: str = strawberry.field(description="车辆类型 / Vehicle type")
    brand_model: str = strawberry.field(description="品牌型号 / Make and model")
    color: str = strawberry.field(description="车身颜色 / Colour")
    vin: str = strawberry.field(description="车辆识别代号 / VIN")
    registered_on: datetime.date = strawberry.field(description="初次登记日期 / Registered on")
    status: str = strawberry.field(description="机动车状态 / Status")
    seizure_count: int = strawberry.field(description="已有查封数 / Existing seizures")


@strawberry.type(description="公安反馈 / What the police hold")
class PoliceRecords:
    household: HouseholdRegistration | None = strawberry.field(
        description="户籍（仅自然人） / Household registration (natural persons only)"
    )
    travel_documents: list[TravelDocument] = strawberry.field(
        description="护照、通行证 / Passports and travel permits"
    )
    vehicles: list[Vehicle] = strawberry.field(description="机动车 / Vehicles")

    @staticmethod
    def from_domain(records: domain.PoliceRecords) -> PoliceRecords:
        household = records.household
        return PoliceRecords(
            household=None if household is None else copy_fields(HouseholdRegistration, household),
            travel_documents=[copy_fields(TravelDocument, d) for d in records.travel_documents],
            vehicles=[copy_fields(Vehicle, v) for v in records.vehicles],
        )
