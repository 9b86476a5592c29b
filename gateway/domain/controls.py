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

    @property
    def settled(self) -> bool:
        """True when the outcome is final (APPLIED or REJECTED); UNKNOWN must be reconciled."""
        return self.status is not ControlStatus.UNKNOWN

    @property
    def safe_message(self) -> str | None:
        if not self.message_zh and not self.message_en:
            return None
        return f"{self.message_zh} / {self.message_en}"
