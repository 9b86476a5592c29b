"""The generated list: deterministic, every state reached through the real lifecycle, the demo
cases' debtors among them, and seeded through the service with its history and audit."""

from __future__ import annotations

import datetime
from collections import Counter

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.demo_list import DEMO_DEBTORS, build, plans, seed_demo_list
from gateway.domain.calendar import WorkingCalendar
from gateway.domain.deadlines import SOURCE_PLAN
from gateway.domain.lifecycle import Rules
from gateway.domain.listing import ListingState, age_on, birth_date
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.listing import ListingService
from gateway.store.unit import Store

TODAY = datetime.date(2026, 12, 1)
RULES = Rules(SOURCE_PLAN, WorkingCalendar())


def test_the_plans_are_deterministic_and_reach_every_state_as_adults():
    first = list(plans(120, today=TODAY))
    assert first == list(plans(120, today=TODAY))
    assert first != list(plans(120, seed=1, today=TODAY))
    entries = [build(p, RULES, today=TODAY, entry_id=str(i))[0] for i, p in enumerate(first)]
    assert [e.state for e in entries] == [p.target for p in first]
    assert set(Counter(e.state for e in entries)) == set(ListingState)
    for entry in entries:
        born = birth_date(entry.subject)
        if born is not None:
            assert age_on(born, entry.warned_on) >= 18
    demo_ids = {subject_id for _, _, subject_id, _ in DEMO_DEBTORS}
    assert demo_ids <= {e.subject.id for e in entries}
    # a debtor has one standing entry in a case (the list service refuses a second)
    standing = [
        (e.particulars.case_number, e.subject.key)
        for e in entries
        if e.state is not ListingState.WITHDRAWN
    ]
    assert len(standing) == len(set(standing))


async def test_the_demo_list_is_recorded_through_the_service(engine: AsyncEngine):
    store = Store(engine)
    log = AuditLog(store, b"k" * 32)
    clock = lambda: datetime.datetime(2026, 12, 1, 4, tzinfo=datetime.UTC)  # noqa: E731
    listing = ListingService(store, Auditor(log), RULES, clock=clock)
    assert await seed_demo_list(listing, 24) == 24
    entries = await listing.list(court="苏0812", limit=500)
    assert entries
    # a second demo on the same database records nothing again, and fails on nothing
    assert await seed_demo_list(listing, 24) == 0
    assert await listing.list(court="苏0812", limit=500) == entries
    report = await log.verify()
    assert report.ok
    history = await listing.history(entries[0].id)
    assert history[0].event.value == "WARN"
