"""The land and real-estate registry's records, as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class RealEstateModel(ContractModel):
    unit_number: str
    certificate_number: str
    location: str
    usage: str
    floor_area_m2: Decimal
    ownership: str
    share: str | None = None
    co_owners: list[str] = []
    registered_on: datetime.date
    status: str


class LandParcelModel(ContractModel):
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


class MortgageModel(ContractModel):
    certificate_number: str
    unit_number: str
    mortgagee: str
    secured_amount: Decimal
    term_start: datetime.date
    term_end: datetime.date
    registered_on: datetime.date


class SeizureModel(ContractModel):
    unit_number: str
    court: str
    case_number: str
    seized_from: datetime.date
    seized_until: datetime.date
    waiting: bool = False


class LandRecordsModel(ContractModel):
    real_estate: list[RealEstateModel] = []
    land: list[LandParcelModel] = []
    mortgages: list[MortgageModel] = []
    seizures: list[SeizureModel] = []


LandInquiryResponse = InquiryResponse[LandRecordsModel]
