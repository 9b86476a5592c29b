"""One agency, declared once: ``AgencySpec``.

Each ``connectors/<agency>/`` package exports ``SPEC``, and ``connectors.registry`` collects
them. Everything that used to be written once per agency in other modules derives from the
specs: the agency names the GraphQL ``Agency`` enum lists, the profile's per-agency fields and
their types (from ``records``), the asset summary's classes and tallies, the Redis codec's
record types, the settings' defaults, the README's example selection, the cost limit's "all
agencies", and the committed contract (``connectors/<agency>/openapi.json``).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from gateway.domain.controls import Asset
from gateway.domain.records import AgencyRecords
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

if TYPE_CHECKING:
    from connectors.base import Connector

R = TypeVar("R", bound=AgencyRecords)

NAME = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
CONTROL_ACTIONS = frozenset({"freeze", "seize", "deduct", "release", "renew"})


@dataclass(frozen=True, slots=True)
class ExampleSubject:
    """A subject the agency's mock knows (rich data), used in the contract's examples."""

    kind: SubjectKind
    id: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class AgencySpec(Generic[R]):
    """Everything the gateway knows about one agency, in one place."""

    name: str  # "bank": the GraphQL enum value BANK, the profile's field, the settings' key
    name_zh: str  # 人民银行（银行业金融机构）
    title_zh: str  # the contract's title: what the agency's interface serves
    title_en: str
    profile_doc: str  # the profile field's description, "中文 / English"
    records: type[R]  # the @record class of one subject's records
    subject_kinds: frozenset[SubjectKind]  # whom the agency keeps records on
    example_selection: str  # the fields of ``records`` the README's example query shows
    examples: tuple[ExampleSubject, ...] = ()  # request examples of the committed contract
    controls: frozenset[str] = frozenset()  # of CONTROL_ACTIONS
    asset_classes: tuple[AssetClass, ...] = ()  # what the summary counts from these records
    tally: Callable[[R, Tallies], None] | None = None  # adds the records to the summary
    # the controllable assets in the records (what a control may name); needed with ``controls``
    assets: Callable[[R], Iterable[Asset]] | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)  # AgencySettings defaults
    connector: type[Connector] | None = None  # a subclass only for wire quirks

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"agency name {self.name!r} must match {NAME.pattern}")
        if not dataclasses.is_dataclass(self.records):
            raise TypeError(f"{self.name}: records must be a @record class")
        if " / " not in self.profile_doc:
            raise ValueError(f"{self.name}: profile_doc is '中文 / English'")
        unknown = self.controls - CONTROL_ACTIONS
        if unknown:
            raise ValueError(f"{self.name}: unknown control actions {sorted(unknown)}")
        for asset_class in self.asset_classes:
            if asset_class.agency != self.name:
                raise ValueError(
                    f"{self.name}: asset class {asset_class.name} names another agency"
                )
        if self.controls and self.assets is None:
            raise ValueError(f"{self.name}: controls need an assets function")
        if self.asset_classes and self.tally is None:
            raise ValueError(f"{self.name}: asset classes need a tally")

    @property
    def label_zh(self) -> str:
        """The short Chinese name: ``公安`` (the profile doc's head)."""
        return self.profile_doc.split(" / ")[0].split("：")[0]

    @property
    def label_en(self) -> str:
        """The short English name: ``police`` (the profile doc's head)."""
        return self.profile_doc.split(" / ", 1)[1].split(":")[0].lower()

    @property
    def key(self) -> str:
        """The GraphQL enum's name of the agency: ``BANK``."""
        return self.name.upper()

    @property
    def record_types(self) -> tuple[type, ...]:
        """``records`` and every @record class it contains (for the contract and the schema)."""
        found: dict[type, None] = {}
        _walk(self.records, found)
        return tuple(found)


def _walk(cls: type, found: dict[type, None]) -> None:
    if cls in found:
        return
    found[cls] = None
    for hint in typing.get_type_hints(cls).values():
        for inner in _inner_types(hint):
            if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                _walk(inner, found)


def _inner_types(hint: Any) -> list[Any]:
    args = typing.get_args(hint)
    if not args:
        return [hint]
    return [t for a in args for t in _inner_types(a)]
