"""Synthetic police records: household registration, exit-entry documents, vehicles.

Natural persons get a household registration whose gender and birth date are those of their
ID number, travel documents and vehicles; legal persons get vehicles only.
"""

from __future__ import annotations

import datetime
import random

from mocks import huaian
from mocks.police.records import (
    Household,
    PoliceRecords,
    TravelDocument,
    Vehicle,
)
from mocks.synthetic import (
    REFERENCE_DATE,
    Person,
    Tier,
    add_years,
    date_between,
    digits,
    draw,
    person,
    plate,
    vin,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "police"

ETHNICITIES = ("汉族",) * 40 + ("回族", "满族", "蒙古族", "壮族")
# (WMI, brand and model, vehicle type) of cars common in Jiangsu
CARS = (
    ("LSV", "大众牌SVW7157 朗逸", "小型轿车"),
    ("LFV", "大众牌FV7146 速腾", "小型轿车"),
    ("LGB", "日产牌DFL7168 轩逸", "小型轿车"),
    ("LSG", "别克牌SGM7158 英朗", "小型轿车"),
    ("LHG", "本田牌HG7201 雅阁", "小型轿车"),
    ("LBV", "宝马牌BMW7201 5系", "小型轿车"),
    ("LC0", "比亚迪牌BYD7005 汉", "小型轿车"),
    ("LGX", "比亚迪牌BYD6471 宋PLUS", "小型普通客车"),
    ("LVH", "本田牌DHW6462 CR-V", "小型普通客车"),
)
TRUCKS = (
    ("LFW", "解放牌CA4250P66 J6P", "重型半挂牵引车"),
    ("LGA", "东风牌DFH1180 天锦", "重型厢式货车"),
    ("LZZ", "豪沃牌ZZ3257 自卸", "重型自卸货车"),
    ("LJ1", "江淮牌HFC1041 骏铃", "轻型栏板货车"),
    ("LSV", "大众牌SVW6501 途安", "小型普通客车"),
)
COLORS = ("白", "白", "黑", "黑", "银", "灰", "蓝", "红")


def records(subject: SubjectRef) -> PoliceRecords | None:
    """What the police know about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    tier, rng = start.tier, start.rng
    if subject.kind == "legal":
        count = {Tier.EMPTY: 0, Tier.ORDINARY: rng.randint(0, 3), Tier.RICH: rng.randint(4, 9)}
        return PoliceRecords(vehicles=_vehicles(rng, count[tier], fleet=True))
    resident = person(subject)
    if tier is Tier.EMPTY:
        return PoliceRecords(household=_household(rng, resident))
    rich = tier is Tier.RICH
    documents = rng.randint(1, 3) if rich else rng.choice((0, 0, 0, 1))
    vehicles = rng.randint(2, 4) if rich else rng.choice((0, 0, 1, 1, 2))
    adult_on = add_years(resident.birth_date, 18) + datetime.timedelta(days=1)
    if adult_on > REFERENCE_DATE:
        vehicles = 0  # minors own no cars
    return PoliceRecords(
        household=_household(rng, resident),
        travel_documents=_documents(rng, resident, documents),
        vehicles=_vehicles(rng, vehicles, fleet=False, since=adult_on),
    )


def _household(rng: random.Random, resident: Person) -> Household:
    district = resident.district
    moved_away = rng.random() < 0.03
    return Household(
        name=resident.name,
        gender=resident.gender,
        birth_date=resident.birth_date,
        ethnicity=rng.choice(ETHNICITIES),
        address=huaian.street_address(rng, district),
        police_station=huaian.police_station(rng, district),
        household_number=district.region[4:] + digits(rng, 7),
        status="迁出" if moved_away else "正常",
    )


def _documents(rng: random.Random, resident: Person, count: int) -> list[TravelDocument]:
    kinds = rng.sample(("普通护照", "往来港澳通行证", "往来台湾通行证"), k=count)
    documents = []
    for kind in kinds:
        earliest = max(resident.birth_date + datetime.timedelta(days=365), years_ago(14))
        latest = REFERENCE_DATE - datetime.timedelta(days=30)
        if earliest > latest:
            break  # too young for a passport
        issued = date_between(rng, earliest, latest)
        adult = add_years(resident.birth_date, 16) < issued
        expires = add_years(issued, 10 if adult else 5)
        if kind == "普通护照":
            letter = rng.choice("ABCDEFGH") if issued.year >= 2012 else digits(rng, 1)
            number = "E" + letter + digits(rng, 7)
        elif kind == "往来港澳通行证":
            number = "C" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXY") + digits(rng, 7)
        else:
            number = "L" + digits(rng, 8)
        authority = "国家移民管理局" if issued.year >= 2019 else "公安部出入境管理局"
        if kind != "普通护照":
            authority = "江苏省公安厅出入境管理局" if issued.year < 2019 else "江苏省淮安市公安局"
        status = "有效" if expires >= REFERENCE_DATE else "过期"
        if status == "有效" and rng.random() < 0.08:
            status = "已宣布作废"  # e.g. declared void after a court's exit ban
        exited = rng.random() < 0.6
        last_exit = date_between(rng, issued, min(expires, REFERENCE_DATE)) if exited else None
        documents.append(
            TravelDocument(
                document_type=kind,
                number=number,
                issued_on=issued,
                expires_on=expires,
                issuing_authority=authority,
                status=status,
                last_exit_on=last_exit,
            )
        )
    return documents


def _vehicles(
    rng: random.Random, count: int, *, fleet: bool, since: datetime.date | None = None
) -> list[Vehicle]:
    vehicles = []
    earliest = max(since or years_ago(15), years_ago(15))
    for _ in range(count):
        wmi, brand_model, vehicle_type = rng.choice(TRUCKS if fleet else CARS)
        registered = date_between(rng, earliest, REFERENCE_DATE - datetime.timedelta(days=7))
        roll = rng.random()
        seizures = 0
        if roll < 0.12:
            status, seizures = "查封", rng.randint(1, 3)
        elif roll < 0.25:
            status = "抵押"
        elif roll < 0.27:
            status = "被盗抢"
        else:
            status = "正常"
        vehicles.append(
            Vehicle(
                plate=plate(rng),
                vehicle_type=vehicle_type,
                brand_model=brand_model,
                color=rng.choice(COLORS),
                vin=vin(rng, wmi, registered.year),
                registered_on=registered,
                status=status,
                seizure_count=seizures,
            )
        )
    return vehicles


records_for = as_json(records)  # the JSON the mock answers
