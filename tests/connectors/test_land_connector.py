"""Land registry specifics (seizures per unit, waiting seizures); ``test_records`` checks what
every agency's records share."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

import pytest

from connectors.land.records import (
    LandParcel,
    LandRecords,
    Mortgage,
    PropertySeizure,
    RealEstate,
)
from connectors.registry import AGENCIES
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier
from tests.connectors.helpers import example, records_of, served_kinds, shown

Kind = Literal["natural", "legal"]

HOME = "320812177271GB14034F00361932"
SHOP = "320812833385GB57244F00171978"
FLAT = "320812856045GB38243F00401239"

# what the registry sends for a resident, exactly as on the wire (camelCase, strings for areas)
WIRE = {
    "realEstate": [
        {
            "unitNumber": HOME,
            "certificateNumber": "苏(2008)淮安市不动产权第0077130号",
            "location": "淮安市清江浦区淮海南路77号万达华府18幢4单元902室",
            "usage": "住宅",
            "floorAreaM2": "168.78",
            "ownership": "共同共有",
            "share": None,
            "coOwners": ["潘鹏"],
            "registeredOn": "2008-12-26",
            "status": "查封",
        },
        {
            "unitNumber": SHOP,
            "certificateNumber": "苏(2014)淮安市不动产权第0000514号",
            "location": "淮安市清江浦区淮海东路91号",
            "usage": "商业",
            "floorAreaM2": "197.33",
            "ownership": "按份共有",
            "share": "60%",
            "coOwners": ["王海燕"],
            "registeredOn": "2014-05-13",
            "status": "查封",
        },
        {  # sole ownership: the agency leaves share and coOwners out
            "unitNumber": FLAT,
            "certificateNumber": "苏(2021)淮安市不动产权第0022853号",
            "location": "淮安市清江浦区西安路32号金色港湾28幢2单元103室",
            "usage": "住宅",
            "floorAreaM2": "80.69",
            "ownership": "单独所有",
            "registeredOn": "2021-06-28",
            "status": "抵押",
            "someFutureField": "ignored",
        },
    ],
    "land": [
        {
            "parcelNumber": "320812078748GB89228",
            "location": "淮安市清江浦区解放东路442号",
            "usage": "仓储用地",
            "areaM2": "7778.07",
            "rightType": "出让",
            "grantContractNumber": "3208122016CR0206",
            "grantPrice": "2876952.53",
            "grantPaid": "1438476.26",
            "constructionStartedOn": "2017-04-10",
            "constructionCompletedOn": None,
            "registeredOn": "2016-12-28",
        },
        {  # allocated land: no contract, no price
            "parcelNumber": "320826101203GB00517",
            "location": "淮安市涟水县红日大道9号",
            "usage": "公共管理与公共服务用地",
            "areaM2": "2315.40",
            "rightType": "划拨",
            "registeredOn": "2003-09-15",
        },
    ],
    "mortgages": [
        {
            "certificateNumber": "苏(2024)淮安市不动产证明第0007823号",
            "unitNumber": FLAT,
            "mortgagee": "江苏淮安农村商业银行股份有限公司淮安分行",
            "securedAmount": "1201677.89",
            "termStart": "2024-12-11",
            "termEnd": "2034-12-10",
            "registeredOn": "2024-12-11",
        }
    ],
    "seizures": [
        {
            "unitNumber": HOME,
            "court": "淮安市清江浦区人民法院",
            "caseNumber": "(2024)苏0812执保2672号",
            "seizedFrom": "2024-11-29",
            "seizedUntil": "2027-11-28",
            "waiting": False,
        },
        {  # 轮候查封: queued behind the first seizure of the same unit
            "unitNumber": HOME,
            "court": "淮安市淮阴区人民法院",
            "caseNumber": "(2025)苏0804执511号",
            "seizedFrom": "2025-03-03",
            "seizedUntil": "2028-03-02",
            "waiting": True,
        },
        {
            "unitNumber": SHOP,
            "court": "淮安市中级人民法院",
            "caseNumber": "(2025)苏08执恢27号",
            "seizedFrom": "2025-06-03",
            "seizedUntil": "2028-06-02",
            "waiting": False,
        },
    ],
}

EXPECTED = LandRecords(
    real_estate=(
        RealEstate(
            unit_number=HOME,
            certificate_number="苏(2008)淮安市不动产权第0077130号",
            location="淮安市清江浦区淮海南路77号万达华府18幢4单元902室",
            usage="住宅",
            floor_area_m2=Decimal("168.78"),
            ownership="共同共有",
            share=None,
            co_owners=("潘鹏",),
            registered_on=datetime.date(2008, 12, 26),
            status="查封",
        ),
        RealEstate(
            unit_number=SHOP,
            certificate_number="苏(2014)淮安市不动产权第0000514号",
            location="淮安市清江浦区淮海东路91号",
            usage="商业",
            floor_area_m2=Decimal("197.33"),
            ownership="按份共有",
            share="60%",
            co_owners=("王海燕",),
            registered_on=datetime.date(2014, 5, 13),
            status="查封",
        ),
        RealEstate(
            unit_number=FLAT,
            certificate_number="苏(2021)淮安市不动产权第0022853号",
            location="淮安市清江浦区西安路32号金色港湾28幢2单元103室",
            usage="住宅",
            floor_area_m2=Decimal("80.69"),
            ownership="单独所有",
            registered_on=datetime.date(2021, 6, 28),
            status="抵押",
        ),
    ),
    land=(
        LandParcel(
            parcel_number="320812078748GB89228",
            location="淮安市清江浦区解放东路442号",
            usage="仓储用地",
            area_m2=Decimal("7778.07"),
            right_type="出让",
            grant_contract_number="3208122016CR0206",
            grant_price=Decimal("2876952.53"),
            grant_paid=Decimal("1438476.26"),
            construction_started_on=datetime.date(2017, 4, 10),
            construction_completed_on=None,
            registered_on=datetime.date(2016, 12, 28),
        ),
        LandParcel(
            parcel_number="320826101203GB00517",
            location="淮安市涟水县红日大道9号",
            usage="公共管理与公共服务用地",
            area_m2=Decimal("2315.40"),
            right_type="划拨",
            registered_on=datetime.date(2003, 9, 15),
        ),
    ),
    mortgages=(
        Mortgage(
            certificate_number="苏(2024)淮安市不动产证明第0007823号",
            unit_number=FLAT,
            mortgagee="江苏淮安农村商业银行股份有限公司淮安分行",
            secured_amount=Decimal("1201677.89"),
            term_start=datetime.date(2024, 12, 11),
            term_end=datetime.date(2034, 12, 10),
            registered_on=datetime.date(2024, 12, 11),
        ),
    ),
    seizures=(
        PropertySeizure(
            unit_number=HOME,
            court="淮安市清江浦区人民法院",
            case_number="(2024)苏0812执保2672号",
            seized_from=datetime.date(2024, 11, 29),
            seized_until=datetime.date(2027, 11, 28),
            waiting=False,
        ),
        PropertySeizure(
            unit_number=HOME,
            court="淮安市淮阴区人民法院",
            case_number="(2025)苏0804执511号",
            seized_from=datetime.date(2025, 3, 3),
            seized_until=datetime.date(2028, 3, 2),
            waiting=True,
        ),
        PropertySeizure(
            unit_number=SHOP,
            court="淮安市中级人民法院",
            case_number="(2025)苏08执恢27号",
            seized_from=datetime.date(2025, 6, 3),
            seized_until=datetime.date(2028, 6, 2),
            waiting=False,
        ),
    ),
)


def test_the_wire_document_reads_as_the_expected_records() -> None:
    records = records_of("land", WIRE)
    assert records == EXPECTED
    assert records.count() == 3 + 2 + 1 + 3
    assert isinstance(records.real_estate[0].floor_area_m2, Decimal)
    assert isinstance(records.real_estate[0].co_owners, tuple)
    assert records.land[1].grant_price is None  # allocated land has no price


@pytest.mark.parametrize("kind", ["natural", "legal"])
async def test_empty_tier_reads_as_no_records(kind: Kind) -> None:
    records = await example("land", kind, Tier.EMPTY)
    assert records == LandRecords()
    assert records.count() == 0


def test_the_schema_shows_the_records() -> None:
    served = shown(EXPECTED)
    assert [(e["floorAreaM2"], e["share"], e["coOwners"]) for e in served["realEstate"]] == [
        ("168.78", None, ["潘鹏"]),
        ("197.33", "60%", ["王海燕"]),
        ("80.69", None, []),
    ]
    assert [p["grantPrice"] for p in served["land"]] == ["2876952.53", None]
    assert served["mortgages"][0]["securedAmount"] == "1201677.89"
    # a waiting seizure (轮候查封) is served as such
    assert [(s["caseNumber"], s["waiting"]) for s in served["seizures"]] == [
        ("(2024)苏0812执保2672号", False),
        ("(2025)苏0804执511号", True),
        ("(2025)苏08执恢27号", False),
    ]


# --- seizures are counted per unit -----------------------------------------------------


def estate_summary(records: LandRecords) -> tuple[int, int]:
    """The summary's (count, encumbered) of real-estate units for these records."""
    result = SourceResult("land", SourceStatus.OK, records=records)
    estate = AGENCIES.summary_plan().summarize([result]).of("real_estate")
    assert estate.total is None  # units are counted, not valued
    assert estate.complete
    return estate.count, estate.encumbered


def test_seizures_are_counted_per_unit() -> None:
    # three seizures on two units (one waiting behind another); the mortgaged flat is free
    assert estate_summary(EXPECTED) == (3, 2)


def test_a_mortgage_is_no_seizure() -> None:
    records = LandRecords(real_estate=EXPECTED.real_estate, mortgages=EXPECTED.mortgages)
    assert estate_summary(records) == (3, 0)


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("land") == set(SubjectKind)
