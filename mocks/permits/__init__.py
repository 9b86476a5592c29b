"""The permit offices' mock: synthetic safety permit, product registration and customs records."""

from mocks.permits.data import records_for

__all__ = ["records_for"]
