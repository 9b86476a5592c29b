"""The provident fund mock: synthetic fund account, fund loan and freeze records."""

from mocks.fund.data import records, records_for

__all__ = ["records", "records_for"]
