"""The asset summary: counts and totals per class, money per currency, completeness."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gateway.domain.agencies import Agency
from gateway.domain.bank import AccountFreeze, BankRecords, Deposit, WealthProduct
from gateway.domain.police import PoliceRecords, Vehicle
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.summary import AssetClass, Money, summarize

DAY = datetime.date(2025, 1, 1)


def deposit(amount: str, currency: str = "CNY", account: str = "1") -> Deposit:
    return Deposit("工商银行", account, "活期", currency, Decimal(amount), None)


def test_money_is_summed_per_currency_and_encumbrances_counted_per_account():
    bank = BankRecords(
        accounts=(),
        cards=(),
        deposits=(deposit("100.50"), deposit("20.00", account="2"), deposit("7.00", "USD")),
        wealth_products=(WealthProduct("工商银行", "P1", "稳健", "CNY", Decimal("1000.00"), None),),
        freezes=(
            AccountFreeze("工商银行", "1", "法院", "案", Decimal("50"), DAY, DAY),
            AccountFreeze("工商银行", "1", "法院", "案2", Decimal("10"), DAY, DAY),
        ),
    )
    summary = summarize([SourceResult(Agency.BANK, SourceStatus.OK, records=bank)])
    deposits = summary.of(AssetClass.DEPOSITS)
    assert (deposits.count, deposits.total) == (3, Decimal("120.50"))
    assert deposits.other_currencies == (Money("USD", Decimal("7.00")),)
    assert deposits.encumbered == 1  # two freezes, one account
    assert deposits.complete
    assert summary.of(AssetClass.WEALTH_PRODUCTS).total == Decimal("1000.00")


def test_counted_classes_have_no_total_and_unanswered_agencies_are_incomplete():
    vehicle = Vehicle("苏H·A1234", "小型轿车", "大众", "白", "V", DAY, "查封", 1)
    police = PoliceRecords(household=None, travel_documents=(), vehicles=(vehicle, vehicle))
    summary = summarize(
        [
            SourceResult(Agency.POLICE, SourceStatus.OK, records=police),
            SourceResult(Agency.LAND, SourceStatus.TIMEOUT),
            SourceResult(Agency.FUND, SourceStatus.NOT_FOUND),
        ]
    )
    vehicles = summary.of(AssetClass.VEHICLES)
    assert (vehicles.count, vehicles.total, vehicles.encumbered) == (2, None, 2)
    estate = summary.of(AssetClass.REAL_ESTATE)
    assert (estate.count, estate.complete) == (0, False)  # the land registry did not answer
    assert summary.of(AssetClass.FUND_BALANCE).complete  # "not found" is an answer
    assert not summary.of(AssetClass.SECURITIES).complete  # not asked
    assert [c.asset_class for c in summary.classes] == list(AssetClass)
