"""How an agency's records are declared: once, as frozen dataclasses, with bilingual docs.

Each agency declares its records in ``connectors/<agency>/records.py`` with ``@record`` and
``doc(...)``. That one declaration is all three things the gateway needs:

* the wire format: pydantic validates the agency's JSON (camelCase keys) straight into these
  dataclasses (``connectors.http``), and the Redis cache dumps and loads them the same way;
* the GraphQL types: ``gateway.schema.records`` reads the fields, their types and their
  ``doc`` text (and the class docstring) and builds a strawberry type that resolves attributes
  of the dataclass itself; a documented ``@property`` becomes a field as well;
* the agency contract: ``connectors.openapi`` writes the JSON Schema of the same declaration,
  with the same descriptions, into the agency's committed ``openapi.json``.

Descriptions are "中文 / English", as everywhere users read them. Nothing here imports strawberry
or SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import (
    Annotated,
    Any,
    Protocol,
    TypeVar,
    dataclass_transform,
    overload,
    runtime_checkable,
)

from pydantic import ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

DOC = "doc"  # the metadata key of a field's description
T = TypeVar("T")

# camelCase on the wire (snake_case accepted too); unknown keys are ignored, so an agency may
# add fields without breaking the gateway
WIRE_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# what no amount, quantity, ratio or area of a record reaches: the gateway's money columns hold
# less (``Numeric(18, 2)``), and the sums of an answer stay far inside ``Decimal``'s arithmetic
DECIMAL_LIMIT = Decimal(10) ** 16

# the type of a record's money (and of its quantities, ratios and areas): a finite decimal from
# 0 up to ``DECIMAL_LIMIT``. An absurd figure (``"1e999999999"``) would overflow the summary's
# sums or the store and lose the whole answer, not only the agency's; a negative one (a balance,
# a value, an area, a tax owed below zero) would lower what the summary says the debtor holds or
# owes: both break the contract instead. Checked by pydantic's own constraints, at no cost a
# Python validator would add to every amount of every answer; an exponent form within the range
# (``"1E+5"``) is read as the number it writes, as the connectors read ``"01"``.
BoundedDecimal = Annotated[Decimal, Field(ge=0, lt=DECIMAL_LIMIT)]


@runtime_checkable
class AgencyRecords(Protocol):
    """One agency's records about one subject: a ``@record`` class per agency."""

    def count(self) -> int:
        """How many records (documents, assets, encumbrances) the agency returned."""
        ...


@overload
def doc(text: str) -> Any: ...
@overload
def doc(text: str, *, default: Any) -> Any: ...
def doc(text: str, *, default: Any = dataclasses.MISSING) -> Any:
    """A record's field with its bilingual description (and, if the agency may leave the field
    out, its default: ``None`` or ``()``)."""
    if not text or " / " not in text:
        raise ValueError(f"a field's description is '中文 / English', not {text!r}")
    return dataclasses.field(default=default, metadata={DOC: text})


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(doc,))
def record(cls: type[T]) -> type[T]:
    """Declare an agency record: a frozen, slotted, keyword-only dataclass read from the wire.

    The class docstring is its description ("中文 / English")."""
    if not cls.__doc__ or " / " not in cls.__doc__:
        raise ValueError(f"record {cls.__name__} needs a '中文 / English' docstring")
    made = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls)
    made.__pydantic_config__ = WIRE_CONFIG  # type: ignore[attr-defined]
    return made


def record_description(cls: type) -> str:
    """A record class's description: its docstring on one line."""
    return " ".join((cls.__doc__ or "").split())


def description(field: dataclasses.Field[Any]) -> str | None:
    """A record field's description, from ``doc``."""
    text = field.metadata.get(DOC)
    return text if isinstance(text, str) else None


def documented_properties(cls: type) -> dict[str, tuple[Callable[[Any], Any], str]]:
    """The ``@property`` members of a record with a '中文 / English' docstring: derived values
    that are part of the record as users see it (e.g. whether the debtor controls a company)."""
    found: dict[str, tuple[Callable[[Any], Any], str]] = {}
    for name, member in vars(cls).items():
        if isinstance(member, property) and member.fget is not None:
            text = " ".join((member.fget.__doc__ or "").split())
            if " / " in text:
                found[name] = (member.fget, text)
    return found


def wire_adapter(cls: type[T]) -> TypeAdapter[T]:
    """Validates and dumps ``cls`` in its wire form (camelCase JSON); built once per class."""
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


_ADAPTERS: dict[Any, Any] = {}
