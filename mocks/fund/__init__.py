"""The provident fund mock: synthetic fund account, fund loan and freeze records."""

from mocks.fund.assets import assets_for
from mocks.fund.data import records, records_for

__all__ = ["assets_for", "records", "records_for"]
