"""What the gateway tells the audit log: inquiries, refusals, changes; for a request or a job.

``Auditor`` turns what happened into ``AuditRecord``s and appends them. ``AuditTrail`` is one
request's (or one background job's) use of it: it starts writing the entries of inquiries while
the work goes on, and ``settle`` waits for them before the result may leave. Neither knows
GraphQL or HTTP: the GraphQL context holds a trail, and a background task builds its own.

One ``append`` per batch of inquiries (every subject of a ``debtors`` batch, with its leads, in
one transaction), before the answer leaves the gateway: an inquiry whose audit entry cannot be
written is not answered (``AuditUnavailableError``). A refusal stands even when its entry
cannot be written. A change is audited in the change's own unit of work (``unit=``).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Callable, Sequence

from connectors.registry import AGENCIES
from gateway.auth.principal import Principal
from gateway.domain.errors import (
    AuthenticationError,
    ChakongError,
    PermissionDeniedError,
    StoreUnavailableError,
)
from gateway.domain.subjects import Subject
from gateway.services.audit import (
    AuditEntry,
    AuditLog,
    AuditRecord,
    Outcome,
)
from gateway.services.audit_writer import AuditWriter
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryKey
from gateway.services.turns import in_turns
from gateway.store.controls import AnswerDraft, InquiryAnswer
from gateway.store.unit import Store, UnitOfWork

log = logging.getLogger(__name__)

# the inquiries of one batch, each with what the agencies answered
Inquiries = Sequence[tuple[InquiryKey, SubjectProfile]]


class Auditor:
    """Writes what a principal did, or was refused, to the audit log.

    With a ``store``, an inquiry's entries and the assets the agencies returned (the latest
    answer per case, subject and agency, naming its entry) commit in one unit: a control may
    name only an asset an audited inquiry in its case returned.
    """

    def __init__(self, log_: AuditLog, store: Store | None = None) -> None:
        self.log = log_
        self.store = store
        # the entries of inquiries and refusals, group-committed; changes go in their own unit
        self.writer = None if store is None else AuditWriter(log_, store)

    async def aclose(self) -> None:
        """Wait until the entries queued are written (at shutdown)."""
        if self.writer is not None:
            await self.writer.aclose()

    async def inquiries(
        self, principal: Principal, request_id: str, items: Inquiries
    ) -> list[AuditEntry]:
        """The entries of a batch of inquiries, one per subject; raises when not written."""
        records: list[AuditRecord] = []
        drafts: list[list[AnswerDraft]] = []  # each entry's answers, but its number and time
        # a batch's in slices, the event loop free in between; the answers made here, not in the
        # group's transaction, which holds the write lock (and the entries queued behind it)
        async for group in in_turns(items):
            records.extend(inquiry_records(principal, request_id, group))
            if self.writer is not None:
                drafts.extend(answer_drafts(key, profile) for key, profile in group)
        if not records:
            return []
        if self.writer is None:
            return await self.log.append(records)

        def answers_of(entries: Sequence[AuditEntry]) -> list[InquiryAnswer]:
            return [
                draft.entered(entry.seq, entry.at)
                for entry, mine in zip(entries, drafts, strict=True)
                for draft in mine
            ]

        return await self.writer.append(records, answers_of)

    async def refused(
        self,
        principal: Principal,
        request_id: str,
        exc: ChakongError,
        *,
        action: str,
        case_number: str | None = None,
        subjects: Sequence[Subject] = (),
        detail: str | None = None,
    ) -> None:
        """The entries of a refusal (one per subject, or one); never raises for the log."""
        about: list[Subject | None] = list(subjects) or [None]
        records = [
            AuditRecord.for_principal(
                principal,
                request_id=request_id,
                action=action,
                outcome=Outcome.DENIED,
                code=exc.code,
                case_number=case_number,
                subject=subject,
                detail=detail,
            )
            for subject in about
        ]
        try:
            if self.writer is None:
                await self.log.append(records)
            else:
                await self.writer.append(records)
        except ChakongError:
            # the refusal stands either way; losing its entry must not turn it into a 503
            log.exception("a refusal (%s) could not be audited", exc.code)

    async def action(
        self,
        principal: Principal,
        request_id: str,
        *,
        action: str,
        case_number: str | None = None,
        detail: str | None = None,
        unit: UnitOfWork | None = None,
        subject: Subject | None = None,
    ) -> None:
        """The entry of a change ``principal`` made; in ``unit``, it commits with the change."""
        record = AuditRecord.for_principal(
            principal,
            request_id=request_id,
            action=action,
            outcome=Outcome.ALLOWED,
            case_number=case_number,
            subject=subject,
            detail=detail,
        )
        await self.log.append([record], unit=unit)


def inquiry_records(principal: Principal, request_id: str, items: Inquiries) -> list[AuditRecord]:
    """The audit records of a batch of inquiries, one per subject."""
    return [
        AuditRecord.for_principal(
            principal,
            request_id=request_id,
            action="inquiry",
            outcome=Outcome.ALLOWED,
            case_number=key.options.case_number.canonical,
            subject=key.subject,
            relation=key.relation,
            results=profile.results,
            detail=None if key.related_to is None else "lead",
        )
        for key, profile in items
    ]


def inquiry_answers(
    key: InquiryKey, profile: SubjectProfile, seq: int, at: datetime.datetime
) -> list[InquiryAnswer]:
    """What the agencies that take controls answered, as the assets a control may name: kept
    with the entry numbered ``seq``, written at ``at``."""
    return [draft.entered(seq, at) for draft in answer_drafts(key, profile)]


def answer_drafts(key: InquiryKey, profile: SubjectProfile) -> list[AnswerDraft]:
    """``inquiry_answers`` before the entry is written: all but its number and time."""
    drafts = []
    for result in profile.results:
        if not result.status.answered or result.agency not in AGENCIES:
            continue
        spec = AGENCIES.spec(result.agency)
        if spec.assets is None:
            continue
        assets = [] if result.records is None else list(spec.assets(result.records))
        drafts.append(
            AnswerDraft(
                key.options.case_number.canonical,
                key.subject.key,
                result.agency,
                result.fetched_at,
                assets,
            )
        )
    return drafts


class AuditTrail:
    """The audit entries of one request (or one background job) on behalf of one principal.

    ``start`` begins writing a batch of inquiries' entries without waiting; ``settle`` waits
    for every write started and returns the first failure: a result whose entries could not be
    written must not be handed out (the HTTP view answers ``AUDIT_UNAVAILABLE``, 503).
    Without an auditor (tests of the schema alone) nothing is written.
    """

    def __init__(self, auditor: Auditor | None, principal: Principal, request_id: str) -> None:
        self.auditor = auditor
        self.principal = principal
        self.request_id = request_id
        self._pending: list[asyncio.Future[None]] = []
        self.written: list[AuditEntry] = []  # the inquiries' entries, once settled

    def start(self, items: Inquiries) -> None:
        """Start writing the entries of a batch of inquiries; ``settle`` waits for them."""
        if self.auditor is not None and items:
            self._pending.append(asyncio.ensure_future(self._write(self.auditor, items)))

    async def _write(self, auditor: Auditor, items: Inquiries) -> None:
        self.written.extend(await auditor.inquiries(self.principal, self.request_id, items))

    async def settle(self) -> ChakongError | None:
        """Wait until the entries started are written; the first failure, if any."""
        failure: ChakongError | None = None
        while self._pending:
            write = self._pending.pop(0)
            try:
                await write
            except ChakongError as exc:
                failure = failure or exc
            except Exception:
                log.exception("an audit entry could not be written")
                failure = failure or StoreUnavailableError(
                    "审计日志写入失败", "the audit log could not be written"
                )
        return failure

    async def enforce(
        self,
        check: Callable[[], None],
        *,
        action: str,
        case_number: str | None = None,
        subjects: Sequence[Subject] = (),
        detail: str | None = None,
    ) -> None:
        """Run a check of ``gateway.auth.policy``; a refusal is audited, then raised."""
        try:
            check()
        except (AuthenticationError, PermissionDeniedError) as exc:
            await self.refused(
                exc, action=action, case_number=case_number, subjects=subjects, detail=detail
            )
            raise

    async def refused(
        self,
        exc: ChakongError,
        *,
        action: str,
        case_number: str | None = None,
        subjects: Sequence[Subject] = (),
        detail: str | None = None,
    ) -> None:
        """Audit a refusal (the caller then raises it)."""
        if self.auditor is not None:
            await self.auditor.refused(
                self.principal,
                self.request_id,
                exc,
                action=action,
                case_number=case_number,
                subjects=subjects,
                detail=detail,
            )
