"""The tax mock: synthetic registration, payment, arrears and penalty records."""

from mocks.tax.data import records_for

__all__ = ["records_for"]
