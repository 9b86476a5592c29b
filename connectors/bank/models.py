"""The banks' records (through the central bank branch), as JSON on the wire."""

from __future__ import annotations

import datetime
from decimal import Decimal

from connectors.envelope import ContractModel, InquiryResponse


class BankAccountModel(ContractModel):
    bank: str
    branch: str
    account_number: str
    account_type: str
    currency: str
    balance: Decimal
    available_balance: Decimal
    opened_on: datetime.date
    status: str


class BankCardModel(ContractModel):
    bank: str
    card_number: str
    card_type: str
    account_number: str
    status: str


class DepositModel(ContractModel):
    bank: str
    account_number: str
    deposit_type: str
    currency: str
    amount: Decimal
    matures_on: datetime.date | None = None


class WealthProductModel(ContractModel):
    bank: str
    product_code: str
    product_name: str
    currency: str
    holding_value: Decimal
    matures_on: datetime.date | None = None


class AccountFreezeModel(ContractModel):
    bank: str
    account_number: str
    court: str
    case_number: str
    frozen_amount: Decimal
    frozen_from: datetime.date
    frozen_until: datetime.date


class BankRecordsModel(ContractModel):
    accounts: list[BankAccountModel] = []
    cards: list[BankCardModel] = []
    deposits: list[DepositModel] = []
    wealth_products: list[WealthProductModel] = []
    freezes: list[AccountFreezeModel] = []


BankInquiryResponse = InquiryResponse[BankRecordsModel]
