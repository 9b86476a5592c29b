"""The bank mock: synthetic account, card, deposit, wealth-product and freeze records."""

from mocks.bank.data import records, records_for

__all__ = ["records", "records_for"]
