"""The context's case lookups: an inquiry reads only the parties it asks about, the inquiries of
one request read them together, and the refusals keep their codes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.api import build_schema
from gateway.auth.policy import check_inquiry
from gateway.domain.cases import parse_case_number
from gateway.domain.errors import PermissionDeniedError, StoreUnavailableError
from gateway.domain.register import Party, PartyRole
from gateway.schema.context import Context
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.cases import CaseRegister
from gateway.store.unit import Store
from tests.gateway.case_samples import (
    JUDGE,
    SYSTEM,
    case_of,
    natural_people,
    party_statements,
)
from tests.gateway.http.helpers import service
from tests.gateway.store.databases import open_engine

CASE = "(2026)苏0812执77号"
NUMBER = parse_case_number(CASE)
PEOPLE = natural_people(1002)
DEBTORS, CREDITOR, STRANGER = PEOPLE[:1000], PEOPLE[1000], PEOPLE[1001]
IDS = {p.id for p in PEOPLE}


@pytest.fixture
async def register(engine: AsyncEngine) -> AsyncIterator[CaseRegister]:
    """The register, holding ``CASE``: 1,000 debtors and a creditor."""
    store = Store(engine)
    try:
        cases = CaseRegister(store, Auditor(AuditLog(store, b"context-test-audit-key-0123456789")))
        await cases.save(case_of(CASE, DEBTORS, [CREDITOR]), principal=SYSTEM, request_id="setup")
        yield cases
    finally:
        await store.aclose()


def context(register: CaseRegister | None) -> Context:
    return Context(inquiries=service(), principal=JUDGE, cases=register)


def refusal(case: Any, subjects: list[Any]) -> PermissionDeniedError:
    with pytest.raises(PermissionDeniedError) as caught:
        check_inquiry(JUDGE, case, subjects)
    return caught.value


async def test_the_inquiries_of_a_request_read_their_parties_together(
    register: CaseRegister, engine: AsyncEngine
):
    ctx = context(register)
    a, b, c = DEBTORS[0], DEBTORS[500], DEBTORS[999]
    with party_statements(engine) as statements:
        found = await asyncio.gather(
            ctx.case_for_subjects(NUMBER, [a]),
            ctx.case_for_subjects(NUMBER, [b]),
            ctx.case_for_subjects(NUMBER, [c, CREDITOR]),
        )
    assert len(statements.seen) == 1
    assert statements.bound() & IDS == {a.id, b.id, c.id, CREDITOR.id}
    for case in found:
        assert case is not None
        assert [p.subject for p in case.parties] == [a, b, c, CREDITOR]  # no other party
    check_inquiry(JUDGE, found[0], [a])
    check_inquiry(JUDGE, found[1], [b])
    error = refusal(found[2], [c, CREDITOR])  # a creditor is a party, not a debtor
    assert error.code == "NOT_A_DEBTOR"
    assert "subjects[1]" in error.message_en


async def test_a_later_inquiry_reads_only_the_parties_not_read_yet(
    register: CaseRegister, engine: AsyncEngine
):
    ctx = context(register)
    a, b = DEBTORS[1], DEBTORS[2]
    await ctx.case_for_subjects(NUMBER, [a])
    with party_statements(engine) as statements:
        case = await ctx.case_for_subjects(NUMBER, [a, b])
        again = await ctx.case_for_subjects(NUMBER, [b])
    assert len(statements.seen) == 1
    assert statements.bound() & IDS == {b.id}
    assert case is not None
    assert again is not None
    assert {p.subject for p in case.parties} == {a, b}
    check_inquiry(JUDGE, case, [a, b])
    check_inquiry(JUDGE, again, [b])


async def test_a_case_read_whole_in_the_request_needs_no_lookup_of_its_own(
    register: CaseRegister, engine: AsyncEngine
):
    ctx = context(register)
    whole = await ctx.case(NUMBER)
    with party_statements(engine) as statements:
        case = await ctx.case_for_subjects(NUMBER, [DEBTORS[3]])
    assert statements.seen == []
    assert case is whole
    assert case is not None
    assert len(case.parties) == 1001


async def test_the_refusals_keep_their_codes(register: CaseRegister):
    ctx = context(register)
    stranger = await ctx.case_for_subjects(NUMBER, [STRANGER])
    assert stranger is not None
    assert stranger.parties == ()
    error = refusal(stranger, [STRANGER])
    assert (error.code, error.http_status) == ("NOT_A_DEBTOR", 403)
    assert "subject (" in error.message_en
    creditor = await ctx.case_for_subjects(NUMBER, [CREDITOR])
    assert creditor is not None
    assert creditor.parties == (Party(PartyRole.CREDITOR, CREDITOR),)
    assert refusal(creditor, [CREDITOR]).code == "NOT_A_DEBTOR"
    missing = parse_case_number("(2026)苏0812执404号")
    unregistered = await ctx.case_for_subjects(missing, [DEBTORS[0]])
    assert unregistered is None
    assert refusal(unregistered, [DEBTORS[0]]).code == "CASE_NOT_REGISTERED"
    assert await context(None).case_for_subjects(NUMBER, [DEBTORS[0]]) is None


@pytest.fixture
async def unmigrated(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    yield engine
    await engine.dispose()


async def test_a_register_that_cannot_be_read_is_unavailable(
    unmigrated: AsyncEngine, caplog: pytest.LogCaptureFixture
):
    store = Store(unmigrated)  # no tables: every read fails
    ctx = context(CaseRegister(store, Auditor(AuditLog(store, b"k" * 32))))
    caplog.set_level("ERROR", logger="gateway.schema.context")
    with pytest.raises(StoreUnavailableError):
        await ctx.case_for_subjects(NUMBER, [DEBTORS[0]])


# --- through the schema: the debtor fields of a request ----------------------------------------


def subject(s: Any) -> dict[str, str]:
    return {"kind": "NATURAL", "id": s.id}


BATCH = """
query($subjects: [SubjectInput!]!, $case: String!) {
  debtors(subjects: $subjects, caseNumber: $case) { subject { id } }
}
"""


async def test_a_batch_in_a_thousand_party_case_reads_only_its_subjects(
    register: CaseRegister, engine: AsyncEngine
):
    schema = build_schema()
    asked = [DEBTORS[10], DEBTORS[999], DEBTORS[0]]
    subjects = [subject(s) for s in asked]
    variables: dict[str, Any] = {"subjects": subjects, "case": CASE}
    with party_statements(engine) as statements:
        result = await schema.execute(BATCH, variables, context_value=context(register))
    assert result.errors is None
    assert result.data is not None
    assert [d["subject"]["id"] for d in result.data["debtors"]] == [s.id for s in asked]
    assert len(statements.seen) == 1
    assert statements.bound() & IDS == {s.id for s in asked}
    # one stranger refuses the whole batch, with the same code and position as ever
    variables["subjects"] = [*subjects, subject(STRANGER)]
    result = await schema.execute(BATCH, variables, context_value=context(register))
    assert result.errors is not None
    (error,) = result.errors
    assert error.extensions is not None
    assert error.extensions["code"] == "NOT_A_DEBTOR"
    assert "subjects[3]" in error.message


async def test_aliased_debtor_fields_read_their_parties_in_one_query(
    register: CaseRegister, engine: AsyncEngine
):
    asked = DEBTORS[20:23]
    fields = " ".join(
        f'd{i}: debtor(subject: {{kind: NATURAL, id: "{s.id}"}}, caseNumber: "{CASE}") '
        "{ subject { id } }"
        for i, s in enumerate(asked)
    )
    with party_statements(engine) as statements:
        result = await build_schema().execute("{ " + fields + " }", context_value=context(register))
    assert result.errors is None
    assert result.data == {f"d{i}": {"subject": {"id": s.id}} for i, s in enumerate(asked)}
    assert len(statements.seen) == 1
    assert statements.bound() & IDS == {s.id for s in asked}
