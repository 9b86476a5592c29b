"""The insurers' records (through the regulator's platform), as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class PolicyModel(ContractModel):
    policy_number: str
    insurer: str
    product_name: str
    policy_type: str
    role: str
    policyholder: str
    insured: str
    insured_object: str | None = None
    sum_insured: Decimal
    cash_value: Decimal
    premium: Decimal
    payment_years: int
    effective_on: datetime.date
    expires_on: datetime.date | None = None
    status: str


class InsuranceWealthProductModel(ContractModel):
    insurer: str
    product_code: str
    product_name: str
    product_type: str
    account_value: Decimal
    purchased_on: datetime.date


class PolicyFreezeModel(ContractModel):
    policy_number: str
    insurer: str
    court: str
    case_number: str
    frozen_from: datetime.date
    frozen_until: datetime.date


class InsuranceRecordsModel(ContractModel):
    policies: list[PolicyModel] = []
    wealth_products: list[InsuranceWealthProductModel] = []
    freezes: list[PolicyFreezeModel] = []


InsuranceInquiryResponse = InquiryResponse[InsuranceRecordsModel]
