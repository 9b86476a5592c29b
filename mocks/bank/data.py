"""Synthetic bank records: accounts, cards, deposits, wealth products, existing freezes.

People hold I类户/II类户 accounts with debit (and sometimes credit) cards; companies hold one
基本存款账户 and some 一般存款账户. A frozen account has the status 冻结 and an available
balance reduced by the frozen amount; deposit freezes last at most one year.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import replace
from decimal import Decimal

from mocks import huaian
from mocks.bank.records import (
    AccountFreeze,
    BankAccount,
    BankCard,
    BankRecords,
    Deposit,
    WealthProduct,
)
from mocks.synthetic import (
    REFERENCE_DATE,
    add_years,
    asset_tag,
    company_district,
    date_between,
    digits,
    draw,
    luhn_complete,
    money,
    person,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "bank"

PRODUCT_NAMES = ("稳健增利", "天天利", "安心享", "鑫享季季盈", "固收增强", "悦享月月开")


def records(subject: SubjectRef) -> BankRecords | None:
    """What the banks know about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return BankRecords()
    rng, rich = start.rng, start.rich
    company = subject.kind == "legal"
    if company:
        district, since = company_district(subject), years_ago(20)
    else:
        resident = person(subject)
        district, since = resident.district, max(years_ago(20), resident.birth_date)
    count = rng.randint(5, 10) if rich else rng.randint(1, 3)
    accounts = [
        _account(rng, district, since, company=company, first=index == 0, rich=rich)
        for index in range(count)
    ]
    freezes = [
        _freeze(rng, account, district)
        for account in accounts
        if account.balance > 0 and rng.random() < (0.4 if rich else 0.05)
    ]
    frozen = {f.account_number: f.frozen_amount for f in freezes}
    accounts = [_apply_freeze(account, frozen.get(account.account_number)) for account in accounts]
    deposits = [d for account in accounts for d in _deposits(rng, account, rich=rich)]
    products = [
        replace(p, asset_id=asset_tag(subject.id, p.product_code))
        for p in _products(rng, accounts, rich=rich)
    ]
    cards = [] if company else [c for account in accounts for c in _cards(rng, account)]
    return BankRecords(
        accounts=accounts, cards=cards, deposits=deposits, wealth_products=products, freezes=freezes
    )


def _account(
    rng: random.Random,
    district: huaian.District,
    since: datetime.date,
    *,
    company: bool,
    first: bool,
    rich: bool,
) -> BankAccount:
    bank = rng.choice(huaian.BANKS)
    if company:
        kind = "基本存款账户" if first else "一般存款账户"
        balance = money(rng, 1_000, 8_000_000 if rich else 600_000)
    else:
        kind = "I类户" if first or rng.random() < 0.6 else "II类户"
        balance = money(rng, 10, 2_000_000 if rich else 80_000)
    if rng.random() < 0.1:
        balance = Decimal("0.00")
    opened = date_between(rng, since, REFERENCE_DATE - datetime.timedelta(days=30))
    status = "正常"
    if balance == 0 and rng.random() < 0.5:
        status = rng.choice(("久悬", "销户"))
    currency = "USD" if rich and rng.random() < 0.1 else "CNY"
    return BankAccount(
        bank=bank.name,
        branch=huaian.bank_branch(rng, bank, district),
        account_number=_account_number(rng, bank),
        account_type=kind,
        currency=currency,
        balance=balance,
        available_balance=balance,
        opened_on=opened,
        status=status,
    )


def _bank(name: str) -> huaian.Bank:
    return next(b for b in huaian.BANKS if b.name == name)


def _account_number(rng: random.Random, bank: huaian.Bank) -> str:
    """19 digits for most banks, starting with the bank's own prefix."""
    return f"{1 + huaian.BANKS.index(bank)}1{digits(rng, 17)}"


def _freeze(rng: random.Random, account: BankAccount, district: huaian.District) -> AccountFreeze:
    start = date_between(rng, years_ago(0.9), REFERENCE_DATE - datetime.timedelta(days=3))
    court, case_number = huaian.court_case(rng, district, start.year)
    share = Decimal(rng.choice((25, 50, 100, 100))) / 100
    return AccountFreeze(
        bank=account.bank,
        account_number=account.account_number,
        court=court,
        case_number=case_number,
        frozen_amount=(account.balance * share).quantize(Decimal("0.01")),
        frozen_from=start,
        frozen_until=add_years(start, 1),
    )


def _apply_freeze(account: BankAccount, frozen: Decimal | None) -> BankAccount:
    if frozen is None:
        return account
    available = max(Decimal("0.00"), account.balance - frozen)
    return replace(account, status="冻结", available_balance=available)


def _deposits(rng: random.Random, account: BankAccount, *, rich: bool) -> list[Deposit]:
    if account.status in ("销户", "久悬"):
        return []
    deposits = [
        Deposit(
            bank=account.bank,
            account_number=account.account_number,
            deposit_type="活期",
            currency=account.currency,
            amount=account.balance,
        )
    ]
    if rng.random() < (0.5 if rich else 0.2):
        large = rich and rng.random() < 0.4
        deposits.append(
            Deposit(
                bank=account.bank,
                account_number=account.account_number,
                deposit_type="大额存单" if large else rng.choice(("定期", "定期", "通知存款")),
                currency=account.currency,
                amount=money(rng, 200_000, 5_000_000) if large else money(rng, 5_000, 300_000),
                matures_on=add_years(date_between(rng, years_ago(2.5), REFERENCE_DATE), 3),
            )
        )
    return deposits


def _products(
    rng: random.Random, accounts: list[BankAccount], *, rich: bool
) -> list[WealthProduct]:
    count = rng.randint(1, 4) if rich else int(rng.random() < 0.15)
    products = []
    for _ in range(count):
        bank = _bank(rng.choice(accounts).bank)
        open_ended = rng.random() < 0.3
        matures = date_between(rng, REFERENCE_DATE, add_years(REFERENCE_DATE, 2))
        products.append(
            WealthProduct(
                bank=bank.name,
                product_code=f"{bank.product_prefix}{digits(rng, 8)}",
                product_name=f"{bank.product_brand}{rng.choice(PRODUCT_NAMES)}"
                f"{rng.randint(1, 60)}号",
                currency="CNY",
                holding_value=money(rng, 10_000, 3_000_000),
                matures_on=None if open_ended else matures,
            )
        )
    return products


def _cards(rng: random.Random, account: BankAccount) -> list[BankCard]:
    """A debit card on most I类户 and some II类户; a credit card now and then."""
    bank = _bank(account.bank)
    has_debit = rng.random() < (0.9 if account.account_type == "I类户" else 0.3)
    cards = []
    if has_debit:
        status = "冻结" if account.status == "冻结" else "正常"
        if account.status == "销户":
            status = "注销"
        cards.append(_card(rng, bank.debit_bin, "借记卡", account, status))
    if rng.random() < 0.2:
        cards.append(_card(rng, bank.credit_bin, "信用卡", account, "正常"))
    return cards


def _card(
    rng: random.Random, bin_prefix: str, kind: str, account: BankAccount, status: str
) -> BankCard:
    return BankCard(
        bank=account.bank,
        card_number=luhn_complete(bin_prefix + digits(rng, 12)),
        card_type=kind,
        account_number=account.account_number,
        status=status,
    )


records_for = as_json(records)  # the JSON the mock answers
