"""The queue of seizures on one asset (轮候查封), as it stands on a given day.

An agency answers a seizure made behind another one with its place in the queue
(``queuePosition``), once, when it applies it; its status lookup (``GET
/v1/controls/{requestId}``) repeats that first answer, so asking again cannot tell that the queue
has moved. The gateway therefore works the queue out itself, from the seizures of the asset it
made, the way the agencies move it (``mocks.ledger``):

* a seizure ends when a release of it is applied (on the release's day) or when its last day
  has passed (it lapses the day after);
* each seizure of the gateway's that ended after a queued seizure was applied, and was made before
  it, moves it up one place; when all the places the agency counted ahead of it have gone, it
  takes effect on the day the last of them ended, and its period (its ``until`` less the day it
  was made) runs from then; renewals applied to it extend it.

Holds the gateway did not make (another court's seizure in the agency's records) are counted in
the agency's answer but never seen to end: a seizure behind one of them stays queued here until
the gateway makes a control of it that the agency answers anew.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.domain.clock import court_date
from gateway.domain.controls import ControlAction, ControlOperation, OperationState

_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Standing:
    """A seizure's place today: queued (``position`` from 1, no dates yet) or in force."""

    position: int | None  # None: in force
    starts_on: datetime.date | None  # None while queued
    until: datetime.date | None  # renewals included; None while queued


@dataclass(frozen=True, slots=True)
class _End:
    day: datetime.date | None  # the first day it no longer holds; None: it has not ended
    released_at: datetime.datetime | None  # the release's time, to order a same-day seizure


def standings(operations: Iterable[ControlOperation], today: datetime.date) -> dict[str, Standing]:
    """Every applied seizure among ``operations`` (the controls of one asset), by id."""
    ops = list(operations)
    releases: dict[str, ControlOperation] = {}
    renewals: dict[str, datetime.date] = {}
    for op in ops:
        if op.state is not OperationState.APPLIED or op.target_id is None:
            continue
        if op.action is ControlAction.RELEASE:
            first = releases.get(op.target_id)
            if first is None or op.updated_at < first.updated_at:
                releases[op.target_id] = op
        elif op.action is ControlAction.RENEW and op.until is not None:
            renewals[op.target_id] = max(op.until, renewals.get(op.target_id, op.until))
    seizures = sorted(
        (o for o in ops if o.action is ControlAction.SEIZE and o.state is OperationState.APPLIED),
        # the order they were applied in: at one instant, a later one queues further back
        key=lambda o: (o.created_at, o.queue_position or 0, o.id),
    )
    made: list[tuple[ControlOperation, _End]] = []
    result: dict[str, Standing] = {}
    for seizure in seizures:
        standing = _standing(seizure, made, today)
        if standing.until is not None and seizure.id in renewals:
            standing = Standing(None, standing.starts_on, max(standing.until, renewals[seizure.id]))
        result[seizure.id] = standing
        release = releases.get(seizure.id)
        ends = [] if standing.until is None else [standing.until + _DAY]
        if release is not None:
            ends.append(court_date(release.updated_at))
        made.append(
            (
                seizure,
                _End(min(ends) if ends else None, None if release is None else release.updated_at),
            )
        )
    return result


def _standing(
    seizure: ControlOperation,
    made: list[tuple[ControlOperation, _End]],
    today: datetime.date,
) -> Standing:
    made_on = seizure.starts_on or court_date(seizure.created_at)
    if seizure.queue_position is None:
        return Standing(None, made_on, seizure.until)
    ahead = [end for earlier, end in made if _was_ahead(end, seizure, made_on)]
    gone = sorted(end.day for end in ahead if end.day is not None and end.day <= today)
    places = seizure.queue_position
    if len(gone) < places:
        return Standing(places - len(gone), None, None)
    starts = gone[places - 1]
    period = None if seizure.until is None else seizure.until - made_on
    return Standing(None, starts, None if period is None else starts + period)


def _was_ahead(end: _End, seizure: ControlOperation, made_on: datetime.date) -> bool:
    """Whether an earlier seizure still held the asset when ``seizure`` was applied."""
    if end.day is None or end.day > made_on:
        return True
    if end.day < made_on:
        return False
    # ended the day it was made: ahead only if released after it was made
    return end.released_at is not None and end.released_at > seizure.created_at
