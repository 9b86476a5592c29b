"""The controls service with fake agencies: exactly once, the legal checks, keys, approvals and
the reconciler, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import re
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.land.records import LandRecords
from gateway.domain.audit import AuditEntry
from gateway.domain.cases import parse_case_number
from gateway.domain.control_rules import ControlCheckError, ControlLimits
from gateway.domain.controls import ControlAction, OperationState, request_id_for
from gateway.domain.errors import ChakongError, PermissionDeniedError
from gateway.domain.register import CaseStatus
from gateway.services.controls import (
    ControlCommand,
    ControlPolicy,
    ControlService,
    IdempotencyConflictError,
)
from gateway.store.controls import ControlRepository
from tests.gateway.services.control_fakes import (
    ACCOUNT,
    APPROVER,
    CREDITOR,
    CREDITOR_ACCOUNT,
    DEBTOR,
    HOUSE,
    JUDGE,
    NUMBER,
    SPOUSE,
    SPOUSE_ACCOUNT,
    SYSTEM,
    TODAY,
    World,
    bank_records,
    command,
    land_records,
    make_case,
    ok,
    profile,
)

SECOND_HOUSE = "320802001001GB00002F00010001"


# a world under a policy of the test's own, closed at the test's end
Worlds = Callable[[ControlPolicy], World]


@pytest.fixture
async def worlds(engine: AsyncEngine) -> AsyncIterator[Worlds]:
    made: list[World] = []

    def make(policy: ControlPolicy) -> World:
        made.append(World(engine, policy))
        return made[-1]

    yield make
    for world in made:
        await world.aclose()


@pytest.fixture
async def world(worlds: Worlds) -> World:
    w = worlds(ControlPolicy(approval_above=None, pending_grace_s=30))
    await w.setup()
    return w


async def test_a_freeze_is_committed_before_the_call_and_applied_once(world: World):
    seen: list[OperationState] = []
    original = world.bank.control

    async def observing(request):
        # the operation is already committed, PENDING, under its derived requestId
        async with world.store.read() as unit:
            (op,) = await unit.controls.for_case(NUMBER.canonical)
        assert request.request_id == request_id_for(op.id)
        seen.append(op.state)
        return await original(request)

    world.bank.control = observing  # type: ignore[method-assign]
    (op,) = await world.submit(command())
    assert seen == [OperationState.PENDING]
    assert op.state is OperationState.APPLIED
    assert op.inquiry_seq is not None
    assert op.subject_key == DEBTOR.key
    assert op.starts_on == TODAY
    assert op.until == datetime.date(2027, 5, 31)
    assert world.bank.applications == {op.request_id: 1}
    actions = [e.action for e in await world.log.list(case_number=NUMBER.canonical)]
    assert "control.request" in actions
    assert "control.outcome" in actions


async def test_a_freeze_starts_on_the_courts_date_not_the_utc_one(world: World):
    # 01:30 on 2 June in Huai'an is still 1 June in UTC
    world.clock.now = datetime.datetime(2026, 6, 1, 17, 30, tzinfo=datetime.UTC)
    (op,) = await world.submit(command())
    assert op.state is OperationState.APPLIED
    assert op.starts_on == TODAY + datetime.timedelta(days=1)


async def test_the_same_key_replays_and_another_input_is_refused(world: World):
    first = await world.submit(command())
    again = await world.submit(command())
    assert [o.id for o in again] == [o.id for o in first]
    assert sum(world.bank.posts.values()) == 1
    with pytest.raises(IdempotencyConflictError) as caught:
        await world.submit(command(amount="40000.00"))
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"


async def test_the_same_control_written_another_way_replays(world: World):
    """A retry that writes the same control another way (the amount without its fen, the texts
    with spaces around them) is the same input: it replays, and nothing is sent again."""
    first = await world.submit(command(amount="50000.00"))
    for written in (
        command(amount="50000"),
        command(amount="50000.0"),
        command(amount="50000.000"),
        command(asset=f" {ACCOUNT} "),
        command(ruling=" (2026)苏0812执100号之一 ", notice="(2026)苏0812执100号协助执行通知书 "),
    ):
        again = await world.submit(written)
        assert [o.id for o in again] == [o.id for o in first], written
    assert sum(world.bank.posts.values()) == 1
    # another amount, even a fen apart, is another input
    for other in ("50000.01", "50000.001"):
        with pytest.raises(IdempotencyConflictError):
            await world.submit(command(amount=other))


async def test_concurrent_requests_with_one_key_make_one_control(world: World):
    results = await asyncio.gather(*(world.submit(command()) for _ in range(5)))
    assert len({r[0].id for r in results}) == 1
    assert sum(world.bank.posts.values()) == 1


@pytest.mark.parametrize(
    ("retried", "code"),
    [
        # the same input: the second freeze of 60,000 would be excessive (ceiling 111,540)
        ("60000.00", None),
        # another input that the checks would refuse too: the key is what is wrong
        ("60000.01", "IDEMPOTENCY_KEY_REUSED"),
    ],
)
async def test_a_request_that_read_no_key_before_the_first_committed_replays_it(
    world: World, monkeypatch: pytest.MonkeyPatch, retried: str, code: str | None
):
    """A client's retry (or a batch sent twice) with one key, whose look-up of the key runs
    while the first request's unit is still open: it finds no key, then waits for the case's
    lock. Once it has the lock it replays the first request's control, or is refused for the
    key; it is never checked against the control the first one made (which answered
    EXCESSIVE_FREEZE and audited a refusal for a control that had been made)."""
    second_read = asyncio.Event()
    put_key = ControlRepository.put_key
    first = True

    async def put_key_after_the_second_read(self, *args, **kwargs):
        nonlocal first
        if first:  # the first request's unit waits, open, until the second has read no key
            first = False
            await second_read.wait()
        await put_key(self, *args, **kwargs)

    replay = ControlService._replay
    reads = 0

    async def counted_replay(self, *args, **kwargs):
        nonlocal reads
        found = await replay(self, *args, **kwargs)
        reads += 1
        if reads == 2:
            assert found is None  # the first request has not committed yet
            second_read.set()
        return found

    monkeypatch.setattr(ControlRepository, "put_key", put_key_after_the_second_read)
    monkeypatch.setattr(ControlService, "_replay", counted_replay)
    last = await last_seq(world)
    results = await asyncio.gather(
        world.submit(command(amount="60000.00")),
        world.submit(command(amount=retried)),
        return_exceptions=True,
    )
    made = results[0]
    assert not isinstance(made, BaseException), made
    if code is None:  # replayed in the state it was then (PENDING, or already settled)
        assert not isinstance(results[1], BaseException), results[1]
        assert [o.id for o in results[1]] == [made[0].id]
    else:
        assert isinstance(results[1], IdempotencyConflictError)
        assert results[1].code == code
    assert [o.id for o in await world.service.for_case(NUMBER)] == [made[0].id]
    assert sum(world.bank.posts.values()) == 1
    new = [(e.action, e.outcome, e.code) for e in await world.log.list(limit=100) if e.seq > last]
    refusals = [] if code is None else [("control.request", "denied", code)]
    assert sorted(new) == sorted(
        [("control.request", "allowed", None), ("control.outcome", "allowed", None), *refusals]
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ruling": " "}, "RULING_NUMBER_REQUIRED"),
        ({"notice": ""}, "NOTICE_NUMBER_REQUIRED"),
        ({"asset": "6222029999999999"}, "ASSET_NOT_FROM_INQUIRY"),
        ({"asset": SPOUSE_ACCOUNT}, "NOT_A_DEBTOR"),  # a lead's account
        ({"asset": CREDITOR_ACCOUNT}, "NOT_A_DEBTOR"),  # the creditor's own
        ({"until": datetime.date(2027, 6, 2)}, "PERIOD_TOO_LONG"),  # deposits: one year
        ({"until": None}, "PERIOD_REQUIRED"),
        ({"amount": "200000.00"}, "EXCESSIVE_FREEZE"),  # owed 100,000 + fees + 10 %
        ({"amount": "0.00"}, "AMOUNT_REQUIRED"),  # a freeze of nothing
        (
            {"action": ControlAction.SEIZE, "agency": "land", "asset": HOUSE, "amount": "1"},
            "AMOUNT_NOT_ALLOWED",
        ),
        ({"agency": "land", "asset": HOUSE, "amount": None}, "ACTION_NOT_SUPPORTED"),  # freeze
    ],
)
async def test_each_legal_check_refuses_with_its_code(world: World, kwargs, code):
    last = await last_seq(world)
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(**kwargs))
    assert caught.value.code == code
    assert " / " in str(caught.value)  # bilingual
    assert world.bank.posts == {}
    assert world.land.posts == {}
    assert await world.service.for_case(NUMBER) == []  # nothing was kept
    await audited_once(world, last, "control.request", code)


async def test_the_ceiling_counts_fees_and_the_margin(world: World):
    # 100,000 owed; fees 50 + 90,000 x 1.5 % = 1,400; margin 10 %: 111,540
    (op,) = await world.submit(command(amount="111540.00"))
    assert op.state is OperationState.APPLIED
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(amount="0.01"), key="k-2")
    assert caught.value.code == "EXCESSIVE_FREEZE"


async def test_an_indivisible_house_is_allowed_beyond_the_debt_with_its_reason(world: World):
    (seizure,) = await world.submit(
        command(
            ControlAction.SEIZE,
            agency="land",
            asset=HOUSE,
            amount=None,
            until=datetime.date(2029, 5, 31),
        )
    )
    assert seizure.state is OperationState.APPLIED
    assert seizure.excess_reason is not None
    assert "indivisible" in seizure.excess_reason
    assert world.land.applications == {seizure.request_id: 1}


async def test_real_estate_allows_three_years_and_not_more(world: World):
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(
            command(
                ControlAction.SEIZE,
                agency="land",
                asset=HOUSE,
                amount=None,
                until=datetime.date(2029, 6, 2),
            )
        )
    assert caught.value.code == "PERIOD_TOO_LONG"


async def test_deductions_stay_within_the_frozen_and_the_unperformed_amounts(world: World):
    await world.submit(command(amount="60000.00"))
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(ControlAction.DEDUCT, amount="60000.01", until=None), key="d1")
    assert caught.value.code == "DEDUCTION_EXCEEDS_FROZEN"
    world.bank.script = ["lost"]  # the first deduction's outcome is unknown: it still counts
    (first,) = await world.submit(
        command(ControlAction.DEDUCT, amount="50000.00", until=None), key="d2"
    )
    assert first.state is OperationState.UNKNOWN
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(ControlAction.DEDUCT, amount="10000.01", until=None), key="d3")
    assert caught.value.code == "DEDUCTION_EXCEEDS_FROZEN"


async def test_an_applied_deduction_raises_the_performed_amount(world: World):
    await world.submit(command(amount="60000.00"))
    (deduction,) = await world.submit(
        command(ControlAction.DEDUCT, amount="25000.00", until=None), key="d1"
    )
    assert deduction.state is OperationState.APPLIED
    case = await world.cases.get(NUMBER)
    assert case is not None
    assert case.performed == Decimal("25000.00")
    # the unperformed amount is now 75,000: a deduction of more is refused
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(ControlAction.DEDUCT, amount="35000.01", until=None), key="d2")
    assert caught.value.code == "DEDUCTION_EXCEEDS_FROZEN"


def answering(world: World, applied: str) -> None:
    """The bank applies every control, saying it applied ``applied``."""
    original = world.bank.control

    async def saying(request):
        outcome = await original(request)
        return dataclasses.replace(outcome, applied_amount=Decimal(applied))

    world.bank.control = saying  # type: ignore[method-assign]


async def test_an_applied_deduction_counts_what_the_agency_deducted(world: World):
    await world.submit(command(amount="60000.00"))
    answering(world, "10000.00")  # less than asked: the performed amount rises by that
    (deduction,) = await world.submit(
        command(ControlAction.DEDUCT, amount="25000.00", until=None), key="d1"
    )
    assert deduction.state is OperationState.APPLIED
    assert deduction.applied_amount == Decimal("10000.00")
    case = await world.cases.get(NUMBER)
    assert case is not None
    assert case.performed == Decimal("10000.00")
    # and the freeze still holds 50,000, not 35,000: the rest may be deducted
    (rest,) = await world.submit(
        command(ControlAction.DEDUCT, amount="50000.00", until=None), key="d2"
    )
    assert rest.state is OperationState.APPLIED


@pytest.mark.parametrize("applied", ["25000.01", "-1.00", "1E+20", "Infinity", "NaN"])
async def test_an_applied_amount_outside_the_request_is_not_counted(world: World, applied: str):
    await world.submit(command(amount="60000.00"))
    answering(world, applied)
    (deduction,) = await world.submit(
        command(ControlAction.DEDUCT, amount="25000.00", until=None), key="d1"
    )
    # not what was asked: for people to settle, never counted as applied
    assert deduction.state is OperationState.UNKNOWN
    assert deduction.applied_amount is None
    assert "outside the agency contract" in (deduction.message or "")
    case = await world.cases.get(NUMBER)
    assert case is not None
    assert case.performed == Decimal("0.00")


def saying(world: World, agency: str, **changes: object) -> None:
    """``agency`` applies every control as usual, its answer changed by ``changes``."""
    fake = getattr(world, agency)
    original = fake.control

    async def changed(request):
        return dataclasses.replace(await original(request), **changes)

    fake.control = changed


@pytest.mark.parametrize(
    ("reference", "kept"),
    [
        ("BANK-\x00-1", "BANK-\ufffd-1"),  # PostgreSQL refuses a NUL: the settle failed there
        ("BANK-\u202e1-\x1b", "BANK-\ufffd1-\ufffd"),  # a bidi override would reorder its line
        ("R" * 200, "R" * 128),  # no longer than the contract allows and the column holds
        ("BANK-2026-000123", "BANK-2026-000123"),
    ],
)
async def test_the_agencys_reference_is_kept_printable(world: World, reference: str, kept: str):
    saying(world, "bank", reference=reference)
    (op,) = await world.submit(command())
    assert op.state is OperationState.APPLIED
    assert op.reference == kept
    (stored,) = await world.service.operations([op.id])
    assert stored.reference == kept
    (outcome,) = [e for e in await world.log.list(action="control.outcome")]
    assert f"ref={kept}" in (outcome.detail or "")


@pytest.mark.parametrize("position", [0, 2**31, 2**63, 2**70])
async def test_a_queue_position_the_store_cannot_hold_is_unknown(world: World, position: int):
    """Past 32 bits PostgreSQL refused it (past 64, SQLite too), and the settle of a seizure the
    registry had queued failed; it is no place in a queue: for people to settle."""
    saying(world, "land", queue_position=position)
    (op,) = await world.submit(
        command(action=ControlAction.SEIZE, agency="land", asset=HOUSE, amount=None)
    )
    assert op.state is OperationState.UNKNOWN
    assert op.queue_position is None
    assert "queue position" in (op.message or "")
    (stored,) = await world.service.operations([op.id])
    assert stored.state is OperationState.UNKNOWN


async def test_a_queue_position_the_store_holds_is_kept(world: World):
    saying(world, "land", queue_position=2**31 - 1)
    (op,) = await world.submit(
        command(action=ControlAction.SEIZE, agency="land", asset=HOUSE, amount=None)
    )
    assert (op.state, op.queue_position) == (OperationState.APPLIED, 2**31 - 1)


async def test_a_renewal_must_come_before_expiry(world: World):
    (freeze,) = await world.submit(command(until=datetime.date(2026, 6, 30)))
    (renewal,) = await world.submit(
        command(ControlAction.RENEW, amount=None, until=datetime.date(2027, 6, 30)), key="r1"
    )
    assert renewal.state is OperationState.APPLIED
    assert renewal.target_id == freeze.id
    world.clock.advance(days=400)  # past the renewed end
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(
            command(ControlAction.RENEW, amount=None, until=datetime.date(2028, 6, 30)), key="r2"
        )
    assert caught.value.code == "RENEWAL_AFTER_EXPIRY"


async def test_a_release_needs_a_control_in_force(world: World):
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(ControlAction.RELEASE, amount=None, until=None))
    assert caught.value.code == "NO_CONTROL_IN_FORCE"
    (freeze,) = await world.submit(command(), key="f")
    (release,) = await world.submit(
        command(ControlAction.RELEASE, amount=None, until=None), key="r"
    )
    assert release.state is OperationState.APPLIED
    assert release.target_id == freeze.id
    # released: the case may freeze its full ceiling again
    (again,) = await world.submit(command(amount="111540.00"), key="f2")
    assert again.state is OperationState.APPLIED


async def last_seq(world: World) -> int:
    """The sequence number of the audit log's last entry (0 when empty)."""
    entries = await world.log.list(limit=1)
    return entries[0].seq if entries else 0


async def audited_once(world: World, after: int, action: str, code: str) -> AuditEntry:
    """The one audit entry written since ``after``: ``action`` refused with ``code``, by the
    request that was refused; the chain still verifies."""
    new = [e for e in await world.log.list(limit=1000) if e.seq > after]
    assert len(new) == 1, [(e.action, e.outcome, e.code) for e in new]
    (entry,) = new
    assert (entry.action, entry.outcome, entry.code) == (action, "denied", code)
    assert entry.request_id in ("req", "r")
    report = await world.log.verify()
    assert report.ok, report
    return entry


async def test_a_refused_control_leaves_one_audit_entry_and_no_control(world: World):
    last = await last_seq(world)
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(amount="200000.00"))
    assert caught.value.code == "EXCESSIVE_FREEZE"
    entry = await audited_once(world, last, "control.request", "EXCESSIVE_FREEZE")
    assert entry.case_number == NUMBER.canonical
    assert entry.actor == JUDGE.subject
    assert entry.detail is not None
    assert entry.detail.startswith("freeze bank/")
    assert "amount=200000.00" in entry.detail
    assert await world.service.for_case(NUMBER) == []  # no control row
    assert world.bank.posts == {}
    # the refusal kept nothing, not even the key: the same key may make a valid request
    (op,) = await world.submit(command())
    assert op.state is OperationState.APPLIED


async def test_a_refused_controls_audit_detail_masks_an_id_number_its_cut_would_split(
    world: World,
):
    """An asset id over 64 characters is refused, and the refusal's detail quotes it cut to 64:
    masked first, an ID number across the cut does not show 14 of its digits."""
    asset = "账" * 50 + "320802198503150018"
    last = await last_seq(world)
    with pytest.raises(ChakongError) as caught:
        await world.submit(command(asset=asset))
    assert "64" in caught.value.message_en
    entry = await audited_once(world, last, "control.request", caught.value.code)
    assert entry.detail is not None
    assert "账" * 50 + "320802" + "*" * 8 in entry.detail
    assert re.search(r"\d{7}", entry.detail.split(" amount=")[0]) is None, entry.detail


async def test_a_refused_controls_audit_detail_masks_an_id_number_sent_as_the_agency(
    world: World,
):
    """The agency is quoted cut to 16 characters: masked first, 16 digits do not show."""
    last = await last_seq(world)
    with pytest.raises(ChakongError) as caught:
        await world.submit(command(agency="320802198503150018"))
    entry = await audited_once(world, last, "control.request", caught.value.code)
    assert entry.detail is not None
    agency = entry.detail.split("/")[0]
    assert agency == "freeze 320802" + "*" * 8 + "00"  # the masked number, cut to 16
    assert re.search(r"\d{7}", agency) is None, entry.detail


async def test_a_refused_plan_leaves_one_audit_entry_for_all_its_items(world: World):
    await two_houses(world)
    last = await last_seq(world)
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(command(), seize(), seize(SECOND_HOUSE))
    assert caught.value.code == "EXCESSIVE_FREEZE"
    entry = await audited_once(world, last, "control.request", "EXCESSIVE_FREEZE")
    assert entry.detail is not None
    assert entry.detail.count("; ") == 2  # the three items asked for, in one entry
    assert await world.service.for_case(NUMBER) == []  # the first item was not kept either


async def test_a_reused_key_is_audited_as_refused_and_changes_nothing(world: World):
    (first,) = await world.submit(command())
    before = await world.service.for_case(NUMBER)
    last = await last_seq(world)
    with pytest.raises(IdempotencyConflictError):
        await world.submit(command(amount="40000.00"))
    await audited_once(world, last, "control.request", "IDEMPOTENCY_KEY_REUSED")
    assert await world.service.for_case(NUMBER) == before
    assert world.bank.posts == {first.request_id: 1}
    # a replay is not a refusal: nothing more is written
    last = await last_seq(world)
    await world.submit(command())
    assert await last_seq(world) == last


async def test_refused_approvals_are_audited(worlds: Worlds):
    world = worlds(ControlPolicy(approval_above=Decimal(0)))
    await world.setup()
    await world.submit(command(amount="60000.00"))
    (asked,) = await world.submit(
        command(ControlAction.DEDUCT, amount="20000.00", until=None), key="d"
    )
    await world.service.decline(APPROVER, "r", asked.id)
    for decide, action in (
        (world.service.approve, "control.approve"),
        (world.service.decline, "control.decline"),
    ):
        before = await world.service.operation(asked.id)
        last = await last_seq(world)
        with pytest.raises(ChakongError) as caught:
            await decide(APPROVER, "r", asked.id)
        assert caught.value.code == "NOT_AWAITING_APPROVAL"
        entry = await audited_once(world, last, action, "NOT_AWAITING_APPROVAL")
        assert entry.case_number == NUMBER.canonical
        assert await world.service.operation(asked.id) == before
        last = await last_seq(world)
        with pytest.raises(ChakongError) as caught:
            await decide(APPROVER, "r", "no-such-control")
        assert caught.value.code == "CONTROL_NOT_FOUND"
        entry = await audited_once(world, last, action, "CONTROL_NOT_FOUND")
        assert entry.case_number is None
    assert asked.request_id not in world.bank.posts


async def test_an_unknown_control_id_is_echoed_with_an_id_number_in_it_masked(worlds: Worlds):
    """Cut to 40 characters before masking, an ID number running across the cut showed 17 of
    its digits in the message and in the audit entry's detail."""
    world = worlds(ControlPolicy(approval_above=Decimal(0)))
    await world.setup()
    asked_for = "号" * 23 + "320802198503150018"  # the cut falls before its last digit
    last = await last_seq(world)
    with pytest.raises(ChakongError) as caught:
        await world.service.approve(APPROVER, "r", asked_for)
    entry = await audited_once(world, last, "control.approve", "CONTROL_NOT_FOUND")
    for text in (caught.value.message_zh, caught.value.message_en, entry.detail or ""):
        assert "号" * 23 + "320802" in text
        assert re.search(r"\d{7}", text) is None, text


async def refused(world: World, *commands, key: str, code: str) -> ControlCheckError:
    """Submit ``commands``: refused with ``code`` and a bilingual message, nothing sent to an
    agency and nothing kept or changed but one ``denied`` audit entry with the code."""
    posts = (dict(world.bank.posts), dict(world.land.posts))
    before = await world.service.for_case(NUMBER)
    case = await world.cases.get(NUMBER)
    last = await last_seq(world)
    with pytest.raises(ControlCheckError) as caught:
        await world.submit(*commands, key=key)
    assert caught.value.code == code
    await audited_once(world, last, "control.request", code)
    assert caught.value.message_zh
    assert caught.value.message_en
    assert str(caught.value) == f"{caught.value.message_zh} / {caught.value.message_en}"
    assert (dict(world.bank.posts), dict(world.land.posts)) == posts
    assert await world.service.for_case(NUMBER) == before
    assert await world.cases.get(NUMBER) == case
    return caught.value


async def test_a_deduction_without_an_amount_is_refused(world: World):
    await world.submit(command(amount="60000.00"))
    for key, amount in (("d1", None), ("d2", "0.00")):
        error = await refused(
            world,
            command(ControlAction.DEDUCT, amount=amount, until=None),
            key=key,
            code="AMOUNT_REQUIRED",
        )
        assert "扣划须写明金额" in error.message_zh
        assert "a deduction needs an amount" in error.message_en


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        (None, None),  # no deduction before
        ("ok", OperationState.APPLIED),  # applied: the performed amount is raised
        ("lost", OperationState.UNKNOWN),  # applied, the answer lost
        ("before", OperationState.UNKNOWN),  # never arrived, but maybe it did
    ],
)
async def test_a_deduction_beyond_the_unperformed_amount_is_refused(world: World, fault, state):
    # the full ceiling frozen: 111,540 on the account, 100,000 owed
    await world.submit(command(amount="111540.00"))
    owed = Decimal("100000.00")
    if fault is not None:
        world.bank.script = [fault]
        (first,) = await world.submit(
            command(ControlAction.DEDUCT, amount="50000.00", until=None), key="d1"
        )
        assert first.state is state
        owed -= first.amount or 0
    over = owed + Decimal("0.01")
    # within what the case holds frozen on the account (at least 61,540), above what is owed
    ledger = await world.service.for_case(NUMBER)
    assert over < Decimal("111540.00") - sum(
        (o.amount or 0) for o in ledger if o.action is ControlAction.DEDUCT
    )
    error = await refused(
        world,
        command(ControlAction.DEDUCT, amount=str(over), until=None),
        key="d2",
        code="DEDUCTION_EXCEEDS_UNPERFORMED",
    )
    assert f"超过本案未履行金额 {owed}" in error.message_zh
    assert f"exceeds the case's unperformed amount {owed}" in error.message_en
    # what is owed, exactly, may be deducted
    (last,) = await world.submit(
        command(ControlAction.DEDUCT, amount=str(owed), until=None), key="d3"
    )
    assert last.state is OperationState.APPLIED


async def test_a_renewal_beyond_the_legal_maximum_is_refused(world: World):
    (freeze,) = await world.submit(command(until=datetime.date(2026, 6, 30)))
    # deposits: at most one year from the old end, 30 June 2027
    error = await refused(
        world,
        command(ControlAction.RENEW, amount=None, until=datetime.date(2027, 7, 1)),
        key="r1",
        code="PERIOD_TOO_LONG",
    )
    assert "不超过 1 年" in error.message_zh
    assert "2027-06-30" in error.message_zh
    assert "within 1 year(s)" in error.message_en
    assert "2027-06-30" in error.message_en
    (renewal,) = await world.submit(
        command(ControlAction.RENEW, amount=None, until=datetime.date(2027, 6, 30)), key="r2"
    )
    assert renewal.state is OperationState.APPLIED
    assert renewal.target_id == freeze.id


async def two_houses(world: World) -> None:
    """The debtor's land answer, again, with two houses (each indivisible, of unknown value)."""
    (house,) = land_records().real_estate
    second = dataclasses.replace(house, unit_number=SECOND_HOUSE, location="淮安市某路2号")
    await world.auditor.inquiries(
        JUDGE,
        "inquiry-2",
        [profile(DEBTOR, ok("land", LandRecords(real_estate=(house, second))))],
    )


def seize(asset: str = HOUSE) -> ControlCommand:
    return command(
        ControlAction.SEIZE,
        agency="land",
        asset=asset,
        amount=None,
        until=datetime.date(2029, 5, 31),
    )


@pytest.mark.parametrize(
    ("fault", "state"),
    [("ok", OperationState.APPLIED), ("lost", OperationState.UNKNOWN)],
)
async def test_a_second_indivisible_asset_is_excessive(world: World, fault, state):
    await two_houses(world)
    world.land.script = [fault]
    (first,) = await world.submit(seize())
    assert first.state is state
    assert first.excess_reason is not None
    for key, asset in (("s2", SECOND_HOUSE), ("s3", HOUSE)):
        error = await refused(world, seize(asset), key=key, code="EXCESSIVE_FREEZE")
        assert "已查封一项不可分割财产" in error.message_zh
        assert "one indivisible asset (real_estate) is already held" in error.message_en


async def test_two_indivisible_assets_in_one_request_are_excessive(world: World):
    await two_houses(world)
    error = await refused(world, seize(), seize(SECOND_HOUSE), key="s", code="EXCESSIVE_FREEZE")
    assert error.message_en.startswith("item 2: ")


async def test_a_released_indivisible_asset_frees_the_exception(world: World):
    await two_houses(world)
    await world.submit(seize())
    (release,) = await world.submit(
        command(ControlAction.RELEASE, agency="land", asset=HOUSE, amount=None, until=None),
        key="x",
    )
    assert release.state is OperationState.APPLIED
    (second,) = await world.submit(seize(SECOND_HOUSE), key="s2")
    assert second.state is OperationState.APPLIED
    assert second.excess_reason is not None


async def test_only_an_assigned_judge_may_control(world: World):
    other = JUDGE.__class__(JUDGE.role, subject="judge-li", court="苏0812", judge="judge-li")
    with pytest.raises(PermissionDeniedError) as caught:
        await world.submit(command(), who=other)
    assert caught.value.code == "NOT_ASSIGNED"
    with pytest.raises(PermissionDeniedError):
        await world.submit(command(), who=SYSTEM)
    denied = await world.log.list(action="control.request", outcome="denied")
    assert len(denied) == 2


# --- maker-checker ----------------------------------------------------------------------------


async def test_a_deduction_waits_for_a_second_judge(worlds: Worlds):
    world = worlds(ControlPolicy(approval_above=Decimal(0)))
    await world.setup()
    await world.submit(command(amount="60000.00"))
    (asked,) = await world.submit(
        command(ControlAction.DEDUCT, amount="20000.00", until=None), key="d"
    )
    assert asked.state is OperationState.AWAITING_APPROVAL
    assert asked.request_id not in world.bank.posts  # nothing sent yet
    assert asked.requested_by == "judge:苏0812:judge-zhou"
    # the requester with the approver's permission, by another token of theirs (another sub)
    again = JUDGE.__class__(
        **{**_fields(JUDGE), "subject": "another", "permissions": APPROVER.permissions}
    )
    with pytest.raises(PermissionDeniedError) as caught:
        await world.service.approve(again, "r", asked.id)
    assert caught.value.code == "SELF_APPROVAL"
    with pytest.raises(PermissionDeniedError) as caught:
        await world.service.approve(
            JUDGE.__class__(**{**_fields(APPROVER), "permissions": frozenset()}), "r", asked.id
        )
    assert caught.value.code == "NOT_AN_APPROVER"
    approved = await world.service.approve(APPROVER, "r", asked.id)
    assert approved.state is OperationState.APPLIED
    assert approved.approved_by == "judge:苏0812:judge-wu"
    assert world.bank.applications[asked.request_id] == 1
    case = await world.cases.get(NUMBER)
    assert case is not None
    assert case.performed == Decimal("20000.00")
    with pytest.raises(ChakongError) as caught2:
        await world.service.approve(APPROVER, "r", asked.id)
    assert caught2.value.code == "NOT_AWAITING_APPROVAL"


async def test_an_asset_id_in_full_width_digits_is_the_same_asset(world: World):
    await world.setup()
    wide = ACCOUNT.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    (frozen,) = await world.submit(command(asset=f"\u3000{wide} "))
    assert frozen.state is OperationState.APPLIED
    assert frozen.asset_id == ACCOUNT
    (replayed,) = await world.submit(command())  # the same input, as the key is bound to it
    assert replayed.id == frozen.id


async def test_an_approval_checks_the_deduction_again(worlds: Worlds):
    """What changed while a deduction waited: its freeze released, its case closed. The approval
    is refused, nothing is sent, and the deduction still waits (to be declined)."""
    world = worlds(ControlPolicy(approval_above=Decimal(0)))
    await world.setup()
    (frozen,) = await world.submit(command(amount="60000.00"))
    (released_first,) = await world.submit(
        command(ControlAction.DEDUCT, amount="100.00", until=None), key="d1"
    )
    (closed_first,) = await world.submit(
        command(ControlAction.DEDUCT, amount="200.00", until=None), key="d2"
    )
    for asked in (released_first, closed_first):
        assert asked.state is OperationState.AWAITING_APPROVAL
    (release,) = await world.submit(command(ControlAction.RELEASE, until=None), key="r")
    assert release.state is OperationState.APPLIED
    with pytest.raises(ChakongError) as caught:
        await world.service.approve(APPROVER, "r", released_first.id)
    assert caught.value.code == "NO_CONTROL_IN_FORCE"
    async with world.store.begin() as unit:
        await unit.cases.set_status(NUMBER, CaseStatus.CLOSED, world.clock())
    with pytest.raises(ChakongError) as caught:
        await world.service.approve(APPROVER, "r", closed_first.id)
    assert caught.value.code == "CASE_NOT_OPEN"
    for asked in (released_first, closed_first):
        assert asked.request_id not in world.bank.posts  # never sent
        assert (await world.service.operation(asked.id)).state is (OperationState.AWAITING_APPROVAL)
    denied = await world.log.list(action="control.approve", outcome="denied")
    assert len(denied) == 2
    declined = await world.service.decline(APPROVER, "r", closed_first.id)
    assert declined.state is OperationState.DECLINED
    assert frozen.state is OperationState.APPLIED


async def test_a_declined_deduction_is_never_sent(worlds: Worlds):
    world = worlds(ControlPolicy(approval_above=Decimal("10000")))
    await world.setup()
    await world.submit(command(amount="60000.00"))
    (small,) = await world.submit(
        command(ControlAction.DEDUCT, amount="10000.00", until=None), key="d1"
    )
    assert small.state is OperationState.APPLIED  # at the threshold: no approval needed
    (big,) = await world.submit(
        command(ControlAction.DEDUCT, amount="10000.01", until=None), key="d2"
    )
    declined = await world.service.decline(APPROVER, "r", big.id)
    assert declined.state is OperationState.DECLINED
    assert big.request_id not in world.bank.posts


def make_case_with_judges(judges):
    return dataclasses.replace(make_case(), judges=tuple(judges))


def _fields(p):
    return {
        "role": p.role,
        "subject": p.subject,
        "court": p.court,
        "judge": p.judge,
        "permissions": p.permissions,
    }


# --- the reconciler ---------------------------------------------------------------------------


async def test_a_lost_answer_is_adopted_without_sending_again(world: World):
    world.bank.script = ["lost"]
    (op,) = await world.submit(command())
    assert op.state is OperationState.UNKNOWN
    report = await world.service.reconcile()
    assert (report.adopted, report.resent) == (1, 0)
    assert (await world.service.operation(op.id)).state is OperationState.APPLIED
    assert world.bank.posts[op.request_id] == 1
    assert world.bank.applications[op.request_id] == 1
    actions = [e.action for e in await world.log.list(action="control.reconcile")]
    assert actions == ["control.reconcile"]


async def test_a_control_never_seen_is_sent_again_with_the_same_request_id(world: World):
    world.bank.script = ["before"]
    (op,) = await world.submit(command())
    assert op.state is OperationState.UNKNOWN
    report = await world.service.reconcile()
    assert report.resent == 1
    settled = await world.service.operation(op.id)
    assert settled.state is OperationState.APPLIED
    assert settled.attempts == 2
    assert world.bank.posts[op.request_id] == 2
    assert world.bank.applications[op.request_id] == 1


async def test_a_lagging_status_lookup_resends_and_the_agency_replays(world: World):
    world.bank.script = ["lost"]
    world.bank.status_lag = 1  # "not found" once, although it was applied
    (op,) = await world.submit(command())
    await world.service.reconcile()
    assert (await world.service.operation(op.id)).state is OperationState.APPLIED
    assert world.bank.applications[op.request_id] == 1  # the resend was a replay


async def test_a_failing_status_lookup_leaves_it_unknown(world: World):
    world.bank.script = ["lost"]
    world.bank.status_fails = 1
    (op,) = await world.submit(command())
    report = await world.service.reconcile()
    assert report.unresolved == 1
    assert (await world.service.operation(op.id)).state is OperationState.UNKNOWN
    (step,) = await world.log.list(action="control.reconcile")
    assert step.detail is not None
    assert "lookup failed" in step.detail
    await world.service.reconcile()
    assert (await world.service.operation(op.id)).state is OperationState.APPLIED


async def test_an_agency_that_cannot_tell_yet_is_an_audited_step(world: World):
    world.bank.script = ["lost"]
    world.bank.status_unknown = 1
    (op,) = await world.submit(command())
    report = await world.service.reconcile()
    assert report.unresolved == 1
    assert (await world.service.operation(op.id)).state is OperationState.UNKNOWN
    (step,) = await world.log.list(action="control.reconcile")
    assert step.detail is not None
    assert "still unknown" in step.detail
    await world.service.reconcile()
    assert (await world.service.operation(op.id)).state is OperationState.APPLIED
    assert world.bank.posts[op.request_id] == 1  # never sent again: the agency had it


async def test_a_rejection_is_adopted(world: World):
    world.bank.script = ["reject"]
    (op,) = await world.submit(command())
    assert op.state is OperationState.REJECTED
    # a rejected freeze holds nothing: the full ceiling is free again
    (again,) = await world.submit(command(amount="111540.00"), key="k-2")
    assert again.state is OperationState.APPLIED


async def test_an_attempt_that_hangs_is_unknown_after_the_attempt_timeout(worlds: Worlds):
    world = worlds(ControlPolicy(approval_above=None, attempt_timeout_s=0.05))
    await world.setup()
    world.bank.script = ["hang"]
    (op,) = await world.submit(command())
    assert op.state is OperationState.UNKNOWN
    await world.service.reconcile()  # the agency never saw it: sent again
    assert (await world.service.operation(op.id)).state is OperationState.APPLIED


async def test_an_attempt_interrupted_by_a_restart_is_reconciled_after_the_grace(world: World):
    world.bank.script = ["hang"]
    task = asyncio.ensure_future(world.submit(command()))
    await world.bank.posted.wait()
    task.cancel()  # the process stops mid-attempt
    with pytest.raises(asyncio.CancelledError):
        await task
    (op,) = await world.service.for_case(NUMBER)
    assert op.state is OperationState.PENDING
    assert (await world.service.reconcile()).examined == 0  # within the grace: maybe in flight
    world.clock.advance(seconds=31)
    await world.service.reconcile()
    assert (await world.service.operation(op.id)).state is OperationState.APPLIED
    assert world.bank.applications[op.request_id] == 1


async def test_keys_are_kept_thirty_days(world: World):
    await world.submit(command())
    world.clock.advance(days=29)
    assert await world.service.purge_keys() == 0
    world.clock.advance(days=2)
    assert await world.service.purge_keys() == 1


async def test_the_inquiry_keeps_the_latest_answer_per_subject_and_agency(world: World):
    answers = await world.service.answers(NUMBER)
    assert {(a.subject_key, a.agency) for a in answers} == {
        (DEBTOR.key, "bank"),
        (DEBTOR.key, "land"),
        (SPOUSE.key, "bank"),
        (CREDITOR.key, "bank"),
    }
    entries = {e.seq: e for e in await world.log.list(action="inquiry")}
    for answer in answers:
        assert entries[answer.audit_seq].case_number == NUMBER.canonical
    await world.auditor.inquiries(
        JUDGE, "inquiry-2", [profile(DEBTOR, ok("bank", bank_records(ACCOUNT, "1.00")))]
    )
    latest = {(a.subject_key, a.agency): a for a in await world.service.answers(NUMBER)}
    (asset,) = latest[(DEBTOR.key, "bank")].assets
    assert asset.value == Decimal("1.00")


async def test_a_subjects_controls_are_those_of_its_case(world: World):
    (freeze,) = await world.submit(command())
    world.clock.advance(seconds=1)
    (house,) = await world.submit(
        command(action=ControlAction.SEIZE, agency="land", asset=HOUSE, amount=None), key="k-2"
    )
    found = await world.service.of_subject(NUMBER, DEBTOR.key)
    assert [op.id for op in found] == [freeze.id, house.id]  # oldest first
    assert found[0].state is OperationState.APPLIED
    assert await world.service.of_subject(NUMBER, SPOUSE.key) == []
    # the same debtor in another case: none of this case's controls
    other = parse_case_number("(2026)苏0812执101号")
    assert await world.service.of_subject(other, DEBTOR.key) == []


def test_limits_default_margin():
    assert ControlLimits().excess_margin == Decimal("0.10")


async def test_concurrent_deductions_never_pass_the_frozen_amount_together(world: World):
    await world.submit(command(amount="60000.00"))
    results = await asyncio.gather(
        world.submit(command(ControlAction.DEDUCT, amount="40000.00", until=None), key="d1"),
        world.submit(command(ControlAction.DEDUCT, amount="40000.00", until=None), key="d2"),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, ControlCheckError)]
    made = [r for r in results if isinstance(r, list)]
    assert len(made) == 1
    assert [r.code for r in refused] == ["DEDUCTION_EXCEEDS_FROZEN"]


async def test_two_judges_keys_never_meet(worlds: Worlds):
    world = worlds(ControlPolicy(approval_above=None))
    await world.setup()
    await world.cases.save(
        make_case_with_judges(["judge-zhou", "judge-wu"]), principal=SYSTEM, request_id="s"
    )
    (mine,) = await world.submit(command(amount="100.00"), key="same")
    (theirs,) = await world.submit(command(amount="200.00"), key="same", who=APPROVER)
    assert mine.id != theirs.id
