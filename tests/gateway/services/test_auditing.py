"""The audit service outside GraphQL: an ``Auditor`` and the ``AuditTrail`` of a request or of
a background job (no GraphQL, no HTTP), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.auth.principal import Principal, Role
from gateway.domain.cases import parse_case_number
from gateway.domain.errors import ChakongError, PermissionDeniedError, StoreUnavailableError
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.services.audit import AuditLog, AuditUnavailableError
from gateway.services.auditing import Auditor, AuditTrail
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryKey, InquiryOptions
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, OTHER, SUBJECT, Clock, execute

CASE = parse_case_number("(2026)苏0812执100号")
OPTIONS = InquiryOptions(CASE, ("police", "bank"), 5000, fresh=False)
RECONCILER = Principal(Role.COURT_SYSTEM, subject="job:reconciler", court="苏0812")
JUDGE = Principal(Role.JUDGE, subject="judge:J001", court="苏0812", judge="J001")


def inquiry(subject=SUBJECT, **key: str) -> tuple[InquiryKey, SubjectProfile]:
    results = (
        SourceResult("police", SourceStatus.OK),
        SourceResult("bank", SourceStatus.TIMEOUT),
    )
    return InquiryKey(subject, OPTIONS, **key), SubjectProfile(subject, CASE, results)


@pytest.fixture
def log(engine: AsyncEngine) -> AuditLog:
    return AuditLog(Store(engine), KEY, clock=Clock())


async def test_a_background_task_audits_the_way_a_request_does(log: AuditLog):
    auditor = Auditor(log)

    async def job() -> ChakongError | None:
        trail = AuditTrail(auditor, RECONCILER, "job-42")
        trail.start([inquiry(), inquiry(OTHER, relation="spouse", related_to=SUBJECT.key)])
        await trail.refused(PermissionDeniedError("不可", "not allowed"), action="control")
        await auditor.action(RECONCILER, "job-42", action="control.adopt", detail="APPLIED")
        return await trail.settle()

    assert await asyncio.create_task(job()) is None
    report = await log.verify()
    assert report.ok
    assert report.checked == 4
    entries = list(reversed(await log.list()))
    assert {(e.actor, e.role, e.request_id) for e in entries} == {
        ("job:reconciler", "COURT_SYSTEM", "job-42")
    }
    # the refusal and the action need not wait for the inquiries: their order is free
    assert sorted((e.action, e.outcome, e.relation, e.code) for e in entries) == [
        ("control", "denied", None, "FORBIDDEN"),
        ("control.adopt", "allowed", None, None),
        ("inquiry", "allowed", "debtor", None),
        ("inquiry", "allowed", "spouse", None),
    ]
    (lead,) = [e for e in entries if e.relation == "spouse"]
    assert lead.detail == "lead"
    assert lead.statuses == {"police": "ok", "bank": "timeout"}
    assert lead.case_number == CASE.canonical


async def test_a_refusal_is_audited_then_raised(log: AuditLog):
    trail = AuditTrail(Auditor(log), JUDGE, "r-1")

    def check() -> None:
        raise PermissionDeniedError("不可", "not allowed")

    with pytest.raises(PermissionDeniedError):
        await trail.enforce(check, action="inquiry", case_number="c", subjects=[SUBJECT, OTHER])
    entries = await log.list()
    assert [(e.outcome, e.code, e.case_number) for e in entries] == [
        ("denied", "FORBIDDEN", "c")
    ] * 2
    await trail.enforce(lambda: None, action="inquiry")  # allowed: nothing written
    assert len(await log.list()) == 2


async def test_a_refusal_stands_when_its_entry_cannot_be_written(
    log: AuditLog, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
):
    await execute(engine, "DELETE FROM audit_head")
    trail = AuditTrail(Auditor(log), JUDGE, "r-1")
    with caplog.at_level(logging.ERROR), pytest.raises(PermissionDeniedError):
        await trail.enforce(_refuse, action="inquiry")
    assert "could not be audited" in caplog.text


def _refuse() -> None:
    raise PermissionDeniedError("不可", "not allowed")


async def test_an_inquiry_whose_entry_cannot_be_written_settles_as_its_failure(
    log: AuditLog, engine: AsyncEngine
):
    await execute(engine, "DELETE FROM audit_head")
    trail = AuditTrail(Auditor(log), JUDGE, "r-1")
    trail.start([inquiry()])
    trail.start([inquiry(OTHER)])
    failure = await trail.settle()
    assert isinstance(failure, AuditUnavailableError)
    assert failure.code == "AUDIT_UNAVAILABLE"
    assert await trail.settle() is None  # settled: nothing is left pending


async def test_an_unexpected_failure_settles_as_store_unavailable(log: AuditLog):
    class Broken(Auditor):
        async def inquiries(self, principal, request_id, items) -> list:
            raise RuntimeError("disk on fire")

    trail = AuditTrail(Broken(log), JUDGE, "r-1")
    trail.start([inquiry()])
    assert isinstance(await trail.settle(), StoreUnavailableError)


async def test_the_trail_keeps_the_entries_it_wrote(log: AuditLog):
    trail = AuditTrail(Auditor(log), JUDGE, "r-1")
    trail.start([inquiry()])
    trail.start([inquiry(OTHER)])
    assert trail.written == []  # not before they are settled
    assert await trail.settle() is None
    stored = await log.list()
    assert sorted(e.seq for e in trail.written) == sorted(e.seq for e in stored)
    assert {e.subject_digest for e in trail.written} == {
        log.subject_digest(SUBJECT),
        log.subject_digest(OTHER),
    }


async def test_without_an_auditor_nothing_is_written(log: AuditLog):
    trail = AuditTrail(None, JUDGE, "r-1")
    trail.start([inquiry()])
    await trail.refused(PermissionDeniedError("不可", "not allowed"), action="inquiry")
    assert await trail.settle() is None
    assert await log.list() == []


async def test_an_empty_batch_writes_nothing(log: AuditLog):
    trail = AuditTrail(Auditor(log), JUDGE, "r-1")
    trail.start([])
    assert await trail.settle() is None
    assert await log.list() == []
