"""Synthetic tax records: registration, the last 12-24 months of payments, arrears, penalties.

Enterprises pay VAT (monthly as general taxpayers, quarterly as small-scale ones), corporate
income tax (quarterly prepayments and the 2024 annual settlement) and stamp duty; natural
persons mostly have wages withheld monthly by the employer the provident fund knows
(``mocks.fund``). Property taxes follow the land registry (``mocks.land``): deed tax for what
was registered in the last two years, and for 2024 property tax on what enterprises (and, on
commercial premises, persons) hold, and land-use tax on land parcels. Rich subjects more
often owe tax (with a 0.05%-a-day late fee), carry penalties, or have been declared abnormal
(非正常户: filings stopped, everything due since is owed).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mocks import huaian
from mocks.fund.data import records as fund_records
from mocks.land.data import records as land_records
from mocks.land.records import LandRecords
from mocks.synthetic import (
    REFERENCE_DATE,
    add_years,
    company,
    company_district,
    date_between,
    draw,
    enterprises_of,
    money,
    person,
    years_ago,
)
from mocks.tax.records import (
    TaxArrears,
    TaxPayment,
    TaxPenalty,
    TaxRecords,
    TaxRegistration,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "tax"

LATE_FEE_RATE = Decimal("0.0005")  # 滞纳金: 0.05% a day
RECENT = years_ago(2)  # payments are reported for the last 24 months
INSPECTION_BUREAUS = ("第一稽查局", "第二稽查局", "第三稽查局")
# (reason, low, high) of fines
SIMPLE_REASONS = (
    ("未按照规定期限办理纳税申报和报送纳税资料", 200, 2_000),
    ("未按照规定开具发票", 500, 10_000),
    ("未按照规定保管发票", 300, 5_000),
)
COMPANY_CASES = (
    ("隐匿收入，少缴增值税、企业所得税（偷税）", 20_000, 900_000),
    ("虚开增值税专用发票", 50_000, 500_000),
    ("取得虚开的增值税专用发票抵扣税款", 10_000, 300_000),
    ("进行虚假纳税申报，少缴城镇土地使用税、房产税", 5_000, 200_000),
)
PERSON_CASES = (
    ("取得劳务报酬所得未申报缴纳个人所得税", 2_000, 80_000),
    ("转让股权未申报缴纳个人所得税", 10_000, 600_000),
)
# yuan per m² in Huai'an: the price that deed tax is levied on, and the original value
# that property tax is levied on (70% of it, at 1.2% a year)
PRICES = {"住宅": (6_500, 13_000), "车库": (2_500, 6_000)}
OTHER_PRICE = (5_000, 15_000)
_CENT = Decimal("0.01")
_YUAN = Decimal("1")
# monthly withholding table of wages (综合所得, per month): upper bound, rate %, deduction
IIT_TABLE = (
    (3_000, 3, 0),
    (12_000, 10, 210),
    (25_000, 20, 1_410),
    (35_000, 25, 2_660),
    (55_000, 30, 4_410),
    (80_000, 35, 7_160),
    (None, 45, 15_160),
)


@dataclass(frozen=True, slots=True)
class _Due:
    """A tax liability: paid (a payment) or not (arrears)."""

    tax_type: str
    period: str
    amount: Decimal
    deadline: datetime.date  # the last day to pay
    opens: datetime.date  # the first day it can be paid
    withholder: str | None = None
    always_paid: bool = False  # deed tax is paid before the registry registers the transfer


def records(subject: SubjectRef) -> TaxRecords | None:
    """What the tax bureau knows about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return TaxRecords()
    if subject.kind == "legal":
        return _enterprise(start.rng, subject, rich=start.rich)
    return _natural_person(start.rng, subject, rich=start.rich)


def tax_authority(district: huaian.District) -> str:
    """国家税务总局淮安市清江浦区税务局, or 国家税务总局涟水县税务局 for a county."""
    if district.name.endswith("县"):
        return f"国家税务总局{district.name}税务局"
    return f"国家税务总局{huaian.CITY}{district.name}税务局"


# --- enterprises -------------------------------------------------------------------------


def _enterprise(rng: random.Random, subject: SubjectRef, *, rich: bool) -> TaxRecords:
    district = company_district(subject)
    registered = date_between(rng, years_ago(18), years_ago(1.2))
    general = rng.random() < (0.8 if rich else 0.35)
    abnormal = rich and rng.random() < 0.15
    months = 24 if rich else 12
    dues: list[_Due] = []
    if general:
        level = money(rng, 20_000, 800_000 if rich else 120_000)
        for year, month in _months(months):
            dues.append(_monthly("增值税", year, month, _vary(rng, level)))
    else:
        level = money(rng, 300, 15_000)
        for year, quarter in _quarters(months // 3):
            dues.append(_quarterly("增值税", year, quarter, _vary(rng, level)))
    profit = money(rng, 2_000, 400_000 if rich else 30_000)
    for year, quarter in _quarters(months // 3):
        if rng.random() < 0.8:  # no prepayment in a quarter with a loss
            dues.append(_quarterly("企业所得税", year, quarter, _vary(rng, profit)))
    if rng.random() < 0.6:
        dues.append(_annual("企业所得税", 2024, _vary(rng, profit), datetime.date(2025, 5, 31)))
    for year, quarter in _quarters(4):
        dues.append(_quarterly("印花税", year, quarter, money(rng, 50, 30_000 if rich else 3_000)))
    dues += _property_dues(rng, land_records(subject), company=True)
    stopped = None
    if abnormal:  # filings stopped some months ago: everything due since is owed
        stopped = REFERENCE_DATE - datetime.timedelta(days=rng.randint(90, 270))
    payments, arrears = _settle(rng, dues, stopped, owes=rng.random() < (0.4 if rich else 0.05))
    count = (rng.randint(1, 2) if rng.random() < 0.5 else 0) if rich else int(rng.random() < 0.1)
    penalties = [_penalty(rng, district, COMPANY_CASES, rich=rich) for _ in range(count)]
    rating = _rating(rng, registered, arrears, penalties, abnormal=abnormal)
    registration = TaxRegistration(
        taxpayer_id=subject.id,
        taxpayer_name=subject.name or company(subject.id).name,
        tax_authority=tax_authority(district),
        registered_on=registered,
        taxpayer_type="一般纳税人" if general else "小规模纳税人",
        credit_rating=rating,
        status="非正常户" if abnormal else "正常",
    )
    return TaxRecords(
        registration=registration, payments=payments, arrears=arrears, penalties=penalties
    )


def _rating(
    rng: random.Random,
    registered: datetime.date,
    arrears: list[TaxArrears],
    penalties: list[TaxPenalty],
    *,
    abnormal: bool,
) -> str:
    """纳税信用等级: D for abnormal or penalised for evasion, C when owing, else A/B/M."""
    if abnormal or any(p.reason in {c[0] for c in COMPANY_CASES} for p in penalties):
        return "D"
    if arrears:
        return "C"
    if registered > years_ago(3) and rng.random() < 0.5:
        return "M"  # 新设立: no full assessment year yet
    return "A" if rng.random() < 0.25 else "B"


# --- natural persons ---------------------------------------------------------------------


def _natural_person(rng: random.Random, subject: SubjectRef, *, rich: bool) -> TaxRecords:
    resident = person(subject)
    adult_on = add_years(resident.birth_date, 18) + datetime.timedelta(days=1)
    dues: list[_Due] = []
    fund = fund_records(subject)
    current = [
        a
        for a in (fund.accounts if fund is not None else [])
        if a.last_deposit_month == f"{REFERENCE_DATE:%Y-%m}" and a.status in ("正常", "冻结")
    ]
    if current:  # wages: withheld every month by the employer that pays into the fund
        account = current[-1]
        deductions = account.deposit_base * Decimal("0.105") + account.monthly_deposit / 2
        special = Decimal(rng.choice((0, 0, 1_000, 1_500, 2_000, 3_000)))
        for year, month in _months(24 if rich else 12):
            if datetime.date(year, month, 28) < account.opened_on:
                continue
            wage = account.deposit_base * Decimal(rng.randint(100, 130)) / 100
            tax = _wage_tax(wage - 5_000 - deductions - special)
            if tax > 0:
                dues.append(_monthly("个人所得税", year, month, tax, account.employer))
    adult = adult_on <= REFERENCE_DATE
    if adult and rich and rng.random() < 0.3:  # 综合所得年度汇算: tax due on fees and royalties
        dues.append(
            _annual("个人所得税", 2024, money(rng, 300, 30_000), datetime.date(2025, 6, 30))
        )
    for enterprise in enterprises_of(subject):  # dividends, withheld by the enterprise
        if rng.random() < 0.4:
            dividend_tax = money(rng, 5_000, 400_000)
            paid = date_between(rng, datetime.date(2024, 3, 1), datetime.date(2024, 12, 31))
            dues.append(_Due("个人所得税", "2024", dividend_tax, paid, paid, enterprise.name))
    dues += _property_dues(rng, land_records(subject), company=False)
    payments, arrears = _settle(rng, dues, None, owes=rng.random() < (0.15 if rich else 0.02))
    count = int(rng.random() < (0.12 if rich else 0.02))
    cases = PERSON_CASES if rng.random() < 0.6 else SIMPLE_REASONS[:1]
    penalties = [_penalty(rng, resident.district, cases, rich=rich) for _ in range(count)]
    registration = None
    if adult or payments or arrears:
        # the natural-person tax system (自然人电子税务局) opened on 1 January 2019
        registered = max(datetime.date(2019, 1, 1), min(adult_on, REFERENCE_DATE))
        earliest = [p.paid_on for p in payments] + [a.since for a in arrears]
        registered = min([registered, *earliest, *(p.decided_on for p in penalties)])
        registration = TaxRegistration(
            taxpayer_id=subject.id,
            taxpayer_name=resident.name,
            tax_authority=tax_authority(resident.district),
            registered_on=registered,
            taxpayer_type="自然人",
            credit_rating=None,
            status="正常",
        )
    return TaxRecords(
        registration=registration, payments=payments, arrears=arrears, penalties=penalties
    )


def _wage_tax(taxable: Decimal) -> Decimal:
    """The month's withholding on wages (the monthly table of 综合所得)."""
    if taxable <= 0:
        return Decimal("0.00")
    for upper, rate, deduction in IIT_TABLE:
        if upper is None or taxable <= upper:
            return (taxable * rate / 100 - deduction).quantize(_CENT, ROUND_HALF_UP)
    raise AssertionError("unreachable: the last bracket has no upper bound")


# --- property and land -------------------------------------------------------------------


def _property_dues(rng: random.Random, land: LandRecords | None, *, company: bool) -> list[_Due]:
    """Deed tax on recent registrations; 2024 property tax and land-use tax on holdings."""
    if land is None:
        return []
    dues = []
    recent_from = RECENT + datetime.timedelta(days=31)
    for estate in land.real_estate:
        if estate.registered_on >= recent_from:
            low, high = PRICES.get(estate.usage, OTHER_PRICE)
            price = estate.floor_area_m2 * money(rng, low, high)
            dues.append(
                _deed(
                    rng,
                    estate.registered_on,
                    price,
                    estate.usage,
                    estate.floor_area_m2,
                    company=company,
                )
            )
    for parcel in land.land:
        if parcel.registered_on >= recent_from:
            price = parcel.grant_price or parcel.area_m2 * money(rng, 200, 500)
            dues.append(
                _deed(
                    rng, parcel.registered_on, price, parcel.usage, parcel.area_m2, company=company
                )
            )
    # persons pay property tax only on premises let or used for business, not on homes
    held = [
        e
        for e in land.real_estate
        if e.registered_on.year <= 2023 and (company or e.usage not in ("住宅", "车库"))
    ]
    if held:
        value = sum((e.floor_area_m2 * money(rng, 2_000, 5_000) for e in held), Decimal(0))
        amount = (value * Decimal("0.7") * Decimal("0.012")).quantize(_CENT)
        dues.append(
            _annual(
                "房产税", 2024, amount, datetime.date(2024, 11, 15), opens=datetime.date(2024, 4, 1)
            )
        )
    parcels = [p for p in land.land if p.registered_on.year <= 2023]
    if parcels:
        area = sum((p.area_m2 for p in parcels), Decimal(0))
        amount = (area * Decimal(rng.randint(3, 12))).quantize(_CENT)
        dues.append(
            _annual(
                "城镇土地使用税",
                2024,
                amount,
                datetime.date(2024, 11, 15),
                opens=datetime.date(2024, 4, 1),
            )
        )
    return dues


def _deed(
    rng: random.Random,
    registered: datetime.date,
    price: Decimal,
    usage: str,
    area: Decimal,
    *,
    company: bool,
) -> _Due:
    """契税, paid a few days before the registration: 1% / 1.5% on a home, 3% otherwise."""
    if company or usage != "住宅":
        rate = Decimal("0.03")
    else:
        rate = Decimal("0.01") if area <= 140 else Decimal("0.015")
    paid = registered - datetime.timedelta(days=rng.randint(1, 20))
    return _Due(
        "契税", f"{paid:%Y-%m}", (price * rate).quantize(_CENT), paid, paid, always_paid=True
    )


# --- periods and settlement --------------------------------------------------------------


def _months(count: int) -> list[tuple[int, int]]:
    """(year, month) of the ``count`` months before the reference date's month, oldest first."""
    index = REFERENCE_DATE.year * 12 + REFERENCE_DATE.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - count, index)]


def _quarters(count: int) -> list[tuple[int, int]]:
    """(year, quarter) of the ``count`` quarters before the reference date's, oldest first."""
    index = REFERENCE_DATE.year * 4 + (REFERENCE_DATE.month - 1) // 3
    return [(i // 4, i % 4 + 1) for i in range(index - count, index)]


def _first_of_next_month(year: int, month: int) -> datetime.date:
    return datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)


def _monthly(
    tax_type: str, year: int, month: int, amount: Decimal, withholder: str | None = None
) -> _Due:
    """A month's tax: payable from the 1st and due on the 15th of the next month."""
    opens = _first_of_next_month(year, month)
    return _Due(tax_type, f"{year}-{month:02d}", amount, opens.replace(day=15), opens, withholder)


def _quarterly(tax_type: str, year: int, quarter: int, amount: Decimal) -> _Due:
    """A quarter's tax ("2025-Q1"): due on the 15th of the month after the quarter."""
    opens = _first_of_next_month(year, quarter * 3)
    return _Due(tax_type, f"{year}-Q{quarter}", amount, opens.replace(day=15), opens)


def _annual(
    tax_type: str,
    year: int,
    amount: Decimal,
    deadline: datetime.date,
    opens: datetime.date | None = None,
) -> _Due:
    """A year's tax ("2024"); settlements open on 1 March of the next year."""
    return _Due(tax_type, str(year), amount, deadline, opens or datetime.date(year + 1, 3, 1))


def _vary(rng: random.Random, level: Decimal) -> Decimal:
    """A month's or quarter's amount around a subject's usual level."""
    return (level * Decimal(rng.randint(60, 140)) / 100).quantize(_CENT)


def _settle(
    rng: random.Random, dues: list[_Due], stopped: datetime.date | None, *, owes: bool
) -> tuple[list[TaxPayment], list[TaxArrears]]:
    """Pay the dues, except those due after ``stopped`` and, if ``owes``, a few recent ones."""
    unpaid: set[int] = set()
    candidates = [
        i for i, due in enumerate(dues) if not due.always_paid and due.deadline < REFERENCE_DATE
    ]
    if stopped is not None:
        unpaid |= {i for i in candidates if dues[i].opens >= stopped}
    if owes and candidates:
        recent = sorted(candidates, key=lambda i: dues[i].deadline)[-8:]
        unpaid |= set(rng.sample(recent, min(len(recent), rng.randint(1, 3))))
    payments, arrears = [], []
    for index, due in enumerate(dues):
        if index in unpaid:
            since = due.deadline + datetime.timedelta(days=1)
            days = (REFERENCE_DATE - since).days + 1
            arrears.append(
                TaxArrears(
                    tax_type=due.tax_type,
                    period=due.period,
                    amount=due.amount,
                    late_fee=(due.amount * LATE_FEE_RATE * days).quantize(_CENT, ROUND_HALF_UP),
                    since=since,
                )
            )
            continue
        paid = date_between(rng, due.opens, min(due.deadline, REFERENCE_DATE))
        if paid < RECENT or paid > REFERENCE_DATE:
            continue  # older than the two years the bureau reports, or not yet paid
        payments.append(
            TaxPayment(
                tax_type=due.tax_type,
                period=due.period,
                amount=due.amount,
                paid_on=paid,
                withholder=due.withholder,
            )
        )
    payments.sort(key=lambda p: (p.paid_on, p.tax_type))
    return payments, arrears


def _penalty(
    rng: random.Random,
    district: huaian.District,
    cases: tuple[tuple[str, int, int], ...],
    *,
    rich: bool,
) -> TaxPenalty:
    """A fine: small ones by the district bureau (简罚), large ones by an inspection bureau."""
    reason, low, high = rng.choice(cases)
    decided = date_between(rng, years_ago(3), REFERENCE_DATE - datetime.timedelta(days=10))
    number = rng.randint(1, 400)
    if high <= 10_000:
        authority = tax_authority(district)
        decision = f"{district.name[:-1]}税简罚〔{decided.year}〕{number}号"
    else:
        authority = f"国家税务总局{huaian.CITY}税务局{rng.choice(INSPECTION_BUREAUS)}"
        decision = f"淮税稽罚〔{decided.year}〕{number}号"
    unpaid = rng.random() < (0.5 if rich else 0.2)
    return TaxPenalty(
        decision_number=decision,
        authority=authority,
        reason=reason,
        amount=money(rng, low, high).quantize(_YUAN).quantize(_CENT),
        decided_on=decided,
        status="未缴纳" if unpaid else "已缴纳",
    )


records_for = as_json(records)  # the JSON the mock answers
