"""The securities mock: synthetic account, holding, cash-account and freeze records."""

from mocks.securities.data import records, records_for

__all__ = ["records", "records_for"]
