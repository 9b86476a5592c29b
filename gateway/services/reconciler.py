"""The reconciler's loop: settle UNKNOWN controls every few seconds, in the gateway's lifespan.

One pass is ``ControlService.reconcile`` (also ``chakong reconcile``). Several gateways may run
it at once: each works an operation only under its lease (``claimed_until``, taken with a
conditional UPDATE that works on SQLite and PostgreSQL and runs out if the process dies), so two
passes never look up or resend the same operation together; each state change is still a
compare-and-set, and the agencies are idempotent on the ``requestId``. A failing pass is logged and
the loop goes on; only cancellation (the lifespan's exit) stops it.
"""

from __future__ import annotations

import asyncio
import logging

from gateway.services.controls import ControlService

log = logging.getLogger(__name__)


async def reconcile_forever(service: ControlService, interval_s: float) -> None:
    """Run a reconciliation pass, then wait ``interval_s``, until cancelled."""
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
            await service.purge_keys()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a reconciliation pass failed; the next one will try again")
        await asyncio.sleep(interval_s)
