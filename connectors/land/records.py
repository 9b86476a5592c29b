"""Records of the land and real-estate registry: property, land use rights, mortgages, seizures."""

from __future__ import annotations

import datetime

from gateway.domain.records import BoundedDecimal, doc, record


@record
class RealEstate:
    """不动产（房屋） / Real estate"""

    unit_number: str = doc("不动产单元号 / Real-estate unit number")
    certificate_number: str = doc("不动产权证书号 / Certificate number")
    location: str = doc("坐落 / Location")
    # 住宅 / 商业 / 办公 / 工业
    usage: str = doc("用途 / Usage")
    floor_area_m2: BoundedDecimal = doc("建筑面积（㎡） / Floor area, m²")
    # 单独所有 / 共同共有 / 按份共有
    ownership: str = doc("共有情况 / Ownership")
    # 份额, for 按份共有
    share: str | None = doc("份额 / Share, if owned in shares", default=None)
    co_owners: tuple[str, ...] = doc("共有人 / Co-owners", default=())
    registered_on: datetime.date = doc("登记日期 / Registered on")
    # 正常 / 抵押 / 查封 / 预告登记
    status: str = doc("权利状态 / Status")


@record
class LandParcel:
    """土地使用权 / Land-use right"""

    parcel_number: str = doc("宗地号 / Parcel number")
    location: str = doc("坐落 / Location")
    usage: str = doc("用途 / Usage")
    area_m2: BoundedDecimal = doc("面积（㎡） / Area, m²")
    # 出让 / 划拨
    right_type: str = doc("取得方式（出让/划拨） / Granted or allocated")
    grant_contract_number: str | None = doc(
        "出让合同编号 / Land-grant contract number", default=None
    )
    grant_price: BoundedDecimal | None = doc("出让价款 / Land-grant price", default=None)
    grant_paid: BoundedDecimal | None = doc("已缴价款 / Land-grant price paid", default=None)
    construction_started_on: datetime.date | None = doc(
        "开工日期 / Construction started", default=None
    )
    construction_completed_on: datetime.date | None = doc(
        "竣工日期 / Construction completed", default=None
    )
    registered_on: datetime.date = doc("登记日期 / Registered on")


@record
class Mortgage:
    """抵押权 / Mortgage"""

    certificate_number: str = doc("不动产登记证明号 / Certificate number")
    # the mortgaged unit
    unit_number: str = doc("抵押的不动产单元 / Mortgaged unit")
    mortgagee: str = doc("抵押权人 / Mortgagee")
    secured_amount: BoundedDecimal = doc("被担保债权数额 / Secured amount")
    term_start: datetime.date = doc("债务履行期起 / Term start")
    term_end: datetime.date = doc("债务履行期止 / Term end")
    registered_on: datetime.date = doc("登记日期 / Registered on")


@record
class PropertySeizure:
    """已有查封 / Existing seizure"""

    unit_number: str = doc("查封的不动产单元 / Seized unit")
    court: str = doc("查封法院 / Court")
    case_number: str = doc("案号 / Case number")
    seized_from: datetime.date = doc("查封起始日 / From")
    seized_until: datetime.date = doc("查封到期日 / Until")
    waiting: bool = doc("是否轮候查封 / A waiting (queued) seizure")


@record
class LandRecords:
    """不动产登记反馈 / What the land registry holds"""

    real_estate: tuple[RealEstate, ...] = doc("不动产 / Real estate", default=())
    land: tuple[LandParcel, ...] = doc("土地使用权 / Land-use rights", default=())
    mortgages: tuple[Mortgage, ...] = doc("抵押 / Mortgages", default=())
    seizures: tuple[PropertySeizure, ...] = doc("已有查封 / Existing seizures", default=())

    def count(self) -> int:
        return len(self.real_estate) + len(self.land) + len(self.mortgages) + len(self.seizures)
