"""Agency name -> mock: its records generator and whom it keeps records on. Unknown agencies fail.

Adding an agency's mock is one package ``mocks/<agency>/`` with ``records_for(subject)``
returning the agency's JSON records (see ``mocks/police/data.py``), its contract document at
``connectors/<agency>/openapi.json``, and one entry here. An agency that applies controls also
has ``assets_for(records)``: the assets its ledger (``mocks.ledger``) keeps, with the holds the
records already show (see ``mocks/bank/assets.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mocks import bank, business, civil, fund, insurance, land, permits, police, securities, tax
from mocks.ledger import AssetSeed
from mocks.wire import JSONObject, SubjectKindName, SubjectRef

BOTH_KINDS: frozenset[SubjectKindName] = frozenset(("natural", "legal"))


@dataclass(frozen=True, slots=True)
class MockSpec:
    """One agency's mock: whom it knows and what it answers about them."""

    agency: str  # the agency's name on the wire: "police", "land", ...
    records_for: Callable[[SubjectRef], JSONObject | None]  # None: the agency does not know them
    subject_kinds: frozenset[SubjectKindName] = BOTH_KINDS  # whom the agency keeps records on
    controls: frozenset[str] = frozenset()  # the actions of POST /v1/controls it applies
    assets_for: Callable[[JSONObject], list[AssetSeed]] | None = None  # what a control can name


def _spec(
    agency: str, records_for: Callable[[SubjectRef], JSONObject | None], *kinds: SubjectKindName
) -> tuple[str, MockSpec]:
    return agency, MockSpec(agency, records_for, frozenset(kinds) or BOTH_KINDS)


def _controlling(
    agency: str,
    records_for: Callable[[SubjectRef], JSONObject | None],
    assets_for: Callable[[JSONObject], list[AssetSeed]],
    actions: str,
    *kinds: SubjectKindName,
) -> tuple[str, MockSpec]:
    controls = frozenset(actions.split())
    return agency, MockSpec(
        agency, records_for, frozenset(kinds) or BOTH_KINDS, controls, assets_for
    )


MOCK_AGENCIES: dict[str, MockSpec] = dict(
    (
        _spec("police", police.records_for),
        _controlling("land", land.records_for, land.assets_for, "seize release renew"),
        _controlling("bank", bank.records_for, bank.assets_for, "freeze deduct release renew"),
        _controlling("business", business.records_for, business.assets_for, "freeze release renew"),
        _controlling(
            "securities", securities.records_for, securities.assets_for, "freeze release renew"
        ),
        _spec("insurance", insurance.records_for),
        _spec("civil", civil.records_for, "natural"),
        _spec("permits", permits.records_for, "legal"),
        _controlling(
            "fund", fund.records_for, fund.assets_for, "freeze deduct release renew", "natural"
        ),
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
