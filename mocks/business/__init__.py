"""The business-registry mock: registrations, enterprises, equity, equity freezes, events."""

from mocks.business.data import records_for

__all__ = ["records_for"]
