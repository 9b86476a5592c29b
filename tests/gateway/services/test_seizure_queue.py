"""The register's queue of seizures (轮候查封) moves as the agency's does: two cases seize one
house against the mock's own ledger; the second, queued, takes effect when the first is released
or lapses, with the dates the agency gives it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.cases import parse_case_number
from gateway.domain.controls import ControlAction, ControlOutcome, ControlRequest, ControlStatus
from gateway.domain.register import Party, PartyRole, new_case
from gateway.services.controls import ControlCommand, ControlPolicy, ControlService
from gateway.services.freezes import FreezeDesk
from mocks.ledger import AssetKind, AssetSeed, Ledger
from mocks.wire import ControlBody
from tests.gateway.services.control_fakes import (
    CREDITOR,
    DEBTOR,
    HOUSE,
    JUDGE,
    NUMBER,
    SYSTEM,
    World,
    land_records,
    ok,
    profile,
)

SECOND = parse_case_number("(2026)苏0812执101号")
COURT = "苏0812"
MADE = datetime.date(2026, 6, 1)  # the World's clock


class LedgerAgency:
    """The land registry's control side: the mock's own ledger, on the gateway's clock."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ledger = Ledger("land", today=MADE)
        self.ledger.register([AssetSeed(HOUSE, AssetKind.PROPERTY, Decimal(1), 3)])

    @property
    def agency(self) -> str:
        return "land"

    async def control(self, request: ControlRequest) -> ControlOutcome:
        self.ledger.fixed_today = self.world.clock().date()
        answer, _ = self.ledger.control(
            ControlBody.model_validate(
                {
                    "requestId": request.request_id,
                    "action": request.action.value,
                    "caseNumber": request.case_number,
                    "rulingNumber": request.ruling_number,
                    "noticeNumber": request.notice_number,
                    "assetId": request.asset_id,
                    "amount": request.amount,
                    "until": request.until,
                }
            )
        )
        assert answer["status"] == "applied", answer
        return ControlOutcome(
            ControlStatus.APPLIED,
            reference=answer["reference"],
            queue_position=answer.get("queuePosition"),
        )

    async def control_status(self, request_id: str) -> ControlOutcome | None:
        raise AssertionError("not used")

    def in_effect(self) -> tuple[str, datetime.date | None, datetime.date]:
        self.ledger.fixed_today = self.world.clock().date()
        house = self.ledger.asset(HOUSE)
        assert house is not None
        (hold,) = house.active()
        return hold.case_number, hold.starts_on, hold.until


@pytest.fixture
async def world(engine: AsyncEngine) -> AsyncIterator[World]:
    w = World(engine, ControlPolicy(approval_above=None))
    try:
        await w.setup()
        second = new_case(
            SECOND,
            court=COURT,
            judges=["judge-zhou"],
            parties=[Party(PartyRole.DEBTOR, DEBTOR), Party(PartyRole.CREDITOR, CREDITOR)],
            obligation="500000.00",
            performed="0",
        )
        await w.cases.save(second, principal=SYSTEM, request_id="setup-2")
        await w.auditor.inquiries(
            JUDGE, "inquiry-2", [profile(DEBTOR, ok("land", land_records()), number=SECOND)]
        )
        yield w
    finally:
        await w.aclose()


def seize(number, until: datetime.date) -> ControlCommand:
    return ControlCommand(
        ControlAction.SEIZE, number, f"{number.canonical}之一", "通知书", "land", HOUSE, None, until
    )


async def two_seizures(world: World) -> tuple[LedgerAgency, FreezeDesk]:
    land = LedgerAgency(world)
    world.service = ControlService(
        world.store, world.auditor, {"land": land}, world.service.policy, clock=world.clock
    )
    desk = FreezeDesk(world.store, world.service, clock=world.clock)
    (first,) = await world.submit(seize(NUMBER, datetime.date(2026, 6, 30)), key="s-1")
    (second,) = await world.submit(seize(SECOND, datetime.date(2026, 9, 8)), key="s-2")
    assert (first.queue_position, second.queue_position) == (None, 1)
    entries = {e.control.case_number: e for e in await desk.register(COURT)}
    queued = entries[SECOND.canonical]
    assert (queued.queue_position, queued.starts_on, queued.ends_on) == (1, None, None)
    assert entries[NUMBER.canonical].queue_position is None
    assert entries[NUMBER.canonical].ends_on == datetime.date(2026, 6, 30)
    assert await desk.register(COURT, within_days=400) == [entries[NUMBER.canonical]]
    return land, desk


async def test_releasing_the_first_seizure_puts_the_queued_one_in_force(world: World):
    land, desk = await two_seizures(world)
    world.clock.advance(days=20)
    release = ControlCommand(ControlAction.RELEASE, NUMBER, "解除裁定", "解除通知书", "land", HOUSE)
    (released,) = await world.submit(release, key="r-1")
    assert released.state.value == "APPLIED"
    (entry,) = await desk.register(COURT)
    assert entry.control.case_number == SECOND.canonical
    assert entry.queue_position is None
    assert entry.control.queue_position is None
    # the agency's own dates: from the release, for the period asked (99 days)
    assert land.in_effect() == (SECOND.canonical, entry.starts_on, entry.ends_on)
    assert (entry.starts_on, entry.ends_on) == (
        datetime.date(2026, 6, 21),
        datetime.date(2026, 9, 28),
    )
    assert entry.days_left == 99
    # the case's list of controls says the same
    (seizure,) = await world.service.for_case(SECOND)
    assert (seizure.queue_position, seizure.starts_on) == (None, datetime.date(2026, 6, 21))


async def test_a_lapse_of_the_first_seizure_puts_the_queued_one_in_force(world: World):
    land, desk = await two_seizures(world)
    world.clock.advance(days=29)  # 30 June: the first still holds
    entries = await desk.register(COURT)
    assert [e.queue_position for e in entries] == [None, 1]
    (seizure,) = await world.service.for_case(SECOND)
    assert (seizure.queue_position, seizure.starts_on) == (1, None)
    world.clock.advance(days=1)  # 1 July: it has lapsed
    (entry,) = await desk.register(COURT)
    assert entry.control.case_number == SECOND.canonical
    assert entry.queue_position is None
    assert land.in_effect() == (SECOND.canonical, entry.starts_on, entry.ends_on)
    assert (entry.starts_on, entry.ends_on) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 10, 8),
    )
    world.clock.advance(days=100)  # the second has lapsed too
    assert await desk.register(COURT) == []
