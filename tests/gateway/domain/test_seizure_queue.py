"""The queue of seizures worked out from the gateway's own controls (cases the service tests
against the mock's ledger do not reach: a cascade, a hold the gateway never made, a same-day
release)."""

from __future__ import annotations

import datetime

from gateway.domain.controls import ControlAction, ControlOperation, OperationState
from gateway.domain.seizure_queue import Standing, standings

DAY0 = datetime.date(2026, 6, 1)


def day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


def at(n: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day(n), datetime.time(hour), tzinfo=datetime.UTC)


def op(
    op_id: str,
    action: ControlAction = ControlAction.SEIZE,
    *,
    made: datetime.datetime,
    until: datetime.date | None = None,
    queue: int | None = None,
    target: str | None = None,
    state: OperationState = OperationState.APPLIED,
) -> ControlOperation:
    return ControlOperation(
        id=op_id, request_id=f"ck-{op_id}", case_number=f"case-{op_id}", court="苏0812",
        action=action, agency="land", asset_id="house", asset_class="real_estate",
        subject_key="s", inquiry_seq=1, ruling_number="r", notice_number="n", amount=None,
        held_value=None, applied_amount=None, queue_position=queue,
        starts_on=made.date() if action is ControlAction.SEIZE else None, until=until,
        target_id=target, state=state, requested_by="j", approved_by=None, attempts=1,
        reference=None, message=None, excess_reason=None, created_at=made, updated_at=made,
    )  # fmt: skip


def test_a_queue_of_three_moves_up_one_lapse_after_another():
    ops = [
        op("a", made=at(0), until=day(10)),
        op("b", made=at(0, 10), until=day(20), queue=1),
        op("c", made=at(0, 11), until=day(5), queue=2),
    ]
    assert standings(ops, day(10))["b"] == Standing(1, None, None)
    now = standings(ops, day(11))
    assert now["b"] == Standing(None, day(11), day(31))
    assert now["c"] == Standing(1, None, None)
    later = standings(ops, day(40))  # b lapsed on day 32: c runs its 5 days from then
    assert later["c"] == Standing(None, day(32), day(37))


def test_a_release_in_flight_or_rejected_does_not_move_the_queue():
    ops = [
        op("a", made=at(0), until=day(100)),
        op("b", made=at(1), until=day(50), queue=1),
        op("r", ControlAction.RELEASE, made=at(2), target="a", state=OperationState.UNKNOWN),
        op("s", ControlAction.RELEASE, made=at(2), target="a", state=OperationState.REJECTED),
    ]
    assert standings(ops, day(3))["b"] == Standing(1, None, None)
    ops.append(op("t", ControlAction.RELEASE, made=at(3), target="a"))
    assert standings(ops, day(3))["b"] == Standing(None, day(3), day(52))


def test_a_hold_the_gateway_never_made_keeps_its_place():
    # queued at 2: another court's seizure (not the gateway's) is ahead too
    ops = [op("a", made=at(0), until=day(10)), op("b", made=at(1), until=day(30), queue=2)]
    assert standings(ops, day(20))["b"] == Standing(1, None, None)


def test_a_seizure_released_before_another_was_made_was_not_ahead_of_it():
    ops = [
        op("a", made=at(0), until=day(100)),
        op("r", ControlAction.RELEASE, made=at(5, 8), target="a"),
        op("x", made=at(1), until=day(200), queue=1),  # queued behind a
        # made after a's release, behind x only
        op("b", made=at(5, 12), until=day(50), queue=1),
    ]
    now = standings(ops, day(5))
    assert now["x"] == Standing(None, day(5), day(204))
    assert now["b"] == Standing(1, None, None)


def test_a_renewal_extends_a_seizure_once_it_is_in_force():
    ops = [
        op("a", made=at(0), until=day(10)),
        op("b", made=at(0, 10), until=day(20), queue=1),
        op("n", ControlAction.RENEW, made=at(15), until=day(200), target="b"),
    ]
    assert standings(ops, day(15))["b"] == Standing(None, day(11), day(200))
