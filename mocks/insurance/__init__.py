"""The insurance mock: synthetic policy, wealth-product and freeze records."""

from mocks.insurance.data import records_for

__all__ = ["records_for"]
