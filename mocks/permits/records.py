"""The permits mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyPermit:
    permit_number: str
    scope: str
    issued_by: str
    issued_on: datetime.date
    expires_on: datetime.date
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductRegistration:
    category: str
    registration_number: str
    product_name: str
    issued_by: str
    issued_on: datetime.date
    expires_on: datetime.date | None = None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InspectionCredit:
    customs_code: str
    rating: str
    rated_on: datetime.date
    authority: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PermitRecords:
    safety_permits: list[SafetyPermit] = field(default_factory=list)
    product_registrations: list[ProductRegistration] = field(default_factory=list)
    inspection_credit: InspectionCredit | None = None
