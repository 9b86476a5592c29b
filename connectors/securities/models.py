"""The securities depository's and brokers' records, as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class SecuritiesAccountModel(ContractModel):
    account_number: str
    market: str
    account_type: str
    broker: str
    opened_on: datetime.date
    status: str


class HoldingModel(ContractModel):
    account_number: str
    security_code: str
    security_name: str
    quantity: int
    market_value: Decimal
    valued_on: datetime.date


class FundsAccountModel(ContractModel):
    broker: str
    account_number: str
    balance: Decimal


class SecuritiesFreezeModel(ContractModel):
    account_number: str
    security_code: str | None = None
    quantity: int | None = None
    court: str
    case_number: str
    frozen_from: datetime.date
    frozen_until: datetime.date


class SecuritiesRecordsModel(ContractModel):
    accounts: list[SecuritiesAccountModel] = []
    holdings: list[HoldingModel] = []
    funds_accounts: list[FundsAccountModel] = []
    freezes: list[SecuritiesFreezeModel] = []


SecuritiesInquiryResponse = InquiryResponse[SecuritiesRecordsModel]
