"""The civil affairs mock: synthetic marriage registration, spouse and assistance records."""

from mocks.civil.data import records, records_for

__all__ = ["records", "records_for"]
