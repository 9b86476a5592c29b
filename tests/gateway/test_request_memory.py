"""What a request loaded goes with its answer, not when the garbage collector gets round to it.

The request's context and its dataloaders refer to each other, and the gateway's collector runs
full collections rarely (``gateway.runtime``): a batch's profiles held by the loaders' caches
stayed in memory long after the answer, and the process grew with every batch served."""

from __future__ import annotations

import asyncio
import gc

from gateway.services.audit import AuditEntry
from gateway.services.fanout import SubjectProfile
from tests.conftest import CASE, Gateway, example_debtors

# the store's writer thread lets go of the group it wrote (the executor's work item) just after
# handing back the result, so a moment after the answer; never, without the release
SETTLE_S = 5.0


def alive() -> tuple[int, int]:
    objects = gc.get_objects()
    return (
        sum(1 for o in objects if isinstance(o, SubjectProfile)),
        sum(1 for o in objects if isinstance(o, AuditEntry)),
    )


async def test_a_batchs_profiles_are_freed_with_its_answer(gateway: Gateway):
    debtors = example_debtors()
    subjects = ", ".join(f'{{kind: {d["kind"]}, id: "{d["id"]}"}}' for d in debtors)
    query = (
        f'{{ debtors(subjects: [{subjects}], caseNumber: "{CASE}", fresh: true) '
        "{ subject { id } summary { classes { count } } } }"
    )
    gc.collect()
    gc.disable()  # what is freed below is freed by its references going, not by a collection
    try:
        before = alive()
        body = await gateway.query(query)
        assert len(body["data"]["debtors"]) == len(debtors) > 1
        for _ in range(int(SETTLE_S / 0.01)):
            if alive() == before:
                break
            await asyncio.sleep(0.01)
        assert alive() == before
    finally:
        gc.enable()
