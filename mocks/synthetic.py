"""Deterministic synthetic subjects, shared by the agency mocks.

Everything a mock says about a subject is drawn from ``rng_for(agency, subject_id)``, a
``random.Random`` seeded from SHA-256 (never ``hash()``, which changes between processes),
and every date is counted from the fixed ``REFERENCE_DATE``: the same subject gets the same
records in every run, process and app instance.

A subject's ``Tier`` comes from the SHA-256 of its id alone, so the agencies agree: a subject
unknown to the police is unknown to the banks too.

    Tier.UNKNOWN   ~10%  every agency answers not_found
    Tier.EMPTY     ~10%  found, but no assets (empty lists)
    Tier.ORDINARY  ~60%  a few records
    Tier.RICH      ~20%  many records, with existing seizures and freezes
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

from stdnum.cn import ric

from gateway.domain.errors import InvalidSubjectError
from gateway.domain.subjects import (
    normalize_resident_id,
    normalize_uscc,
    uscc_check_character,
)
from mocks import huaian
from mocks.wire import SubjectKindName, SubjectRef

REFERENCE_DATE = datetime.date(2025, 6, 30)  # "today" for every synthetic record

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严武戴孔汤"
)
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊峰建国志文海林东亮晨阳坤"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲丹萍红梅琳雪婷慧莉倩颖洁佳琴云莹璐月欣悦雯蕾"
COMPANY_WORDS = ("华瑞", "恒通", "鑫盛", "宏达", "嘉禾", "泰和", "润丰", "金源", "运河", "洪泽湖")
INDUSTRIES = ("建筑工程", "商贸", "物流", "置业", "食品", "机械制造", "新材料", "纺织", "盐化")


class Tier(enum.StrEnum):
    UNKNOWN = "unknown"
    EMPTY = "empty"
    ORDINARY = "ordinary"
    RICH = "rich"


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def rng_for(agency: str, subject_id: str) -> random.Random:
    """The random stream of one agency's records about one subject."""
    return random.Random(int.from_bytes(_digest(agency, subject_id)[:16], "big"))


def tier_of(subject_id: str) -> Tier:
    """How much every agency knows about a subject; from the id only, the same everywhere."""
    bucket = int.from_bytes(_digest("tier", subject_id)[:8], "big") % 100
    if bucket < 10:
        return Tier.UNKNOWN
    if bucket < 20:
        return Tier.EMPTY
    if bucket < 40:
        return Tier.RICH
    return Tier.ORDINARY


def is_known(subject: SubjectRef) -> bool:
    """Whether the agencies know a subject at all: a canonical, valid id outside Tier.UNKNOWN.

    A natural person's id must be a valid 18-digit resident ID number, a legal person's a valid
    unified social credit code, both exactly as the gateway canonicalises them; anything else
    is unknown, as a real registry would answer.
    """
    try:
        if subject.kind == "natural":
            canonical = normalize_resident_id(subject.id)
        else:
            canonical = normalize_uscc(subject.id)
    except InvalidSubjectError:
        return False
    if subject.kind == "natural" and _birth_date(canonical) > REFERENCE_DATE:
        return False  # not yet born in the synthetic world, whose today is REFERENCE_DATE
    return canonical == subject.id and tier_of(subject.id) is not Tier.UNKNOWN


@dataclass(frozen=True, slots=True)
class Draw:
    """Where one agency's generator starts for one known subject."""

    tier: Tier
    rng: random.Random  # the agency's own stream for the subject

    @property
    def rich(self) -> bool:
        return self.tier is Tier.RICH

    @property
    def empty(self) -> bool:
        return self.tier is Tier.EMPTY


def draw(agency: str, subject: SubjectRef) -> Draw | None:
    """None when no agency knows ``subject``; else its tier and ``agency``'s random stream."""
    if not is_known(subject):
        return None
    return Draw(tier_of(subject.id), rng_for(agency, subject.id))


# --- people and organisations ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """What a resident ID number says, plus a name; the same for every agency."""

    id: str
    name: str
    gender: str  # 男 / 女
    birth_date: datetime.date
    district: huaian.District  # where the ID was issued (or a random one, for outsiders)


def person(subject: SubjectRef) -> Person:
    """The natural person behind a valid 18-digit ID: birth date [6:14], gender from digit 17."""
    rng = rng_for("person", subject.id)
    gender = "男" if int(subject.id[16]) % 2 == 1 else "女"
    name = subject.name or person_name(rng, gender)
    district = huaian.district_for_id(rng, subject.id)
    return Person(subject.id, name, gender, _birth_date(subject.id), district)


def _birth_date(resident_id: str) -> datetime.date:
    return datetime.date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))


def spouse_name(resident: Person) -> str:
    """The name of a person's spouse (co-owner of their home), the same for every agency."""
    rng = rng_for("spouse", resident.id)
    return person_name(rng, "女" if resident.gender == "男" else "男")


def spouse_of(resident: Person) -> Person | None:
    """A person's current spouse, or ``None``; the same answer for every agency.

    Adults past 22 are married three times in four. The spouse is a real synthetic person: a
    valid ID number that the agencies know (never ``Tier.UNKNOWN``), a birth date within five
    years, the opposite gender, and the name that ``spouse_name`` gives (the co-owner of the
    couple's home in the land registry).
    """
    if add_years(resident.birth_date, 22) >= REFERENCE_DATE:
        return None
    rng = rng_for("marriage", resident.id)
    if rng.random() >= 0.75:
        return None
    gender = "女" if resident.gender == "男" else "男"
    region = resident.district.region
    while True:
        birth = resident.birth_date + datetime.timedelta(days=rng.randint(-5 * 365, 5 * 365))
        if add_years(birth, 22 if gender == "男" else 20) >= REFERENCE_DATE:
            continue  # the legal marrying age: 22 for men, 20 for women
        order = rng.randint(0, 499) * 2 + (1 if gender == "男" else 0)
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        spouse_id = first17 + ric.calc_check_digit(first17 + "0")
        if tier_of(spouse_id) is not Tier.UNKNOWN and spouse_id != resident.id:
            break
    return Person(spouse_id, spouse_name(resident), gender, birth, resident.district)


@dataclass(frozen=True, slots=True)
class Company:
    """A synthetic enterprise: the same name and district for every agency that mentions it."""

    uscc: str
    name: str
    district: huaian.District


def company(uscc: str) -> Company:
    """The enterprise behind a credit code (its name is drawn from the code alone)."""
    ref = SubjectRef(kind="legal", id=uscc)
    return Company(uscc, company_name(rng_for("company-name", uscc)), company_district(ref))


def enterprises_of(subject: SubjectRef) -> tuple[Company, ...]:
    """Enterprises a known natural person founded, runs or holds shares in (possibly none).

    Rich people have one to three, ordinary people sometimes one, the empty tier none. Each has
    a valid credit code registered in Huai'an that the agencies know (never ``Tier.UNKNOWN``),
    so a judge can follow the lead and ask about the enterprise itself.
    """
    start = draw("enterprises", subject)
    if start is None or start.empty or subject.kind != "natural":
        return ()
    rng = start.rng
    count = rng.randint(1, 3) if start.rich else int(rng.random() < 0.25)
    found: list[Company] = []
    while len(found) < count:
        district = rng.choice(huaian.DISTRICTS)
        first17 = f"91{district.region}MA{''.join(rng.choice(_USCC_BODY) for _ in range(7))}"
        code = first17 + uscc_check_character(first17)
        if tier_of(code) is not Tier.UNKNOWN:
            found.append(company(code))
    return tuple(found)


_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def person_name(rng: random.Random, gender: str | None = None) -> str:
    gender = gender or rng.choice("男女")
    pool = MALE_GIVEN if gender == "男" else FEMALE_GIVEN
    given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def company_district(subject: SubjectRef) -> huaian.District:
    """The district of a legal person's registration: USCC characters [2:8] are its region."""
    for district in huaian.DISTRICTS:
        if subject.id[2:8] in (district.region, *district.id_regions):
            return district
    return rng_for("company", subject.id).choice(huaian.DISTRICTS)


def company_name(rng: random.Random) -> str:
    return f"{huaian.CITY}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"


# --- values ------------------------------------------------------------------------------


def date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def years_ago(years: float) -> datetime.date:
    return REFERENCE_DATE - datetime.timedelta(days=round(years * 365.25))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later (28 Feb for 29 Feb), minus one day, as terms run."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:
        end = day.replace(year=day.year + years, day=28)
    return end - datetime.timedelta(days=1)


def money(rng: random.Random, low: float, high: float) -> Decimal:
    """An amount in yuan with two places, log-uniform between ``low`` and ``high``."""
    fen = round(low * 100 * (high / low) ** rng.random())
    return Decimal(fen).scaleb(-2)


def asset_tag(holder: str, key: str) -> str:
    """A register's id of what one holder has of ``key`` (a company's equity, a product's
    shares): ``key`` and 8 hex digits of the holder, the same on every run."""
    tag = hashlib.sha256(f"{holder}|{key}".encode()).hexdigest()[:8]
    return f"{key}-{tag}"


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit that bank card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return partial + str((10 - total % 10) % 10)


_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates


def plate(rng: random.Random) -> str:
    """苏H·A1B23 (five characters after the dot, the first a letter)."""
    tail = "".join(rng.choice(_PLATE_LETTERS + "0123456789") for _ in range(4))
    return f"{huaian.PLATE_PREFIX}·{rng.choice(_PLATE_LETTERS)}{tail}"


_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True))}
_VIN_VALUES |= dict(zip("JKLMN", range(1, 6), strict=True)) | {"P": 7, "R": 9}
_VIN_VALUES |= dict(zip("STUVWXYZ", range(2, 10), strict=True))
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010 = A ... 2030 = Y, then 1-9 repeats


def vin(rng: random.Random, wmi: str, model_year: int) -> str:
    """A 17-character VIN with the right ISO 3779 check digit in position 9."""
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    vds = "".join(rng.choice(alphabet) for _ in range(5))
    year = _VIN_YEARS[(model_year - 2010) % 30]
    rest = rng.choice("ABCDEFGH") + digits(rng, 6)
    draft = f"{wmi}{vds}0{year}{rest}"
    total = sum(_VIN_VALUES[c] * w for c, w in zip(draft, _VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return f"{draft[:8]}{check}{draft[9:]}"


# --- example subjects --------------------------------------------------------------------

_NATURAL_START = ("320802", datetime.date(1978, 5, 12), 101)  # region, birth date, sequence
_LEGAL_START = ("91320812MA", 2000)  # authority 9, type 1, 清江浦区, then a counter


def _natural_candidates() -> list[str]:
    region, birth, sequence = _NATURAL_START
    found = []
    for order in range(sequence, 1000):
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        found.append(first17 + ric.calc_check_digit(first17 + "0"))
    return found


def _legal_candidates() -> list[str]:
    prefix, start = _LEGAL_START
    found = []
    for counter in range(start, start + 2000):
        first17 = f"{prefix}{counter:07d}"
        found.append(first17 + uscc_check_character(first17))
    return found


@functools.cache
def _examples() -> tuple[tuple[SubjectKindName, Tier, str], ...]:
    examples: list[tuple[SubjectKindName, Tier, str]] = []
    kinds: tuple[tuple[SubjectKindName, list[str]], ...] = (
        ("natural", _natural_candidates()),
        ("legal", _legal_candidates()),
    )
    for kind, candidates in kinds:
        for tier in Tier:
            first = next(c for c in candidates if tier_of(c) is tier)
            examples.append((kind, tier, first))
    return tuple(examples)


def example_subjects() -> dict[SubjectKindName, dict[Tier, str]]:
    """Valid example ids, one per kind and tier: ``example_subjects()["natural"][Tier.RICH]``.

    Each is the first candidate of its tier counted from a fixed start, so they never change;
    the contract kit uses them, and agency test environments should know them.
    """
    result: dict[SubjectKindName, dict[Tier, str]] = {"natural": {}, "legal": {}}
    for kind, tier, subject_id in _examples():
        result[kind][tier] = subject_id
    return result
