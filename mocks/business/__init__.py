"""The business-registry mock: registrations, enterprises, equity, equity freezes, events."""

from mocks.business.data import records, records_for

__all__ = ["records", "records_for"]
