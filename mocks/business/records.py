"""The business mock's own records, as it keeps them; ``mocks.wire.plain`` makes them JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class EnterpriseRole:
    uscc: str
    name: str
    roles: list[str] = field(default_factory=list)
    share_ratio: Decimal | None = None
    enterprise_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EquityHolding:
    uscc: str
    company: str
    share_ratio: Decimal
    subscribed_capital: Decimal
    paid_in_capital: Decimal
    subscribed_on: datetime.date
    asset_id: str | None = None  # 查控标识: what a control names


@dataclass(frozen=True, slots=True, kw_only=True)
class EquityFreeze:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationEvent:
    uscc: str
    company: str
    event: str
    item: str | None = None
    before: str | None = None
    after: str | None = None
    date: datetime.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Shareholder:
    name: str
    kind: str
    identifier: str | None = None
    share_ratio: Decimal
    subscribed_capital: Decimal
    paid_in_capital: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Branch:
    uscc: str
    name: str
    address: str
    status: str
    principal: str | None = None
    established_on: datetime.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessRecords:
    registration: Registration | None = None
    shareholders: list[Shareholder] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    enterprises: list[EnterpriseRole] = field(default_factory=list)
    equity_holdings: list[EquityHolding] = field(default_factory=list)
    equity_freezes: list[EquityFreeze] = field(default_factory=list)
    events: list[RegistrationEvent] = field(default_factory=list)
