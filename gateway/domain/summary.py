"""What is worth controlling, at a glance: counts and totals per asset class.

Computed from the records the agencies returned for one subject. Each agency's spec declares
its asset classes and a tally that adds its records to them (``connectors/<agency>/spec.py``);
``SummaryPlan`` holds them all, built once from the registry. A class is ``complete`` when its
agency answered (``OK`` or ``NOT_FOUND``) or keeps nothing on this kind of subject
(``NOT_APPLICABLE``: a company has no provident fund); otherwise its figures are what is known,
which may be nothing. Money is summed per currency: ``total`` is in yuan (CNY), other
currencies are listed beside it, never converted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.domain.sources import SourceResult, SourceStatus

CNY = "CNY"
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class AssetClass:
    """One class of assets the summary counts, declared by the agency it comes from."""

    name: str  # "deposits": the GraphQL enum value DEPOSITS
    agency: str  # the agency that reports it
    description: str  # "存款 / bank deposits", for the enum's documentation
    rank: int  # the summary's order: cash-like first (deposits 10 ... equity 80)
    valued: bool = True  # False: counted, not valued (real-estate units, vehicles)

    @property
    def key(self) -> str:
        return self.name.upper()


@dataclass(frozen=True, slots=True)
class Money:
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AssetClassSummary:
    asset_class: AssetClass
    count: int  # items: deposits, accounts, holdings, policies, units, vehicles, holdings
    total: Decimal | None  # in CNY; None for classes counted, not valued (units, vehicles)
    other_currencies: tuple[Money, ...]
    encumbered: int  # items already frozen, seized or (for equity) under a freeze
    complete: bool  # answered, or not applicable; False: not asked, or it failed (see sources)

    @property
    def agency(self) -> str:
        return self.asset_class.agency


@dataclass(frozen=True, slots=True)
class AssetSummary:
    classes: tuple[AssetClassSummary, ...]

    def of(self, name: str) -> AssetClassSummary:
        return next(c for c in self.classes if c.asset_class.name == name)


def _known(status: SourceStatus) -> bool:
    """Whether the agency's figures are whole: it answered, or it keeps nothing on this kind of
    subject (a company has no provident fund), so there is nothing it could have left out."""
    return status.answered or status is SourceStatus.NOT_APPLICABLE


class Tally:
    """What an agency's tally adds to one asset class."""

    __slots__ = ("count", "encumbered", "money")

    def __init__(self) -> None:
        self.count = 0
        self.encumbered = 0
        self.money: dict[str, Decimal] = defaultdict(lambda: _ZERO)

    def add(self, amount: Decimal, currency: str = CNY) -> None:
        self.money[currency] += amount


Tallies = Mapping[str, Tally]  # asset class name -> its tally
Counter = Callable[[Any, Tallies], None]  # an agency's records, added to the tallies


class SummaryPlan:
    """The asset classes of every agency, in summary order, and how each agency counts."""

    def __init__(self, classes: Sequence[AssetClass], counters: Mapping[str, Counter]) -> None:
        self.classes = tuple(sorted(classes, key=lambda c: (c.rank, c.name)))
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"asset class names must be unique: {names}")
        self.counters = dict(counters)

    def summarize(self, results: Iterable[SourceResult]) -> AssetSummary:
        by_agency: dict[str, SourceResult] = {r.agency: r for r in results}
        tallies = {c.name: Tally() for c in self.classes}
        for agency, result in by_agency.items():
            count = self.counters.get(agency)
            if count is not None and result.records is not None:
                count(result.records, tallies)
        summaries = []
        for asset_class in self.classes:
            tally = tallies[asset_class.name]
            source = by_agency.get(asset_class.agency)
            total = tally.money.get(CNY, _ZERO) if asset_class.valued else None
            others = tuple(
                Money(cur, amt) for cur, amt in sorted(tally.money.items()) if cur != CNY
            )
            summaries.append(
                AssetClassSummary(
                    asset_class=asset_class,
                    count=tally.count,
                    total=total,
                    other_currencies=others,
                    encumbered=tally.encumbered,
                    complete=source is not None and _known(source.status),
                )
            )
        return AssetSummary(tuple(summaries))
