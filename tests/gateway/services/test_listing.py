"""The list's service on SQLite and PostgreSQL: events stored with their history and audited in
one transaction, nothing deleted, the public query, and the overdue view in both profiles."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.auth.principal import Principal, Role
from gateway.domain.calendar import WorkingCalendar
from gateway.domain.deadlines import NATIONAL, SOURCE_PLAN, DeadlineProfile
from gateway.domain.errors import InvalidInputError
from gateway.domain.lifecycle import Action, ListingEvent, Rules
from gateway.domain.listing import ExitCause, ListingEntry, ListingError, ListingState
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services.audit import AuditLog, AuditUnavailableError
from gateway.services.auditing import Auditor
from gateway.services.listing import (
    ListingAlreadyEnteredError,
    ListingConflictError,
    ListingNotFoundError,
    ListingService,
    OverdueKind,
    higher_court,
)
from gateway.store import configure_sqlite
from gateway.store.listing import ListingRepository
from gateway.store.tables import listing_entries, listing_events
from gateway.store.unit import Store
from tests.gateway.listing_samples import ADULT, COMPANY, decision, particulars, resident_id
from tests.gateway.services.audit_samples import KEY
from tests.gateway.store.databases import migrated_engine

D = datetime.date
E = ListingEvent
S = ListingState
JUDGE = Principal(Role.JUDGE, subject="judge:J001", court="苏0812", judge="J001")


class Today:
    """A clock at noon in China on a settable day."""

    def __init__(self, day: datetime.date) -> None:
        self.day = day

    def __call__(self) -> datetime.datetime:
        return datetime.datetime(*self.day.timetuple()[:3], 4, 0, tzinfo=datetime.UTC)


def service(engine: AsyncEngine, clock: Today, profile: DeadlineProfile = SOURCE_PLAN):
    store = Store(engine)
    log = AuditLog(store, KEY)
    rules = Rules(profile, WorkingCalendar())
    return ListingService(store, Auditor(log), rules, clock=clock), log


def warned(
    svc: ListingService,
    subject: Subject = ADULT,
    case: str = "(2026)苏0812执123号",
    request_id: str = "r",
) -> Awaitable[ListingEntry]:
    """The judge's warning of ``subject`` in ``case``, as the tests give it."""
    return svc.warn(
        particulars(subject, case),
        on=D(2026, 3, 2),
        document_number="风险提示1号",
        reason="未履行",
        principal=JUDGE,
        request_id=request_id,
    )


async def published(svc: ListingService, subject: Subject = ADULT) -> ListingEntry:
    entry = await warned(svc, subject, request_id="r0")
    on = D(2026, 3, 10)
    entry = await svc.record(
        entry.id, Action(E.DECIDE, on, decision=decision(on)), principal=JUDGE, request_id="r1"
    )
    return await svc.record(entry.id, Action(E.PUBLISH, on), principal=JUDGE, request_id="r2")


async def test_events_are_stored_with_history_and_audited_in_one_chain(engine: AsyncEngine):
    svc, log = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)
    cause = ExitCause.PERFORMED
    action = Action(E.REPORT_EXIT, D(2026, 5, 1), reason="已全部履行", exit_cause=cause)
    await svc.record(entry.id, action, principal=JUDGE, request_id="r3")
    mask = Action(E.MASK, D(2026, 5, 2), reason="履行完毕", document_number="屏蔽决定1号")
    masked = await svc.record(entry.id, mask, principal=JUDGE, request_id="r4")
    stored = await svc.get(entry.id)
    assert stored == masked
    assert (stored.state, stored.public, stored.exit_cause) == (S.MASKED, False, cause)
    history = await svc.history(entry.id)
    assert [h.event for h in history] == [E.WARN, E.DECIDE, E.PUBLISH, E.REPORT_EXIT, E.MASK]
    assert [h.to_state for h in history][-1] is S.MASKED
    last = history[-1]
    assert (last.actor, last.role, last.judge, last.reason) == (
        "judge:J001",
        "JUDGE",
        "J001",
        "履行完毕",
    )
    assert (last.document_number, last.occurred_on, last.request_id) == (
        "屏蔽决定1号",
        D(2026, 5, 2),
        "r4",
    )
    audit = list(reversed(await log.list()))
    assert [a.action for a in audit] == [
        "listing.warn",
        "listing.decide",
        "listing.publish",
        "listing.report_exit",
        "listing.mask",
    ]
    assert audit[-1].subject_masked == ADULT.masked_id
    assert "屏蔽决定1号" in (audit[-1].detail or "")
    assert (await log.verify()).ok


async def test_an_event_whose_audit_entry_fails_is_not_recorded(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)

    async def broken(self, records, *, unit=None):
        raise AuditUnavailableError("审计日志写入失败", "the audit log could not be written")

    monkeypatch.setattr(AuditLog, "append", broken)
    with pytest.raises(AuditUnavailableError):
        await svc.record(
            entry.id,
            Action(E.LIFT, D(2026, 5, 1), document_number="担保1号"),
            principal=JUDGE,
            request_id="x",
        )
    monkeypatch.undo()
    assert await svc.get(entry.id) == entry
    assert len(await svc.history(entry.id)) == 3


async def test_refusals_change_nothing_and_unknown_entries_are_coded(engine: AsyncEngine):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)
    with pytest.raises(ListingError) as caught:
        await svc.record(
            entry.id, Action(E.PUBLISH, D(2026, 5, 1)), principal=JUDGE, request_id="x"
        )
    assert caught.value.code == "LISTING_INVALID_TRANSITION"
    assert await svc.get(entry.id) == entry
    with pytest.raises(ListingNotFoundError):
        await svc.record("nope", Action(E.PUBLISH, D(2026, 5, 1)), principal=JUDGE, request_id="x")
    # the id as the caller sent it, quoted (an empty one shows as such), masked, cut, and with
    # no character that could reorder the message
    for sent, shown in (
        ("", "no list entry ''"),
        ("\u202e" + "x" * 100, "no list entry '\ufffd" + "x" * 39 + "'"),
        ("320812198203151256", "no list entry '320812********1256'"),
    ):
        with pytest.raises(ListingNotFoundError) as missing:
            await svc.require(sent)
        assert missing.value.message_en == shown


async def test_nothing_is_ever_deleted(engine: AsyncEngine):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)
    revoke = Action(E.REVOKE, D(2026, 4, 1), document_number="撤销1号")
    await svc.record(entry.id, revoke, principal=JUDGE, request_id="x")
    async with engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(listing_entries)) == 1
        assert await conn.scalar(sa.select(sa.func.count()).select_from(listing_events)) == 4


async def test_the_public_query_shows_only_published_unmasked_adults_with_the_id_masked(
    engine: AsyncEngine,
):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    shown = await published(svc)
    hidden_person = Subject(SubjectKind.NATURAL, resident_id(D(1975, 1, 2), "123"), "张三")
    hidden = await published(svc, hidden_person)
    mask_exit = Action(E.REPORT_EXIT, D(2026, 4, 1), exit_cause=ExitCause.SETTLEMENT)
    await svc.record(hidden.id, mask_exit, principal=JUDGE, request_id="x")
    await svc.record(
        hidden.id,
        Action(E.MASK, D(2026, 4, 2), document_number="屏蔽2号"),
        principal=JUDGE,
        request_id="x",
    )
    company = await published(svc, COMPANY)
    # by name and a fragment of the number
    found = await svc.public_search("张 三", ADULT.id[-4:])
    assert [e.id for e in found] == [shown.id]
    assert [e.id for e in await svc.public_search("张三", ADULT.id[:10])] == [shown.id]
    # never by the birth month and day the answer hides, nor across them: else anyone could
    # guess them a digit at a time
    for hidden_part in (ADULT.id[10:14], ADULT.id[-6:], ADULT.id[8:12], ADULT.id):
        assert await svc.public_search("张三", hidden_part) == [], hidden_part
    assert await svc.public_search("张三", hidden_person.id[-4:]) == []  # masked
    assert [e.id for e in await svc.public_search(COMPANY.name or "", COMPANY.id[2:10])] == [
        company.id
    ]
    assert await svc.public_search("李四", ADULT.id[-6:]) == []
    # an underscore or percent is no wildcard
    assert await svc.public_search("张三", "%%%%") == []
    with pytest.raises(InvalidInputError) as caught:
        await svc.public_search("张三", "123")
    assert caught.value.code == "PUBLIC_QUERY_INVALID"


async def test_a_minor_row_written_behind_the_services_back_is_never_public(engine: AsyncEngine):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)
    young = resident_id(D(2010, 1, 1), "555")
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(listing_entries)
            .where(listing_entries.c.id == entry.id)
            .values(subject_id=young, birth_date=D(2010, 1, 1))
        )
    assert await svc.public_search("张三", young[-6:]) == []


async def test_listing_status_of_subjects(engine: AsyncEngine):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)
    other = Subject(SubjectKind.NATURAL, resident_id(D(1970, 1, 1), "777"))
    assert [e.id for e in await svc.of_subjects([ADULT, other])] == [entry.id]


@pytest.mark.parametrize(
    ("profile", "late_from"),
    [(SOURCE_PLAN, D(2026, 2, 24)), (NATIONAL, D(2026, 2, 27))],
)
async def test_an_undecided_review_is_overdue_on_the_right_day_in_each_profile(
    engine: AsyncEngine, profile: DeadlineProfile, late_from: datetime.date
):
    # correction applied on Thu 12 Feb 2026: the plan's 3 days end on Sun 15 Feb, in the Spring
    # Festival, so on Tue 24 Feb; the national 15 days end on Fri 27 Feb
    clock = Today(D(2026, 2, 12))
    svc, _ = service(engine, clock, profile)
    entry = await svc.warn(
        particulars(),
        on=D(2026, 2, 2),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="a",
    )
    on = D(2026, 2, 10)
    for action in (
        Action(E.DECIDE, on, decision=decision(on)),
        Action(E.PUBLISH, on),
        Action(E.APPLY_CORRECTION, D(2026, 2, 12)),
    ):
        entry = await svc.record(entry.id, action, principal=JUDGE, request_id="b")
    assert await svc.overdue(court="苏0812", today=late_from) == []
    day_after = late_from + datetime.timedelta(days=1)
    (item,) = await svc.overdue(court="苏0812", today=day_after)
    assert (item.entry.id, item.kind, item.due.on, item.days_overdue) == (
        entry.id,
        OverdueKind.REVIEW,
        late_from,
        1,
    )
    assert await svc.overdue(court="苏0803", today=day_after) == []
    (row,) = await svc.accountability(court=None, today=day_after)
    assert (row.court, row.judge, row.kind, row.count) == ("苏0812", "J001", OverdueKind.REVIEW, 1)


async def test_exit_and_expiry_are_overdue_after_their_deadlines(engine: AsyncEngine):
    clock = Today(D(2026, 6, 1))
    svc, _ = service(engine, clock, NATIONAL)
    performed = await published(svc)
    report = Action(E.REPORT_EXIT, D(2026, 5, 29), exit_cause=ExitCause.PERFORMED)  # a Friday
    await svc.record(performed.id, report, principal=JUDGE, request_id="x")
    # 3 working days from Fri 29 May: Mon 1, Tue 2, Wed 3 June
    assert await svc.overdue(court=None, today=D(2026, 6, 3)) == []
    (item,) = await svc.overdue(court=None, today=D(2026, 6, 4))
    assert (item.kind, item.due.on) == (OverdueKind.EXIT, D(2026, 6, 3))
    # an entry decided two years ago, still public after its validity
    clock.day = D(2026, 6, 1)
    old = await svc.warn(
        particulars(COMPANY),
        on=D(2024, 3, 1),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="y",
    )
    on = D(2024, 3, 5)
    old = await svc.record(
        old.id, Action(E.DECIDE, on, decision=decision(on)), principal=JUDGE, request_id="y"
    )
    old = await svc.record(old.id, Action(E.PUBLISH, on), principal=JUDGE, request_id="y")
    assert old.valid_until == D(2026, 3, 4)
    items = await svc.overdue(court=None, today=D(2026, 6, 4))
    assert {i.kind for i in items} == {OverdueKind.EXIT, OverdueKind.EXPIRED_STILL_PUBLIC}
    # the report counts the same items, from plain rows
    rows = await svc.accountability(court="苏0812", today=D(2026, 6, 4))
    assert sorted((r.kind.value, r.count, r.oldest_due) for r in rows) == sorted(
        (i.kind.value, 1, i.due.on) for i in items
    )


def test_the_higher_court_follows_the_court_code_unless_configured():
    assert higher_court("苏0812", {}) == "苏08"
    assert higher_court("苏08", {}) == "苏"
    assert higher_court("苏", {}) == "最高法"
    assert higher_court("最高法", {}) is None
    assert higher_court("苏8601", {"苏8601": "苏86"}) == "苏86"


async def test_leads_are_unperformed_open_cases_without_an_entry(engine: AsyncEngine):
    from decimal import Decimal

    from gateway.domain.register import Party, PartyRole, new_case
    from gateway.services.cases import CaseRegister

    svc, log = service(engine, Today(D(2026, 6, 1)))
    minor = Subject(SubjectKind.NATURAL, resident_id(D(2012, 1, 1), "321"), "小明")
    register = CaseRegister(Store(engine), Auditor(log))
    system = Principal(Role.COURT_SYSTEM, subject="system", court="苏0812")
    for number, filed, performed in (
        ("(2025)苏0812执1号", D(2025, 1, 1), Decimal(0)),  # old, unperformed: a lead
        ("(2026)苏0812执2号", D(2026, 5, 1), Decimal(0)),  # too recent
        ("(2025)苏0812执3号", D(2025, 1, 1), Decimal(100)),  # performed
    ):
        case = new_case(
            number,
            court="苏0812",
            judges=["J002"],
            parties=[Party(PartyRole.DEBTOR, ADULT), Party(PartyRole.DEBTOR, minor)],
            obligation=Decimal(100),
            performed=performed,
            filed_on=filed,
        )
        await register.save(case, principal=system, request_id="s")
    (lead,) = await svc.leads(court="苏0812")
    assert (lead.case_number, lead.subject.id, lead.judge) == (
        "(2025)苏0812执1号",
        ADULT.id,
        "J002",
    )
    assert await svc.leads(court="苏0803") == []
    # once the court has warned the debtor in that case, it is no longer a lead
    await svc.warn(
        particulars(case_number="(2025)苏0812执1号"),
        on=D(2026, 5, 20),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="w",
    )
    assert await svc.leads(court="苏0812") == []


async def test_leads_carry_what_the_inquiries_found_and_covering_ones_come_first(
    engine: AsyncEngine,
):
    from decimal import Decimal

    from gateway.domain.controls import Asset
    from gateway.domain.register import Party, PartyRole, new_case
    from gateway.services.cases import CaseRegister
    from gateway.store.controls import InquiryAnswer

    svc, log = service(engine, Today(D(2026, 6, 1)))
    store = Store(engine)
    minor = Subject(SubjectKind.NATURAL, resident_id(D(2012, 1, 1), "321"), "小明")
    register = CaseRegister(store, Auditor(log))
    system = Principal(Role.COURT_SYSTEM, subject="system", court="苏0812")
    covered, short, never = "(2025)苏0812执11号", "(2025)苏0812执12号", "(2025)苏0812执13号"
    for number, filed in ((covered, D(2025, 3, 1)), (short, D(2025, 1, 1)), (never, D(2025, 2, 1))):
        case = new_case(
            number,
            court="苏0812",
            judges=["J002"],
            parties=[Party(PartyRole.DEBTOR, ADULT), Party(PartyRole.DEBTOR, minor)],
            obligation=Decimal(1000),
            performed=Decimal(100),  # 900 unperformed
            filed_on=filed,
        )
        await register.save(case, principal=system, request_id="s")

    def at(day: int) -> datetime.datetime:
        return datetime.datetime(2026, 5, day, 8, tzinfo=datetime.UTC)

    def answer(case: str, who: Subject, agency: str, day: int, *assets: Asset) -> InquiryAnswer:
        return InquiryAnswer(case, who.key, agency, at(day), 1, assets)

    def asset(agency: str, asset_class: str, value: str | None, currency: str = "CNY") -> Asset:
        amount = None if value is None else Decimal(value)
        return Asset(agency, f"{agency}-{asset_class}", asset_class, amount, currency)

    answers = [
        # covered: 500 in deposits and a wealth product, 250 fund balance, 150 in shares = 900
        answer(covered, ADULT, "bank", 3, asset("bank", "deposits", "1")),  # replaced below
        answer(covered, ADULT, "bank", 4, asset("bank", "deposits", "300"),
               asset("bank", "wealth_products", "200")),
        answer(covered, ADULT, "fund", 9, asset("fund", "fund_balance", "250")),
        answer(covered, ADULT, "securities", 2, asset("securities", "securities", "150")),
        # the minor's assets cover the debt too: still never a lead
        answer(covered, minor, "bank", 5, asset("bank", "deposits", "5000")),
        # short: 899 counted; foreign currency, equity, land and a house are not
        answer(short, ADULT, "bank", 6, asset("bank", "deposits", "899"),
               asset("bank", "deposits", "5000", "USD")),
        answer(short, ADULT, "business", 7, asset("business", "equity", "100000")),
        answer(short, ADULT, "land", 1, asset("land", "land", "900000"),
               asset("land", "real_estate", None)),
    ]  # fmt: skip
    for item in answers:
        async with store.begin() as unit:
            await unit.controls.save_answer(item)

    leads = await svc.leads(court="苏0812")
    assert [(lead.case_number, lead.subject.id) for lead in leads] == [
        (covered, ADULT.id),  # the one whose assets cover the debt comes first
        (short, ADULT.id),  # then the others, oldest case first
        (never, ADULT.id),
    ]
    first, second, third = leads
    assert (first.found_value, first.inquired_at, first.assets_cover_debt) == (
        Decimal(900),
        at(9),
        True,
    )
    assert (second.found_value, second.inquired_at, second.assets_cover_debt) == (
        Decimal(899),
        at(7),
        False,
    )
    assert (third.found_value, third.inquired_at, third.assets_cover_debt) == (None, None, False)


async def test_a_legal_persons_organisation_code_is_stored_and_public(engine: AsyncEngine):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    entry = await svc.warn(
        particulars(COMPANY, organisation_code="71526726X"),
        on=D(2026, 3, 2),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="o",
    )
    assert (await svc.require(entry.id)).particulars.organisation_code == "71526726X"
    on = D(2026, 3, 10)
    for action in (Action(E.DECIDE, on, decision=decision(on)), Action(E.PUBLISH, on)):
        await svc.record(entry.id, action, principal=JUDGE, request_id="o")
    (shown,) = await svc.public_search(COMPANY.name or "", COMPANY.id[-6:])
    assert shown.particulars.organisation_code == "71526726X"
    # entries without one (every natural person's) read back as None
    assert (await published(svc)).particulars.organisation_code is None


async def performed_case(
    engine: AsyncEngine, log: AuditLog, clock: Today, number: str = "(2026)苏0812执123号"
):
    """A case of ADULT (the entries' debtor) with an obligation of 100, and its register."""
    from decimal import Decimal

    from gateway.domain.register import Party, PartyRole, new_case
    from gateway.services.cases import CaseRegister

    register = CaseRegister(Store(engine), Auditor(log), clock=clock)
    case = new_case(
        number,
        court="苏0812",
        judges=["J001"],
        parties=[Party(PartyRole.DEBTOR, ADULT)],
        obligation=Decimal(100),
        filed_on=D(2026, 1, 5),
    )
    await register.save(case, principal=SYSTEM, request_id="c")
    return register, case.case_number


SYSTEM = Principal(Role.COURT_SYSTEM, subject="system", court="苏0812")


@pytest.mark.parametrize(
    ("profile", "due_on"),
    # fully performed on Fri 29 May 2026: the plan's 3 days end on Mon 1 June; the national 3
    # working days are Mon 1, Tue 2, Wed 3 June
    [(SOURCE_PLAN, D(2026, 6, 1)), (NATIONAL, D(2026, 6, 3))],
)
async def test_a_public_entry_of_a_performed_case_is_overdue_from_the_performance(
    engine: AsyncEngine, profile: DeadlineProfile, due_on: datetime.date
):
    from decimal import Decimal

    clock = Today(D(2026, 5, 1))
    svc, log = service(engine, clock, profile)
    register, number = await performed_case(engine, log, clock)
    entry = await published(svc)
    other_debtor = Subject(SubjectKind.NATURAL, resident_id(D(1970, 1, 1), "777"), "李四")
    other = await svc.warn(
        particulars(other_debtor, case_number="(2026)苏0812执124号"),
        on=D(2026, 3, 2),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="o",
    )
    on = D(2026, 3, 10)
    for action in (Action(E.DECIDE, on, decision=decision(on)), Action(E.PUBLISH, on)):
        other = await svc.record(other.id, action, principal=JUDGE, request_id="o")
    clock.day = D(2026, 5, 20)  # partly performed: nothing runs
    await register.record_performance(number, Decimal(60), principal=SYSTEM, request_id="p")
    assert await svc.overdue(court=None, today=D(2026, 7, 1)) == []
    clock.day = D(2026, 5, 29)  # fully performed, nobody records the exit
    await register.record_performance(number, Decimal(100), principal=SYSTEM, request_id="p")
    clock.day = D(2026, 6, 1)  # a later change of the case does not move the day
    await register.record_performance(number, Decimal(100), principal=SYSTEM, request_id="p")
    assert await svc.overdue(court=None, today=due_on) == []
    assert await svc.accountability(court=None, today=due_on) == []
    day_after = due_on + datetime.timedelta(days=1)
    (item,) = await svc.overdue(court="苏0812", today=day_after)
    assert (item.entry.id, item.kind, item.since, item.due.on, item.days_overdue) == (
        entry.id,
        OverdueKind.PERFORMED_STILL_PUBLIC,
        D(2026, 5, 29),
        due_on,
        1,
    )
    assert other.public  # another case's public entry is not concerned
    assert await svc.overdue(court="苏0803", today=day_after) == []
    (row,) = await svc.accountability(court=None, today=day_after)
    assert (row.court, row.judge, row.kind, row.count, row.oldest_due) == (
        "苏0812",
        "J001",
        OverdueKind.PERFORMED_STILL_PUBLIC,
        1,
        due_on,
    )
    # an item for the judge, never an automatic masking
    assert (await svc.require(entry.id)).state is S.PUBLISHED
    # an exit reported after the performance does not restart the period: one item, as before
    report = Action(E.REPORT_EXIT, day_after, exit_cause=ExitCause.PERFORMED)
    clock.day = day_after
    await svc.record(entry.id, report, principal=JUDGE, request_id="x")
    (item,) = await svc.overdue(court=None, today=day_after)
    assert (item.kind, item.since, item.due.on) == (
        OverdueKind.PERFORMED_STILL_PUBLIC,
        D(2026, 5, 29),
        due_on,
    )
    (row,) = await svc.accountability(court=None, today=day_after)
    assert (row.kind, row.count) == (OverdueKind.PERFORMED_STILL_PUBLIC, 1)
    # masked: nothing is overdue any more
    mask = Action(E.MASK, day_after, document_number="屏蔽1号")
    await svc.record(entry.id, mask, principal=JUDGE, request_id="m")
    assert await svc.overdue(court=None, today=day_after) == []
    assert await svc.accountability(court=None, today=day_after) == []


async def test_performance_falling_back_clears_the_day_and_an_earlier_exit_keeps_its_own(
    engine: AsyncEngine,
):
    from decimal import Decimal

    clock = Today(D(2026, 5, 1))
    svc, log = service(engine, clock, NATIONAL)
    register, number = await performed_case(engine, log, clock)
    entry = await published(svc)
    clock.day = D(2026, 5, 4)
    await register.record_performance(number, Decimal(100), principal=SYSTEM, request_id="p")
    clock.day = D(2026, 5, 6)  # corrected: not fully performed after all
    await register.record_performance(number, Decimal(99), principal=SYSTEM, request_id="p")
    assert await svc.overdue(court=None, today=D(2026, 7, 1)) == []
    # the exit was reported first (a settlement), the case fully performed later: the period
    # runs from the report, counted once as an EXIT item
    report = Action(E.REPORT_EXIT, D(2026, 5, 29), exit_cause=ExitCause.SETTLEMENT)
    clock.day = D(2026, 5, 29)
    await svc.record(entry.id, report, principal=JUDGE, request_id="x")
    clock.day = D(2026, 6, 1)
    await register.record_performance(number, Decimal(100), principal=SYSTEM, request_id="p")
    (item,) = await svc.overdue(court=None, today=D(2026, 6, 4))
    assert (item.kind, item.since, item.due.on) == (OverdueKind.EXIT, D(2026, 5, 29), D(2026, 6, 3))
    (row,) = await svc.accountability(court=None, today=D(2026, 6, 4))
    assert (row.kind, row.count) == (OverdueKind.EXIT, 1)


async def test_a_case_registered_fully_performed_counts_from_its_registration(
    engine: AsyncEngine,
):
    import dataclasses
    from decimal import Decimal

    clock = Today(D(2026, 5, 29))
    svc, log = service(engine, clock, SOURCE_PLAN)
    entry = await published(svc)
    register, number = await performed_case(engine, log, clock)
    case = await register.get(number)
    assert case is not None
    await register.save(
        dataclasses.replace(case, performed=Decimal(100)), principal=SYSTEM, request_id="s"
    )
    clock.day = D(2026, 6, 10)  # re-registered unchanged later: the day stays
    await register.save(
        dataclasses.replace(case, performed=Decimal(100)), principal=SYSTEM, request_id="s"
    )
    assert await svc.overdue(court=None, today=D(2026, 6, 1)) == []
    (item,) = await svc.overdue(court=None, today=D(2026, 6, 2))
    assert (item.entry.id, item.kind, item.since) == (
        entry.id,
        OverdueKind.PERFORMED_STILL_PUBLIC,
        D(2026, 5, 29),
    )


class Race:
    """Holds every ``record()`` that reads an entry until ``parties`` of them have read it: all
    go on from the same starting version."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
        barrier = asyncio.Barrier(parties)
        read = ListingRepository.get

        async def get(self: ListingRepository, entry_id: str) -> ListingEntry | None:
            entry = await read(self, entry_id)
            await asyncio.wait_for(barrier.wait(), 10)
            return entry

        monkeypatch.setattr(ListingRepository, "get", get)


async def test_two_gateways_recording_on_the_same_version_apply_one_and_refuse_the_other(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    # two gateway processes (a store, and its writer lock, each) on one database: both read
    # the entry at the same version before either writes
    clock = Today(D(2026, 6, 1))
    first, log = service(engine, clock)
    second, _ = service(engine, clock)
    entry = await published(first)
    before = len(await log.list())
    report = Action(E.REPORT_EXIT, D(2026, 5, 1), exit_cause=ExitCause.PERFORMED)
    lift = Action(E.LIFT, D(2026, 5, 1), document_number="担保1号")
    Race(monkeypatch, 2)
    results = await asyncio.gather(
        first.record(entry.id, report, principal=JUDGE, request_id="a"),
        second.record(entry.id, lift, principal=JUDGE, request_id="b"),
        return_exceptions=True,
    )
    monkeypatch.undo()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, f"both events applied over the same version: {results}"
    (refused,) = errors
    if not isinstance(refused, ListingConflictError):
        raise refused
    (applied,) = [r for r in results if isinstance(r, ListingEntry)]
    assert refused.code == "LISTING_CONFLICT"
    assert (refused.message_zh, refused.message_en) == (
        "条目已被他人更新，请刷新后重试",
        "the entry changed meanwhile: read it again and retry",
    )
    won, lost = ("a", "b") if applied.state is S.EXIT_PENDING else ("b", "a")
    assert applied.state in {S.EXIT_PENDING, S.LIFTED}
    assert applied.version == entry.version + 1
    # the refused event left nothing: the entry is the applied one's, one history row, one
    # audit entry (a refusal is not audited: its unit rolled back whole)
    assert await first.get(entry.id) == applied
    history = await first.history(entry.id)
    assert [h.event for h in history] == [
        E.WARN,
        E.DECIDE,
        E.PUBLISH,
        E.REPORT_EXIT if won == "a" else E.LIFT,
    ]
    assert lost not in {h.request_id for h in history}
    audit = list(reversed(await log.list()))
    assert len(audit) == before + 1
    assert audit[-1].action == ("listing.report_exit" if won == "a" else "listing.lift")
    assert audit[-1].request_id == won
    assert (await log.verify()).ok


async def test_in_one_gateway_concurrent_events_queue_and_the_second_sees_the_first(
    engine: AsyncEngine,
):
    # the store's writer lock runs them one after the other: the second reads the entry as the
    # first left it, so the lifecycle (not the version check) refuses what no longer applies
    svc, log = service(engine, Today(D(2026, 6, 1)))
    entry = await published(svc)
    before = len(await log.list())
    report = Action(E.REPORT_EXIT, D(2026, 5, 1), exit_cause=ExitCause.PERFORMED)
    lift = Action(E.LIFT, D(2026, 5, 1), document_number="担保1号")
    results = await asyncio.gather(
        svc.record(entry.id, report, principal=JUDGE, request_id="a"),
        svc.record(entry.id, lift, principal=JUDGE, request_id="b"),
        return_exceptions=True,
    )
    applied, refused = results
    assert isinstance(applied, ListingEntry)
    assert (applied.state, applied.version) == (S.EXIT_PENDING, entry.version + 1)
    assert isinstance(refused, ListingError)
    assert refused.code == "LISTING_INVALID_TRANSITION"
    assert await svc.get(entry.id) == applied
    assert [h.event for h in await svc.history(entry.id)][-1] is E.REPORT_EXIT
    assert len(await log.list()) == before + 1


async def test_one_standing_entry_per_debtor_and_case_even_when_warned_at_once(
    engine: AsyncEngine,
):
    """Four warnings of one debtor in one case at once, through two stores (as two gateway
    processes would write: ``chakong serve --workers 2``, on PostgreSQL or a SQLite file): one
    entry is opened, the others are refused and name it. Another case, or another debtor, is
    another entry."""
    clock = Today(D(2026, 6, 1))
    stores = [Store(engine) for _ in range(2)]
    rules = Rules(SOURCE_PLAN, WorkingCalendar())
    services = [ListingService(s, Auditor(AuditLog(s, KEY)), rules, clock=clock) for s in stores]

    async def warn(svc: ListingService, subject: Subject = ADULT, case: str = CASE) -> str:
        try:
            entry = await warned(svc, subject, case)
        except ListingAlreadyEnteredError as exc:
            return f"refused: {exc}"
        return entry.id

    try:
        answers = await asyncio.gather(*(warn(services[i % len(services)]) for i in range(4)))
        opened = [a for a in answers if not a.startswith("refused")]
        assert len(opened) == 1, answers
        assert all(opened[0] in a for a in answers)  # the refusals name the standing entry
        assert not (await warn(services[0], case="(2026)苏0812执124号")).startswith("refused")
        assert not (await warn(services[0], COMPANY)).startswith("refused")
    finally:
        for store in stores:
            await store.aclose()


CASE = "(2026)苏0812执123号"


async def test_on_sqlite_a_warning_read_before_another_process_opens_the_entry_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two gateway processes on one SQLite file warn one debtor in one case: the first has
    looked for a standing entry, found none, and not yet opened its own when the second's
    warning runs whole. The first's look holds the file's write lock to the end of its unit,
    so the second cannot open an entry meanwhile (here it does not wait for the lock: a
    process that waits finds the first's entry and is refused). Before, the look was a read
    outside the transaction, and both opened an entry."""
    async with migrated_engine("sqlite", tmp_path) as engine:
        # the second process's connections give up at once where the first holds the lock
        impatient = create_async_engine(engine.url, connect_args={"timeout": 0})
        configure_sqlite(impatient)
        clock = Today(D(2026, 6, 1))
        rules = Rules(SOURCE_PLAN, WorkingCalendar())
        stores = [Store(engine), Store(impatient), Store(engine)]
        first, second, third = (
            ListingService(s, Auditor(AuditLog(s, KEY)), rules, clock=clock) for s in stores
        )

        look = ListingRepository.entered
        looks = 0
        meanwhile: list[object] = []

        async def look_then_let_the_other_process_warn(
            self: ListingRepository, *args: str
        ) -> ListingEntry | None:
            nonlocal looks
            found = await look(self, *args)
            looks += 1
            if looks == 1:  # the first's look: the other process's warning, whole, meanwhile
                try:
                    meanwhile.append(await warned(second))
                except Exception as exc:  # what it met is asserted below
                    meanwhile.append(exc)
            return found

        monkeypatch.setattr(ListingRepository, "entered", look_then_let_the_other_process_warn)
        try:
            opened = await warned(first)
            monkeypatch.undo()
            (other,) = meanwhile
            assert isinstance(other, OperationalError), other  # it could not take the lock
            assert "database is locked" in str(other)
            async with engine.connect() as conn:
                standing = (
                    (
                        await conn.execute(
                            sa.select(listing_entries.c.id).where(
                                listing_entries.c.subject_id == ADULT.id
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            assert standing == [opened.id]
            with pytest.raises(ListingAlreadyEnteredError):  # a process that waits is refused
                await warned(third)
        finally:
            for store in stores:
                await store.aclose()
            await impatient.dispose()


HIGHER = Principal(Role.JUDGE, subject="judge:H001", court="苏08", judge="H001")


async def reconsidering(
    svc: ListingService, subject: Subject, court: str, applied_by: Principal
) -> ListingEntry:
    """An entry of ``court`` published, its correction rejected, under reconsideration from
    Thu 2 April 2026 (the higher court decides within 15 days: by Fri 17 April)."""
    case_number = f"(2026){court}执9{len(subject.id)}{subject.id[-3:]}号"
    entry = await svc.warn(
        particulars(subject, case_number, court=court),
        on=D(2026, 3, 2),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="a",
    )
    on = D(2026, 3, 25)
    for action in (
        Action(E.DECIDE, on, decision=decision(on)),
        Action(E.PUBLISH, on),
        Action(E.APPLY_CORRECTION, D(2026, 3, 26)),
        Action(E.REJECT_CORRECTION, D(2026, 3, 27), document_number="驳回1号"),
    ):
        entry = await svc.record(entry.id, action, principal=JUDGE, request_id="b")
    apply_for = Action(E.APPLY_RECONSIDERATION, D(2026, 4, 2))
    return await svc.record(entry.id, apply_for, principal=applied_by, request_id="c")


async def test_an_overdue_reconsideration_is_the_higher_courts_item(engine: AsyncEngine):
    store = Store(engine)
    log = AuditLog(store, KEY)
    rules = Rules(SOURCE_PLAN, WorkingCalendar())
    svc = ListingService(
        store, Auditor(log), rules, higher_courts={"苏8601": "苏08"}, clock=Today(D(2026, 6, 1))
    )
    system = Principal(Role.COURT_SYSTEM, subject="system:苏08", court="苏08")
    mine = await reconsidering(svc, ADULT, "苏0812", HIGHER)
    sibling = await reconsidering(svc, COMPANY, "苏0803", system)  # recorded by a system
    configured = await reconsidering(
        svc,
        Subject(SubjectKind.NATURAL, resident_id(D(1970, 1, 1), "778"), "李四"),
        "苏8601",
        HIGHER,
    )
    elsewhere = await reconsidering(
        svc,
        Subject(SubjectKind.NATURAL, resident_id(D(1971, 1, 1), "779"), "王五"),
        "苏0912",
        HIGHER,
    )
    due, late = D(2026, 4, 17), D(2026, 4, 18)
    assert await svc.overdue(court="苏08", today=due) == []
    items = await svc.overdue(court="苏08", today=late)
    assert sorted((i.entry.id, i.kind, i.court, i.due.on) for i in items) == sorted(
        (e.id, OverdueKind.RECONSIDERATION, "苏08", due) for e in (mine, sibling, configured)
    )
    # not the executing court's item
    for court in ("苏0812", "苏0803", "苏8601"):
        assert await svc.overdue(court=court, today=late) == []
        assert await svc.accountability(court=court, today=late) == []
    (other,) = await svc.overdue(court="苏09", today=late)
    assert (other.entry.id, other.court) == (elsewhere.id, "苏09")
    # charged to the higher court, and to its judge who recorded the application
    rows = await svc.accountability(court="苏08", today=late)
    assert {(r.court, r.judge, r.kind, r.count) for r in rows} == {
        ("苏08", None, OverdueKind.RECONSIDERATION, 1),
        ("苏08", "H001", OverdueKind.RECONSIDERATION, 2),
    }
    everyone = await svc.accountability(court=None, today=late)
    assert {(r.court, r.judge, r.count) for r in everyone} == {
        ("苏08", None, 1),
        ("苏08", "H001", 2),
        ("苏09", "H001", 1),
    }
    assert {i.court for i in await svc.overdue(court=None, today=late)} == {"苏08", "苏09"}
    # the higher court lists what it must decide; the executing court still lists its own
    below = await svc.list(court="苏08", states=[S.UNDER_RECONSIDERATION])
    assert {e.id for e in below} == {mine.id, sibling.id, configured.id}
    assert {e.id for e in await svc.list(court="苏08")} == {mine.id, sibling.id, configured.id}
    assert [e.id for e in await svc.list(court="苏0812", states=[S.UNDER_RECONSIDERATION])] == [
        mine.id
    ]
    # once decided, the entry is the executing court's again, and no longer the higher court's
    uphold = Action(E.UPHOLD, D(2026, 4, 20), document_number="(2026)苏08执复1号")
    await svc.record(mine.id, uphold, principal=HIGHER, request_id="d")
    assert mine.id not in {e.id for e in await svc.list(court="苏08")}
    assert mine.id not in {i.entry.id for i in await svc.overdue(court="苏08", today=late)}


async def test_an_expired_entry_under_reconsideration_is_the_higher_courts_item(
    engine: AsyncEngine,
):
    clock = Today(D(2026, 6, 1))
    svc, _ = service(engine, clock)
    entry = await svc.warn(
        particulars(case_number="(2024)苏0812执5号"),
        on=D(2024, 3, 1),
        document_number="提示",
        reason="",
        principal=JUDGE,
        request_id="a",
    )
    on = D(2024, 3, 5)
    for action, who in (
        (Action(E.DECIDE, on, decision=decision(on)), JUDGE),
        (Action(E.PUBLISH, on), JUDGE),
        (Action(E.APPLY_CORRECTION, D(2024, 3, 6)), JUDGE),
        (Action(E.REJECT_CORRECTION, D(2024, 3, 7), document_number="驳回"), JUDGE),
        (Action(E.APPLY_RECONSIDERATION, D(2024, 3, 8)), HIGHER),
    ):
        entry = await svc.record(entry.id, action, principal=who, request_id="b")
    assert entry.valid_until == D(2026, 3, 4)
    day = D(2026, 6, 1)
    assert await svc.overdue(court="苏0812", today=day) == []
    assert await svc.accountability(court="苏0812", today=day) == []
    items = await svc.overdue(court="苏08", today=day)
    assert {(i.kind, i.court) for i in items} == {
        (OverdueKind.RECONSIDERATION, "苏08"),
        (OverdueKind.EXPIRED_STILL_PUBLIC, "苏08"),
    }
    rows = await svc.accountability(court="苏08", today=day)
    assert {(r.court, r.judge, r.kind) for r in rows} == {
        ("苏08", "H001", OverdueKind.RECONSIDERATION),
        ("苏08", "H001", OverdueKind.EXPIRED_STILL_PUBLIC),
    }


async def test_the_public_query_reads_the_name_in_its_normal_form(engine: AsyncEngine):
    svc, _ = service(engine, Today(D(2026, 6, 1)))
    typed_half = await published(svc, Subject(SubjectKind.NATURAL, ADULT.id, "测试10"))
    typed_full = await published(svc, Subject(SubjectKind.LEGAL, COMPANY.id, "ＡＢＣ　Co.,  Ltd."))
    assert (await svc.get(typed_full.id)).subject.name == "ABC Co., Ltd."  # stored normalised
    for name in ("测试１０", "测试10", " 测 试 １０ "):
        assert [e.id for e in await svc.public_search(name, ADULT.id[-4:])] == [typed_half.id]
    for name in ("ABC Co., Ltd.", "ＡＢＣ　Ｃｏ．，　Ｌｔｄ．", " ABC  Co.,\u3000Ltd. "):
        found = await svc.public_search(name, COMPANY.id[2:10])
        assert [e.id for e in found] == [typed_full.id], name
    # an entry stored before names were normalised is still found by the name as it was typed
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(listing_entries)
            .where(listing_entries.c.id == typed_half.id)
            .values(name="测试１０")
        )
    assert [e.id for e in await svc.public_search("测试１０", ADULT.id[-4:])] == [typed_half.id]
