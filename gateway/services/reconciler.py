"""The reconciler's loop: settle UNKNOWN controls every few seconds, in the gateway's lifespan.

One pass is ``ControlService.reconcile`` (also ``chakong reconcile``). Several gateways may run
it at once: each works an operation only under its lease (``claimed_until``, taken with a
conditional UPDATE that works on SQLite and PostgreSQL and runs out if the process dies), so two
passes never look up or resend the same operation together; each state change is still a
compare-and-set, and the agencies are idempotent on the ``requestId``. A failing pass is logged and
the loop goes on; only cancellation (the lifespan's exit) stops it.

The loop also forgets idempotency keys past their retention (``ControlService.purge_keys``), but
only once an hour: the retention is at least 30 days, so purging on every pass would take the
store's writer lock every few seconds for nothing. A purge that fails is tried again on the next
pass, not an hour later; a pass that fails is followed by the purge that was due all the same.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from gateway.services.controls import ControlService

log = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0  # idempotency keys live at least 30 days; an hour late is nothing


async def reconcile_forever(
    service: ControlService,
    interval_s: float,
    *,
    purge_every_s: float = PURGE_EVERY_S,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run a reconciliation pass, then wait ``interval_s``, until cancelled; purge expired
    idempotency keys after the first pass and then at most once every ``purge_every_s`` after
    one that succeeded."""
    next_purge = clock()
    while True:
        try:
            report = await service.reconcile()
            if report.examined:
                log.info(
                    "reconciled controls: examined=%d adopted=%d resent=%d unresolved=%d",
                    report.examined,
                    report.adopted,
                    report.resent,
                    report.unresolved,
                )
        except Exception:  # not CancelledError (a BaseException): a stop ends the loop
            log.exception("a reconciliation pass failed; the next one will try again")
        # a pass that failed does not hold the purge back, nor a failed purge the next pass
        if clock() >= next_purge:
            try:
                purged = await service.purge_keys()
            except Exception:
                log.exception(
                    "expired idempotency keys could not be purged; the next pass will try again"
                )
            else:
                # only once it succeeded: a failed purge is tried again on the next pass
                next_purge = clock() + purge_every_s
                if purged:
                    log.info("forgot %d expired idempotency keys", purged)
        await asyncio.sleep(interval_s)
