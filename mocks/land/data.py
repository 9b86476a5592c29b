"""Synthetic land-registry records: real estate, land use rights, mortgages, existing seizures.

Companies are likelier to hold land (granted parcels with grant price, amount paid and the
construction dates); mortgages go to the banks of ``mocks.huaian``; existing seizures carry a
Huai'an court and a case number such as ``(2024)苏0812执456号``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import replace
from decimal import Decimal

from mocks import huaian
from mocks.land.records import (
    LandParcel,
    LandRecords,
    Mortgage,
    RealEstate,
    Seizure,
)
from mocks.synthetic import (
    REFERENCE_DATE,
    add_years,
    company_district,
    date_between,
    digits,
    draw,
    money,
    person,
    spouse_name,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "land"

# usage -> floor area range in m², for people and for companies
PERSON_USAGES = {"住宅": (58, 180), "商业": (25, 260), "车库": (12, 40), "办公": (60, 300)}
COMPANY_USAGES = {
    "工业": (800, 20000),
    "商业": (150, 3000),
    "办公": (200, 2500),
    "仓储": (500, 8000),
}
LAND_USAGES = {"工业用地": (250, 450), "商服用地": (1800, 6500), "仓储用地": (220, 400)}  # yuan/m²


def records(subject: SubjectRef) -> LandRecords | None:
    """What the land registry knows about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return LandRecords()
    rng, rich = start.rng, start.rich
    company = subject.kind == "legal"
    if company:
        district = company_district(subject)
        since, spouse = years_ago(18), None
        properties = rng.randint(3, 6) if rich else rng.randint(0, 2)
        parcels = rng.randint(2, 4) if rich else rng.choice((0, 1, 1, 2))
    else:
        resident = person(subject)
        district = resident.district
        since = max(years_ago(18), resident.birth_date)  # minors may inherit, not before birth
        married_age = add_years(resident.birth_date, 22) < REFERENCE_DATE
        spouse = spouse_name(resident) if married_age else None
        properties = rng.randint(3, 6) if rich else rng.choice((0, 1, 1, 1, 2))
        parcels = int(rich and rng.random() < 0.3)
    records = LandRecords(
        real_estate=[
            _real_estate(rng, district, since, company=company, spouse=spouse)
            for _ in range(properties)
        ],
        land=[_parcel(rng, district) for _ in range(parcels)],
    )
    return _encumber(rng, records, district, seizure_chance=0.35 if rich else 0.05)


def _unit_number(rng: random.Random, district: huaian.District, fixture: str) -> str:
    """不动产单元号: region(6) + cadastral zone(3) + subzone(3) + GB + parcel(5) + F/W + 8."""
    return f"{district.region}{digits(rng, 6)}GB{digits(rng, 5)}{fixture}"


def _certificate(rng: random.Random, district: huaian.District, year: int, kind: str) -> str:
    """苏(2019)淮安市不动产权第0012345号 (kind 不动产权) or ...不动产证明第... (mortgages)."""
    return f"苏({year}){district.registry}{kind}第{rng.randint(1, 99999):07d}号"


def _real_estate(
    rng: random.Random,
    near: huaian.District,
    since: datetime.date,
    *,
    company: bool,
    spouse: str | None,
) -> RealEstate:
    district = near if rng.random() < 0.7 else rng.choice(huaian.DISTRICTS)
    usages = COMPANY_USAGES if company else PERSON_USAGES
    usage = "住宅" if not company and rng.random() < 0.75 else rng.choice(list(usages))
    low, high = usages[usage]
    building, room = rng.randint(1, 40), rng.randint(1, 3000)
    registered = date_between(rng, since, REFERENCE_DATE - datetime.timedelta(days=20))
    ownership, share, co_owners = "单独所有", None, []
    if spouse is not None and usage == "住宅":
        roll = rng.random()
        if roll < 0.45:
            ownership, co_owners = "共同共有", [spouse]
        elif roll < 0.55:
            ownership, share, co_owners = "按份共有", rng.choice(("50%", "60%", "30%")), [spouse]
    location = (
        huaian.street_address(rng, district)
        if usage in ("住宅", "车库")
        else huaian.industrial_address(rng, district)
    )
    return RealEstate(
        unit_number=_unit_number(rng, district, f"F{building:04d}{room:04d}"),
        certificate_number=_certificate(rng, district, registered.year, "不动产权"),
        location=location,
        usage=usage,
        floor_area_m2=money(rng, low, high),
        ownership=ownership,
        share=share,
        co_owners=co_owners,
        registered_on=registered,
        status="正常",
    )


def _parcel(rng: random.Random, near: huaian.District) -> LandParcel:
    district = near if rng.random() < 0.8 else rng.choice(huaian.DISTRICTS)
    usage = rng.choice(list(LAND_USAGES))
    area = money(rng, 2000, 60000)
    registered = date_between(rng, years_ago(15), years_ago(0.3))
    granted = rng.random() < 0.85
    contract = price = paid = started = completed = None
    if granted:
        contract = f"{district.region}{registered.year}CR{rng.randint(1, 300):04d}"
        low, high = LAND_USAGES[usage]
        price = (area * money(rng, low, high)).quantize(Decimal("0.01"))
        paid = price if rng.random() < 0.75 else (price * Decimal(rng.randint(20, 90)) / 100)
        paid = paid.quantize(Decimal("0.01"))
        if rng.random() < 0.8:
            started = date_between(rng, registered, min(add_years(registered, 2), REFERENCE_DATE))
            done = date_between(rng, add_years(started, 1), add_years(started, 3))
            completed = done if done <= REFERENCE_DATE and rng.random() < 0.8 else None
    return LandParcel(
        parcel_number=_unit_number(rng, district, "")[:19],
        location=huaian.industrial_address(rng, district),
        usage=usage,
        area_m2=area,
        right_type="出让" if granted else "划拨",
        grant_contract_number=contract,
        grant_price=price,
        grant_paid=paid,
        construction_started_on=started,
        construction_completed_on=completed,
        registered_on=registered,
    )


def _encumber(
    rng: random.Random, records: LandRecords, district: huaian.District, seizure_chance: float
) -> LandRecords:
    """Add mortgages and seizures to some units, and set the units' status to match."""
    mortgages: list[Mortgage] = []
    seizures: list[Seizure] = []
    estates: list[RealEstate] = []
    for estate in records.real_estate:
        status = "正常"
        if rng.random() < 0.45:
            bank = rng.choice(huaian.BANKS)
            start = date_between(rng, estate.registered_on, REFERENCE_DATE)
            term = rng.choice((5, 10, 20, 30))
            mortgages.append(
                Mortgage(
                    certificate_number=_certificate(rng, district, start.year, "不动产证明"),
                    unit_number=estate.unit_number,
                    mortgagee=huaian.mortgagee(bank),
                    secured_amount=money(rng, 200_000, 3_000_000),
                    term_start=start,
                    term_end=add_years(start, term),
                    registered_on=start,
                )
            )
            status = "抵押"
        if rng.random() < seizure_chance:
            seizures += _seizures(rng, estate.unit_number, district)
            status = "查封"
        estates.append(replace(estate, status=status))
    return replace(records, real_estate=estates, mortgages=mortgages, seizures=seizures)


def _seizures(rng: random.Random, unit_number: str, district: huaian.District) -> list[Seizure]:
    """One seizure in force (real estate: at most 3 years), sometimes a waiting one behind it."""
    seizures = []
    start = date_between(rng, years_ago(2.5), REFERENCE_DATE - datetime.timedelta(days=10))
    for waiting in (False, True):
        court, case_number = huaian.court_case(rng, district, start.year)
        seizures.append(
            Seizure(
                unit_number=unit_number,
                court=court,
                case_number=case_number,
                seized_from=start,
                seized_until=add_years(start, 3),
                waiting=waiting,
            )
        )
        if rng.random() < 0.7:
            break
        start = date_between(rng, start, REFERENCE_DATE)
    return seizures


records_for = as_json(records)  # the JSON the mock answers
