"""The securities mock: synthetic account, holding, cash-account and freeze records."""

from mocks.securities.assets import assets_for
from mocks.securities.data import records, records_for

__all__ = ["assets_for", "records", "records_for"]
