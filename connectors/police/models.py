"""The police agency's records, as JSON on the wire (the contract its mock serves)."""

from __future__ import annotations

import datetime

from connectors.envelope import ContractModel, InquiryResponse


class HouseholdModel(ContractModel):
    name: str
    gender: str
    birth_date: datetime.date
    ethnicity: str
    address: str
    police_station: str
    household_number: str
    status: str


class TravelDocumentModel(ContractModel):
    document_type: str
    number: str
    issued_on: datetime.date
    expires_on: datetime.date
    issuing_authority: str
    status: str
    last_exit_on: datetime.date | None = None


class VehicleModel(ContractModel):
    plate: str
    vehicle_type: str
    brand_model: str
    color: str
    vin: str
    registered_on: datetime.date
    status: str
    seizure_count: int = 0


class PoliceRecordsModel(ContractModel):
    household: HouseholdModel | None = None
    travel_documents: list[TravelDocumentModel] = []
    vehicles: list[VehicleModel] = []


PoliceInquiryResponse = InquiryResponse[PoliceRecordsModel]
