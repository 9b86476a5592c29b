"""What is worth controlling, at a glance: counts and totals per asset class.

Computed from the records the agencies returned for one subject. A class is ``complete`` when
its agency answered (``OK`` or ``NOT_FOUND``); otherwise its figures are what is known, which
may be nothing. Money is summed per currency: ``total`` is in yuan (CNY), other currencies are
listed beside it, never converted.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.domain.agencies import Agency
from gateway.domain.bank import BankRecords
from gateway.domain.business import BusinessRecords
from gateway.domain.fund import FundRecords
from gateway.domain.insurance import InsuranceRecords
from gateway.domain.land import LandRecords
from gateway.domain.police import PoliceRecords
from gateway.domain.securities import SecuritiesRecords
from gateway.domain.sources import SourceResult

CNY = "CNY"
_ZERO = Decimal("0.00")


class AssetClass(enum.Enum):
    DEPOSITS = "deposits"  # 存款 (bank)
    WEALTH_PRODUCTS = "wealth_products"  # 银行理财 (bank)
    FUND_BALANCE = "fund_balance"  # 公积金余额 (fund)
    SECURITIES = "securities"  # 证券市值与资金余额 (securities)
    INSURANCE = "insurance"  # 保单现金价值与保险理财 (insurance)
    REAL_ESTATE = "real_estate"  # 不动产单元 (land)
    VEHICLES = "vehicles"  # 机动车 (police)
    EQUITY = "equity"  # 股权 (business): subscribed capital held

    @property
    def agency(self) -> Agency:
        return _AGENCY[self]


_AGENCY = {
    AssetClass.DEPOSITS: Agency.BANK,
    AssetClass.WEALTH_PRODUCTS: Agency.BANK,
    AssetClass.FUND_BALANCE: Agency.FUND,
    AssetClass.SECURITIES: Agency.SECURITIES,
    AssetClass.INSURANCE: Agency.INSURANCE,
    AssetClass.REAL_ESTATE: Agency.LAND,
    AssetClass.VEHICLES: Agency.POLICE,
    AssetClass.EQUITY: Agency.BUSINESS,
}


@dataclass(frozen=True, slots=True)
class Money:
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AssetClassSummary:
    asset_class: AssetClass
    count: int  # items: deposits, accounts, holdings, policies, units, vehicles, holdings
    total: Decimal | None  # in CNY; None for classes counted, not valued (units, vehicles)
    other_currencies: tuple[Money, ...]
    encumbered: int  # items already frozen, seized or (for equity) under a freeze
    complete: bool  # the agency answered; False: not asked, or it failed (see sources)


@dataclass(frozen=True, slots=True)
class AssetSummary:
    classes: tuple[AssetClassSummary, ...]

    def of(self, asset_class: AssetClass) -> AssetClassSummary:
        return next(c for c in self.classes if c.asset_class is asset_class)


class _Tally:
    __slots__ = ("count", "encumbered", "money", "valued")

    def __init__(self, *, valued: bool) -> None:
        self.count = 0
        self.encumbered = 0
        self.valued = valued
        self.money: dict[str, Decimal] = defaultdict(lambda: _ZERO)

    def add(self, amount: Decimal, currency: str = CNY) -> None:
        self.money[currency] += amount


def summarize(results: Iterable[SourceResult]) -> AssetSummary:
    by_agency: Mapping[Agency, SourceResult] = {r.agency: r for r in results}
    unvalued = (AssetClass.REAL_ESTATE, AssetClass.VEHICLES)
    tallies = {c: _Tally(valued=c not in unvalued) for c in AssetClass}
    for result in by_agency.values():
        count = _COUNTERS.get(type(result.records))
        if count is not None:
            count(result.records, tallies)
    classes = []
    for asset_class, tally in tallies.items():
        source = by_agency.get(asset_class.agency)
        total = tally.money.get(CNY, _ZERO) if tally.valued else None
        others = tuple(Money(cur, amt) for cur, amt in sorted(tally.money.items()) if cur != CNY)
        classes.append(
            AssetClassSummary(
                asset_class=asset_class,
                count=tally.count,
                total=total,
                other_currencies=others,
                encumbered=tally.encumbered,
                complete=source is not None and source.status.answered,
            )
        )
    return AssetSummary(tuple(classes))


Tallies = dict[AssetClass, _Tally]


def _bank(records: BankRecords, tallies: Tallies) -> None:
    deposits = tallies[AssetClass.DEPOSITS]
    for deposit in records.deposits:
        deposits.count += 1
        deposits.add(deposit.amount, deposit.currency)
    deposits.encumbered += len({f.account_number for f in records.freezes})
    products = tallies[AssetClass.WEALTH_PRODUCTS]
    for product in records.wealth_products:
        products.count += 1
        products.add(product.holding_value, product.currency)


def _fund(records: FundRecords, tallies: Tallies) -> None:
    fund = tallies[AssetClass.FUND_BALANCE]
    for account in records.accounts:
        if account.status != "销户":
            fund.count += 1
            fund.add(account.balance)
    fund.encumbered += len({f.account_number for f in records.freezes})


def _securities(records: SecuritiesRecords, tallies: Tallies) -> None:
    securities = tallies[AssetClass.SECURITIES]
    for holding in records.holdings:
        securities.count += 1
        securities.add(holding.market_value)
    for funds in records.funds_accounts:
        securities.add(funds.balance)
    securities.encumbered += len(records.freezes)


def _insurance(records: InsuranceRecords, tallies: Tallies) -> None:
    insurance = tallies[AssetClass.INSURANCE]
    for policy in records.policies:
        if policy.role == "投保人" and policy.status in ("有效", "冻结"):
            insurance.count += 1
            insurance.add(policy.cash_value)  # only the policyholder's is enforceable
    for product in records.wealth_products:
        insurance.count += 1
        insurance.add(product.account_value)
    insurance.encumbered += len({f.policy_number for f in records.freezes})


def _land(records: LandRecords, tallies: Tallies) -> None:
    estate = tallies[AssetClass.REAL_ESTATE]
    estate.count += len(records.real_estate)
    estate.encumbered += len({s.unit_number for s in records.seizures})


def _police(records: PoliceRecords, tallies: Tallies) -> None:
    vehicles = tallies[AssetClass.VEHICLES]
    vehicles.count += len(records.vehicles)
    vehicles.encumbered += sum(
        1 for v in records.vehicles if v.seizure_count > 0 or v.status == "查封"
    )


def _business(records: BusinessRecords, tallies: Tallies) -> None:
    equity = tallies[AssetClass.EQUITY]
    for holding in records.equity_holdings:
        equity.count += 1
        equity.add(holding.subscribed_capital)
    equity.encumbered += len({f.uscc for f in records.equity_freezes if f.status != "解除冻结"})


_COUNTERS: dict[type, Callable[[Any, Tallies], None]] = {
    BankRecords: _bank,
    FundRecords: _fund,
    SecuritiesRecords: _securities,
    InsuranceRecords: _insurance,
    LandRecords: _land,
    PoliceRecords: _police,
    BusinessRecords: _business,
}
