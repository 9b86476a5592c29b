"""A mock agency's ledger of controls: what it holds on each asset, and every control it received.

The five controlling mocks (bank, fund, land, business, securities) keep one ``Ledger`` each.
An asset enters the ledger when an inquiry answer names it (``register``: a real agency knows
all its assets, a mock knows those it has generated), with the freezes and seizures the
agency's records already show. ``control`` applies one ``POST /v1/controls`` under the rules
an agency applies:

* freeze (money and units): ``until`` after today and within the legal maximum (deposits and
  wealth products 1 year, the rest 3); no amount freezes all that is available; more than is
  available freezes what is (``appliedAmount`` says how much); nothing available is rejected;
* seize (real estate and land, indivisible): on a unit already seized it queues (轮候查封,
  ``queuePosition``); a queued seizure takes effect when the one before it is released or
  lapses, and its period runs from then;
* deduct (money with the ``deduct`` action): only from what this case froze on the asset;
* release: every hold of this case on the asset, in effect or queued; none is a rejection;
* renew: this case's hold in effect, before it lapses, to a later day within the maximum.

Idempotent on ``requestId``: a repeat with the same body returns the first answer (and changes
nothing), another body is ``ControlConflictError``. Rejections are answers too, remembered
like the rest. Every method is synchronous, so in one event loop a control is applied
atomically: concurrent duplicates cannot both apply. ``snapshot()`` is what the harness
exposes (``GET /_mock/ledger``) to check that each control was applied exactly once.
"""

from __future__ import annotations

import datetime
import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mocks.wire import ControlBody

ZERO = Decimal(0)


_CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")


class AssetKind(enum.Enum):
    """How an agency controls an asset."""

    MONEY = "money"  # yuan: frozen in part or whole, deducted where the agency deducts
    UNITS = "units"  # shares or yuan of contribution: frozen in part or whole, never deducted
    PROPERTY = "property"  # a unit or a parcel: seized whole, seizures queue


@dataclass(frozen=True, slots=True)
class ExistingHold:
    """A freeze or seizure the agency's records show before any control (another court's)."""

    case_number: str
    until: datetime.date
    amount: Decimal | None = None  # None: the whole asset
    starts_on: datetime.date | None = None
    waiting: bool = False  # a queued seizure


@dataclass(frozen=True, slots=True)
class AssetSeed:
    """An asset as an inquiry answer shows it, for ``Ledger.register``."""

    asset_id: str
    kind: AssetKind
    balance: Decimal  # money: yuan; units: quantity; property: 1
    max_years: int  # the longest freeze or seizure the law allows on it
    holds: tuple[ExistingHold, ...] = ()
    aliases: tuple[str, ...] = ()  # other ids it is known by (a company's code, a product code)
    deductible: bool = False


@dataclass(slots=True)
class Hold:
    reference: str
    case_number: str
    action: str  # freeze | seize
    amount: Decimal | None  # what it holds now (deductions take from it); None: the whole asset
    until: datetime.date
    period_days: int  # a queued seizure's period, counted from when it takes effect
    state: str  # active | queued | released | lapsed
    starts_on: datetime.date | None
    request_id: str | None = None  # None: in the records before any control


@dataclass(slots=True)
class Asset:
    seed: AssetSeed
    balance: Decimal
    holds: list[Hold] = field(default_factory=list)

    def active(self, case_number: str | None = None) -> list[Hold]:
        return [
            h for h in self.holds if h.state == "active" and case_number in (None, h.case_number)
        ]

    def queued(self) -> list[Hold]:
        return [h for h in self.holds if h.state == "queued"]

    @property
    def available(self) -> Decimal:
        held = sum((h.amount or ZERO for h in self.active()), ZERO)
        return max(ZERO, self.balance - held)


@dataclass(slots=True)
class Received:
    """One requestId: what it asked and the first answer."""

    body: ControlBody
    answer: dict[str, Any]


class ControlConflictError(Exception):
    """The requestId was already used for another body (HTTP 409)."""


class Ledger:
    """One mock agency's assets and controls (see the module docstring)."""

    def __init__(self, agency: str, *, today: datetime.date | None = None) -> None:
        self.agency = agency
        self.fixed_today = today  # None: the wall clock's date
        self.assets: dict[str, Asset] = {}
        # counted apart from ``received``, so that a lapse of idempotency would show as a
        # second application rather than overwrite the first
        self.deliveries: Counter[str] = Counter()  # requestId -> controls the ledger was given
        self.applications: Counter[str] = Counter()  # requestId -> changes to the ledger
        self.aliases: dict[str, set[str]] = {}
        self.received: dict[str, Received] = {}
        self._sequence = 0

    @property
    def today(self) -> datetime.date:
        # an agency in China dates its registers in China Standard Time, whatever the host's zone
        return self.fixed_today or datetime.datetime.now(_CHINA).date()

    def register(self, seeds: Iterable[AssetSeed]) -> None:
        """Add assets an inquiry answer named; an asset already known keeps its state."""
        for seed in seeds:
            if seed.asset_id in self.assets:
                continue
            asset = Asset(seed, seed.balance)
            for number, existing in enumerate(seed.holds):
                asset.holds.append(_existing(seed, existing, f"{self.agency}-R{number + 1:03d}"))
            self.assets[seed.asset_id] = asset
            for alias in seed.aliases:
                self.aliases.setdefault(alias, set()).add(seed.asset_id)

    def asset(self, asset_id: str) -> Asset | None:
        """The asset by its id, or by an alias exactly one known asset has."""
        found = self.assets.get(asset_id)
        if found is None and len(ids := self.aliases.get(asset_id, set())) == 1:
            found = self.assets[next(iter(ids))]
        if found is not None:
            self._settle(found)
        return found

    def control(self, body: ControlBody) -> tuple[dict[str, Any], bool]:
        """Apply ``body`` once: (the answer, whether it is a replay of the first one).

        Raises ``ControlConflictError`` when the requestId came before with another body.
        """
        earlier = self.received.get(body.request_id)
        if earlier is not None:
            if earlier.body != body:
                raise ControlConflictError(body.request_id)
            self.deliveries[body.request_id] += 1
            return earlier.answer, True
        self.deliveries[body.request_id] += 1
        received = Received(body, {})
        self.received[body.request_id] = received
        try:
            received.answer = self._apply(body)
        except _RejectedError as rejected:
            received.answer = {
                "requestId": body.request_id,
                "status": "rejected",
                "reason": f"{rejected.zh} / {rejected.en}",
            }
        except Exception:
            del self.received[body.request_id]  # not an answer: the agency failed
            self.deliveries[body.request_id] -= 1
            raise
        return received.answer, False

    def status(self, request_id: str) -> dict[str, Any] | None:
        """The first answer to ``request_id``, or None when it never came."""
        received = self.received.get(request_id)
        return None if received is None else received.answer

    def snapshot(self) -> dict[str, Any]:
        """Every control received and every asset a control named, as JSON."""
        named = {r.body.asset_id for r in self.received.values()}
        assets = {}
        for asset_id in sorted(named):
            asset = self.asset(asset_id)
            if asset is not None:
                assets[asset.seed.asset_id] = _asset_json(asset)
        return {
            "agency": self.agency,
            "today": self.today.isoformat(),
            "controls": {
                request_id: {
                    "action": r.body.action,
                    "assetId": r.body.asset_id,
                    "caseNumber": r.body.case_number,
                    "amount": None if r.body.amount is None else plain_decimal(r.body.amount),
                    "until": None if r.body.until is None else r.body.until.isoformat(),
                    "deliveries": self.deliveries[request_id],
                    "applications": self.applications[request_id],
                    "answer": r.answer,
                }
                for request_id, r in self.received.items()
            },
            "assets": assets,
        }

    # --- the rules ---------------------------------------------------------------------

    def _apply(self, body: ControlBody) -> dict[str, Any]:
        asset = self.asset(body.asset_id)
        if asset is None:
            raise _RejectedError("查无此财产", "no such asset")
        if body.amount is not None and body.amount <= 0:
            raise _RejectedError("金额应大于零", "the amount must be more than zero")
        apply: Callable[[Asset, ControlBody], dict[str, Any]] = getattr(self, f"_{body.action}")
        answer = {"requestId": body.request_id, "status": "applied"} | apply(asset, body)
        self.applications[body.request_id] += 1
        return answer

    def _freeze(self, asset: Asset, body: ControlBody) -> dict[str, Any]:
        if asset.seed.kind is AssetKind.PROPERTY:
            raise _RejectedError(
                "不动产应查封而非冻结", "real estate and land are seized, not frozen"
            )
        until = self._period(asset, body.until)
        available = asset.available
        if available <= 0:
            raise _RejectedError("无可冻结的余额", "nothing is available to freeze")
        amount = available if body.amount is None else min(body.amount, available)
        reference = self._reference()
        days = (until - self.today).days
        asset.holds.append(
            Hold(reference, body.case_number, "freeze", amount, until, days, "active",
                 self.today, body.request_id)
        )  # fmt: skip
        return {"reference": reference, "appliedAmount": plain_decimal(amount)}

    def _seize(self, asset: Asset, body: ControlBody) -> dict[str, Any]:
        if asset.seed.kind is not AssetKind.PROPERTY:
            raise _RejectedError("该财产应冻结而非查封", "this asset is frozen, not seized")
        if body.amount is not None:
            raise _RejectedError("查封不带金额", "a seizure takes no amount")
        until = self._period(asset, body.until)
        reference = self._reference()
        days = (until - self.today).days
        waiting = bool(asset.active())
        hold = Hold(
            reference, body.case_number, "seize", None, until, days,
            "queued" if waiting else "active", None if waiting else self.today, body.request_id,
        )  # fmt: skip
        asset.holds.append(hold)
        answer: dict[str, Any] = {"reference": reference}
        if waiting:
            answer["queuePosition"] = len(asset.queued())
        return answer

    def _deduct(self, asset: Asset, body: ControlBody) -> dict[str, Any]:
        if not asset.seed.deductible:
            raise _RejectedError("该财产不能扣划", "this asset cannot be deducted")
        if body.amount is None:
            raise _RejectedError("扣划须写明金额", "a deduction needs an amount")
        holds = asset.active(body.case_number)
        frozen = sum((h.amount or ZERO for h in holds), ZERO)
        if body.amount > frozen:
            raise _RejectedError(
                f"超出本案在该财产上的冻结金额 {frozen}",
                f"more than this case froze on the asset ({frozen})",
            )
        left = body.amount
        for hold in holds:
            taken = min(left, hold.amount or ZERO)
            hold.amount = (hold.amount or ZERO) - taken
            left -= taken
        asset.balance -= body.amount
        return {"reference": self._reference(), "appliedAmount": plain_decimal(body.amount)}

    def _release(self, asset: Asset, body: ControlBody) -> dict[str, Any]:
        if body.amount is not None:  # a release lifts the whole hold (its until is ignored)
            raise _RejectedError("解除不带金额", "a release takes no amount")
        mine = [
            h
            for h in asset.holds
            if h.case_number == body.case_number and h.state in ("active", "queued")
        ]
        if not mine:
            raise _RejectedError(
                "本案在该财产上没有查封或冻结", "this case holds nothing on the asset"
            )
        released = ZERO
        for hold in mine:
            if hold.state == "active":
                released += hold.amount or ZERO
            hold.state = "released"
        self._promote(asset, self.today)
        answer: dict[str, Any] = {"reference": self._reference()}
        if asset.seed.kind is not AssetKind.PROPERTY:
            answer["appliedAmount"] = plain_decimal(released)
        return answer

    def _renew(self, asset: Asset, body: ControlBody) -> dict[str, Any]:
        if body.amount is not None:
            raise _RejectedError("续行不带金额", "a renewal takes no amount")
        holds = asset.active(body.case_number)
        if not holds:
            if any(h.case_number == body.case_number for h in asset.queued()):
                raise _RejectedError(
                    "轮候查封尚未生效，不能续行", "a queued seizure cannot be renewed"
                )
            raise _RejectedError(
                "本案在该财产上没有生效的查封或冻结（可能已到期）",
                "this case holds nothing in effect on the asset (it may have lapsed)",
            )
        until = self._period(asset, body.until)
        if any(until <= h.until for h in holds):
            raise _RejectedError("续行的截止日应晚于原截止日", "a renewal must end after the hold")
        for hold in holds:
            hold.until = until
        return {"reference": self._reference()}

    def _period(self, asset: Asset, until: datetime.date | None) -> datetime.date:
        if until is None:
            raise _RejectedError("须写明截止日", "the last day (until) is required")
        if until <= self.today:
            raise _RejectedError("截止日应晚于今日", "the last day must be after today")
        limit = _add_years(self.today, asset.seed.max_years)
        if until > limit:
            raise _RejectedError(
                f"期限超过法定最长 {asset.seed.max_years} 年",
                f"longer than the legal maximum of {asset.seed.max_years} year(s)",
            )
        return until

    def _settle(self, asset: Asset) -> None:
        """Lapse what ran out before today and let the queue move up, in date order."""
        while True:
            lapsed = [h for h in asset.active() if h.until < self.today]
            if not lapsed:
                return
            first = min(lapsed, key=lambda h: h.until)
            first.state = "lapsed"
            self._promote(asset, first.until + datetime.timedelta(days=1))

    def _promote(self, asset: Asset, on: datetime.date) -> None:
        if asset.seed.kind is not AssetKind.PROPERTY or asset.active():
            return
        queue = asset.queued()
        if queue:
            nxt = queue[0]
            nxt.state, nxt.starts_on = "active", on
            nxt.until = on + datetime.timedelta(days=nxt.period_days)

    def _reference(self) -> str:
        self._sequence += 1
        return f"{self.agency.upper()}-{self.today:%Y%m%d}-{self._sequence:06d}"


class _RejectedError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _existing(seed: AssetSeed, existing: ExistingHold, reference: str) -> Hold:
    starts = existing.starts_on or existing.until
    action = "seize" if seed.kind is AssetKind.PROPERTY else "freeze"
    amount = None if seed.kind is AssetKind.PROPERTY else (existing.amount or seed.balance)
    return Hold(
        reference, existing.case_number, action, amount, existing.until,
        max(0, (existing.until - starts).days), "queued" if existing.waiting else "active",
        None if existing.waiting else existing.starts_on,
    )  # fmt: skip


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _asset_json(asset: Asset) -> dict[str, Any]:
    return {
        "kind": asset.seed.kind.value,
        "balance": plain_decimal(asset.balance),
        "available": plain_decimal(asset.available),
        "holds": [
            {
                "reference": h.reference,
                "requestId": h.request_id,
                "caseNumber": h.case_number,
                "action": h.action,
                "amount": None if h.amount is None else plain_decimal(h.amount),
                "startsOn": None if h.starts_on is None else h.starts_on.isoformat(),
                "until": h.until.isoformat(),
                "state": h.state,
            }
            for h in asset.holds
        ],
    }


def plain_decimal(value: Decimal) -> str:
    """A decimal string as the contract writes it: digits and a point, never an exponent."""
    return format(value, "f")
