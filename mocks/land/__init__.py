"""The land registry mock: synthetic real estate, land, mortgage and seizure records."""

from mocks.land.data import records_for

__all__ = ["records_for"]
