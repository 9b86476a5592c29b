"""Two reconcilers over the same UNKNOWN controls work each one once, under its lease; a lease
left by a reconciler that stopped runs out (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.controls import ControlOutcome, ControlRequest, OperationState
from gateway.services.controls import ControlPolicy, ControlService
from tests.gateway.services.control_fakes import NUMBER, FakeAgency, World, command

CONTROLS = 6


class Overlapping:
    """The bank's control side, whose first status lookup waits until a second one is in
    flight: the two reconcilers are then working at the same time, whatever the machine."""

    def __init__(self, bank: FakeAgency) -> None:
        self.bank = bank
        self.arrived = 0
        self.together = asyncio.Event()
        self.lookups: Counter[str] = Counter()

    @property
    def agency(self) -> str:
        return "bank"

    async def control(self, request: ControlRequest) -> ControlOutcome:
        return await self.bank.control(request)

    async def control_status(self, request_id: str) -> ControlOutcome | None:
        self.lookups[request_id] += 1
        self.arrived += 1
        if self.arrived >= 2:
            self.together.set()
        await self.together.wait()
        return await self.bank.control_status(request_id)


@pytest.fixture
async def world(engine: AsyncEngine) -> AsyncIterator[World]:
    w = World(engine, ControlPolicy(approval_above=None))
    try:
        await w.setup()
        w.bank.script = ["lost"] * CONTROLS  # applied, the answers lost: UNKNOWN
        for n in range(CONTROLS):
            await w.submit(command(amount="1000.00"), key=f"k-{n}")
        yield w
    finally:
        await w.aclose()


def reconciler(world: World, bank: Overlapping) -> ControlService:
    return ControlService(
        world.store, world.auditor, {"bank": bank}, world.service.policy, clock=world.clock
    )


async def test_two_reconcilers_look_each_control_up_once(world: World):
    unknown = [
        op for op in await world.service.for_case(NUMBER) if op.state is OperationState.UNKNOWN
    ]
    assert len(unknown) == CONTROLS
    bank = Overlapping(world.bank)
    first, second = await asyncio.gather(
        reconciler(world, bank).reconcile(), reconciler(world, bank).reconcile()
    )
    assert bank.together.is_set()  # they did overlap
    assert first.examined >= 1
    assert second.examined >= 1
    assert first.examined + second.examined == CONTROLS
    assert bank.lookups == Counter({op.request_id: 1 for op in unknown})
    states = {op.state for op in await world.service.for_case(NUMBER)}
    assert states == {OperationState.APPLIED}
    assert (await reconciler(world, bank).reconcile()).examined == 0


async def test_a_lease_left_by_a_stopped_reconciler_runs_out(world: World):
    (op, *_) = await world.service.for_case(NUMBER)
    lease = world.service.policy.attempt_timeout_s * 2 + 5
    until = world.clock() + datetime.timedelta(seconds=lease)
    async with world.store.begin() as unit:  # a reconciler took it, then its process died
        assert await unit.controls.claim(op, world.clock(), until)
    async with world.store.begin() as unit:  # no second lease while it runs
        assert not await unit.controls.claim(op, world.clock(), until)
    report = await world.service.reconcile()
    assert report.examined == CONTROLS - 1
    assert world.bank.lookups[op.request_id] == 0
    world.clock.advance(seconds=lease + 1)
    report = await world.service.reconcile()
    assert report.examined == 1
    assert report.adopted == 1
    assert world.bank.lookups[op.request_id] == 1


async def test_a_pass_gives_its_leases_back(world: World):
    world.bank.status_fails = CONTROLS  # every lookup of the first pass fails
    first = await world.service.reconcile()
    assert (first.examined, first.unresolved) == (CONTROLS, CONTROLS)
    # same instant: nothing runs out, yet the next pass may try again at once
    second = await world.service.reconcile()
    assert (second.examined, second.adopted) == (CONTROLS, CONTROLS)
