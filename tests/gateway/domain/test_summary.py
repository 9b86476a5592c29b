"""The asset summary: counts and totals per class, money per currency, completeness."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from connectors.bank.records import AccountFreeze, BankRecords, Deposit, WealthProduct
from connectors.police.records import PoliceRecords, Vehicle
from connectors.registry import AGENCIES
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.summary import AssetClass, Money, SummaryPlan

summarize = AGENCIES.summary_plan().summarize

DAY = datetime.date(2025, 1, 1)


def deposit(amount: str, currency: str = "CNY", account: str = "1") -> Deposit:
    return Deposit(
        bank="工商银行",
        account_number=account,
        deposit_type="活期",
        currency=currency,
        amount=Decimal(amount),
        matures_on=None,
    )


def freeze(case: str, amount: str) -> AccountFreeze:
    return AccountFreeze(
        bank="工商银行",
        account_number="1",
        court="法院",
        case_number=case,
        frozen_amount=Decimal(amount),
        frozen_from=DAY,
        frozen_until=DAY,
    )


def test_money_is_summed_per_currency_and_encumbrances_counted_per_account():
    bank = BankRecords(
        accounts=(),
        cards=(),
        deposits=(deposit("100.50"), deposit("20.00", account="2"), deposit("7.00", "USD")),
        wealth_products=(
            WealthProduct(
                bank="工商银行",
                product_code="P1",
                product_name="稳健",
                currency="CNY",
                holding_value=Decimal("1000.00"),
                matures_on=None,
            ),
        ),
        freezes=(freeze("案", "50"), freeze("案2", "10")),
    )
    summary = summarize([SourceResult("bank", SourceStatus.OK, records=bank)])
    deposits = summary.of("deposits")
    assert (deposits.count, deposits.total) == (3, Decimal("120.50"))
    assert deposits.other_currencies == (Money("USD", Decimal("7.00")),)
    assert deposits.encumbered == 1  # two freezes, one account
    assert deposits.complete
    assert summary.of("wealth_products").total == Decimal("1000.00")


def test_counted_classes_have_no_total_and_unanswered_agencies_are_incomplete():
    vehicle = Vehicle(
        plate="苏H·A1234",
        vehicle_type="小型轿车",
        brand_model="大众",
        color="白",
        vin="V",
        registered_on=DAY,
        status="查封",
        seizure_count=1,
    )
    police = PoliceRecords(household=None, travel_documents=(), vehicles=(vehicle, vehicle))
    summary = summarize(
        [
            SourceResult("police", SourceStatus.OK, records=police),
            SourceResult("land", SourceStatus.TIMEOUT),
            SourceResult("fund", SourceStatus.NOT_FOUND),
        ]
    )
    vehicles = summary.of("vehicles")
    assert (vehicles.count, vehicles.total, vehicles.encumbered) == (2, None, 2)
    estate = summary.of("real_estate")
    assert (estate.count, estate.complete) == (0, False)  # the land registry did not answer
    assert summary.of("fund_balance").complete  # "not found" is an answer
    assert not summary.of("securities").complete  # not asked
    assert [c.asset_class.name for c in summary.classes] == [
        "deposits",
        "wealth_products",
        "fund_balance",
        "securities",
        "insurance",
        "real_estate",
        "vehicles",
        "equity",
    ]  # cash-like first, as the agencies' specs rank them


def test_a_class_whose_agency_holds_nothing_for_the_kind_of_subject_is_complete():
    # a company has no provident fund: the fund centre is not asked, and nothing is missing
    summary = summarize(
        [
            SourceResult("fund", SourceStatus.NOT_APPLICABLE),
            SourceResult("bank", SourceStatus.UNAVAILABLE),
        ]
    )
    fund = summary.of("fund_balance")
    assert (fund.count, fund.total, fund.complete) == (0, Decimal("0.00"), True)
    assert not summary.of("deposits").complete  # the banks did not answer


def test_a_plan_refuses_two_classes_of_one_name():
    one = AssetClass("deposits", "bank", "存款 / deposits", rank=10)
    with pytest.raises(ValueError, match="unique"):
        SummaryPlan([one, one], {})
