"""The securities mock: synthetic account, holding, cash-account and freeze records."""

from mocks.securities.data import records_for

__all__ = ["records_for"]
