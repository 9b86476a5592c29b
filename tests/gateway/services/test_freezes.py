"""The freeze register and the freeze plan, with fake agencies (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.bank.records import AccountFreeze, BankRecords, Deposit
from connectors.land.records import LandRecords
from gateway.domain.controls import ControlAction, OperationState
from gateway.services.controls import ControlPolicy
from gateway.services.freezes import FreezeDesk
from tests.gateway.services.control_fakes import (
    ACCOUNT,
    DEBTOR,
    HOUSE,
    JUDGE,
    NUMBER,
    World,
    bank_records,
    command,
    land_records,
    ok,
    profile,
)

COURT = "苏0812"
OTHER_ACCOUNT = "6222020000000009"


@pytest.fixture
async def world(engine: AsyncEngine) -> AsyncIterator[World]:
    w = World(engine, ControlPolicy(approval_above=None))
    try:
        await w.setup()
        yield w
    finally:
        await w.aclose()


def desk(world: World) -> FreezeDesk:
    return FreezeDesk(world.store, world.service, clock=world.clock)


async def test_the_register_folds_renewals_deductions_and_releases(world: World):
    (freeze,) = await world.submit(command(amount="60000.00", until=datetime.date(2026, 6, 20)))
    (entry,) = await desk(world).register(COURT)
    assert entry.control.id == freeze.id
    assert (entry.starts_on, entry.ends_on, entry.days_left) == (
        datetime.date(2026, 6, 1),
        datetime.date(2026, 6, 20),
        19,
    )
    assert await desk(world).register(COURT, within_days=10) == []
    assert len(await desk(world).register(COURT, within_days=30)) == 1
    await world.submit(
        command(ControlAction.RENEW, amount=None, until=datetime.date(2027, 6, 1)), key="r"
    )
    await world.submit(command(ControlAction.DEDUCT, amount="1000.00", until=None), key="d")
    (entry,) = await desk(world).register(COURT, case_number=NUMBER)
    assert entry.ends_on == datetime.date(2027, 6, 1)
    assert entry.held == Decimal("59000.00")
    assert await desk(world).register(COURT, within_days=30) == []  # renewed: off the list
    assert await desk(world).register(COURT, requested_by={"someone-else"}) == []
    await world.submit(command(ControlAction.RELEASE, amount=None, until=None), key="x")
    assert await desk(world).register(COURT) == []
    assert await desk(world).register("苏0803") == []


async def test_an_account_frozen_twice_is_renewed_and_released_whole(world: World):
    """The agency renews and releases every hold of the case on the asset: so does the
    register (each freeze listed until the release, none after it)."""
    (first,) = await world.submit(command(amount="100.00", until=datetime.date(2026, 6, 20)))
    world.clock.advance(minutes=1)
    (second,) = await world.submit(
        command(amount="200.00", until=datetime.date(2026, 6, 20)), key="k-2"
    )
    world.clock.advance(minutes=1)
    await world.submit(
        command(ControlAction.RENEW, amount=None, until=datetime.date(2027, 6, 1)), key="r"
    )
    entries = await desk(world).register(COURT)
    assert {e.control.id: e.ends_on for e in entries} == {
        first.id: datetime.date(2027, 6, 1),
        second.id: datetime.date(2027, 6, 1),
    }
    # a deduction may take from both: 250 of the 300 the case froze
    (deducted,) = await world.submit(
        command(ControlAction.DEDUCT, amount="250.00", until=None), key="d"
    )
    assert deducted.state is OperationState.APPLIED
    await world.submit(command(ControlAction.RELEASE, amount=None, until=None), key="x")
    assert await desk(world).register(COURT) == []


async def test_a_lapsed_freeze_leaves_the_register(world: World):
    await world.submit(command(until=datetime.date(2026, 6, 10)))
    world.clock.advance(days=10)
    assert await desk(world).register(COURT) == []


async def test_the_plan_takes_cash_first_and_never_beyond_the_debt(world: World):
    plan = await desk(world).plan(JUDGE, NUMBER)
    # 100,000 owed + 1,400 fees: all from the 300,000 deposit; no house needed
    (item,) = plan.items
    assert (item.asset.asset_id, item.action, item.amount) == (
        ACCOUNT,
        ControlAction.FREEZE,
        Decimal("101400.00"),
    )
    assert item.until == datetime.date(2027, 5, 31)  # one year for deposits, the last day
    assert plan.shortfall == 0
    ops = await desk(world).apply_plan(JUDGE, "r", NUMBER, "ruling", "notice", "plan-1")
    assert [op.state for op in ops] == [OperationState.APPLIED]
    # the plan is applied: nothing more to propose; the same key replays
    assert (await desk(world).plan(JUDGE, NUMBER)).items == ()
    again = await desk(world).apply_plan(JUDGE, "r", NUMBER, "ruling", "notice", "plan-1")
    assert [op.id for op in again] == [op.id for op in ops]


async def test_the_plan_seizes_one_house_when_cash_falls_short(world: World):
    await world.auditor.inquiries(
        JUDGE,
        "inquiry-2",
        [
            profile(
                DEBTOR, ok("bank", bank_records(ACCOUNT, "30000.00")), ok("land", land_records())
            )
        ],
    )
    plan = await desk(world).plan(JUDGE, NUMBER)
    assert [(i.asset.asset_class, i.action) for i in plan.items] == [
        ("deposits", ControlAction.FREEZE),
        ("real_estate", ControlAction.SEIZE),
    ]
    assert plan.items[1].asset.asset_id == HOUSE
    ops = await desk(world).apply_plan(JUDGE, "r", NUMBER, "ruling", "notice", "plan-2")
    assert ops[1].excess_reason is not None


async def test_a_second_plan_proposes_no_second_house(world: World):
    first = land_records().real_estate[0]
    second = dataclasses.replace(first, unit_number=first.unit_number + "-2")
    land = LandRecords(real_estate=(first, second))
    await world.auditor.inquiries(
        JUDGE,
        "inquiry-2",
        [profile(DEBTOR, ok("bank", bank_records(ACCOUNT, "30000.00")), ok("land", land))],
    )
    desk_ = desk(world)
    await desk_.apply_plan(JUDGE, "r", NUMBER, "ruling", "notice", "plan-1")
    again = await desk_.plan(JUDGE, NUMBER)
    # the debt is still not covered, but the one indivisible asset the law allows is held
    assert [i.asset.asset_class for i in again.items] == []
    assert again.shortfall > 0


async def test_the_plan_skips_what_another_case_holds(world: World):
    held = BankRecords(
        deposits=(
            Deposit(
                bank="b",
                account_number=ACCOUNT,
                deposit_type="活期",
                currency="CNY",
                amount=Decimal("300000"),
            ),
            Deposit(
                bank="b",
                account_number=OTHER_ACCOUNT,
                deposit_type="活期",
                currency="CNY",
                amount=Decimal("20000"),
            ),
        ),
        freezes=(
            AccountFreeze(
                bank="b",
                account_number=ACCOUNT,
                court="苏0803",
                case_number="(2025)苏0803执1号",
                frozen_amount=Decimal("300000"),
                frozen_from=datetime.date(2025, 1, 1),
                frozen_until=datetime.date(2026, 12, 31),
            ),
        ),
    )
    await world.auditor.inquiries(JUDGE, "inquiry-3", [profile(DEBTOR, ok("bank", held))])
    plan = await desk(world).plan(JUDGE, NUMBER)
    assert next(i.asset.asset_id for i in plan.items) == OTHER_ACCOUNT
    assert ACCOUNT not in [i.asset.asset_id for i in plan.items]
