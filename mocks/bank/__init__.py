"""The bank mock: synthetic account, card, deposit, wealth-product and freeze records."""

from mocks.bank.assets import assets_for
from mocks.bank.data import records, records_for

__all__ = ["assets_for", "records", "records_for"]
