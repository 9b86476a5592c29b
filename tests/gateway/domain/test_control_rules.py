"""The arithmetic of the legal checks: execution fees, periods."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from gateway.domain.control_rules import add_years, execution_fee
from gateway.domain.controls import LegalClass, legal_class


@pytest.mark.parametrize(
    ("obligation", "fee"),
    [
        ("5000", "50.00"),
        ("10000", "50.00"),
        ("100000", "1400.00"),  # 50 + 90,000 x 1.5 %
        ("500000", "7400.00"),  # 50 + 490,000 x 1.5 %
        ("1000000", "12400.00"),  # + 500,000 x 1 %
        ("10000000", "77400.00"),  # 7,400 + 45,000 + 25,000
        ("20000000", "87400.00"),  # + 10,000,000 x 0.1 %
    ],
)
def test_execution_fees_follow_the_tranches(obligation: str, fee: str):
    assert execution_fee(Decimal(obligation)) == Decimal(fee)


def test_a_year_later_keeps_the_day_or_ends_february():
    assert add_years(datetime.date(2026, 6, 1), 1) == datetime.date(2027, 6, 1)
    assert add_years(datetime.date(2028, 2, 29), 3) == datetime.date(2031, 2, 28)


def test_the_legal_maximum_by_asset_class():
    assert legal_class("deposits").max_years == 1
    assert legal_class("wealth_products").max_years == 1
    for name in ("fund_balance", "securities", "equity", "real_estate", "land"):
        assert legal_class(name).max_years == 3
    assert not legal_class("real_estate").divisible
    assert legal_class("something new") is LegalClass.MONEY  # the strictest
