"""Synthetic insurance records: policies, insurance wealth products, existing freezes.

People hold life cover (终身寿险, 两全保险, 年金保险, 重疾险, 意外险) as policyholder, on
themselves or their spouse, are the beneficiary (受益人) of some of their spouse's cover and the
insured (被保险人) of their enterprises' group cover; minors are only ever insured, by a parent.
Every vehicle the police register to a subject carries a 车险 policy; companies insure their
registered real estate (财产险) and their staff (团体意外险). Only the savings types have a cash
value, which a policy loses when it matures (满期) or is surrendered (退保). Courts freeze only
cash values a subject owns as policyholder; a frozen policy has the status 冻结.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from mocks import huaian, land, police
from mocks.insurance.records import (
    InsuranceRecords,
    InsuranceWealthProduct,
    Policy,
    PolicyFreeze,
)
from mocks.police.records import Vehicle
from mocks.synthetic import (
    REFERENCE_DATE,
    Person,
    add_years,
    company,
    company_district,
    date_between,
    digits,
    draw,
    enterprises_of,
    money,
    person,
    person_name,
    spouse_of,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "insurance"


@dataclass(frozen=True, slots=True)
class Insurer:
    legal_name: str  # 中国人寿保险股份有限公司
    city_branch: str  # its branch in Huai'an city: 淮安分公司 / 淮安中心支公司
    brand: str  # in product names: 国寿
    prefix: str  # how its policy numbers start


LIFE_INSURERS = (
    Insurer("中国人寿保险股份有限公司", "淮安分公司", "国寿", "P32"),
    Insurer("中国平安人寿保险股份有限公司", "淮安中心支公司", "平安", "P10"),
    Insurer("中国太平洋人寿保险股份有限公司", "淮安中心支公司", "太平洋", "CP"),
    Insurer("新华人寿保险股份有限公司", "淮安中心支公司", "新华", "NC"),
    Insurer("泰康人寿保险有限责任公司", "淮安中心支公司", "泰康", "TK"),
    Insurer("利安人寿保险股份有限公司", "淮安中心支公司", "利安", "LA"),
)
PROPERTY_INSURERS = (
    Insurer("中国人民财产保险股份有限公司", "淮安市分公司", "人保", "PDAA"),
    Insurer("中国平安财产保险股份有限公司", "淮安中心支公司", "平安", "PAZH"),
    Insurer("中国太平洋财产保险股份有限公司", "淮安中心支公司", "太平洋", "ACPU"),
    Insurer("紫金财产保险股份有限公司", "淮安中心支公司", "紫金", "ZJCX"),
    Insurer("中华联合财产保险股份有限公司", "淮安中心支公司", "中华", "ZHLH"),
)
ASSET_MANAGERS = (
    ("中国人寿资产管理有限公司", "国寿资产", "GSZC"),
    ("平安资产管理有限责任公司", "平安资管", "PAZG"),
    ("太平洋资产管理有限责任公司", "太平洋资产", "TPYZ"),
    ("泰康资产管理有限责任公司", "泰康资产", "TKZC"),
)

# product names (after the insurer's brand) by type
PRODUCTS = {
    "终身寿险": ("鑫享传家终身寿险", "福佑一生终身寿险", "盛世臻享终身寿险（增额型）"),
    "两全保险": ("福禄双全两全保险（分红型）", "安享金生两全保险"),
    "年金保险": ("鑫福年年年金保险", "金裕人生年金保险（分红型）", "稳赢一生年金保险"),
    "重疾险": ("康宁终身重大疾病保险", "守护百分百重大疾病保险", "健康福终身重大疾病保险"),
    "意外险": ("综合意外伤害保险", "出行无忧意外伤害保险"),
    "车险": ("机动车商业保险",),
    "财产险": ("企业财产综合险", "财产一切险"),
    "团体意外险": ("团体意外伤害保险",),
}
SAVINGS = frozenset(("终身寿险", "两全保险", "年金保险"))  # cash value grows past premiums paid
WHOLE_LIFE = frozenset(("终身寿险", "重疾险"))  # no expiry date
PAYMENT_YEARS = {
    "终身寿险": (1, 3, 5, 10, 20),
    "两全保险": (3, 5, 10, 20),
    "年金保险": (1, 3, 5, 10),
    "重疾险": (10, 20, 30),
    "意外险": (1,),
}
TERMS = {"两全保险": (10, 20, 30), "年金保险": (10, 15, 20, 30), "意外险": (1,)}  # years
PREMIUMS = {  # (rich, ordinary) annual premium ranges, yuan
    "终身寿险": ((20_000, 1_000_000), (3_000, 30_000)),
    "年金保险": ((20_000, 1_000_000), (5_000, 50_000)),
    "两全保险": ((10_000, 300_000), (2_000, 20_000)),
    "重疾险": ((3_000, 30_000), (1_500, 12_000)),
    "意外险": ((300, 2_000), (100, 600)),
}
LIFE_TYPES_RICH = ("终身寿险", "终身寿险", "年金保险", "年金保险", "两全保险", "重疾险")
LIFE_TYPES_ORDINARY = ("重疾险", "重疾险", "两全保险", "意外险", "意外险", "年金保险")
WEALTH_NAMES = ("金账户年金保险（万能型）", "鑫账户终身寿险（万能型）", "投资连结保险（稳健账户）")
_ONE_DAY = datetime.timedelta(days=1)


def records(subject: SubjectRef) -> InsuranceRecords | None:
    """What the insurers know about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return InsuranceRecords()
    if subject.kind == "legal":
        return _company_records(start.rng, subject, rich=start.rich)
    return _person_records(start.rng, subject, rich=start.rich)


# --- people --------------------------------------------------------------------------------


def _person_records(rng: random.Random, subject: SubjectRef, *, rich: bool) -> InsuranceRecords:
    resident = person(subject)
    district = resident.district
    if resident.birth_date > REFERENCE_DATE - datetime.timedelta(days=60):
        return InsuranceRecords()  # too young to be insured yet
    adult_on = add_years(resident.birth_date, 18) + _ONE_DAY
    if adult_on > REFERENCE_DATE - datetime.timedelta(days=30):
        return InsuranceRecords(policies=[_for_minor(rng, resident, rich=rich)])
    since = max(years_ago(20), adult_on)
    spouse = spouse_of(resident)
    policies = [
        _vehicle_policy(rng, resident.name, vehicle, district) for vehicle in _vehicles(subject)
    ]
    count = rng.randint(2, 5) if rich else rng.choice((0, 1, 1, 2))
    for index in range(count):
        kind = rng.choice(LIFE_TYPES_RICH if rich else LIFE_TYPES_ORDINARY)
        if rich and index == 0:
            kind = rng.choice(("终身寿险", "年金保险"))  # the family's savings, paid up early
        insured = spouse if spouse is not None and rng.random() < 0.3 else resident
        policies.append(
            _life_policy(
                rng, kind, district, since, holder=resident.name, insured=insured, rich=rich
            )
        )
    if spouse is not None and rng.random() < (0.4 if rich else 0.2):
        kind = rng.choice(("终身寿险", "两全保险", "年金保险"))
        spouse_since = max(since, add_years(spouse.birth_date, 18) + _ONE_DAY)
        cover = _life_policy(
            rng, kind, district, spouse_since, holder=spouse.name, insured=spouse, rich=rich
        )
        policies.append(replace(cover, role="受益人"))
    for enterprise in enterprises_of(subject):
        if rng.random() < 0.5:
            policies.append(
                _group_policy(
                    rng, enterprise.name, enterprise.district, rich=rich, member=resident.name
                )
            )
    wealth = [
        _wealth_product(rng, since, rich=rich)
        for _ in range(rng.randint(0, 3) if rich else int(rng.random() < 0.1))
    ]
    records = InsuranceRecords(policies=policies, wealth_products=wealth)
    return _freeze(rng, records, district, chance=0.45 if rich else 0.05)


def _for_minor(rng: random.Random, minor: Person, *, rich: bool) -> Policy:
    """A parent's cover on a child: the child is only the insured."""
    parent = minor.name[0] + person_name(rng)[1:]  # the family name is the child's
    since = minor.birth_date + datetime.timedelta(days=28)
    kind = rng.choice(("重疾险", "意外险"))
    cover = _life_policy(rng, kind, minor.district, since, holder=parent, insured=minor, rich=rich)
    return replace(cover, role="被保险人")


def _life_policy(
    rng: random.Random,
    kind: str,
    district: huaian.District,
    since: datetime.date,
    *,
    holder: str,
    insured: Person,
    rich: bool,
) -> Policy:
    """A life policy the subject holds (role 投保人), its cash value as of REFERENCE_DATE."""
    insurer = rng.choice(LIFE_INSURERS)
    latest = REFERENCE_DATE - datetime.timedelta(days=10)
    if kind == "意外险":  # one-year cover, renewed or not
        since = max(since, REFERENCE_DATE - datetime.timedelta(days=540))
    effective = date_between(rng, min(since, latest), latest)
    payment_years = rng.choice(PAYMENT_YEARS[kind])
    low, high = PREMIUMS[kind][0 if rich else 1]
    premium = money(rng, low, high)
    if kind in ("重疾险", "意外险"):
        sum_insured = Decimal(rng.choice((100_000, 300_000, 500_000, 800_000, 1_000_000)))
    else:
        sum_insured = premium * payment_years * Decimal(rng.choice((110, 130, 150, 200))) / 100
    expires = None if kind in WHOLE_LIFE else add_years(effective, rng.choice(TERMS[kind]))
    elapsed = (REFERENCE_DATE - effective).days / 365.25
    paid = premium * min(payment_years, int(elapsed) + 1)
    status = "有效"
    if expires is not None and expires < REFERENCE_DATE:
        status = "满期"
    elif kind != "意外险" and rng.random() < 0.05:
        status = "退保"
    cash = Decimal("0.00")
    if status == "有效" and kind != "意外险":
        if kind in SAVINGS:
            ratio = (
                min(0.85 + 0.035 * elapsed, 1.6)
                if payment_years == 1
                else min(0.45 + 0.07 * elapsed, 1.4)
            )
        else:
            ratio = min(0.1 + 0.03 * elapsed, 0.8)
        cash = paid * Decimal(str(round(ratio, 3)))
    return Policy(
        policy_number=_policy_number(rng, insurer, effective, district),
        insurer=_insurer_branch(rng, insurer, district),
        product_name=insurer.brand + rng.choice(PRODUCTS[kind]),
        policy_type=kind,
        role="投保人",
        policyholder=holder,
        insured=insured.name,
        insured_object=None,
        sum_insured=sum_insured.quantize(Decimal("0.01")),
        cash_value=cash.quantize(Decimal("0.01")),
        premium=premium,
        payment_years=payment_years,
        effective_on=effective,
        expires_on=expires,
        status=status,
    )


def _wealth_product(
    rng: random.Random, since: datetime.date, *, rich: bool
) -> InsuranceWealthProduct:
    purchased = date_between(rng, max(since, years_ago(10)), REFERENCE_DATE - _ONE_DAY * 7)
    value = money(rng, 50_000, 5_000_000) if rich else money(rng, 5_000, 200_000)
    if rng.random() < 0.3:
        manager, brand, prefix = rng.choice(ASSET_MANAGERS)
        return InsuranceWealthProduct(
            insurer=manager,
            product_code=f"{prefix}{purchased.year}{digits(rng, 4)}",
            product_name=f"{brand}{rng.choice(('稳健', '鑫享', '安盈'))}"
            f"{rng.randint(1, 60)}号资产管理产品",
            product_type="保险资管产品",
            account_value=value,
            purchased_on=purchased,
        )
    insurer = rng.choice(LIFE_INSURERS)
    name = rng.choice(WEALTH_NAMES)
    return InsuranceWealthProduct(
        insurer=f"{insurer.legal_name}{insurer.city_branch}",
        product_code=f"{insurer.prefix}U{digits(rng, 6)}",
        product_name=insurer.brand + name,
        product_type="投连账户" if "投资连结" in name else "万能账户",
        account_value=value,
        purchased_on=purchased,
    )


# --- organisations -------------------------------------------------------------------------


def _company_records(rng: random.Random, subject: SubjectRef, *, rich: bool) -> InsuranceRecords:
    name = subject.name or company(subject.id).name
    district = company_district(subject)
    policies = [_vehicle_policy(rng, name, vehicle, district) for vehicle in _vehicles(subject)]
    estates = land.records(subject)
    sites = [estate.location for estate in (estates.real_estate if estates else [])]
    count = rng.randint(1, 3) if rich else rng.choice((0, 0, 1))
    for index in range(count):
        site = sites[index] if index < len(sites) else huaian.industrial_address(rng, district)
        policies.append(_property_policy(rng, name, site, district, rich=rich))
    if rng.random() < (0.6 if rich else 0.3):
        policies.append(_group_policy(rng, name, district, rich=rich))
    wealth = (
        [_wealth_product(rng, years_ago(10), rich=rich)] if rich and rng.random() < 0.35 else []
    )
    return InsuranceRecords(policies=policies, wealth_products=wealth)


def _annual(rng: random.Random, registered: datetime.date | None = None) -> datetime.date:
    """The start of this year's one-year cover (after ``registered``, if given)."""
    earliest = REFERENCE_DATE - datetime.timedelta(days=364)
    return date_between(rng, max(earliest, registered or earliest), REFERENCE_DATE)


def _vehicle_policy(
    rng: random.Random, holder: str, vehicle: Vehicle, district: huaian.District
) -> Policy:
    insurer = rng.choice(PROPERTY_INSURERS)
    effective = _annual(rng, vehicle.registered_on)
    heavy = "货车" in vehicle.vehicle_type or "牵引车" in vehicle.vehicle_type
    third_party = rng.choice((1_000_000, 2_000_000, 3_000_000))
    own_damage = money(rng, 80_000, 450_000) if heavy else money(rng, 40_000, 350_000)
    return Policy(
        policy_number=_policy_number(rng, insurer, effective, district),
        insurer=_insurer_branch(rng, insurer, district),
        product_name=insurer.brand + PRODUCTS["车险"][0],
        policy_type="车险",
        role="投保人",
        policyholder=holder,
        insured=holder,
        insured_object=vehicle.plate,
        sum_insured=Decimal(third_party) + own_damage,
        cash_value=Decimal("0.00"),
        premium=money(rng, 8_000, 30_000) if heavy else money(rng, 2_500, 9_000),
        payment_years=1,
        effective_on=effective,
        expires_on=add_years(effective, 1),
        status="有效",
    )


def _property_policy(
    rng: random.Random, holder: str, site: str, district: huaian.District, *, rich: bool
) -> Policy:
    insurer = rng.choice(PROPERTY_INSURERS)
    effective = _annual(rng)
    sum_insured = money(rng, 2_000_000, 80_000_000) if rich else money(rng, 300_000, 10_000_000)
    rate = Decimal(rng.randint(5, 20)) / 10_000  # 0.05% to 0.2% a year
    return Policy(
        policy_number=_policy_number(rng, insurer, effective, district),
        insurer=_insurer_branch(rng, insurer, district),
        product_name=insurer.brand + rng.choice(PRODUCTS["财产险"]),
        policy_type="财产险",
        role="投保人",
        policyholder=holder,
        insured=holder,
        insured_object=site,
        sum_insured=sum_insured,
        cash_value=Decimal("0.00"),
        premium=(sum_insured * rate).quantize(Decimal("0.01")),
        payment_years=1,
        effective_on=effective,
        expires_on=add_years(effective, 1),
        status="有效",
    )


def _group_policy(
    rng: random.Random,
    holder: str,
    district: huaian.District,
    *,
    rich: bool,
    member: str | None = None,
) -> Policy:
    """A company's group accident cover; as ``member`` sees it (被保险人), if given."""
    insurer = rng.choice(PROPERTY_INSURERS + LIFE_INSURERS)
    effective = _annual(rng)
    staff = rng.randint(40, 600) if rich else rng.randint(5, 60)
    each = rng.choice((100_000, 200_000, 500_000))
    each_premium = money(rng, 80, 400)
    if member is not None:
        staff = 1
    return Policy(
        policy_number=_policy_number(rng, insurer, effective, district),
        insurer=_insurer_branch(rng, insurer, district),
        product_name=insurer.brand + PRODUCTS["团体意外险"][0],
        policy_type="团体意外险",
        role="投保人" if member is None else "被保险人",
        policyholder=holder,
        insured=member or f"在职员工{staff}人",
        insured_object=None,
        sum_insured=Decimal(each * staff).quantize(Decimal("0.01")),
        cash_value=Decimal("0.00"),
        premium=each_premium * staff,
        payment_years=1,
        effective_on=effective,
        expires_on=add_years(effective, 1),
        status="有效",
    )


# --- shared --------------------------------------------------------------------------------


def _vehicles(subject: SubjectRef) -> list[Vehicle]:
    """The subject's vehicles as the police register them, but for stolen ones."""
    records = police.records(subject)
    return [v for v in (records.vehicles if records else []) if v.status != "被盗抢"]


def _policy_number(
    rng: random.Random, insurer: Insurer, effective: datetime.date, district: huaian.District
) -> str:
    """PDAA2025320812 plus eight digits: insurer, year, county, serial."""
    return f"{insurer.prefix}{effective.year}{district.region}{digits(rng, 8)}"


def _insurer_branch(rng: random.Random, insurer: Insurer, district: huaian.District) -> str:
    """中国人寿保险股份有限公司淮安分公司, or ...涟水县支公司 in a county."""
    if district.registry != huaian.CITY and rng.random() < 0.5:
        return f"{insurer.legal_name}{district.name}支公司"
    return f"{insurer.legal_name}{insurer.city_branch}"


def _freeze(
    rng: random.Random, records: InsuranceRecords, district: huaian.District, chance: float
) -> InsuranceRecords:
    """Freeze the cash value of some policies the subject holds; mark them 冻结."""
    candidates = [
        p
        for p in records.policies
        if p.role == "投保人" and p.status == "有效" and p.cash_value > 0
    ]
    if not candidates or rng.random() >= chance:
        return records
    freezes = []
    for policy in rng.sample(candidates, k=min(len(candidates), rng.choice((1, 1, 2)))):
        term = rng.choice((1, 2, 3))
        earliest = max(
            policy.effective_on, REFERENCE_DATE - datetime.timedelta(days=365 * term - 40)
        )
        begun = date_between(rng, earliest, REFERENCE_DATE - datetime.timedelta(days=3))
        court, case_number = huaian.court_case(rng, district, begun.year)
        freezes.append(
            PolicyFreeze(
                policy_number=policy.policy_number,
                insurer=policy.insurer,
                court=court,
                case_number=case_number,
                frozen_from=begun,
                frozen_until=add_years(begun, term),
            )
        )
    frozen = {f.policy_number for f in freezes}
    policies = [
        replace(p, status="冻结") if p.policy_number in frozen else p for p in records.policies
    ]
    return replace(records, policies=policies, freezes=freezes)


records_for = as_json(records)  # the JSON the mock answers
