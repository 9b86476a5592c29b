"""Police specifics (what counts as a seized vehicle); ``test_records`` checks what all share."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from connectors.police.records import (
    HouseholdRegistration,
    PoliceRecords,
    TravelDocument,
    Vehicle,
)
from connectors.registry import AGENCIES
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier, person
from mocks.wire import SubjectRef
from tests.connectors.helpers import EXAMPLES, example, records_of, served_kinds, shown

# what the police send for a resident, exactly as on the wire (camelCase, ISO dates)
WIRE: dict[str, Any] = {
    "household": {
        "name": "王建国",
        "gender": "男",
        "birthDate": "1978-05-12",
        "ethnicity": "汉族",
        "address": "淮安市清江浦区淮海南路7号和平小区13幢1单元401室",
        "policeStation": "淮安市公安局清江浦分局浦楼派出所",
        "householdNumber": "128899810",
        "status": "正常",
    },
    "travelDocuments": [
        {
            "documentType": "普通护照",
            "number": "EJ3816052",
            "issuedOn": "2019-07-20",
            "expiresOn": "2029-07-19",
            "issuingAuthority": "国家移民管理局",
            "status": "有效",
            "lastExitOn": "2024-02-03",
        },
        {  # never used: the agency leaves lastExitOn out
            "documentType": "往来港澳通行证",
            "number": "CD5116060",
            "issuedOn": "2016-06-12",
            "expiresOn": "2026-06-11",
            "issuingAuthority": "江苏省公安厅出入境管理局",
            "status": "有效",
        },
    ],
    "vehicles": [
        {
            "plate": "苏H·TV99T",
            "vehicleType": "小型轿车",
            "brandModel": "大众牌SVW7157 朗逸",
            "color": "黑",
            "vin": "LSVCM0AA9RG555278",
            "registeredOn": "2024-10-02",
            "status": "正常",
            "seizureCount": 0,
        },
        {
            "plate": "苏H·HY06U",
            "vehicleType": "小型普通客车",
            "brandModel": "本田牌DHW6462 CR-V",
            "color": "红",
            "vin": "LVH027YL9MF034466",
            "registeredOn": "2021-10-06",
            "status": "查封",
            "seizureCount": 1,
        },
        {  # mortgaged, and seized twice since: the status shows the mortgage only
            "plate": "苏H·E1BF7",
            "vehicleType": "轻型栏板货车",
            "brandModel": "江淮牌HFC1041 骏铃",
            "color": "白",
            "vin": "LJ10JKCA1EB398081",
            "registeredOn": "2014-03-04",
            "status": "抵押",
            "seizureCount": 2,
        },
        {  # seized, the count left out by the agency
            "plate": "苏H·5Z2Q8",
            "vehicleType": "小型轿车",
            "brandModel": "比亚迪牌BYD7150 秦",
            "color": "蓝",
            "vin": "LGXC16DF5J0123456",
            "registeredOn": "2018-05-17",
            "status": "查封",
            "someFutureField": "ignored",
        },
        {
            "plate": "苏H·K7731",
            "vehicleType": "小型越野客车",
            "brandModel": "长城牌CC6460 哈弗H6",
            "color": "银",
            "vin": "LGWEF4A56GF123789",
            "registeredOn": "2016-11-30",
            "status": "被盗抢",
            "seizureCount": 0,
        },
    ],
}


EXPECTED = PoliceRecords(
    household=HouseholdRegistration(
        name="王建国",
        gender="男",
        birth_date=datetime.date(1978, 5, 12),
        ethnicity="汉族",
        address="淮安市清江浦区淮海南路7号和平小区13幢1单元401室",
        police_station="淮安市公安局清江浦分局浦楼派出所",
        household_number="128899810",
        status="正常",
    ),
    travel_documents=(
        TravelDocument(
            document_type="普通护照",
            number="EJ3816052",
            issued_on=datetime.date(2019, 7, 20),
            expires_on=datetime.date(2029, 7, 19),
            issuing_authority="国家移民管理局",
            status="有效",
            last_exit_on=datetime.date(2024, 2, 3),
        ),
        TravelDocument(
            document_type="往来港澳通行证",
            number="CD5116060",
            issued_on=datetime.date(2016, 6, 12),
            expires_on=datetime.date(2026, 6, 11),
            issuing_authority="江苏省公安厅出入境管理局",
            status="有效",
            last_exit_on=None,
        ),
    ),
    vehicles=(
        Vehicle(
            plate="苏H·TV99T",
            vehicle_type="小型轿车",
            brand_model="大众牌SVW7157 朗逸",
            color="黑",
            vin="LSVCM0AA9RG555278",
            registered_on=datetime.date(2024, 10, 2),
            status="正常",
            seizure_count=0,
        ),
        Vehicle(
            plate="苏H·HY06U",
            vehicle_type="小型普通客车",
            brand_model="本田牌DHW6462 CR-V",
            color="红",
            vin="LVH027YL9MF034466",
            registered_on=datetime.date(2021, 10, 6),
            status="查封",
            seizure_count=1,
        ),
        Vehicle(
            plate="苏H·E1BF7",
            vehicle_type="轻型栏板货车",
            brand_model="江淮牌HFC1041 骏铃",
            color="白",
            vin="LJ10JKCA1EB398081",
            registered_on=datetime.date(2014, 3, 4),
            status="抵押",
            seizure_count=2,
        ),
        Vehicle(
            plate="苏H·5Z2Q8",
            vehicle_type="小型轿车",
            brand_model="比亚迪牌BYD7150 秦",
            color="蓝",
            vin="LGXC16DF5J0123456",
            registered_on=datetime.date(2018, 5, 17),
            status="查封",
            seizure_count=0,
        ),
        Vehicle(
            plate="苏H·K7731",
            vehicle_type="小型越野客车",
            brand_model="长城牌CC6460 哈弗H6",
            color="银",
            vin="LGWEF4A56GF123789",
            registered_on=datetime.date(2016, 11, 30),
            status="被盗抢",
            seizure_count=0,
        ),
    ),
)


def test_the_wire_document_reads_as_the_expected_records() -> None:
    records = records_of("police", WIRE)
    assert records == EXPECTED
    assert records.count() == 1 + 2 + 5
    assert isinstance(records.vehicles, tuple)
    assert isinstance(records.household.birth_date, datetime.date)


def test_a_firm_has_vehicles_but_no_household() -> None:
    records = records_of("police", {"household": None, "vehicles": WIRE["vehicles"][:2]})
    assert records == PoliceRecords(vehicles=EXPECTED.vehicles[:2])
    assert records.count() == 2


async def test_empty_tier_reads_as_no_records() -> None:
    # a firm of the empty tier: nothing at all
    assert await example("police", "legal", Tier.EMPTY) == PoliceRecords()
    # a resident of the empty tier: a household registration, no document and no vehicle
    resident = person(SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.EMPTY]))
    records = await example("police", "natural", Tier.EMPTY)
    assert records.household is not None
    assert (records.household.name, records.household.birth_date) == (
        resident.name,
        resident.birth_date,
    )
    assert (records.travel_documents, records.vehicles) == ((), ())
    assert records.count() == 1


def test_the_schema_shows_the_records() -> None:
    served = shown(EXPECTED)
    household = served["household"]
    assert (household["birthDate"], household["policeStation"]) == (
        "1978-05-12",
        "淮安市公安局清江浦分局浦楼派出所",
    )
    assert [d["lastExitOn"] for d in served["travelDocuments"]] == ["2024-02-03", None]
    assert [(v["plate"], v["status"], v["seizureCount"]) for v in served["vehicles"]] == [
        ("苏H·TV99T", "正常", 0),
        ("苏H·HY06U", "查封", 1),
        ("苏H·E1BF7", "抵押", 2),
        ("苏H·5Z2Q8", "查封", 0),
        ("苏H·K7731", "被盗抢", 0),
    ]
    assert shown(PoliceRecords())["household"] is None


# --- what counts as a seized vehicle ------------------------------------------------------


def vehicles_summary(records: PoliceRecords) -> tuple[int, int]:
    """The summary's (count, encumbered) of vehicles for these records."""
    result = SourceResult("police", SourceStatus.OK, records=records)
    vehicles = AGENCIES.summary_plan().summarize([result]).of("vehicles")
    assert vehicles.total is None  # vehicles are counted, not valued
    assert vehicles.complete
    return vehicles.count, vehicles.encumbered


def test_seized_vehicles_count_as_encumbered() -> None:
    # 查封 by status, or by the agency's count of seizures (the mortgaged car); not stolen cars
    assert vehicles_summary(EXPECTED) == (5, 3)


@pytest.mark.parametrize(
    ("status", "seizures", "encumbered"),
    [
        ("正常", 0, False),
        ("查封", 0, True),  # the status says so, whatever the count
        ("查封", 3, True),
        ("抵押", 1, True),  # seized after the mortgage: the count says so
        ("正常", 2, True),
        ("抵押", 0, False),  # a mortgage alone is no seizure
        ("被盗抢", 0, False),
    ],
)
def test_a_vehicle_is_encumbered_when_seized(status: str, seizures: int, encumbered: bool) -> None:
    car = dataclasses.replace(EXPECTED.vehicles[0], status=status, seizure_count=seizures)
    assert vehicles_summary(PoliceRecords(vehicles=(car,))) == (1, int(encumbered))


async def test_the_connector_serves_both_kinds() -> None:
    assert await served_kinds("police") == set(SubjectKind)
