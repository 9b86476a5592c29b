"""The civil mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Spouse:
    name: str
    id_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MarriageRegistration:
    registration_type: str
    spouse_name: str
    spouse_id_number: str
    registered_on: datetime.date
    registry: str
    certificate_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Assistance:
    program: str
    status: str
    since: datetime.date
    until: datetime.date | None = None
    monthly_amount: Decimal
    office: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CivilRecords:
    current_spouse: Spouse | None = None
    marriages: list[MarriageRegistration] = field(default_factory=list)
    assistance: list[Assistance] = field(default_factory=list)
