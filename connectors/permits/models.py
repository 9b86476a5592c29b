"""The permit offices' records, as JSON on the wire (the contract their mock serves)."""

from __future__ import annotations

import datetime

from connectors.envelope import ContractModel, InquiryResponse


class SafetyPermitModel(ContractModel):
    permit_number: str
    scope: str
    issued_by: str
    issued_on: datetime.date
    expires_on: datetime.date
    status: str


class ProductRegistrationModel(ContractModel):
    category: str
    registration_number: str
    product_name: str
    issued_by: str
    issued_on: datetime.date
    expires_on: datetime.date | None = None
    status: str


class InspectionCreditModel(ContractModel):
    customs_code: str
    rating: str
    rated_on: datetime.date
    authority: str


class PermitRecordsModel(ContractModel):
    safety_permits: list[SafetyPermitModel] = []
    product_registrations: list[ProductRegistrationModel] = []
    inspection_credit: InspectionCreditModel | None = None


PermitInquiryResponse = InquiryResponse[PermitRecordsModel]
