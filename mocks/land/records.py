"""The land mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class RealEstate:
    unit_number: str
    certificate_number: str
    location: str
    usage: str
    floor_area_m2: Decimal
    ownership: str
    share: str | None = None
    co_owners: list[str] = field(default_factory=list)
    registered_on: datetime.date
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LandParcel:
    parcel_number: str
    location: str
    usage: str
    area_m2: Decimal
    right_type: str
    grant_contract_number: str | None = None
    grant_price: Decimal | None = None
    grant_paid: Decimal | None = None
    construction_started_on: datetime.date | None = None
    construction_completed_on: datetime.date | None = None
    registered_on: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Mortgage:
    certificate_number: str
    unit_number: str
    mortgagee: str
    secured_amount: Decimal
    term_start: datetime.date
    term_end: datetime.date
    registered_on: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Seizure:
    unit_number: str
    court: str
    case_number: str
    seized_from: datetime.date
    seized_until: datetime.date
    waiting: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class LandRecords:
    real_estate: list[RealEstate] = field(default_factory=list)
    land: list[LandParcel] = field(default_factory=list)
    mortgages: list[Mortgage] = field(default_factory=list)
    seizures: list[Seizure] = field(default_factory=list)
