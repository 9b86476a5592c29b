"""The business-registry mock: registrations, enterprises, equity, equity freezes, events."""

from mocks.business.assets import assets_for
from mocks.business.data import records, records_for

__all__ = ["assets_for", "records", "records_for"]
