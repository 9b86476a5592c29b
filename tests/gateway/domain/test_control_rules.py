"""The legal checks: execution fees, periods, and the checks on a ledger made by hand."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from gateway.domain.control_rules import (
    CaseLedger,
    ControlCheckError,
    ControlLimits,
    Verdict,
    add_years,
    check_rules,
    execution_fee,
)
from gateway.domain.controls import (
    Asset,
    ControlAction,
    ControlOperation,
    LegalClass,
    OperationState,
    legal_class,
    request_id_for,
)


@pytest.mark.parametrize(
    ("obligation", "fee"),
    [
        ("5000", "50.00"),
        ("10000", "50.00"),
        ("100000", "1400.00"),  # 50 + 90,000 x 1.5 %
        ("500000", "7400.00"),  # 50 + 490,000 x 1.5 %
        ("1000000", "12400.00"),  # + 500,000 x 1 %
        ("10000000", "77400.00"),  # 7,400 + 45,000 + 25,000
        ("20000000", "87400.00"),  # + 10,000,000 x 0.1 %
    ],
)
def test_execution_fees_follow_the_tranches(obligation: str, fee: str):
    assert execution_fee(Decimal(obligation)) == Decimal(fee)


def test_a_year_later_keeps_the_day_or_ends_february():
    assert add_years(datetime.date(2026, 6, 1), 1) == datetime.date(2027, 6, 1)
    assert add_years(datetime.date(2028, 2, 29), 3) == datetime.date(2031, 2, 28)


def test_the_legal_maximum_by_asset_class():
    assert legal_class("deposits").max_years == 1
    assert legal_class("wealth_products").max_years == 1
    for name in ("fund_balance", "securities", "equity", "real_estate", "land"):
        assert legal_class(name).max_years == 3
    assert not legal_class("real_estate").divisible
    assert legal_class("something new") is LegalClass.MONEY  # the strictest


# --- the checks themselves, on a ledger made by hand -------------------------------------------

TODAY = datetime.date(2026, 6, 1)
ACCOUNT = Asset("bank", "6222020000000001", "deposits", Decimal("300000.00"))
HOUSE = Asset("land", "H-1", "real_estate", None)
SECOND_HOUSE = Asset("land", "H-2", "real_estate", None)
PARCEL = Asset("land", "L-1", "land", Decimal("20000.00"))
_NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def operation(
    action: ControlAction,
    asset: Asset,
    *,
    state: OperationState = OperationState.APPLIED,
    amount: str | None = None,
    held_value: str | None = None,
    target: ControlOperation | None = None,
    excess_reason: str | None = None,
    until: datetime.date | None = datetime.date(2027, 5, 31),
) -> ControlOperation:
    op_id = uuid.uuid4().hex
    return ControlOperation(
        id=op_id,
        request_id=request_id_for(op_id),
        case_number="(2026)苏0812执100号",
        court="苏0812",
        action=action,
        agency=asset.agency,
        asset_id=asset.asset_id,
        asset_class=asset.asset_class,
        subject_key="debtor",
        inquiry_seq=1,
        ruling_number="ruling",
        notice_number="notice",
        amount=None if amount is None else Decimal(amount),
        held_value=None if held_value is None else Decimal(held_value),
        applied_amount=None,
        queue_position=None,
        starts_on=TODAY if action in (ControlAction.FREEZE, ControlAction.SEIZE) else None,
        until=until,
        target_id=None if target is None else target.id,
        state=state,
        requested_by="judge-zhou",
        approved_by=None,
        attempts=1,
        reference=None,
        message=None,
        excess_reason=excess_reason,
        created_at=_NOW,
        updated_at=_NOW,
    )


def check(
    action: ControlAction,
    asset: Asset,
    ledger: CaseLedger,
    *,
    amount: str | None = None,
    until: datetime.date | None = None,
    unperformed: str = "100000.00",
) -> Verdict:
    return check_rules(
        action=action,
        asset=asset,
        amount=None if amount is None else Decimal(amount),
        until=until,
        ledger=ledger,
        unperformed=Decimal(unperformed),
        obligation=Decimal("100000.00"),
        today=TODAY,
        limits=ControlLimits(),
        supported=[a.value for a in ControlAction],
    )


@pytest.mark.parametrize(
    "state",
    [
        OperationState.APPLIED,
        OperationState.PENDING,
        OperationState.UNKNOWN,
        OperationState.AWAITING_APPROVAL,
    ],
)
def test_a_deduction_beyond_the_unperformed_amount_counts_those_in_flight(
    state: OperationState,
):
    freeze = operation(ControlAction.FREEZE, ACCOUNT, amount="111540.00", held_value="111540.00")
    first = operation(ControlAction.DEDUCT, ACCOUNT, state=state, amount="50000.00", target=freeze)
    ledger = CaseLedger.of([freeze, first])
    # an applied deduction has raised the performed amount already; one in flight has not
    unperformed = "50000.00" if state is OperationState.APPLIED else "100000.00"
    assert ledger.holdings[freeze.id].remaining == Decimal("61540.00")
    with pytest.raises(ControlCheckError) as caught:
        check(ControlAction.DEDUCT, ACCOUNT, ledger, amount="50000.01", unperformed=unperformed)
    assert caught.value.code == "DEDUCTION_EXCEEDS_UNPERFORMED"  # not ..._FROZEN: 61,540 held
    assert "未履行金额 50000.00" in caught.value.message_zh
    assert "unperformed amount 50000.00" in caught.value.message_en
    verdict = check(
        ControlAction.DEDUCT, ACCOUNT, ledger, amount="50000.00", unperformed=unperformed
    )
    assert verdict.target == freeze


def test_a_deduction_needs_an_amount():
    freeze = operation(ControlAction.FREEZE, ACCOUNT, amount="1000.00", held_value="1000.00")
    for amount in (None, "0.00"):
        with pytest.raises(ControlCheckError) as caught:
            check(ControlAction.DEDUCT, ACCOUNT, CaseLedger.of([freeze]), amount=amount)
        assert caught.value.code == "AMOUNT_REQUIRED"


def test_a_renewal_runs_at_most_the_maximum_from_the_old_end():
    freeze = operation(
        ControlAction.FREEZE, ACCOUNT, amount="1000.00", until=datetime.date(2026, 6, 30)
    )
    ledger = CaseLedger.of([freeze])
    with pytest.raises(ControlCheckError) as caught:
        check(ControlAction.RENEW, ACCOUNT, ledger, until=datetime.date(2027, 7, 1))
    assert caught.value.code == "PERIOD_TOO_LONG"
    check(ControlAction.RENEW, ACCOUNT, ledger, until=datetime.date(2027, 6, 30))


def test_a_last_day_already_past_is_no_period_and_says_so():
    empty = CaseLedger.of([])
    for until in (TODAY - datetime.timedelta(days=30), TODAY):
        with pytest.raises(ControlCheckError) as caught:
            check(ControlAction.FREEZE, ACCOUNT, empty, until=until)
        assert caught.value.code == "PERIOD_REQUIRED"
        assert f"({until}) must come after its first ({TODAY})" in caught.value.message_en
    with pytest.raises(ControlCheckError) as caught:
        check(ControlAction.FREEZE, ACCOUNT, empty, until=datetime.date(2027, 6, 2))
    assert caught.value.code == "PERIOD_TOO_LONG"
    assert "within 1 year(s) (on 2027-06-01 at the latest), not on 2027-06-02" in str(caught.value)


SEIZE_UNTIL = datetime.date(2029, 5, 31)


def seizure(
    asset: Asset = HOUSE, state: OperationState = OperationState.APPLIED
) -> ControlOperation:
    return operation(
        ControlAction.SEIZE, asset, state=state, excess_reason="indivisible", until=SEIZE_UNTIL
    )


@pytest.mark.parametrize(
    "state", [OperationState.APPLIED, OperationState.PENDING, OperationState.UNKNOWN]
)
def test_one_indivisible_asset_beyond_the_debt_per_case(state: OperationState):
    ledger = CaseLedger.of([seizure(state=state)])
    for asset in (SECOND_HOUSE, HOUSE, PARCEL):  # another house, the same one, a valued parcel
        with pytest.raises(ControlCheckError) as caught:
            check(ControlAction.SEIZE, asset, ledger, until=SEIZE_UNTIL)
        assert caught.value.code == "EXCESSIVE_FREEZE"
        assert "不可分割财产" in caught.value.message_zh
        assert "one indivisible asset (real_estate) is already held" in caught.value.message_en
    # divisible assets still count against the ceiling alone (the house counts 0)
    check(ControlAction.FREEZE, ACCOUNT, ledger, amount="1000.00", until=TODAY.replace(2027))


def test_the_exception_is_free_again_once_the_house_is_not_held():
    held = seizure()
    rejected = seizure(state=OperationState.REJECTED)
    released = operation(ControlAction.RELEASE, HOUSE, target=held, until=None)
    lapsed = operation(
        ControlAction.SEIZE,
        HOUSE,
        excess_reason="indivisible",
        until=TODAY.replace(day=1) - datetime.timedelta(days=1),
    )
    for ops in ([], [rejected], [held, released], [lapsed]):
        verdict = check(ControlAction.SEIZE, SECOND_HOUSE, CaseLedger.of(ops), until=SEIZE_UNTIL)
        assert verdict.excess_reason is not None


def test_an_indivisible_asset_within_the_ceiling_is_counted_not_excepted():
    # a land parcel at its grant price fits under the ceiling: it is counted like cash, and
    # the one indivisible asset beyond the debt (a house) is still allowed after it
    parcel = check(ControlAction.SEIZE, PARCEL, CaseLedger(), until=SEIZE_UNTIL)
    assert (parcel.held_value, parcel.excess_reason) == (Decimal("20000.00"), None)
    held = operation(ControlAction.SEIZE, PARCEL, held_value="20000.00", until=SEIZE_UNTIL)
    house = check(ControlAction.SEIZE, HOUSE, CaseLedger.of([held]), until=SEIZE_UNTIL)
    assert house.excess_reason is not None


# --- an asset the case holds more than once: the agency acts on its holds together -------------


def twice_frozen() -> tuple[ControlOperation, ControlOperation, CaseLedger]:
    first = operation(ControlAction.FREEZE, ACCOUNT, amount="100.00", held_value="100.00")
    second = operation(ControlAction.FREEZE, ACCOUNT, amount="100.00", held_value="100.00")
    return first, second, CaseLedger.of([first, second])


def test_a_deduction_may_take_from_every_hold_of_the_asset():
    _, second, ledger = twice_frozen()
    deducted = operation(ControlAction.DEDUCT, ACCOUNT, amount="150.00", target=second)
    ledger.add(deducted)
    assert ledger.remaining_on("bank", ACCOUNT.asset_id, TODAY) == Decimal("50.00")
    assert ledger.frozen_value(TODAY) == Decimal("50.00")
    check(ControlAction.DEDUCT, ACCOUNT, ledger, amount="50.00")
    with pytest.raises(ControlCheckError) as caught:
        check(ControlAction.DEDUCT, ACCOUNT, ledger, amount="50.01")
    assert caught.value.code == "DEDUCTION_EXCEEDS_FROZEN"


def test_a_release_lifts_every_hold_of_the_asset_made_before_it():
    first, second, ledger = twice_frozen()
    ledger.add(operation(ControlAction.RELEASE, ACCOUNT, target=second, until=None))
    assert ledger.holding_on("bank", ACCOUNT.asset_id, TODAY) is None
    assert ledger.frozen_value(TODAY) == Decimal("0.00")
    with pytest.raises(ControlCheckError) as caught:
        check(ControlAction.RELEASE, ACCOUNT, ledger)
    assert caught.value.code == "NO_CONTROL_IN_FORCE"
    # a freeze made after the release is not lifted by it
    later = replace(
        operation(ControlAction.FREEZE, ACCOUNT, amount="70.00", held_value="70.00"),
        created_at=_NOW + datetime.timedelta(hours=1),
    )
    release = operation(ControlAction.RELEASE, ACCOUNT, target=second, until=None)
    ledger = CaseLedger.of([first, second, release, later])
    holding = ledger.holding_on("bank", ACCOUNT.asset_id, TODAY)
    assert holding is not None
    assert holding.control is later
    assert ledger.frozen_value(TODAY) == Decimal("70.00")


def test_an_applied_renewal_extends_every_hold_in_effect():
    first, second, _ = twice_frozen()
    lapsed = replace(
        operation(ControlAction.FREEZE, ACCOUNT, amount="5.00", held_value="5.00"),
        until=TODAY - datetime.timedelta(days=1),
    )
    renewal = operation(
        ControlAction.RENEW, ACCOUNT, target=second, until=datetime.date(2027, 6, 1)
    )
    ledger = CaseLedger.of([lapsed, first, second, renewal])
    until = {h.control.id: h.until for h in ledger.holdings.values()}
    assert until[first.id] == until[second.id] == datetime.date(2027, 6, 1)
    assert until[lapsed.id] == TODAY - datetime.timedelta(days=1)  # lapsed: not revived


@pytest.mark.parametrize("state", [OperationState.PENDING, OperationState.UNKNOWN])
@pytest.mark.parametrize("action", [ControlAction.RELEASE, ControlAction.RENEW])
def test_no_release_or_renewal_while_a_hold_of_the_asset_is_in_flight(
    state: OperationState, action: ControlAction
):
    applied = operation(ControlAction.FREEZE, ACCOUNT, amount="100.00", held_value="100.00")
    flying = operation(
        ControlAction.FREEZE, ACCOUNT, amount="100.00", held_value="100.00", state=state
    )
    with pytest.raises(ControlCheckError) as caught:
        check(action, ACCOUNT, CaseLedger.of([applied, flying]), until=datetime.date(2027, 6, 1))
    assert caught.value.code == "CONTROL_IN_FLIGHT"
    # settled, it may
    check(action, ACCOUNT, CaseLedger.of([applied]), until=datetime.date(2027, 6, 1))


@pytest.mark.parametrize("action", [ControlAction.RELEASE, ControlAction.RENEW])
def test_no_release_or_renewal_while_a_renewal_of_the_asset_is_in_flight(action: ControlAction):
    applied = operation(ControlAction.FREEZE, ACCOUNT, amount="100.00", held_value="100.00")
    renewing = operation(
        ControlAction.RENEW,
        ACCOUNT,
        target=applied,
        until=datetime.date(2027, 5, 31),
        state=OperationState.UNKNOWN,
    )
    with pytest.raises(ControlCheckError) as caught:
        check(action, ACCOUNT, CaseLedger.of([applied, renewing]), until=datetime.date(2027, 6, 1))
    assert caught.value.code == "CONTROL_IN_FLIGHT"
