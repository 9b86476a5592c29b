"""The insurance mock: synthetic policy, wealth-product and freeze records."""

from mocks.insurance.data import records, records_for

__all__ = ["records", "records_for"]
