"""The freeze register (查控台账) and the freeze plan (冻结方案).

* The register lists every freeze and seizure applied and still in force, with its start and
  end (renewals included), what is still held after deductions, and its place in a queue of
  seizures (轮候查封) as it stands today (``gateway.domain.seizure_queue``: a queued seizure
  moves up when an earlier one is released or lapses, and its dates begin when it takes
  effect; while queued it has none); ``expiring`` is a judge's renewal list.
* A plan proposes, from the latest inquiry in the case, what to freeze and how much to cover the
  unperformed amount and the execution fees without excess: cash-like assets first (deposits,
  wealth products, fund, securities, then equity and real estate), skipping assets another case
  already holds and assets this case holds; one indivisible asset (a house) only when the rest
  does not cover the debt. ``apply_plan`` makes its controls, each exactly once, through
  ``ControlService.submit`` (one idempotency key, bound to the mutation's own input).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from connectors.registry import AGENCIES
from gateway.auth.policy import check_control
from gateway.auth.principal import Principal
from gateway.domain.cases import CaseNumber
from gateway.domain.clock import court_date
from gateway.domain.control_rules import CaseLedger, ControlLimits, add_years, execution_fee
from gateway.domain.controls import Asset, ControlAction, ControlOperation
from gateway.domain.register import PartyRole
from gateway.services.cases import CaseNotFoundError
from gateway.services.controls import (
    ControlCommand,
    ControlService,
    as_queued,
    fingerprint_of,
    queue_today,
)
from gateway.store.controls import InquiryAnswer
from gateway.store.unit import Store

_ZERO = Decimal("0.00")
# the plan's order: cash-like first
PLAN_ORDER = ("deposits", "wealth_products", "fund_balance", "securities", "equity", "real_estate")
_WHOLE = frozenset({"securities"})  # held whole (the agency counts in shares)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """A freeze or seizure in force."""

    control: ControlOperation
    starts_on: datetime.date | None
    ends_on: datetime.date | None  # renewals included
    held: Decimal  # what is still held, after deductions
    days_left: int | None
    queue_position: int | None = None  # a seizure still queued (轮候查封): 1 is next in line


@dataclass(frozen=True, slots=True)
class PlanItem:
    asset: Asset
    action: ControlAction
    amount: Decimal | None  # None: the whole asset (a house, a holding)
    until: datetime.date
    reason: str


@dataclass(frozen=True, slots=True)
class FreezePlan:
    case_number: str
    unperformed: Decimal
    fees: Decimal
    already_held: Decimal
    items: tuple[PlanItem, ...]
    shortfall: Decimal  # what the plan still leaves uncovered


class FreezeDesk:
    """The register and the plans of the gateway's courts."""

    def __init__(
        self,
        store: Store,
        controls: ControlService,
        *,
        limits: ControlLimits | None = None,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._controls = controls
        self._limits = limits or ControlLimits()
        self._clock = clock

    async def register(
        self,
        court: str,
        *,
        case_number: CaseNumber | None = None,
        requested_by: Collection[str] | None = None,
        within_days: int | None = None,
    ) -> list[RegisterEntry]:
        """The court's freezes and seizures in force, soonest end first; with ``requested_by``,
        only those whose requester is one of these names (``Principal.names``)."""
        today = court_date(self._clock())
        ends_before = None if within_days is None else today + datetime.timedelta(within_days)
        async with self._store.read() as unit:
            holds = await unit.controls.applied_in_force(
                court=court,
                case_numbers=None if case_number is None else [case_number.canonical],
            )
            acting = await unit.controls.targeting([h.id for h in holds])
            # a seizure queued when it was applied: where the queue stands today
            standing = await queue_today(unit, holds, today)
        ledger = CaseLedger.of([*holds, *acting])
        entries = []
        for holding in ledger.holdings.values():
            control = holding.control
            if requested_by is not None and control.requested_by not in requested_by:
                continue
            until = holding.until
            if control.queue_position is not None and control.id in standing:
                until = standing[control.id].until
                control = as_queued(control, standing)
            starts_on = control.starts_on
            if holding.released or (until is not None and until < today):
                continue
            if ends_before is not None and (until is None or until > ends_before):
                continue
            days = None if until is None else (until - today).days
            entries.append(
                RegisterEntry(
                    control, starts_on, until, holding.remaining, days, control.queue_position
                )
            )
        entries.sort(key=lambda e: (e.ends_on or datetime.date.max, e.control.id))
        return entries

    async def plan(self, principal: Principal, case_number: CaseNumber) -> FreezePlan:
        """What to freeze in the case, from its latest inquiry (see the module docstring)."""
        today = court_date(self._clock())
        async with self._store.read() as unit:
            case = await unit.cases.get(case_number)
            check_control(principal, case)
            if case is None:
                raise CaseNotFoundError(case_number)
            ledger = CaseLedger.of(await unit.controls.for_case(case_number.canonical))
            answers = await unit.controls.answers(case_number.canonical)
        debtors = {p.key for p in case.parties if p.role is PartyRole.DEBTOR}
        fees = execution_fee(case.obligation)
        owed = max(_ZERO, case.unperformed - ledger.deductions_in_flight)
        held = ledger.frozen_value(today)
        need = max(_ZERO, owed + fees - held)
        ceiling = need * (1 + self._limits.excess_margin)
        candidates = _candidates(answers, debtors, case_number.canonical, ledger, today)
        items: list[PlanItem] = []
        for asset in sorted(candidates, key=_rank):
            if need <= 0:
                break
            action = (
                ControlAction.SEIZE if asset.asset_class == "real_estate" else ControlAction.FREEZE
            )
            if action.value not in AGENCIES.spec(asset.agency).controls:
                continue
            until = add_years(today, asset.law.max_years) - datetime.timedelta(days=1)
            if not asset.law.divisible:
                continue  # indivisible assets come last, one at most
            if asset.value is None or asset.value <= 0:
                continue
            if asset.asset_class in _WHOLE:
                if asset.value > ceiling:
                    continue
                items.append(PlanItem(asset, action, None, until, "整项冻结 / held whole"))
                need -= asset.value
                ceiling -= asset.value
                continue
            amount = min(asset.value, need)
            items.append(PlanItem(asset, action, amount, until, "现金类优先 / cash-like first"))
            need -= amount
            ceiling -= amount
        if need > 0 and ledger.indivisible_beyond(today) is None:  # one per case at most
            house = next((a for a in sorted(candidates, key=_rank) if not a.law.divisible), None)
            if house is not None and "seize" in AGENCIES.spec(house.agency).controls:
                until = add_years(today, house.law.max_years) - datetime.timedelta(days=1)
                items.append(
                    PlanItem(
                        house,
                        ControlAction.SEIZE,
                        None,
                        until,
                        "其余财产不足，查封一项不可分割财产 / the rest falls short: one "
                        "indivisible asset",
                    )
                )
                need = _ZERO
        return FreezePlan(
            case_number.canonical, case.unperformed, fees, held, tuple(items), max(_ZERO, need)
        )

    async def apply_plan(
        self,
        principal: Principal,
        request_id: str,
        case_number: CaseNumber,
        ruling_number: str,
        notice_number: str,
        idempotency_key: str,
    ) -> list[ControlOperation]:
        """Make the plan's controls, each exactly once; a replayed key answers the first time's."""
        fingerprint = fingerprint_of(
            ["plan", case_number.canonical, ruling_number.strip(), notice_number.strip()]
        )
        plan = await self.plan(principal, case_number)
        commands = [
            ControlCommand(
                item.action,
                case_number,
                ruling_number,
                notice_number,
                item.asset.agency,
                item.asset.asset_id,
                item.amount,
                item.until,
            )
            for item in plan.items
        ]
        return await self._controls.submit(
            principal,
            request_id,
            commands,
            idempotency_key,
            fingerprint=fingerprint,
            court=case_number.court,
        )


def _rank(asset: Asset) -> tuple[int, str]:
    order = PLAN_ORDER.index(asset.asset_class) if asset.asset_class in PLAN_ORDER else 99
    return order, asset.asset_id


def _candidates(
    answers: Sequence[InquiryAnswer],
    debtors: set[str],
    case_number: str,
    ledger: CaseLedger,
    today: datetime.date,
) -> list[Asset]:
    found: dict[tuple[str, str], Asset] = {}
    for answer in answers:
        if answer.subject_key not in debtors:
            continue
        for asset in answer.assets:
            if any(c != case_number for c in asset.held_for):
                continue  # another court's case holds it
            if ledger.holding_on(asset.agency, asset.asset_id, today) is not None:
                continue  # this case holds it already
            found.setdefault((asset.agency, asset.asset_id), asset)
    return list(found.values())
