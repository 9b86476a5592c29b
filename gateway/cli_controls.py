"""``chakong reconcile``: settle UNKNOWN controls from the command line, then report.

Where the gateways run no reconciler (``CHAKONG_CONTROLS__RECONCILE_INTERVAL_S=0``) this command is
the reconciler, so it also forgets the idempotency keys past their retention, as the gateway's
reconciler does once an hour."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.exc import SQLAlchemyError

from gateway.services.controls import ReconcileReport
from gateway.settings import Settings
from gateway.store import DatabaseURLError, checked_database_url


def report_message(report: ReconcileReport, remaining: int) -> str:
    return (
        f"核实 {report.examined} 项：采纳单位答复 {report.adopted}，原编号重发 {report.resent}，"
        f"仍未知 {report.unresolved}；尚待核实 {remaining} / reconciled {report.examined}: "
        f"adopted {report.adopted}, resent with the same requestId {report.resent}, still "
        f"unknown {report.unresolved}; {remaining} left to settle"
    )


def reconcile_command(settings: Settings, key: bytes, *, passes: int, wait_s: float) -> int:
    """Run up to ``passes`` passes, ``wait_s`` apart, until nothing is left; 0 when settled."""
    return asyncio.run(_reconcile(settings, key, passes, wait_s))


async def _reconcile(settings: Settings, key: bytes, passes: int, wait_s: float) -> int:
    from gateway.app import open_resources

    # no reconciler task in this process: the command is the reconciler
    quiet = settings.model_copy(
        update={"controls": settings.controls.model_copy(update={"reconcile_interval_s": 0})}
    )
    total = ReconcileReport()
    try:
        checked_database_url(settings.database_url)
    except DatabaseURLError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        async with open_resources(quiet, key) as resources:
            service = resources.controls
            for index in range(passes):
                report = await service.reconcile()
                total = ReconcileReport(
                    total.examined + report.examined,
                    total.adopted + report.adopted,
                    total.resent + report.resent,
                    report.unresolved,
                )
                if not report.examined or not report.unresolved:
                    break
                if index + 1 < passes:
                    await asyncio.sleep(wait_s)
            # what is left in the database, those another reconciler is working included
            remaining = await service.unsettled_count()
            purged = await service.purge_keys()
    except (SQLAlchemyError, OSError) as exc:  # OSError: a refused connection, a missing folder
        print(f"无法读取数据库 / cannot read the database: {type(exc).__name__}", file=sys.stderr)
        return 1
    print(report_message(total, remaining))
    if purged:
        print(f"清除过期幂等键 {purged} 个 / forgot {purged} expired idempotency keys")
    return 0 if remaining == 0 else 1
