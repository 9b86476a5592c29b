"""The common shape of what a connector returns for one subject."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class AgencyRecords(Protocol):
    """One agency's records about one subject: a frozen dataclass per agency."""

    def count(self) -> int:
        """How many records (documents, assets, encumbrances) the agency returned."""
        ...
