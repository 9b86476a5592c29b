"""The police mock: synthetic household, travel-document and vehicle records."""

from mocks.police.data import records, records_for

__all__ = ["records", "records_for"]
