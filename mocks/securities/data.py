"""Synthetic securities records: accounts, holdings, cash at brokers, existing freezes.

A subject deals with one or more broker branches in Huai'an (华泰证券淮安淮海东路营业部). At
each branch it has a Shanghai and usually a Shenzhen account (A股; an institution's accounts
start ``B`` and ``08``), sometimes a fund account (基金) or a Beijing account (股转), and one cash
account (资金账户). Holdings are of the account's own market, in lots of 100, valued at a fixed
closing price on ``REFERENCE_DATE``. Dormant (休眠) and closed (销户) accounts hold nothing. A
freeze names an active account and, unless it freezes the whole account, one of its holdings
and at most the quantity held; a frozen account has the status 冻结.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from mocks import huaian
from mocks.securities.records import (
    FundsAccount,
    Holding,
    SecuritiesAccount,
    SecuritiesFreeze,
    SecuritiesRecords,
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
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "securities"
_NEEQ_OPENED = datetime.date(2013, 1, 16)  # 全国中小企业股份转让系统 opens nationwide
_LATEST = REFERENCE_DATE - datetime.timedelta(days=30)  # accounts opened before this


@dataclass(frozen=True, slots=True)
class Security:
    code: str  # 证券代码
    name: str  # 证券简称
    price: Decimal  # closing price on REFERENCE_DATE, yuan


def _table(*rows: tuple[str, str, str]) -> tuple[Security, ...]:
    return tuple(Security(code, name, Decimal(price)) for code, name, price in rows)


# Stocks and exchange-traded funds by market, with round closing prices of mid-2025.
# 今世缘 (603369) and 井神股份 (603299) are Huai'an companies; 江苏银行 and 华泰证券 are Jiangsu's.
STOCKS: dict[str, tuple[Security, ...]] = {
    "上海": _table(
        ("603369", "今世缘", "47.60"),
        ("603299", "井神股份", "6.20"),
        ("600919", "江苏银行", "11.20"),
        ("601688", "华泰证券", "17.90"),
        ("600519", "贵州茅台", "1409.50"),
        ("601318", "中国平安", "54.30"),
        ("600036", "招商银行", "45.80"),
        ("601398", "工商银行", "7.30"),
        ("600900", "长江电力", "29.40"),
        ("600276", "恒瑞医药", "55.60"),
        ("601668", "中国建筑", "5.60"),
        ("601012", "隆基绿能", "14.20"),
    ),
    "深圳": _table(
        ("002304", "洋河股份", "70.80"),
        ("000858", "五粮液", "121.40"),
        ("300750", "宁德时代", "252.60"),
        ("002594", "比亚迪", "347.20"),
        ("000333", "美的集团", "72.10"),
        ("000651", "格力电器", "44.90"),
        ("300059", "东方财富", "23.10"),
        ("000002", "万科A", "6.80"),
        ("300124", "汇川技术", "63.70"),
        ("002415", "海康威视", "28.50"),
    ),
    "北京": _table(
        ("835185", "贝特瑞", "26.40"),
        ("835368", "连城数控", "31.80"),
        ("836077", "吉林碳谷", "9.70"),
        ("430047", "诺思兰德", "13.60"),
        ("873527", "夜光明", "18.90"),
    ),
}
FUNDS: dict[str, tuple[Security, ...]] = {
    "上海": _table(
        ("510300", "沪深300ETF", "3.95"),
        ("510050", "上证50ETF", "2.78"),
        ("512880", "证券ETF", "1.06"),
        ("510500", "中证500ETF", "5.82"),
    ),
    "深圳": _table(
        ("159915", "创业板ETF", "2.06"),
        ("159919", "沪深300ETF", "4.03"),
        ("159928", "消费ETF", "0.86"),
    ),
}


@dataclass(frozen=True, slots=True)
class Broker:
    name: str  # 华泰证券
    cash_prefix: str  # how its cash account numbers start


BROKERS = (
    Broker("华泰证券", "6660"),
    Broker("东吴证券", "1588"),
    Broker("国泰海通证券", "3101"),
    Broker("中信建投证券", "2088"),
    Broker("南京证券", "0266"),
    Broker("中国银河证券", "1103"),
    Broker("招商证券", "2002"),
)


def records(subject: SubjectRef) -> SecuritiesRecords | None:
    """What the securities depository and the brokers know about ``subject``, or ``None``."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return SecuritiesRecords()
    rng, rich = start.rng, start.rich
    company = subject.kind == "legal"
    if company:
        district, since = company_district(subject), years_ago(20)
    else:
        resident = person(subject)
        district = resident.district
        adult_on = add_years(resident.birth_date, 18) + datetime.timedelta(days=1)
        if adult_on > REFERENCE_DATE - datetime.timedelta(days=30):
            return SecuritiesRecords()  # minors open no securities accounts
        since = max(years_ago(25), adult_on)
    branches = rng.randint(1, 3) if rich else 1
    records = SecuritiesRecords()
    for index, broker in enumerate(rng.sample(BROKERS, k=branches)):
        branch = _branch(rng, broker, district, since, company, rich=rich, main=index == 0)
        records = _merge(records, branch)
    return _freeze(rng, records, district, chance=0.5 if rich else 0.05)


def _merge(a: SecuritiesRecords, b: SecuritiesRecords) -> SecuritiesRecords:
    return SecuritiesRecords(
        accounts=[*a.accounts, *b.accounts],
        holdings=[*a.holdings, *b.holdings],
        funds_accounts=[*a.funds_accounts, *b.funds_accounts],
        freezes=[*a.freezes, *b.freezes],
    )


def branch_name(rng: random.Random, broker: Broker, district: huaian.District) -> str:
    """华泰证券淮安淮海东路营业部, or 东吴证券涟水红日大道营业部 in a county."""
    place = "淮安" if district.registry == huaian.CITY else district.name.removesuffix("县")
    return f"{broker.name}{place}{rng.choice(district.streets)}营业部"


def account_number(rng: random.Random, market: str, account_type: str, *, company: bool) -> str:
    """证券账户号码 in the depository's forms (see the module docstring)."""
    if market == "上海":
        letter = "F" if account_type == "基金" else ("B" if company else "A")
        return letter + digits(rng, 9)
    if account_type == "基金":
        return "05" + digits(rng, 8)
    if company:
        return "08" + digits(rng, 8)
    return "0" + rng.choice("0123") + digits(rng, 8)


def _branch(
    rng: random.Random,
    broker: Broker,
    district: huaian.District,
    since: datetime.date,
    company: bool,
    *,
    rich: bool,
    main: bool,
) -> SecuritiesRecords:
    """Everything a subject has at one broker branch (a rich subject's main one is active)."""
    near = district if rng.random() < 0.8 else rng.choice(huaian.DISTRICTS)
    broker_branch = branch_name(rng, broker, near)
    opened = date_between(rng, since, _LATEST)
    roll = 1.0 if rich and main else rng.random()
    status = "正常"
    if roll < (0.08 if rich else 0.25):
        status = "休眠"  # opened in a bull market, untouched since
    elif rich and roll < 0.15:
        status = "销户"
    kinds = [("上海", "A股")]
    if rng.random() < 0.85:
        kinds.append(("深圳", "A股"))
    if rich and rng.random() < 0.35:
        kinds.append((rng.choice(("上海", "深圳")), "基金"))
    if rich and rng.random() < 0.2:
        kinds.append(("北京", "股转"))
    accounts: list[SecuritiesAccount] = []
    holdings: list[Holding] = []
    for market, account_type in kinds:
        account = SecuritiesAccount(
            account_number=account_number(rng, market, account_type, company=company),
            market=market,
            account_type=account_type,
            broker=broker_branch,
            opened_on=_opened(rng, opened, account_type),
            status=status,
        )
        accounts.append(account)
        if status == "正常":
            holdings += _holdings(rng, account, company=company, rich=rich)
    funds = []
    if status != "销户":
        low, high = (1_000, 3_000_000) if rich else (10, 60_000)
        funds.append(
            FundsAccount(
                broker=broker_branch,
                account_number=broker.cash_prefix + digits(rng, 8),
                balance=money(rng, low, high) if status == "正常" else money(rng, 0.5, 80),
            )
        )
    return SecuritiesRecords(accounts=accounts, holdings=holdings, funds_accounts=funds)


def _opened(rng: random.Random, opened: datetime.date, account_type: str) -> datetime.date:
    """A股 accounts open together; fund and 股转 accounts later (股转 from 2013 on)."""
    if account_type == "A股":
        return opened
    return date_between(
        rng, max(opened, _NEEQ_OPENED) if account_type == "股转" else opened, _LATEST
    )


def _holdings(
    rng: random.Random, account: SecuritiesAccount, *, company: bool, rich: bool
) -> list[Holding]:
    table = FUNDS if account.account_type == "基金" else STOCKS
    pool = table[account.market]
    count = rng.randint(1, 4) if rich else rng.choice((0, 1, 1, 2))
    if company:
        low, high = (500_000, 30_000_000) if rich else (50_000, 2_000_000)
    else:
        low, high = (30_000, 5_000_000) if rich else (2_000, 150_000)
    holdings = []
    for security in rng.sample(pool, k=min(count, len(pool))):
        target = money(rng, low, high)
        lots = max(1, round(target / security.price / 100))
        quantity = lots * 100
        holdings.append(
            Holding(
                account_number=account.account_number,
                security_code=security.code,
                security_name=security.name,
                quantity=quantity,
                market_value=security.price * quantity,
                valued_on=REFERENCE_DATE,
            )
        )
    return holdings


def _freeze(
    rng: random.Random, records: SecuritiesRecords, district: huaian.District, chance: float
) -> SecuritiesRecords:
    """Freeze holdings (or whole accounts) of some active accounts; mark those accounts 冻结."""
    held = {h.account_number for h in records.holdings}
    candidates = [a.account_number for a in records.accounts if a.account_number in held]
    if not candidates or rng.random() >= chance:
        return records
    freezes = []
    for number in rng.sample(candidates, k=min(len(candidates), rng.choice((1, 1, 2)))):
        term = rng.choice((1, 2, 3))  # securities may be frozen for at most three years
        earliest = REFERENCE_DATE - datetime.timedelta(days=365 * term - 40)
        begun = date_between(rng, earliest, REFERENCE_DATE - datetime.timedelta(days=3))
        court, case_number = huaian.court_case(rng, district, begun.year)
        code: str | None = None
        quantity: int | None = None
        if rng.random() < 0.7:
            holding = rng.choice([h for h in records.holdings if h.account_number == number])
            code = holding.security_code
            lots = holding.quantity // 100
            quantity = lots * 100 if rng.random() < 0.6 else rng.randint(1, lots) * 100
        freezes.append(
            SecuritiesFreeze(
                account_number=number,
                security_code=code,
                quantity=quantity,
                court=court,
                case_number=case_number,
                frozen_from=begun,
                frozen_until=add_years(begun, term),
            )
        )
    frozen = {f.account_number for f in freezes}
    accounts = [
        replace(a, status="冻结") if a.account_number in frozen else a for a in records.accounts
    ]
    return replace(records, accounts=accounts, freezes=freezes)


records_for = as_json(records)  # the JSON the mock answers
