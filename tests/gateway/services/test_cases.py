"""The case register: validation (new_case) and the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.auth.principal import Principal, Role
from gateway.domain.cases import parse_case_number
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.domain.register import (
    MAX_AMOUNT,
    Case,
    CaseStatus,
    InvalidAmountError,
    Party,
    PartyRole,
    amount,
    new_case,
)
from gateway.domain.subjects import Subject, SubjectKind, parse_subject, uscc_check_character
from gateway.services.audit import AuditLog, AuditUnavailableError
from gateway.services.auditing import Auditor
from gateway.services.cases import CaseNotFoundError, CaseRegister
from gateway.store.tables import audit_head, case_judges, case_parties
from gateway.store.unit import Store

# valid ids: check digits computed for these numbers
DEBTOR = parse_subject(SubjectKind.NATURAL, "320802198001010014", "张三")
SPOUSE_ID = "320802198202020024"
CREDITOR = parse_subject(SubjectKind.NATURAL, "110101199003074477", "李四")


def _valid_uscc() -> str:
    first17 = "91320800MA1ABCDE1"
    return first17 + uscc_check_character(first17)


COMPANY = parse_subject(SubjectKind.LEGAL, _valid_uscc(), "某某有限公司")


def debtor(subject=DEBTOR) -> Party:
    return Party(PartyRole.DEBTOR, subject)


def creditor(subject=CREDITOR) -> Party:
    return Party(PartyRole.CREDITOR, subject)


def make_case(number: str = "(2026)苏0812执100号", **overrides) -> Case:
    values: dict[str, Any] = {
        "court": parse_case_number(number).court,
        "judges": ["judge-zhou"],
        "parties": [debtor(), creditor()],
        "obligation": Decimal("150000.00"),
        "performed": Decimal("20000.50"),
        "filed_on": datetime.date(2026, 3, 2),
    }
    values.update(overrides)
    return new_case(number, **values)


AUDIT_KEY = b"cases-test-audit-key-0123456789ab"
SYSTEM = Principal(Role.COURT_SYSTEM, subject="system:苏0812", court="苏0812")
BY: dict[str, Any] = {"principal": SYSTEM, "request_id": "req-cases"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(seconds=1)
        return self.now


# --- the domain: new_case and the helpers ---------------------------------------------------


def test_a_valid_case_and_its_helpers():
    case = make_case()
    assert case.court == "苏0812"
    assert case.is_open
    assert case.unperformed == Decimal("129999.50")
    assert case.party(DEBTOR.key) == debtor()
    assert case.party(CREDITOR.key) == creditor()
    assert case.party(COMPANY.key) is None
    assert case.debtors() == (debtor(),)
    assert case.has_judge("judge-zhou")
    assert not case.has_judge("judge-wu")
    assert not make_case(status=CaseStatus.SUSPENDED).is_open
    assert CaseStatus.TERMINATED.label_zh == "终结"
    assert PartyRole.DEBTOR.label_zh == "被执行人"


def test_new_case_normalises_its_input():
    case = new_case(
        "（2015）淮中执字第00123号",
        court=" 淮中 ",
        judges=[" j1 ", "j2", "Ｊ００１", "J 00²"],
        parties=[debtor()],
        obligation="1000",
        performed=0,
    )
    assert str(case.case_number) == "（2015）淮中执字第123号"
    # a judge id is an identifier: NFKC, without spaces, as the judge's token is read
    assert case.judges == ("j1", "j2", "J001", "J002")
    assert case.obligation == Decimal("1000.00")
    assert case.performed == Decimal("0.00")


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"court": "苏0802"}, "is not the court of case"),
        ({"parties": [creditor()]}, "at least one debtor"),
        ({"parties": [debtor(), creditor(), debtor()]}, "more than once"),
        (
            {"parties": [debtor(), Party(PartyRole.CREDITOR, DEBTOR)]},
            "more than once",
        ),
        ({"judges": []}, "at least one assigned judge"),
        ({"judges": ["j1", " "]}, "non-empty"),
        ({"judges": ["j1", "j1"]}, "listed twice"),
        ({"judges": ["J001", "Ｊ００１"]}, "listed twice"),
        ({"judges": ["J001\u200b"]}, r"U\+200B"),  # looks like J001, and is not
        ({"judges": ["٣٣"]}, r"U\+0663"),
        # filed before its number's year (2026), or after today
        ({"filed_on": datetime.date(1, 1, 1)}, "between 2026-01-01"),
        ({"filed_on": datetime.date(2025, 12, 31)}, "between 2026-01-01"),
        ({"filed_on": datetime.date(9999, 12, 31)}, "and today"),
        ({"judges": ["j" * 65]}, "longer than 64"),
        ({"obligation": Decimal(-1)}, "must not be negative"),
        ({"performed": Decimal("-0.01")}, "must not be negative"),
        ({"performed": Decimal("150000.01")}, "exceeds the obligation"),
        ({"obligation": Decimal("1.005")}, "more than two decimals"),
        ({"obligation": Decimal("NaN")}, "finite"),
        ({"obligation": "lots"}, "not a number"),
        ({"obligation": MAX_AMOUNT + Decimal("0.01")}, "exceeds the maximum"),
        ({"currency": "rmb"}, "three-letter"),
        ({"judges": ["J\x00"]}, r"U\+0000"),
        (
            {"parties": [debtor(parse_subject(SubjectKind.NATURAL, DEBTOR.id, "张\x00"))]},
            r"U\+0000",
        ),
        # parse_subject refuses such a name; the register refuses it from any other maker too
        ({"parties": [debtor(Subject(SubjectKind.NATURAL, DEBTOR.id, "名" * 201))]}, "200"),
    ],
)
def test_new_case_refuses_a_broken_rule(overrides, fragment):
    with pytest.raises(InvalidInputError, match=fragment) as caught:
        make_case(**overrides)
    assert caught.value.message_zh  # bilingual
    assert caught.value.message_en


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1e26", "exceeds the maximum"),  # quantizing it overflowed: an internal error
        ("1E+999999999", "exceeds the maximum"),
        ("99999999999999999999999999999.99", "exceeds the maximum"),
        ("1E-1000000", "more than two decimals"),
        ("-Infinity", "finite"),
        ("sNaN", "finite"),
        ("-0.000001", "negative"),
    ],
)
def test_an_amount_outside_the_range_has_its_code(value, fragment):
    for field in ("obligation", "performed"):
        fields: dict[str, Any] = {field: Decimal(value)}
        with pytest.raises(InvalidAmountError, match=fragment) as caught:
            make_case(**fields)
        assert caught.value.code == "INVALID_AMOUNT"


def test_an_amount_has_exactly_two_decimals_and_no_negative_zero():
    assert str(amount(Decimal("-0"), "金额", "the amount")) == "0.00"
    assert str(amount(Decimal("12.5"), "金额", "the amount")) == "12.50"
    assert amount(str(MAX_AMOUNT), "金额", "the amount") == MAX_AMOUNT


def test_a_court_mismatch_has_its_own_code():
    with pytest.raises(InvalidInputError) as caught:
        make_case(court="苏0802")
    assert caught.value.code == "CASE_COURT_MISMATCH"
    assert "苏0812" in caught.value.message_zh


def test_a_duplicate_party_is_named_by_its_masked_id():
    with pytest.raises(InvalidInputError) as caught:
        make_case(parties=[debtor(), debtor()])
    assert DEBTOR.id not in str(caught.value)
    assert DEBTOR.masked_id in str(caught.value)


# --- the store -------------------------------------------------------------------------------


@pytest.fixture
async def store(engine: AsyncEngine) -> AsyncIterator[Store]:
    store = Store(engine)
    yield store
    await store.aclose()


@pytest.fixture
def audit_log(store: Store) -> AuditLog:
    return AuditLog(store, AUDIT_KEY)


@pytest.fixture
def register(store: Store, audit_log: AuditLog) -> CaseRegister:
    return CaseRegister(store, Auditor(audit_log), clock=Clock())


async def test_save_and_get_round_trip(register: CaseRegister):
    case = make_case(
        parties=[debtor(), Party(PartyRole.DEBTOR, COMPANY), creditor()],
        judges=["judge-zhou", "judge-wu"],
        obligation=MAX_AMOUNT,  # the largest amount survives SQLite exactly
        performed=Decimal("0.01"),
    )
    assert await register.save(case, **BY) == case
    loaded = await register.get(case.case_number)
    assert loaded == case
    assert loaded is not None
    assert isinstance(loaded.obligation, Decimal)
    assert loaded.obligation == Decimal("9999999999999.99")
    assert loaded.parties[1].subject.kind is SubjectKind.LEGAL


async def test_a_legacy_case_without_names_or_date_round_trips(register: CaseRegister):
    anonymous = parse_subject(SubjectKind.NATURAL, SPOUSE_ID)
    case = new_case(
        "（2015）淮中执恢字第7号",
        court="淮中",
        judges=["j9"],
        parties=[Party(PartyRole.DEBTOR, anonymous)],
        obligation=Decimal(0),
        status=CaseStatus.TERMINATED,
    )
    await register.save(case, **BY)
    assert await register.get(case.case_number) == case


async def test_get_of_an_unknown_case_is_none(register: CaseRegister):
    assert await register.get(parse_case_number("(2026)苏0812执999号")) is None


async def test_save_replaces_the_whole_case(register: CaseRegister, engine: AsyncEngine):
    first = make_case(judges=["judge-zhou"], parties=[debtor(), creditor()])
    await register.save(first, **BY)
    second = make_case(
        judges=["judge-wu"],
        parties=[Party(PartyRole.DEBTOR, COMPANY)],
        obligation=Decimal("8.00"),
        performed=Decimal("8.00"),
        status=CaseStatus.CLOSED,
        filed_on=None,
    )
    await register.save(second, **BY)
    assert await register.get(first.case_number) == second
    assert await register.list(judge="judge-zhou") == []
    assert await register.list(judge="judge-wu") == [second]
    async with engine.connect() as conn:  # no orphaned rows of the first version
        judges = (await conn.execute(sa.select(case_judges.c.judge_id))).scalars().all()
        parties = (await conn.execute(sa.select(case_parties.c.subject_id))).scalars().all()
    assert judges == ["judge-wu"]
    assert parties == [COMPANY.id]


async def test_a_failed_save_leaves_the_stored_case_untouched(register: CaseRegister):
    case = make_case()
    await register.save(case, **BY)
    # built without new_case: two judges with the same id break the table's key
    broken = Case(
        case_number=case.case_number,
        court=case.court,
        judges=("j1", "j1"),
        parties=case.parties,
        obligation=Decimal("1.00"),
        performed=Decimal("0.00"),
        status=CaseStatus.CLOSED,
    )
    with pytest.raises(sa.exc.IntegrityError):
        await register.save(broken, **BY)
    assert await register.get(case.case_number) == case


async def test_concurrent_saves_of_a_new_case_both_succeed(register: CaseRegister):
    a = make_case(judges=["a"])
    b = make_case(judges=["b"])
    await asyncio.gather(register.save(a, **BY), register.save(b, **BY))
    assert await register.get(a.case_number) in (a, b)


async def test_list_filters_and_pages(register: CaseRegister):
    c1 = make_case("(2026)苏0812执1号", judges=["zhou"])
    c2 = make_case("(2026)苏0812执2号", judges=["zhou", "wu"], status=CaseStatus.SUSPENDED)
    c3 = make_case("(2026)苏0802执3号", judges=["wu"])
    for case in (c1, c2, c3):
        await register.save(case, **BY)
    # newest first
    assert await register.list() == [c3, c2, c1]
    assert await register.list(court="苏0812") == [c2, c1]
    assert await register.list(judge="wu") == [c3, c2]
    assert await register.list(status=CaseStatus.OPEN) == [c3, c1]
    assert await register.list(court="苏0812", judge="wu", status=CaseStatus.OPEN) == []
    assert await register.list(limit=2) == [c3, c2]
    assert await register.list(limit=2, offset=2) == [c1]
    assert await register.list(court="苏0000") == []
    with pytest.raises(InvalidInputError):
        await register.list(limit=0)
    with pytest.raises(InvalidInputError):
        await register.list(offset=-1)


async def test_set_status(register: CaseRegister):
    case = make_case()
    await register.save(case, **BY)
    updated = await register.set_status(case.case_number, CaseStatus.CLOSED, **BY)
    assert updated.status is CaseStatus.CLOSED
    assert not updated.is_open
    assert (await register.get(case.case_number)) == updated
    assert updated.parties == case.parties


async def test_record_performance(register: CaseRegister):
    case = make_case(obligation=Decimal("1000.00"), performed=Decimal(0))
    await register.save(case, **BY)
    updated = await register.record_performance(case.case_number, Decimal("999.99"), **BY)
    assert updated.performed == Decimal("999.99")
    assert updated.unperformed == Decimal("0.01")
    with pytest.raises(InvalidInputError, match="exceeds the obligation"):
        await register.record_performance(case.case_number, Decimal("1000.01"), **BY)
    with pytest.raises(InvalidInputError, match="negative"):
        await register.record_performance(case.case_number, Decimal("-1"), **BY)
    stored = await register.get(case.case_number)
    assert stored is not None
    assert stored.performed == Decimal("999.99")  # the refused updates were rolled back


async def test_a_missing_case_raises_case_not_found(register: CaseRegister):
    missing = parse_case_number("(2026)苏0812执404号")
    with pytest.raises(CaseNotFoundError) as caught:
        await register.set_status(missing, CaseStatus.CLOSED, **BY)
    assert isinstance(caught.value, ChakongError)
    assert caught.value.code == "CASE_NOT_FOUND"
    assert "(2026)苏0812执404号" in caught.value.message_zh
    with pytest.raises(CaseNotFoundError):
        await register.record_performance(missing, Decimal(1), **BY)


# --- one unit of work: a change and its audit entry commit together --------------------------


async def test_each_change_is_audited_with_who_made_it(register: CaseRegister, audit_log: AuditLog):
    case = make_case(obligation=Decimal("1000.00"), performed=Decimal(0))
    await register.save(case, **BY)
    await register.set_status(case.case_number, CaseStatus.SUSPENDED, **BY)
    await register.record_performance(case.case_number, Decimal("10.00"), **BY)
    with pytest.raises(InvalidInputError):  # refused by the rules: no change, no entry
        await register.record_performance(case.case_number, Decimal("2000"), **BY)
    entries = list(reversed(await audit_log.list()))
    assert [(e.action, e.detail) for e in entries] == [
        ("case.save", "parties=2"),
        ("case.status", "SUSPENDED"),
        ("case.performance", "10.00"),
    ]
    assert {(e.actor, e.role, e.court, e.request_id, e.outcome) for e in entries} == {
        ("system:苏0812", "COURT_SYSTEM", "苏0812", "req-cases", "allowed")
    }
    assert {e.case_number for e in entries} == {case.case_number.canonical}
    assert (await audit_log.verify()).ok


async def _break_the_audit_log(engine: AsyncEngine) -> None:
    # without its head row the log cannot be appended to (AUDIT_UNAVAILABLE)
    async with engine.begin() as conn:
        await conn.execute(sa.delete(audit_head))


async def test_a_change_whose_audit_entry_fails_leaves_no_change(
    register: CaseRegister, engine: AsyncEngine
):
    case = make_case(obligation=Decimal("1000.00"), performed=Decimal(0))
    await register.save(case, **BY)
    await _break_the_audit_log(engine)
    other = make_case("(2026)苏0812执7号")
    changes = [
        register.save(other, **BY),  # a new case
        register.save(make_case(judges=["judge-wu"], parties=[debtor()]), **BY),  # replaced
        register.set_status(case.case_number, CaseStatus.CLOSED, **BY),
        register.record_performance(case.case_number, Decimal("999.00"), **BY),
    ]
    for change in changes:
        with pytest.raises(AuditUnavailableError):
            await change
    assert await register.get(case.case_number) == case
    assert await register.get(other.case_number) is None
    assert await register.list() == [case]
