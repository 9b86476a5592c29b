"""The tax mock: synthetic registration, payment, arrears and penalty records."""

from mocks.tax.data import records, records_for

__all__ = ["records", "records_for"]
