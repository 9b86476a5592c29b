"""The civil affairs bureau's records, as JSON on the wire (the contract its mock serves)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class SpouseModel(ContractModel):
    name: str
    id_number: str


class MarriageRegistrationModel(ContractModel):
    registration_type: str
    spouse_name: str
    spouse_id_number: str
    registered_on: datetime.date
    registry: str
    certificate_number: str


class AssistanceModel(ContractModel):
    program: str
    status: str
    since: datetime.date
    until: datetime.date | None = None
    monthly_amount: Decimal
    office: str


class CivilRecordsModel(ContractModel):
    current_spouse: SpouseModel | None = None
    marriages: list[MarriageRegistrationModel] = []
    assistance: list[AssistanceModel] = []


CivilInquiryResponse = InquiryResponse[CivilRecordsModel]
