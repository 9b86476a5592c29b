"""Synthetic permit records: work-safety permits, drug and device registrations, customs credit.

What an enterprise holds follows its industry, read from its name (``company(uscc)``: the
same 淮安市<word><industry>有限公司 in every agency):

* 建筑工程 builders need a 建筑施工 safety permit (JZ, from the provincial housing department),
  and so do the 机械制造 makers that install cranes; 盐化 works hold a 非煤矿山 permit for rock
  salt (FM) and a 危险化学品 production permit for their chlor-alkali plant (WH), 新材料 works
  a WH permit. Permits last three years; rich enterprises also show the expired one before.
* 食品 and 商贸 companies sometimes file first-class medical devices with the city (苏淮械备),
  traders sometimes register second-class ones with the province (苏械注准); a 盐化 works
  may hold the drug approval of pharmaceutical sodium chloride (国药准字H).
* Traders and manufacturers are sometimes registered with Huai'an customs, which rates them
  under the customs credit scheme in force since 2022 (高级认证企业 / 一般信用企业 /
  失信企业). A rich enterprise with nothing else to show imports or exports (large firms do),
  so every rich enterprise has at least one record.

Many enterprises (置业, 物流, most 纺织) hold nothing here. Natural persons are not kept here:
they are ``not_found``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from mocks.permits.records import (
    InspectionCredit,
    PermitRecords,
    ProductRegistration,
    SafetyPermit,
)
from mocks.synthetic import (
    INDUSTRIES,
    REFERENCE_DATE,
    Company,
    add_years,
    company,
    date_between,
    digits,
    draw,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "permits"

# the 2018 institutional reform renamed the issuing bodies
REFORM = datetime.date(2018, 11, 1)
CUSTOMS_SCHEME_FROM = datetime.date(2022, 1, 1)  # 海关总署令第251号
PERMIT_YEARS = 3
REGISTRATION_YEARS = 5

# permit kind -> scopes (许可范围)
SCOPES = {
    "JZ": ("建筑施工",),
    "FM": ("岩盐（钻井水溶）开采",),
    "WH": (
        "危险化学品生产：氢氧化钠、氯、盐酸、次氯酸钠溶液",
        "危险化学品生产：甲醇、甲醛溶液",
        "危险化学品生产：丙烯酸、丙烯酸甲酯",
        "危险化学品生产：环氧丙烷、苯乙烯",
    ),
}
# industry -> (permit kind, scope override or None, chance for an ordinary enterprise)
SAFETY_NEEDS: dict[str, tuple[tuple[str, str | None, float], ...]] = {
    "建筑工程": (("JZ", None, 0.85),),
    "机械制造": (("JZ", "建筑施工（起重设备安装工程）", 0.3),),
    "盐化": (("FM", None, 0.6), ("WH", SCOPES["WH"][0], 0.5)),
    "新材料": (("WH", None, 0.6),),
}
TRADERS = frozenset({"商贸", "机械制造", "新材料", "纺织", "食品", "盐化"})

CLASS_ONE = ("医用冷敷贴", "医用棉签", "弹力绷带", "一次性使用手术帽", "压舌板", "医用护理垫")
# name -> classification code (医疗器械分类目录: 07 诊察和监护, 14 注输、护理和防护)
CLASS_TWO = {"医用外科口罩": "14", "一次性使用医用口罩": "14", "医用电子体温计": "07",
             "电子血压计": "07"}  # fmt: skip
CLASS_THREE = {"可吸收性外科缝线": "02", "医用透明质酸钠凝胶": "14"}


def records(subject: SubjectRef) -> PermitRecords | None:
    """What the permit offices know about ``subject``, or ``None`` if nothing."""
    if subject.kind != "legal":
        return None
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return PermitRecords()
    rng, rich = start.rng, start.rich
    industry = industry_of(company(subject.id))
    permits = _safety_permits(rng, industry, rich=rich)
    products = _products(rng, industry, rich=rich)
    credit = None
    trades = industry in TRADERS and rng.random() < (0.5 if rich else 0.15)
    if trades or (rich and not permits and not products):
        credit = _credit(rng, rich=rich)
    return PermitRecords(
        safety_permits=permits, product_registrations=products, inspection_credit=credit
    )


def industry_of(firm: Company) -> str:
    """The industry in an enterprise's name (淮安市华瑞盐化有限公司: 盐化), or ``""``."""
    return next((i for i in INDUSTRIES if firm.name.endswith(f"{i}有限公司")), "")


# --- safety permits ----------------------------------------------------------------------


def _safety_permits(rng: random.Random, industry: str, *, rich: bool) -> list[SafetyPermit]:
    permits: list[SafetyPermit] = []
    for kind, scope, chance in SAFETY_NEEDS.get(industry, ()):
        if rng.random() >= (max(chance, 0.9) if rich else chance):
            continue
        current = _permit(rng, kind, scope or rng.choice(SCOPES[kind]), _latest_issue(rng))
        if rich and current.status != "过期" and rng.random() < 0.6:
            before = add_years(current.issued_on, -PERMIT_YEARS) + datetime.timedelta(days=1)
            permits.append(_permit(rng, kind, current.scope, before, status="过期"))
        permits.append(current)
    return permits


def _latest_issue(rng: random.Random) -> datetime.date:
    """When the latest permit was issued: mostly within its three years, sometimes lapsed."""
    if rng.random() < 0.85:
        return date_between(rng, years_ago(2.9), REFERENCE_DATE - datetime.timedelta(days=30))
    return date_between(rng, years_ago(6), years_ago(3.1))


def _permit(
    rng: random.Random,
    kind: str,
    scope: str,
    issued: datetime.date,
    status: str | None = None,
) -> SafetyPermit:
    expires = add_years(issued, PERMIT_YEARS)
    if status is None:
        status = _permit_status(rng, expires)
    return SafetyPermit(
        permit_number=f"(苏){kind}安许证字〔{issued.year}〕08{rng.randint(1, 9999):04d}号",
        scope=scope,
        issued_by=_permit_office(rng, kind, issued),
        issued_on=issued,
        expires_on=expires,
        status=status,
    )


def _permit_status(rng: random.Random, expires: datetime.date) -> str:
    if expires < REFERENCE_DATE:
        return rng.choice(("过期", "过期", "注销"))
    roll = rng.random()
    if roll < 0.06:
        return "暂扣"  # suspended
    if roll < 0.09:
        return "吊销"  # revoked
    if roll < 0.12:
        return "注销"  # cancelled (the works closed)
    return "有效"


def _permit_office(rng: random.Random, kind: str, issued: datetime.date) -> str:
    if kind == "JZ":
        return "江苏省住房和城乡建设厅"
    city = kind == "FM" and rng.random() < 0.3  # smaller mines are licensed by the city
    if issued < REFORM:
        return "淮安市安全生产监督管理局" if city else "江苏省安全生产监督管理局"
    return "淮安市应急管理局" if city else "江苏省应急管理厅"


# --- drug and medical-device registrations -----------------------------------------------


def _products(rng: random.Random, industry: str, *, rich: bool) -> list[ProductRegistration]:
    products: list[ProductRegistration] = []
    if industry == "盐化" and rng.random() < (0.35 if rich else 0.1):
        products.append(_registration(rng, "药品", "氯化钠（原料药）", _drug_number))
    if industry in ("食品", "商贸") and rng.random() < (0.6 if rich else 0.2):
        count = rng.randint(2, 4) if rich else 1
        class_two = rng.sample(list(CLASS_TWO), k=2)
        for name in rng.sample(CLASS_ONE, k=count):
            if industry == "商贸" and class_two and rng.random() < 0.3:
                name = class_two.pop()
                number = _device_number("苏械注准", "2", CLASS_TWO[name])
                products.append(_registration(rng, "第二类医疗器械", name, number))
            else:
                products.append(_registration(rng, "第一类医疗器械", name, _filing_number))
    if industry == "新材料" and rich and rng.random() < 0.2:
        name = rng.choice(list(CLASS_THREE))
        number = _device_number("国械注准", "3", CLASS_THREE[name])
        products.append(_registration(rng, "第三类医疗器械", name, number))
    return products


Numbering = Callable[[random.Random, datetime.date], str]


def _drug_number(rng: random.Random, issued: datetime.date) -> str:
    """国药准字H20250123: H (chemical drug), the year, a serial."""
    return f"国药准字H{issued.year}{rng.randint(1, 9999):04d}"


def _filing_number(rng: random.Random, issued: datetime.date) -> str:
    """苏淮械备20230045: a first-class filing with Huai'an, the year, a serial."""
    return f"苏淮械备{issued.year}{rng.randint(1, 300):04d}"


def _device_number(prefix: str, device_class: str, code: str) -> Numbering:
    """苏械注准20242140123: the year, the class, the classification code, a serial."""

    def number(rng: random.Random, issued: datetime.date) -> str:
        return f"{prefix}{issued.year}{device_class}{code}{rng.randint(1, 2999):04d}"

    return number


def _registration(
    rng: random.Random, category: str, name: str, numbering: Numbering
) -> ProductRegistration:
    issued = date_between(rng, years_ago(8), REFERENCE_DATE - datetime.timedelta(days=30))
    filing = category == "第一类医疗器械"  # a filing (备案) has no term
    expires = None if filing else add_years(issued, REGISTRATION_YEARS)
    if expires is not None and expires < REFERENCE_DATE:
        status = rng.choice(("过期", "注销"))
    else:
        status = "注销" if rng.random() < 0.08 else "有效"
    return ProductRegistration(
        category=category,
        registration_number=numbering(rng, issued),
        product_name=name,
        issued_by=_product_office(category, issued),
        issued_on=issued,
        expires_on=expires,
        status=status,
    )


def _product_office(category: str, issued: datetime.date) -> str:
    if category == "第一类医疗器械":
        reformed = issued >= datetime.date(2019, 3, 1)
        return "淮安市市场监督管理局" if reformed else "淮安市食品药品监督管理局"
    if category == "第二类医疗器械":
        reformed = issued >= datetime.date(2019, 1, 1)
        return "江苏省药品监督管理局" if reformed else "江苏省食品药品监督管理局"
    reformed = issued >= datetime.date(2018, 9, 1)
    return "国家药品监督管理局" if reformed else "国家食品药品监督管理总局"


# --- customs credit ----------------------------------------------------------------------


def _credit(rng: random.Random, *, rich: bool) -> InspectionCredit:
    """海关注册编码: 3208 (淮安市), economic zone (9 other, 2 development zone), type, serial."""
    code = f"3208{rng.choice('9992')}{rng.choice('6663')}{digits(rng, 4)}"
    roll = rng.random()
    if roll < (0.1 if rich else 0.03):
        rating = "高级认证企业"
    elif roll < (0.3 if rich else 0.11):
        rating = "失信企业"
    else:
        rating = "一般信用企业"
    rated = date_between(rng, CUSTOMS_SCHEME_FROM, REFERENCE_DATE - datetime.timedelta(days=30))
    return InspectionCredit(customs_code=code, rating=rating, rated_on=rated, authority="淮安海关")


records_for = as_json(records)  # the JSON the mock answers
