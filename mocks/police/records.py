"""The police mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class Household:
    name: str
    gender: str
    birth_date: datetime.date
    ethnicity: str
    address: str
    police_station: str
    household_number: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TravelDocument:
    document_type: str
    number: str
    issued_on: datetime.date
    expires_on: datetime.date
    issuing_authority: str
    status: str
    last_exit_on: datetime.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Vehicle:
    plate: str
    vehicle_type: str
    brand_model: str
    color: str
    vin: str
    registered_on: datetime.date
    status: str
    seizure_count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PoliceRecords:
    household: Household | None = None
    travel_documents: list[TravelDocument] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
