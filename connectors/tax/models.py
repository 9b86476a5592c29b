"""The tax bureau's records, as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class TaxRegistrationModel(ContractModel):
    taxpayer_id: str
    taxpayer_name: str
    tax_authority: str
    registered_on: datetime.date
    taxpayer_type: str
    credit_rating: str | None = None
    status: str


class TaxPaymentModel(ContractModel):
    tax_type: str
    period: str
    amount: Decimal
    paid_on: datetime.date
    withholder: str | None = None


class TaxArrearsModel(ContractModel):
    tax_type: str
    period: str
    amount: Decimal
    late_fee: Decimal
    since: datetime.date


class TaxPenaltyModel(ContractModel):
    decision_number: str
    authority: str
    reason: str
    amount: Decimal
    decided_on: datetime.date
    status: str


class TaxRecordsModel(ContractModel):
    registration: TaxRegistrationModel | None = None
    payments: list[TaxPaymentModel] = []
    arrears: list[TaxArrearsModel] = []
    penalties: list[TaxPenaltyModel] = []


TaxInquiryResponse = InquiryResponse[TaxRecordsModel]
