"""Synthetic housing provident fund records: accounts, fund loans, existing freezes.

Only natural persons hold accounts (legal persons are not found). An employed adult has one
current account (正常) and perhaps the dormant (封存) accounts of former employers; the employer
may be one of the enterprises the person runs (``enterprises_of``), a public body or another
Huai'an company. Deposits are 5-12% of the deposit base from the employee and as much from the
employer. A retired person's last account is dormant or closed (提取销户). A frozen account has
the status 冻结; freezes, like bank freezes, last at most one year.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from gateway.domain.subjects import uscc_check_character
from mocks import huaian
from mocks.fund.records import (
    FundAccount,
    FundFreeze,
    FundLoan,
    FundRecords,
)
from mocks.synthetic import (
    REFERENCE_DATE,
    Company,
    Person,
    Tier,
    add_years,
    company,
    date_between,
    digits,
    draw,
    enterprises_of,
    money,
    person,
    tier_of,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "fund"

CENTRE = "淮安市住房公积金管理中心"  # 管理中心; county offices are its 管理部
OFFICES = {
    "淮安区": "淮安区管理部",
    "洪泽区": "洪泽管理部",
    "涟水县": "涟水管理部",
    "盱眙县": "盱眙管理部",
    "金湖县": "金湖管理部",
}
RATES = (5, 8, 10, 12, 12, 12)  # 缴存比例 in percent; Huai'an allows 5-12%
# public employers (机关 11 / 事业单位 12), per district: {place} is 淮安市清江浦区 or 涟水县
PUBLIC_EMPLOYERS = (
    ("12", "{place}人民医院"),
    ("12", "{place}中医院"),
    ("12", "{place}实验小学"),
    ("12", "{place}第一中学"),
    ("11", "{place}财政局"),
    ("11", "{place}市场监督管理局"),
    ("11", "{place}住房和城乡建设局"),
)
_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CENT = Decimal("0.01")


def records(subject: SubjectRef) -> FundRecords | None:
    """What the provident fund centre knows about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None or subject.kind != "natural":
        return None  # employers pay in, but only natural persons hold accounts
    if start.empty:
        return FundRecords()
    rng, rich = start.rng, start.rich
    resident = person(subject)
    adult_on = add_years(resident.birth_date, 18) + datetime.timedelta(days=1)
    if adult_on > REFERENCE_DATE - datetime.timedelta(days=90):
        return FundRecords()  # minors have no employer and no account
    accounts = _accounts(rng, subject, resident, adult_on, rich=rich)
    loans = _loans(rng, accounts, rich=rich)
    freezes = [
        _freeze(rng, account, resident.district)
        for account in accounts
        if account.balance > 0 and rng.random() < (0.45 if rich else 0.05)
    ]
    frozen = {f.account_number for f in freezes}
    accounts = [replace(a, status="冻结") if a.account_number in frozen else a for a in accounts]
    return FundRecords(accounts=accounts, loans=loans, freezes=freezes)


def centre_for(district: huaian.District) -> str:
    """淮安市住房公积金管理中心, or its county office: 淮安市住房公积金管理中心涟水管理部."""
    return CENTRE + OFFICES.get(district.name, "")


def month_of(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def _accounts(
    rng: random.Random,
    subject: SubjectRef,
    resident: Person,
    adult_on: datetime.date,
    *,
    rich: bool,
) -> list[FundAccount]:
    """The person's accounts, oldest first; all but the last are dormant (封存)."""
    retire_age = 60 if resident.gender == "男" else 55
    retired_on = add_years(resident.birth_date, retire_age)
    retired = retired_on < REFERENCE_DATE
    employed = not retired and (rich or rng.random() < 0.75)
    count = rng.randint(2, 3) if rich else (1 if rng.random() < 0.75 else 2)
    if not employed and not retired and rng.random() < 0.5:
        return []  # never paid in, or the account was long closed
    earliest = max(adult_on, years_ago(25))
    latest = min(retired_on, REFERENCE_DATE) - datetime.timedelta(days=60)
    if latest <= earliest:
        return []
    opened = sorted(date_between(rng, earliest, latest) for _ in range(count))
    enterprises = enterprises_of(subject)
    accounts = []
    for index, opened_on in enumerate(opened):
        last = index == len(opened) - 1
        if not last:
            stopped = opened[index + 1] - datetime.timedelta(days=rng.randint(15, 120))
            status = "封存"
        elif employed:
            stopped, status = REFERENCE_DATE, "正常"
        elif retired:
            stopped = min(retired_on, REFERENCE_DATE)
            status = "销户" if rng.random() < 0.6 else "封存"
        else:  # out of work: the last employer stopped paying in
            stopped = date_between(rng, opened_on, REFERENCE_DATE - datetime.timedelta(days=90))
            status = "封存"
        stopped = max(stopped, opened_on)
        employer = _employer(rng, resident, enterprises if last else ())
        accounts.append(_account(rng, employer, opened_on, stopped, status, rich=rich))
    return accounts


def _employer(rng: random.Random, resident: Person, enterprises: tuple[Company, ...]) -> Company:
    """Who pays in: the person's own enterprise, a public body, or another Huai'an company."""
    if enterprises and rng.random() < 0.6:
        return rng.choice(enterprises)
    district = resident.district if rng.random() < 0.7 else rng.choice(huaian.DISTRICTS)
    if rng.random() < 0.35:
        kind, template = rng.choice(PUBLIC_EMPLOYERS)
        place = district.name if district.name.endswith("县") else district.locality()
        name = template.format(place=place)
        # the same body always has the same code, whoever works there
        code_rng = random.Random(name)
        first17 = (
            f"{kind}{district.region}{''.join(code_rng.choice(_CODE_ALPHABET) for _ in range(9))}"
        )
        return Company(first17 + uscc_check_character(first17), name, district)
    while True:
        body = "".join(rng.choice(_CODE_ALPHABET) for _ in range(7))
        first17 = f"91{district.region}MA{body}"
        code = first17 + uscc_check_character(first17)
        if tier_of(code) is not Tier.UNKNOWN:  # a lead the court can follow
            return company(code)


def _account(
    rng: random.Random,
    employer: Company,
    opened_on: datetime.date,
    stopped: datetime.date,
    status: str,
    *,
    rich: bool,
) -> FundAccount:
    current = status == "正常"
    base = money(rng, 2_280, 30_000 if rich else 9_000) if current else money(rng, 1_500, 6_000)
    rate = rng.choice(RATES)
    part = (base * rate / 100).quantize(Decimal("1"), ROUND_HALF_UP).quantize(_CENT)
    monthly = part * 2  # the employer matches the employee's rate
    months = (stopped.year - opened_on.year) * 12 + stopped.month - opened_on.month + 1
    kept = Decimal(rng.randint(15, 80)) / 100  # the rest was drawn (rent, purchase, repayment)
    balance = (monthly * months * kept).quantize(_CENT)
    if status == "销户":
        balance = Decimal("0.00")
    return FundAccount(
        centre=centre_for(employer.district),
        account_number=f"{employer.district.region[-2:]}{digits(rng, 10)}",
        employer=employer.name,
        employer_uscc=employer.uscc,
        deposit_base=base,
        personal_rate=rate,
        employer_rate=rate,
        monthly_deposit=monthly,
        balance=balance,
        opened_on=opened_on,
        last_deposit_month=month_of(stopped),
        status=status,
    )


def _loans(rng: random.Random, accounts: list[FundAccount], *, rich: bool) -> list[FundLoan]:
    """A fund loan for a home, issued once the person had paid in for at least a year."""
    if not accounts or rng.random() >= (0.55 if rich else 0.25):
        return []
    first = add_years(accounts[0].opened_on, 1)
    if first >= REFERENCE_DATE - datetime.timedelta(days=30):
        return []
    issued = date_between(rng, first, REFERENCE_DATE - datetime.timedelta(days=30))
    account = [a for a in accounts if a.opened_on <= issued][-1]
    thousands = money(rng, 100, 600 if rich else 400).quantize(Decimal("1"), ROUND_HALF_UP)
    principal = (thousands * 1000).quantize(_CENT)
    matures = add_years(issued, rng.choice((10, 15, 20, 25, 30)))
    if matures < REFERENCE_DATE or rng.random() < 0.1:
        outstanding, status = Decimal("0.00"), "结清"
    else:
        left = Decimal((matures - REFERENCE_DATE).days) / Decimal((matures - issued).days)
        outstanding = (principal * left).quantize(_CENT)
        status = "逾期" if rng.random() < (0.2 if rich else 0.03) else "正常"
    return [
        FundLoan(
            loan_number=f"3208{issued:%Y%m}{digits(rng, 6)}",
            account_number=account.account_number,
            entrusted_bank=huaian.mortgagee(rng.choice(huaian.BANKS)),
            principal=principal,
            outstanding=outstanding,
            issued_on=issued,
            matures_on=matures,
            status=status,
        )
    ]


def _freeze(rng: random.Random, account: FundAccount, district: huaian.District) -> FundFreeze:
    earliest = max(years_ago(0.9), account.opened_on)
    start = date_between(rng, earliest, REFERENCE_DATE - datetime.timedelta(days=3))
    court, case_number = huaian.court_case(rng, district, start.year)
    share = Decimal(rng.choice((30, 50, 100, 100))) / 100
    return FundFreeze(
        account_number=account.account_number,
        court=court,
        case_number=case_number,
        frozen_amount=(account.balance * share).quantize(_CENT),
        frozen_from=start,
        frozen_until=add_years(start, 1),
    )


records_for = as_json(records)  # the JSON the mock answers
