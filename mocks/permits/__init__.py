"""The permit offices' mock: synthetic safety permit, product registration and customs records."""

from mocks.permits.data import records, records_for

__all__ = ["records", "records_for"]
