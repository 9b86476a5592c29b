"""The tax mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxRegistration:
    taxpayer_id: str
    taxpayer_name: str
    tax_authority: str
    registered_on: datetime.date
    taxpayer_type: str
    credit_rating: str | None = None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxPayment:
    tax_type: str
    period: str
    amount: Decimal
    paid_on: datetime.date
    withholder: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxArrears:
    tax_type: str
    period: str
    amount: Decimal
    late_fee: Decimal
    since: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxPenalty:
    decision_number: str
    authority: str
    reason: str
    amount: Decimal
    decided_on: datetime.date
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxRecords:
    registration: TaxRegistration | None = None
    payments: list[TaxPayment] = field(default_factory=list)
    arrears: list[TaxArrears] = field(default_factory=list)
    penalties: list[TaxPenalty] = field(default_factory=list)
