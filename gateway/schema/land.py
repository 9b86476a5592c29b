"""不动产 / Land and real-estate registry records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import land as domain
from gateway.schema.common import copy_fields


@strawberry.type(description="不动产（房屋） / Real estate")
class RealEstate:
    unit_number: str = strawberry.field(description="不动产单元号 / Real-estate unit number")
    certificate_number: str = strawberry.field(description="不动产权证书号 / Certificate number")
    location: str = strawberry.field(description="坐落 / Location")
    usage: str = strawberry.field(description="用途 / Usage")
    floor_area_m2: Decimal = strawberry.field(description="建筑面积（㎡） / Floor area, m²")
    ownership: str = strawberry.field(description="共有情况 / Ownership")
    share: str | None = strawberry.field(description="份额 / Share, if owned in shares")
    co_owners: list[str] = strawberry.field(description="共有人 / Co-owners")
    registered_on: datetime.date = strawberry.field(description="登记日期 / Registered on")
    status: str = strawberry.field(description="权利状态 / Status")


@strawberry.type(description="土地使用权 / Land-use right")
class LandParcel:
    parcel_number: str = strawberry.field(description="宗地号 / Parcel number")
    location: str = strawberry.field(description="坐落 / Location")
    usage: str = strawberry.field(description="用途 / Usage")
    area_m2: Decimal = strawberry.field(description="面积（㎡） / Area, m²")
    right_type: str = strawberry.field(description="取得方式（出让/划拨） / Granted or allocated")
    grant_contract_number: str | None = strawberry.field(
        description="出让合同编号 / Land-grant contract number"
    )
    grant_price: Decimal | None = strawberry.field(description="出让价款 / Land-grant price")
    grant_paid: Decimal | None = strawberry.field(description="已缴价款 / Land-grant price paid")
    construction_started_on: datetime.date | None = strawberry.field(
        description="开工日期 / Construction started"
    )
    construction_completed_on: datetime.date | None = strawberry.field(
        description="竣工日期 / Construction completed"
    )
    registered_on: datetime.date = strawberry.field(description="登记日期 / Registered on")


@strawberry.type(description="抵押权 / Mortgage")
class Mortgage:
    certificate_number: str = strawberry.field(description="不动产登记证明号 / Certificate number")
    unit_number: str = strawberry.field(description="抵押的不动产单元 / Mortgaged unit")
    mortgagee: str = strawberry.field(description="抵押权人 / Mortgagee")
    secured_amount: Decimal = strawberry.field(description="被担保债权数额 / Secured amount")
    term_start: datetime.date = strawberry.field(description="债务履行期起 / Term start")
    term_end: datetime.date = strawberry.field(description="债务履行期止 / Term end")
    registered_on: datetime.date = strawberry.field(description="登记日期 / Registered on")


@strawberry.type(description="已有查封 / Existing seizure")
class PropertySeizure:
    unit_number: str = strawberry.field(description="查封的不动产单元 / Seized unit")
    court: str = strawberry.field(description="查封法院 / Court")
    case_number: str = strawberry.field(description="案号 / Case number")
    seized_from: datetime.date = strawberry.field(description="查封起始日 / From")
    seized_until: datetime.date = strawberry.field(description="查封到期日 / Until")
    waiting: bool = strawberry.field(description="是否轮候查封 / A waiting (queued) seizure")


@strawberry.type(description="不动产登记反馈 / What the land registry holds")
class LandRecords:
    real_estate: list[RealEstate] = strawberry.field(description="不动产 / Real estate")
    land: list[LandParcel] = strawberry.field(description="土地使用权 / Land-use rights")
    mortgages: list[Mortgage] = strawberry.field(description="抵押 / Mortgages")
    seizures: list[PropertySeizure] = strawberry.field(description="已有查封 / Existing seizures")

    @staticmethod
    def from_domain(records: domain.LandRecords) -> LandRecords:
        return LandRecords(
            real_estate=[copy_fields(RealEstate, r) for r in records.real_estate],
            land=[copy_fields(LandParcel, p) for p in records.land],
            mortgages=[copy_fields(Mortgage, m) for m in records.mortgages],
            seizures=[copy_fields(PropertySeizure, s) for s in records.seizures],
        )
