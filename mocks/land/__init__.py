"""The land registry mock: synthetic real estate, land, mortgage and seizure records."""

from mocks.land.assets import assets_for
from mocks.land.data import records, records_for

__all__ = ["assets_for", "records", "records_for"]
