"""The business registry's records (市场监管局), as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class EnterpriseRoleModel(ContractModel):
    uscc: str
    name: str
    roles: list[str] = []
    share_ratio: Decimal | None = None
    enterprise_status: str


class EquityHoldingModel(ContractModel):
    uscc: str
    company: str
    share_ratio: Decimal
    subscribed_capital: Decimal
    paid_in_capital: Decimal
    subscribed_on: datetime.date


class EquityFreezeModel(ContractModel):
    uscc: str
    company: str
    frozen_amount: Decimal
    court: str
    case_number: str
    frozen_from: datetime.date
    frozen_until: datetime.date
    status: str
    publicized_on: datetime.date
    released_on: datetime.date | None = None


class RegistrationEventModel(ContractModel):
    uscc: str
    company: str
    event: str
    item: str | None = None
    before: str | None = None
    after: str | None = None
    date: datetime.date


class RegistrationModel(ContractModel):
    uscc: str
    name: str
    enterprise_type: str
    legal_representative: str
    registered_capital: Decimal
    established_on: datetime.date
    address: str
    business_scope: str
    registry: str
    status: str
    operating_until: datetime.date | None = None
    approved_on: datetime.date | None = None


class ShareholderModel(ContractModel):
    name: str
    kind: str
    identifier: str | None = None
    share_ratio: Decimal
    subscribed_capital: Decimal
    paid_in_capital: Decimal


class BranchModel(ContractModel):
    uscc: str
    name: str
    address: str
    status: str
    principal: str | None = None
    established_on: datetime.date | None = None


class BusinessRecordsModel(ContractModel):
    registration: RegistrationModel | None = None
    shareholders: list[ShareholderModel] = []
    branches: list[BranchModel] = []
    enterprises: list[EnterpriseRoleModel] = []
    equity_holdings: list[EquityHoldingModel] = []
    equity_freezes: list[EquityFreezeModel] = []
    events: list[RegistrationEventModel] = []


BusinessInquiryResponse = InquiryResponse[BusinessRecordsModel]
