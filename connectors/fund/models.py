"""The housing provident fund centre's records, as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class FundAccountModel(ContractModel):
    centre: str
    account_number: str
    employer: str
    employer_uscc: str
    deposit_base: Decimal
    personal_rate: int
    employer_rate: int
    monthly_deposit: Decimal
    balance: Decimal
    opened_on: datetime.date
    last_deposit_month: str
    status: str


class FundLoanModel(ContractModel):
    loan_number: str
    account_number: str
    entrusted_bank: str
    principal: Decimal
    outstanding: Decimal
    issued_on: datetime.date
    matures_on: datetime.date
    status: str


class FundFreezeModel(ContractModel):
    account_number: str
    court: str
    case_number: str
    frozen_amount: Decimal
    frozen_from: datetime.date
    frozen_until: datetime.date


class FundRecordsModel(ContractModel):
    accounts: list[FundAccountModel] = []
    loans: list[FundLoanModel] = []
    freezes: list[FundFreezeModel] = []


FundInquiryResponse = InquiryResponse[FundRecordsModel]
