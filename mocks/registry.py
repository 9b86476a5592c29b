"""Agency name -> mock: its records generator and whom it keeps records on. Unknown agencies fail.

Adding an agency's mock is one package ``mocks/<agency>/`` with ``records_for(subject)``
returning the agency's JSON records (see ``mocks/police/data.py``), its contract document at
``connectors/<agency>/openapi.json``, and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mocks import bank, business, civil, fund, insurance, land, permits, police, securities, tax
from mocks.wire import JSONObject, SubjectKindName, SubjectRef

BOTH_KINDS: frozenset[SubjectKindName] = frozenset(("natural", "legal"))


@dataclass(frozen=True, slots=True)
class MockSpec:
    """One agency's mock: whom it knows and what it answers about them."""

    agency: str  # the agency's name on the wire: "police", "land", ...
    records_for: Callable[[SubjectRef], JSONObject | None]  # None: the agency does not know them
    subject_kinds: frozenset[SubjectKindName] = BOTH_KINDS  # whom the agency keeps records on


def _spec(
    agency: str, records_for: Callable[[SubjectRef], JSONObject | None], *kinds: SubjectKindName
) -> tuple[str, MockSpec]:
    return agency, MockSpec(agency, records_for, frozenset(kinds) or BOTH_KINDS)


MOCK_AGENCIES: dict[str, MockSpec] = dict(
    (
        _spec("police", police.records_for),
        _spec("land", land.records_for),
        _spec("bank", bank.records_for),
        _spec("business", business.records_for),
        _spec("securities", securities.records_for),
        _spec("insurance", insurance.records_for),
        _spec("civil", civil.records_for, "natural"),
        _spec("permits", permits.records_for, "legal"),
        _spec("fund", fund.records_for, "natural"),
        _spec("tax", tax.records_for),
    )
)


class UnknownMockError(LookupError):
    pass


def mock_spec(agency: str) -> MockSpec:
    """The mock of an agency, by name (``"police"``, any case); ``UnknownMockError`` if none."""
    try:
        return MOCK_AGENCIES[str(agency).lower()]
    except KeyError:
        known = ", ".join(MOCK_AGENCIES)
        raise UnknownMockError(f"no mock for agency {agency!r}; known: {known}") from None
