"""The insurance mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class InsuranceWealthProduct:
    insurer: str
    product_code: str
    product_name: str
    product_type: str
    account_value: Decimal
    purchased_on: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyFreeze:
    policy_number: str
    insurer: str
    court: str
    case_number: str
    frozen_from: datetime.date
    frozen_until: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class InsuranceRecords:
    policies: list[Policy] = field(default_factory=list)
    wealth_products: list[InsuranceWealthProduct] = field(default_factory=list)
    freezes: list[PolicyFreeze] = field(default_factory=list)
