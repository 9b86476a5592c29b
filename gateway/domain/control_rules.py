"""The legal checks a control passes before any call to an agency (查控的合法性审查).

Each refusal is a ``ControlCheckError`` with a stable code and a message in Chinese and English:

==========================  =================================================================
``RULING_NUMBER_REQUIRED``  no enforcement ruling number (执行裁定书文号)
``NOTICE_NUMBER_REQUIRED``  no assistance notice number (协助执行通知书文号)
``ASSET_NOT_FROM_INQUIRY``  no inquiry in this case returned the asset
``NOT_A_DEBTOR``            the asset was returned for a lead or a creditor, not a debtor
``ACTION_NOT_SUPPORTED``    the agency does not take this action (a deduction of a house)
``AMOUNT_REQUIRED``         a deduction without an amount (a freeze without one holds it all)
``AMOUNT_NOT_ALLOWED``      an amount on a seizure, or on securities (held whole)
``PERIOD_REQUIRED``         a freeze, seizure or renewal without its last day, or with one
                            not after its first (a day already past)
``PERIOD_TOO_LONG``         beyond the legal maximum of the asset class (1 or 3 years)
``NO_CONTROL_IN_FORCE``     a release, renewal or deduction with nothing of this case in force
``CONTROL_IN_FLIGHT``       a release or renewal while a freeze, seizure or renewal of the case
                            on the asset is still being sent or reconciled (outcome unknown)
``RENEWAL_AFTER_EXPIRY``    a renewal once the freeze has lapsed (it cannot be revived)
``DEDUCTION_EXCEEDS_FROZEN``       more than what is frozen on that asset for the case
``DEDUCTION_EXCEEDS_UNPERFORMED``  more than the case's unperformed amount
``EXCESSIVE_FREEZE``        the case's frozen value would exceed the debt, fees and margin, or
                            one indivisible asset is already held beyond them for the case
==========================  =================================================================

Only in-force figures count: a deduction applied or still in flight (``PENDING``, ``UNKNOWN``,
or awaiting approval) is taken off the frozen amount and off the unperformed amount (an applied
deduction has already raised the case's performed amount, so it is not counted twice). A freeze
in flight counts as frozen. ``CaseLedger`` folds a case's operations into these figures.

A case may hold an asset more than once (a second freeze of the same account). The agency acts on
the case's holds of the asset together (``docs/agency-contract.md``): a deduction takes from all
that the case froze there, a release lifts every hold, a renewal extends every hold in effect. So
the ledger does too: what a case holds on an asset is the sum of its holds there less its
deductions there, and a release or an applied renewal acts on every hold of the asset made before
it.

An indivisible asset (a house, land) whose value is unknown, or beyond the ceiling, may be held
only as *the one* asset still needed: while one such is held for the case (in force, or in
flight), no other indivisible asset may be frozen or seized. A house counts 0 toward the case's
total (its value is unknown), so without this rule any number of houses would pass.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.domain.clock import court_date
from gateway.domain.controls import (
    Asset,
    ControlAction,
    ControlOperation,
    OperationState,
    legal_class,
)
from gateway.domain.errors import InvalidInputError

_ZERO = Decimal("0.00")
_HOLDING = (ControlAction.FREEZE, ControlAction.SEIZE)
# asset classes whose agency counts a control's amount in units (shares), not yuan: a freeze of
# them holds the whole asset, at its value
_COUNTED_IN_UNITS = frozenset({"securities"})


def counted_in_units(asset_class: str) -> bool:
    """True when the agency counts a control's amount in units (shares), not yuan."""
    return asset_class in _COUNTED_IN_UNITS


class ControlCheckError(InvalidInputError):
    """A control the law does not allow as asked; ``code`` names the rule."""

    code = "CONTROL_REFUSED"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def execution_fee(obligation: Decimal) -> Decimal:
    """执行申请费 (诉讼费用交纳办法 第十四条): 50 yuan up to 10,000, then by tranche."""
    tranches = (
        (Decimal(500_000), Decimal("0.015")),
        (Decimal(5_000_000), Decimal("0.01")),
        (Decimal(10_000_000), Decimal("0.005")),
    )
    fee = Decimal(50)
    lower = Decimal(10_000)
    for upper, rate in tranches:
        if obligation > lower:
            fee += (min(obligation, upper) - lower) * rate
        lower = upper
    if obligation > lower:
        fee += (obligation - lower) * Decimal("0.001")
    return fee.quantize(Decimal("0.01"))


@dataclass(slots=True)
class Holding:
    """One freeze or seizure of the case, with what acts on it (renewals, deductions)."""

    control: ControlOperation
    until: datetime.date | None
    deducted: Decimal = _ZERO  # applied (what the agency deducted) or in flight (what was asked)
    released: bool = False  # a release applied or in flight

    @property
    def held(self) -> Decimal:
        """The value frozen: the agency's applied amount where it said (in yuan), else what was
        asked; a seizure of unknown value counts 0."""
        control = self.control
        held = control.held_value
        if control.applied_amount is not None and control.asset_class not in _COUNTED_IN_UNITS:
            held = control.applied_amount if held is None else min(held, control.applied_amount)
        return held or _ZERO

    @property
    def remaining(self) -> Decimal:
        """The value still held by this hold alone: ``held`` less the deductions made against it
        (``CaseLedger.remaining_on`` counts an asset's holds together, as the agency does)."""
        return max(_ZERO, self.held - self.deducted)

    @property
    def in_flight(self) -> bool:
        """Sent, or about to be, without a definite answer yet."""
        return self.control.state.in_flight

    def in_force(self, today: datetime.date) -> bool:
        return not self.released and (self.until is None or self.until >= today)


@dataclass(slots=True)
class CaseLedger:
    """A case's controls folded into what the checks need; ``add`` keeps it current while a
    plan's controls are checked one after the other."""

    holdings: dict[str, Holding] = field(default_factory=dict)  # by the freeze's id
    deductions_in_flight: Decimal = _ZERO  # not yet in the case's performed amount
    renewing: set[tuple[str, str]] = field(default_factory=set)  # (agency, asset): in flight

    @classmethod
    def of(cls, operations: Iterable[ControlOperation]) -> CaseLedger:
        ledger = cls()
        ops = list(operations)
        # the freezes first, then what acts on them (their times may tie)
        for op in sorted(ops, key=lambda o: o.action not in _HOLDING):
            ledger.add(op)
        return ledger

    def add(self, op: ControlOperation) -> None:
        live = op.state.in_flight or op.state in (
            OperationState.APPLIED,
            OperationState.AWAITING_APPROVAL,
        )
        if not live:
            return
        if op.action in _HOLDING:
            self.holdings[op.id] = Holding(op, op.until)
            return
        holding = self.holdings.get(op.target_id or "")
        if holding is None:
            return
        if op.action is ControlAction.DEDUCT:
            if op.state is OperationState.APPLIED:
                # what the agency deducted, where it said (a part of what was asked), as the
                # case's performed amount counts it
                applied = op.amount if op.applied_amount is None else op.applied_amount
                holding.deducted += applied or _ZERO
            else:
                holding.deducted += op.amount or _ZERO
                self.deductions_in_flight += op.amount or _ZERO
        elif op.action is ControlAction.RELEASE:
            for other in self._before(holding, op):
                other.released = True
        elif op.action is ControlAction.RENEW and op.state.in_flight:
            self.renewing.add((op.agency, op.asset_id))
        elif op.action is ControlAction.RENEW and op.state is OperationState.APPLIED:
            renewed_on = court_date(op.created_at)
            for other in self._before(holding, op):
                if other.until is None or renewed_on <= other.until < (op.until or other.until):
                    other.until = op.until

    def _before(self, holding: Holding, op: ControlOperation) -> list[Holding]:
        """The case's holds of ``holding``'s asset made no later than ``op`` (a freeze made
        after a release is not released by it), ``holding`` always among them; never another
        case's (the court's register folds every case's controls into one ledger)."""
        control = holding.control
        return [
            h
            for h in self.holdings.values()
            if h is holding
            or (
                h.control.case_number == control.case_number
                and h.control.agency == control.agency
                and h.control.asset_id == control.asset_id
                and h.control.created_at <= op.created_at
            )
        ]

    def on_asset(self, agency: str, asset_id: str, today: datetime.date) -> list[Holding]:
        """The case's holds of the asset in force today, oldest first."""
        return [
            h
            for h in self.holdings.values()
            if h.control.agency == agency and h.control.asset_id == asset_id and h.in_force(today)
        ]

    def remaining_on(self, agency: str, asset_id: str, today: datetime.date) -> Decimal:
        """What the case still holds on the asset: its holds in force there less the deductions
        from them (the agency deducts from them together)."""
        holds = self.on_asset(agency, asset_id, today)
        held = sum((h.held for h in holds), start=_ZERO)
        return max(_ZERO, held - sum((h.deducted for h in holds), start=_ZERO))

    def holding_on(self, agency: str, asset_id: str, today: datetime.date) -> Holding | None:
        """The case's freeze or seizure in force on the asset (the latest), if any."""
        found = self.on_asset(agency, asset_id, today)
        return found[-1] if found else None

    def frozen_value(self, today: datetime.date) -> Decimal:
        assets = {
            (h.control.agency, h.control.asset_id)
            for h in self.holdings.values()
            if h.in_force(today)
        }
        return sum(
            (self.remaining_on(agency, asset_id, today) for agency, asset_id in assets),
            start=_ZERO,
        )

    def indivisible_beyond(self, today: datetime.date) -> Holding | None:
        """The indivisible asset the case holds beyond the ceiling (allowed with its reason) or
        at an unknown value, in force or in flight: the one the exception allows, if any."""
        for holding in self.holdings.values():
            control = holding.control
            if (
                holding.in_force(today)
                and not legal_class(control.asset_class).divisible
                and (control.excess_reason is not None or control.held_value is None)
            ):
                return holding
        return None


@dataclass(frozen=True, slots=True)
class ControlLimits:
    """The configurable part of the checks."""

    excess_margin: Decimal = Decimal("0.10")  # of (unperformed + fees) allowed above them


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the checks decided for an allowed control."""

    target: ControlOperation | None = None  # the freeze a deduction, release or renewal acts on
    held_value: Decimal | None = None  # what a freeze or seizure counts toward the case's total
    excess_reason: str | None = None  # why an indivisible asset beyond the debt is allowed
    starts_on: datetime.date | None = None


def refuse(code: str, zh: str, en: str) -> ControlCheckError:
    return ControlCheckError(zh, en, code=code)


def check_documents(ruling_number: str, notice_number: str) -> None:
    if not ruling_number.strip():
        raise refuse(
            "RULING_NUMBER_REQUIRED",
            "缺少执行裁定书文号",
            "the enforcement ruling number is missing",
        )
    if not notice_number.strip():
        raise refuse(
            "NOTICE_NUMBER_REQUIRED",
            "缺少协助执行通知书文号",
            "the assistance notice number is missing",
        )


def check_period(
    action: ControlAction, asset: Asset, until: datetime.date | None, start: datetime.date
) -> None:
    """A freeze, seizure or renewal ends on ``until``: after ``start``, within the maximum."""
    if until is None:
        raise refuse(
            "PERIOD_REQUIRED",
            f"{action.label_zh}须写明期限（截止日）",
            f"a {action.value} needs its last day (until)",
        )
    if until <= start:  # no period at all: a day already past, or the first day itself
        raise refuse(
            "PERIOD_REQUIRED",
            f"{action.label_zh}的截止日 {until} 应晚于起始日 {start}",
            f"a {action.value}'s last day ({until}) must come after its first ({start})",
        )
    years = asset.law.max_years
    latest = add_years(start, years)
    if until > latest:
        raise refuse(
            "PERIOD_TOO_LONG",
            f"{action.label_zh}期限应不超过 {years} 年（至迟 {latest}），所填为 {until}",
            f"a {action.value} must end within {years} year(s) (on {latest} at the latest), "
            f"not on {until}",
        )


def check_rules(
    *,
    action: ControlAction,
    asset: Asset,
    amount: Decimal | None,
    until: datetime.date | None,
    ledger: CaseLedger,
    unperformed: Decimal,
    obligation: Decimal,
    today: datetime.date,
    limits: ControlLimits,
    supported: Sequence[str],
) -> Verdict:
    """The checks that depend on the asset and the case's ledger (documents and the debtor are
    checked before); returns the verdict, or raises ``ControlCheckError``."""
    if action.value not in supported:
        raise refuse(
            "ACTION_NOT_SUPPORTED",
            f"{asset.agency} 不办理对该财产的{action.label_zh}",
            f"{asset.agency} does not take a {action.value} of this asset",
        )
    if action in _HOLDING:
        return _check_hold(
            action, asset, amount, until, ledger, unperformed, obligation, today, limits
        )
    holding = ledger.holding_on(asset.agency, asset.asset_id, today)
    if holding is None:
        lapsed = any(
            h.control.agency == asset.agency
            and h.control.asset_id == asset.asset_id
            and not h.released
            for h in ledger.holdings.values()
        )
        if action is ControlAction.RENEW and lapsed:
            raise refuse(
                "RENEWAL_AFTER_EXPIRY",
                "冻结（查封）已到期失效，不能续行，只能重新冻结（查封）",
                "the freeze or seizure has lapsed: it cannot be renewed, only made again",
            )
        raise refuse(
            "NO_CONTROL_IN_FORCE",
            f"本案对该财产没有有效的冻结或查封，不能{action.label_zh}",
            f"no freeze or seizure of this case is in force on the asset: no {action.value}",
        )
    if action in (ControlAction.RELEASE, ControlAction.RENEW) and (
        any(h.in_flight for h in ledger.on_asset(asset.agency, asset.asset_id, today))
        or (asset.agency, asset.asset_id) in ledger.renewing
    ):
        # the agency acts on the holds it has: one applied after this would outlive a release
        raise refuse(
            "CONTROL_IN_FLIGHT",
            f"本案对该财产的冻结或查封尚在办理中（结果未定），请待其结果确定后再{action.label_zh}",
            f"a freeze or seizure of this case on the asset is still in flight (its outcome "
            f"unknown): {action.value} it once that is settled",
        )
    if action is ControlAction.RENEW:
        start = holding.until or today
        check_period(action, asset, until, start)
    elif action is ControlAction.DEDUCT:
        _check_deduction(amount, holding, ledger, unperformed, today)
    return Verdict(target=holding.control, starts_on=today)


def check_approved_deduction(
    op: ControlOperation, ledger: CaseLedger, unperformed: Decimal, today: datetime.date
) -> None:
    """A deduction awaiting approval, checked again as it is approved, against the case's
    ledger without it: since it was asked for, the freeze may have been released or lapsed, or
    other deductions made."""
    holding = ledger.holding_on(op.agency, op.asset_id, today)
    if holding is None:
        raise refuse(
            "NO_CONTROL_IN_FORCE",
            "本案对该财产已没有有效的冻结，不能扣划",
            "no freeze of this case is in force on the asset any more: no deduction",
        )
    _check_deduction(op.amount, holding, ledger, unperformed, today)


def _check_deduction(
    amount: Decimal | None,
    holding: Holding,
    ledger: CaseLedger,
    unperformed: Decimal,
    today: datetime.date,
) -> None:
    if amount is None or amount <= 0:
        raise refuse("AMOUNT_REQUIRED", "扣划须写明金额", "a deduction needs an amount")
    frozen = ledger.remaining_on(holding.control.agency, holding.control.asset_id, today)
    if amount > frozen:
        raise refuse(
            "DEDUCTION_EXCEEDS_FROZEN",
            f"扣划金额 {amount} 超过该财产上本案冻结的余额 {frozen}",
            f"the deduction {amount} exceeds what this case holds frozen on the asset ({frozen})",
        )
    owed = unperformed - ledger.deductions_in_flight
    if amount > owed:
        raise refuse(
            "DEDUCTION_EXCEEDS_UNPERFORMED",
            f"扣划金额 {amount} 超过本案未履行金额 {max(owed, _ZERO)}（已计入处理中的扣划）",
            f"the deduction {amount} exceeds the case's unperformed amount {max(owed, _ZERO)} "
            "(deductions in flight counted)",
        )


def _check_hold(
    action: ControlAction,
    asset: Asset,
    amount: Decimal | None,
    until: datetime.date | None,
    ledger: CaseLedger,
    unperformed: Decimal,
    obligation: Decimal,
    today: datetime.date,
    limits: ControlLimits,
) -> Verdict:
    check_period(action, asset, until, today)
    divisible = asset.law.divisible
    whole = action is ControlAction.SEIZE or asset.asset_class in _COUNTED_IN_UNITS
    if whole and amount is not None:
        raise refuse(
            "AMOUNT_NOT_ALLOWED",
            f"{action.label_zh}该财产针对整项财产，不写金额",
            f"a {action.value} of this asset holds all of it: leave the amount out",
        )
    if amount is not None and amount <= 0:
        raise refuse("AMOUNT_REQUIRED", "金额须大于零", "the amount must be more than zero")
    if not divisible:
        _check_one_indivisible(action, ledger, today)
    # no amount: the whole asset, at its value (unknown for a house)
    value = amount if amount is not None else asset.value
    fees = execution_fee(obligation)
    owed = max(_ZERO, unperformed - ledger.deductions_in_flight)
    ceiling = ((owed + fees) * (1 + limits.excess_margin)).quantize(Decimal("0.01"))
    frozen = ledger.frozen_value(today)
    if value is not None and frozen + value <= ceiling:
        return Verdict(starts_on=today, held_value=value)
    if not divisible and frozen < owed + fees:
        # the one indivisible asset still needed: allowed beyond the debt, with its reason
        reason = (
            f"不可分割财产（{asset.asset_class}），本案已冻结 {frozen}，不足未履行金额加执行费 "
            f"{owed + fees} / indivisible asset ({asset.asset_class}): the case holds {frozen}, "
            f"less than the unperformed amount and fees {owed + fees}"
        )
        return Verdict(starts_on=today, excess_reason=reason, held_value=value)
    shown = "全部" if value is None else str(value)
    raise refuse(
        "EXCESSIVE_FREEZE",
        f"超标的查控：本案已冻结 {frozen}，再{action.label_zh} {shown} 将超过未履行金额、执行费与"
        f"允许幅度之和 {ceiling}",
        f"excessive control: the case already holds {frozen}; another {shown} would exceed the "
        f"unperformed amount, the fees and the allowed margin ({ceiling})",
    )


def _check_one_indivisible(action: ControlAction, ledger: CaseLedger, today: datetime.date) -> None:
    """Only one indivisible asset beyond the debt (or of unknown value) per case: a second one
    would hold more than needed, though a house counts 0 toward the case's total."""
    held = ledger.indivisible_beyond(today)
    if held is None:
        return
    kind = held.control.asset_class
    raise refuse(
        "EXCESSIVE_FREEZE",
        f"超标的查控：本案已{held.control.action.label_zh}一项不可分割财产（{kind}），"
        f"不能再{action.label_zh}不可分割财产",
        f"excessive control: one indivisible asset ({kind}) is already held for this case; "
        f"no {action.value} of another indivisible asset",
    )
