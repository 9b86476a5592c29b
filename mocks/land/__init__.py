"""The land registry mock: synthetic real estate, land, mortgage and seizure records."""

from mocks.land.data import records, records_for

__all__ = ["records", "records_for"]
