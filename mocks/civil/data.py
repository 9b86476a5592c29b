"""Synthetic civil affairs records: marriage registrations, the current spouse, assistance.

The current spouse is ``mocks.synthetic.spouse_of`` (the co-owner of the couple's home in the
land registry); the marriage list, oldest first, ends with the 结婚 registration to that
spouse, on a day both had reached the legal age (women 20, men 22). Some people married and
divorced someone else before; some people without a current spouse are divorced (rich adults
without a spouse always are: the division of the couple's property matters to a court).
Minimum-living (低保) or five-guarantee (特困) assistance is rare and never for the rich tier.

Unlike the agencies that report assets, civil affairs answers the empty tier with the marriage
registrations too (a spouse is a lead, not an asset), and the empty tier is where assistance
is likeliest. Legal persons are not kept here: they are ``not_found``.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from stdnum.cn import ric

from mocks import huaian
from mocks.civil.records import (
    Assistance,
    CivilRecords,
    MarriageRegistration,
    Spouse,
)
from mocks.synthetic import (
    REFERENCE_DATE,
    Person,
    add_years,
    date_between,
    draw,
    person,
    person_name,
    spouse_of,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "civil"

LEGAL_AGE = {"男": 22, "女": 20}  # 法定婚龄
MINIMUM_LIVING = "最低生活保障"
FIVE_GUARANTEES = "特困人员救助供养（五保）"


def records(subject: SubjectRef) -> CivilRecords | None:
    """What civil affairs knows about ``subject``, or ``None`` if nothing."""
    if subject.kind != "natural":
        return None
    start = draw(AGENCY, subject)
    if start is None:
        return None
    rng = start.rng
    resident = person(subject)
    spouse = spouse_of(resident)
    if spouse is not None:
        marriages = _married(rng, resident, spouse)
    else:
        marriages = _divorced(rng, resident, always=start.rich)
    assistance: list[Assistance] = []
    if not start.rich and rng.random() < (0.25 if start.empty else 0.04):
        assistance = _assistance(rng, resident, married=spouse is not None, current=start.empty)
    return CivilRecords(
        current_spouse=None if spouse is None else Spouse(name=spouse.name, id_number=spouse.id),
        marriages=marriages,
        assistance=assistance,
    )


def legal_from(birth_date: datetime.date, gender: str) -> datetime.date:
    """The first day someone born on ``birth_date`` may marry (their 20th or 22nd birthday)."""
    return add_years(birth_date, LEGAL_AGE[gender]) + datetime.timedelta(days=1)


def _married(rng: random.Random, resident: Person, spouse: Person) -> list[MarriageRegistration]:
    """The registrations of a married person: perhaps a marriage and divorce, then this one.

    ``spouse_of`` may give a husband not yet 22 (it asks only that the spouse be 20); such a
    marriage is registered on the reference date, the last day the synthetic world knows.
    """
    earliest = max(
        legal_from(resident.birth_date, resident.gender),
        legal_from(spouse.birth_date, spouse.gender),
    )
    span = (REFERENCE_DATE - earliest).days
    registrations: list[MarriageRegistration] = []
    if span > 6 * 365 and rng.random() < 0.15:
        first = earliest + datetime.timedelta(days=rng.randint(0, span // 3))
        left = (REFERENCE_DATE - first).days
        divorced = first + datetime.timedelta(days=rng.randint(365, left * 2 // 3))
        registrations += _marriage_and_divorce(rng, resident, first, divorced, avoid=spouse.id)
        married = date_between(rng, divorced + datetime.timedelta(days=90), REFERENCE_DATE)
    elif span >= 0:
        married = date_between(rng, earliest, min(REFERENCE_DATE, add_years(earliest, 8)))
    else:
        married = REFERENCE_DATE
    registrations.append(_registration(rng, resident, "结婚", spouse.name, spouse.id, married))
    return registrations


def _divorced(rng: random.Random, resident: Person, *, always: bool) -> list[MarriageRegistration]:
    """Someone without a current spouse: a past marriage and divorce, or nothing."""
    earliest = legal_from(resident.birth_date, resident.gender)
    if (REFERENCE_DATE - earliest).days < 3 * 365:
        return []  # too young to have married and divorced
    if not always and rng.random() >= 0.3:
        return []
    first = date_between(rng, earliest, REFERENCE_DATE - datetime.timedelta(days=2 * 365))
    divorced = date_between(rng, first + datetime.timedelta(days=365), REFERENCE_DATE)
    return _marriage_and_divorce(rng, resident, first, divorced, avoid=None)


def _marriage_and_divorce(
    rng: random.Random,
    resident: Person,
    married: datetime.date,
    divorced: datetime.date,
    *,
    avoid: str | None,
) -> list[MarriageRegistration]:
    """A 结婚 and a 离婚 with a former spouse: someone else than ``avoid`` (the current one)."""
    gender = "女" if resident.gender == "男" else "男"
    name = person_name(rng, gender)
    former = _former_spouse_id(rng, resident, gender, married, avoid)
    return [
        _registration(rng, resident, "结婚", name, former, married),
        _registration(rng, resident, "离婚", name, former, divorced),
    ]


def _former_spouse_id(
    rng: random.Random,
    resident: Person,
    gender: str,
    married: datetime.date,
    avoid: str | None,
) -> str:
    """A valid resident ID of someone of ``gender`` who was of legal age on ``married``."""
    latest = add_years(married, -LEGAL_AGE[gender]) - datetime.timedelta(days=1)
    low = resident.birth_date - datetime.timedelta(days=5 * 365)
    high = min(resident.birth_date + datetime.timedelta(days=5 * 365), latest)
    while True:
        birth = date_between(rng, low, high)
        order = rng.randint(0, 499) * 2 + (1 if gender == "男" else 0)
        first17 = f"{resident.district.region}{birth:%Y%m%d}{order:03d}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        if number not in (avoid, resident.id):
            return number


def _registration(
    rng: random.Random,
    resident: Person,
    kind: str,
    spouse_name: str,
    spouse_id: str,
    day: datetime.date,
) -> MarriageRegistration:
    district = resident.district if rng.random() < 0.85 else rng.choice(huaian.DISTRICTS)
    prefix = "J" if kind == "结婚" else "L"
    return MarriageRegistration(
        registration_type=kind,
        spouse_name=spouse_name,
        spouse_id_number=spouse_id,
        registered_on=day,
        registry=f"{bureau(district)}婚姻登记处",
        certificate_number=f"{prefix}{district.region}-{day.year}-{rng.randint(1, 6000):06d}",
    )


def bureau(district: huaian.District) -> str:
    """The civil affairs bureau of a district: 淮安市清江浦区民政局, 涟水县民政局."""
    county = district.registry != huaian.CITY  # counties issue under their own name
    return f"{district.name}民政局" if county else f"{huaian.CITY}{district.name}民政局"


def _assistance(
    rng: random.Random, resident: Person, *, married: bool, current: bool
) -> list[Assistance]:
    """One assistance record of an adult: five-guarantee support needs old age and no spouse."""
    adult = add_years(resident.birth_date, 18) + datetime.timedelta(days=1)
    if adult > REFERENCE_DATE - datetime.timedelta(days=90):
        return []
    elderly = add_years(resident.birth_date, 60) < REFERENCE_DATE
    if elderly and not married and rng.random() < 0.5:
        program, amount = FIVE_GUARANTEES, Decimal(rng.randint(1080, 1250))
    else:
        program, amount = MINIMUM_LIVING, Decimal(rng.randint(26, 89) * 10)
    since = date_between(
        rng, max(adult, years_ago(12)), REFERENCE_DATE - datetime.timedelta(days=60)
    )
    until = None
    if not current or rng.random() < 0.2:
        until = date_between(rng, since + datetime.timedelta(days=30), REFERENCE_DATE)
    return [
        Assistance(
            program=program,
            status="在保" if until is None else "停保",
            since=since,
            until=until,
            monthly_amount=amount.quantize(Decimal("0.01")),
            office=bureau(resident.district),
        )
    ]


records_for = as_json(records)  # the JSON the mock answers
