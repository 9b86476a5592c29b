"""JSON for domain records, so a shared cache (Redis) never holds pickles.

Each record type is found by name in ``RECORD_TYPES``; fields are rebuilt from their type hints
(str, int, float, bool, Decimal, date, datetime, enums, optionals, tuples, nested dataclasses).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
from decimal import Decimal
from functools import cache
from typing import Any

from gateway.domain.bank import BankRecords
from gateway.domain.business import BusinessRecords
from gateway.domain.civil import CivilRecords
from gateway.domain.fund import FundRecords
from gateway.domain.insurance import InsuranceRecords
from gateway.domain.land import LandRecords
from gateway.domain.permits import PermitRecords
from gateway.domain.police import PoliceRecords
from gateway.domain.records import AgencyRecords
from gateway.domain.securities import SecuritiesRecords
from gateway.domain.tax import TaxRecords

RECORD_TYPES: dict[str, type[AgencyRecords]] = {
    cls.__name__: cls
    for cls in (
        PoliceRecords,
        LandRecords,
        BankRecords,
        BusinessRecords,
        SecuritiesRecords,
        InsuranceRecords,
        CivilRecords,
        PermitRecords,
        FundRecords,
        TaxRecords,
    )
}


class CodecError(ValueError):
    pass


def dump_records(records: AgencyRecords) -> dict[str, Any]:
    return {"type": type(records).__name__, "data": _dump(records)}


def load_records(doc: dict[str, Any]) -> AgencyRecords:
    cls = RECORD_TYPES.get(doc.get("type", ""))
    if cls is None:
        raise CodecError(f"unknown record type {doc.get('type')!r}")
    loaded: AgencyRecords = _load(cls, doc["data"])
    return loaded


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, Decimal | datetime.date):  # datetime is a date
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _load(inner[0], value)
    if origin is tuple:
        item = typing.get_args(tp)[0]
        return tuple(_load(item, v) for v in value)
    if dataclasses.is_dataclass(tp):
        factory: Any = tp
        hints = _hints(factory)
        return factory(**{name: _load(hints[name], v) for name, v in value.items()})
    if tp is Decimal:
        return Decimal(value)
    if tp is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if tp is datetime.date:
        return datetime.date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    return value
