"""Controls (查封、冻结、扣划、解除、续行): what the gateway asks an agency to do, and what came of
it.

A control changes the world, so unlike a read it must happen **exactly once**. The controls
service persists each control with its ``request_id`` before the first network attempt and reuses
that id on every attempt; agencies are idempotent on it (same body: the first result; another body
with the same id: rejected as a conflict).

Every attempt ends in a ``ControlOutcome``, never an exception:

* ``APPLIED``: the agency confirmed it, with its own reference;
* ``REJECTED``: the agency definitely did not apply it (it refused the request, or refused the
  gateway's credentials);
* ``UNKNOWN``: the gateway cannot tell (a timeout, a connection dropped after sending, a 5xx,
  a 429, a truncated or malformed answer). UNKNOWN is never "failed" and must be *reconciled*:
  ask the agency ``GET /v1/controls/{requestId}`` and adopt its answer; send the control again,
  with the **same** ``request_id``, only when the agency says it never saw it (404). Sending it
  under a new id could freeze or deduct twice.

The legal checks (a ruling number, the deduction ceiling, the maximum freeze period, no freezing
beyond the debt) belong to the controls service; these are plain values.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


class ControlAction(enum.Enum):
    """What the court asks the agency to do; the value is the agency contract's ``action``.

    ``SEIZE`` (查封) is its own action, not a kind of ``FREEZE`` (冻结): the law names them apart
    (查封 for real estate, vehicles and other things that are registered, 冻结 for deposits,
    equity, fund and securities), the assistance notice and the agency's register say which one
    it is, and their maximum periods differ (real estate 3 years, movables 2, deposits 1).
    """

    FREEZE = "freeze"  # 冻结
    SEIZE = "seize"  # 查封
    DEDUCT = "deduct"  # 扣划
    RELEASE = "release"  # 解除查封、冻结
    RENEW = "renew"  # 续行查封、冻结

    @property
    def label_zh(self) -> str:
        return _ACTION_ZH[self]


_ACTION_ZH = {
    ControlAction.FREEZE: "冻结",
    ControlAction.SEIZE: "查封",
    ControlAction.DEDUCT: "扣划",
    ControlAction.RELEASE: "解除",
    ControlAction.RENEW: "续行",
}


@dataclass(frozen=True, slots=True)
class ControlRequest:
    """One control as sent to an agency (``POST /v1/controls``).

    ``request_id`` is derived from the persisted control and never changes between attempts.
    """

    request_id: str
    action: ControlAction
    case_number: str  # canonical form (``CaseNumber.canonical``)
    ruling_number: str  # 执行裁定书文号
    notice_number: str  # 协助执行通知书文号
    asset_id: str  # the agency's identifier of the asset (account, parcel, holding, ...)
    amount: Decimal | None = None  # deductions, and freezes of a sum of money
    until: datetime.date | None = None  # last day of a freeze, a seizure or a renewal


class ControlStatus(enum.Enum):
    APPLIED = "APPLIED"  # the agency confirmed it
    REJECTED = "REJECTED"  # the agency definitely did not apply it
    UNKNOWN = "UNKNOWN"  # cannot tell: reconcile, never treat as failed (see the module docstring)


@dataclass(frozen=True, slots=True)
class ControlOutcome:
    """What one attempt at a control came to (or what the agency says of an earlier one).

    ``message_zh``/``message_en`` are safe to show a judge: the agency's own words are cut short
    and never hold the gateway's credentials. ``may_have_been_sent`` is False only when the
    request certainly never left the gateway (no connection could be made); an UNKNOWN outcome
    is reconciled either way, the flag only tells a judge whether the agency may have seen it.
    """

    status: ControlStatus
    reference: str | None = None  # the agency's reference for an applied control
    message_zh: str = ""
    message_en: str = ""
    http_status: int | None = None  # the agency's HTTP status, when it answered
    may_have_been_sent: bool = True
    applied_amount: Decimal | None = None  # what the agency actually froze or deducted
    queue_position: int | None = None  # a queued seizure (轮候查封): 1 = next in line

    @property
    def settled(self) -> bool:
        """True when the outcome is final (APPLIED or REJECTED); UNKNOWN must be reconciled."""
        return self.status is not ControlStatus.UNKNOWN

    @property
    def safe_message(self) -> str | None:
        if not self.message_zh and not self.message_en:
            return None
        return f"{self.message_zh} / {self.message_en}"


class OperationState(enum.Enum):
    """Where a persisted control operation stands.

    ``AWAITING_APPROVAL`` (a deduction waiting for a second judge) and ``DECLINED`` (the second
    judge refused it) never reach an agency. ``PENDING`` is committed before the first attempt;
    a ``PENDING`` operation found by the reconciler after its grace period was interrupted in
    flight and is treated as ``UNKNOWN``. ``APPLIED`` and ``REJECTED`` are terminal.
    """

    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    DECLINED = "DECLINED"
    PENDING = "PENDING"
    APPLIED = "APPLIED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def in_flight(self) -> bool:
        """Sent, or about to be, with no definite answer: counts as maybe applied."""
        return self in (OperationState.PENDING, OperationState.UNKNOWN)


_TERMINAL = frozenset({OperationState.APPLIED, OperationState.REJECTED, OperationState.DECLINED})


class LegalClass(enum.Enum):
    """How the law treats an asset's control: the maximum period, and whether it divides."""

    # 存款、理财: 冻结期限不超过一年
    MONEY = (1, True)
    # 不动产、土地、股权、公积金、证券: 不超过三年 (房产、土地不可分割)
    PROPERTY = (3, True)
    INDIVISIBLE = (3, False)

    def __init__(self, max_years: int, divisible: bool) -> None:
        self.max_years = max_years
        self.divisible = divisible


# asset class (``Asset.asset_class``) -> the law's treatment; unknown classes get the strictest
ASSET_LAW: dict[str, LegalClass] = {
    "deposits": LegalClass.MONEY,
    "wealth_products": LegalClass.MONEY,
    "fund_balance": LegalClass.PROPERTY,
    "securities": LegalClass.PROPERTY,
    "equity": LegalClass.PROPERTY,
    "real_estate": LegalClass.INDIVISIBLE,
    "land": LegalClass.INDIVISIBLE,
}


def legal_class(asset_class: str) -> LegalClass:
    return ASSET_LAW.get(asset_class, LegalClass.MONEY)


@dataclass(frozen=True, slots=True)
class Asset:
    """One asset an inquiry returned, as the controls see it (declared by each agency's spec).

    ``asset_id`` is the agency's own identifier, the one a control names (an account number, a
    real-estate unit number, a company's credit code). ``value`` is None when the registry holds
    no value (a house). ``held_for`` lists the case numbers under which the agency already holds
    a freeze or a seizure on it (this court's or another's).
    """

    agency: str
    asset_id: str
    asset_class: str
    value: Decimal | None
    currency: str = "CNY"
    label: str = ""
    held_for: tuple[str, ...] = ()

    @property
    def law(self) -> LegalClass:
        return legal_class(self.asset_class)


# The asset classes whose registered value is what the debtor could pay with today: deposits and
# wealth products (bank), the provident-fund balance, securities at market value. Equity (valued
# at the subscribed capital, not at what it would fetch), land (the historical grant price) and
# real estate (no value in the register) are left out: they say nothing reliable about paying.
COVERING_ASSET_CLASSES = frozenset({"deposits", "wealth_products", "fund_balance", "securities"})


# the most ``covering_value`` says: what its column holds (``Numeric(18, 2)``), more than any debt
MAX_COVERING_VALUE = Decimal("9999999999999999.99")


def covering_value(assets: Iterable[Asset]) -> Decimal:
    """What ``assets`` found towards a debt (a list lead's "assets cover the debt" sign): the
    values in CNY of the ``COVERING_ASSET_CLASSES``; other currencies are not converted and not
    counted, an asset without a value (or with a negative one) counts nothing. At most
    ``MAX_COVERING_VALUE``: an agency's absurd figures must not fail the row, and with it the
    inquiry's audit group and the whole answer."""
    total = sum(
        (
            a.value
            for a in assets
            if a.asset_class in COVERING_ASSET_CLASSES
            and a.currency == "CNY"
            and a.value is not None
            and a.value > 0
        ),
        Decimal(0),
    )
    return min(total, MAX_COVERING_VALUE)


@dataclass(frozen=True, slots=True)
class ControlOperation:
    """A control as the gateway persisted it: what was asked, by whom, and where it stands.

    ``request_id`` is derived from ``id`` and is the same on every attempt. ``target_id`` is the
    operation a release, a renewal or a deduction acts upon (the freeze or seizure); ``until`` is
    the last day of a freeze, a seizure, or a renewal's new end.
    """

    id: str
    request_id: str
    case_number: str
    court: str
    action: ControlAction
    agency: str
    asset_id: str
    asset_class: str
    subject_key: str
    inquiry_seq: int | None  # the audit entry of the inquiry that returned the asset
    ruling_number: str
    notice_number: str
    amount: Decimal | None
    held_value: Decimal | None  # what a freeze or seizure counts toward the case's total
    applied_amount: Decimal | None  # what the agency says it applied (a partial freeze)
    queue_position: int | None  # a queued seizure's place (轮候查封), None when in effect
    starts_on: datetime.date | None
    until: datetime.date | None
    target_id: str | None
    state: OperationState
    requested_by: str
    approved_by: str | None
    attempts: int
    reference: str | None
    message: str | None
    excess_reason: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def request(self) -> ControlRequest:
        """What is sent to the agency: identical on every attempt."""
        return ControlRequest(
            request_id=self.request_id,
            action=self.action,
            case_number=self.case_number,
            ruling_number=self.ruling_number,
            notice_number=self.notice_number,
            asset_id=self.asset_id,
            amount=self.amount,
            until=self.until,
        )


def request_id_for(operation_id: str) -> str:
    """The agency ``requestId`` of an operation: derived, so every attempt reuses it."""
    return f"ck-{operation_id}"
