"""The audit log (审计日志): every inquiry, change and refused attempt, append-only, hash-chained.

``AuditLog`` combines the chain's arithmetic (``gateway.services.audit_chain``: each entry's
hash is keyed over the previous hash and the entry's fields) with its storage
(``gateway.store.audit``: the entries and the single ``audit_head`` row holding the last sequence
number and hash, updated in the same transaction as the entries and sealed with a MAC). Editing,
deleting, reordering or cutting off entries is detected by ``verify``; without the key nobody
can recompute a valid chain, nor move the head back (an append onto a head whose MAC fails is
refused). Against someone who holds the key too, signed checkpoints kept elsewhere
(``gateway.services.audit_checkpoint``) pin the log down: ``verify(checkpoint=...)``.

Full ID numbers are never stored: an entry keeps the masked id (``320802********1234``) and
``subject_digest = HMAC-SHA256(key, canonical id)``, so an administrator can still look up the
entries about one exact id. ID-like numbers in the free-text ``detail`` are masked too.

An append runs in a unit of work (``gateway.store.unit``): its own, or the caller's, so that a
change and its entry commit together. Appends are serialised: the unit's lock within the
process and, in the database, the head row's lock taken by the append's first statement. Two
gateway processes therefore never fork the chain.
"""

from __future__ import annotations

import builtins
import datetime
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from gateway.auth.principal import Principal, Role
from gateway.domain.audit import (
    AuditEntry,
    ChainHead,
    ChainProblem,
    Checkpoint,
    Outcome,
    VerifyReport,
)
from gateway.domain.cases import CaseNumber
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.domain.sources import SourceResult
from gateway.domain.subjects import Subject, mask_id, mask_ids_in_text
from gateway.services.audit_chain import AuditChain, as_utc, canonical_id, check_link
from gateway.store import pg_driver, sqlite_driver
from gateway.store.audit import Link, Linked, append_rows
from gateway.store.controls import AnswersOf
from gateway.store.tables import AUDIT_GENESIS_HASH
from gateway.store.unit import Store, UnitOfWork

__all__ = [
    "MAX_LIST_LIMIT",
    "VERIFY_PAGE_SIZE",
    "AuditEntry",
    "AuditLog",
    "AuditRecord",
    "AuditUnavailableError",
    "ChainProblem",
    "Outcome",
    "RoleLike",
    "VerifyReport",
]

log = logging.getLogger(__name__)

MAX_LIST_LIMIT = 1000
VERIFY_PAGE_SIZE = 1000


class AuditUnavailableError(ChakongError):
    """The audit log cannot be written; an inquiry must not go ahead without its entry."""

    code = "AUDIT_UNAVAILABLE"
    http_status = 503


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What a caller appends; the log adds ``seq``, ``at`` and the hashes, masks and digests.

    ``subject`` is the full subject (or its id): it is masked and digested, never stored.
    """

    request_id: str
    action: str  # inquiry, case.save, case.status, ... chosen by the caller
    outcome: str  # Outcome.ALLOWED / Outcome.DENIED
    actor: str  # the token's subject
    role: str
    code: str | None = None  # the refusal code, e.g. FORBIDDEN_CASE
    court: str | None = None
    judge: str | None = None
    case_number: str | None = None
    subject: Subject | str | None = None
    relation: str | None = None  # debtor, spouse, controlled_enterprise
    agencies: tuple[str, ...] = ()
    statuses: Mapping[str, str] = field(default_factory=dict)  # agency -> status
    record_counts: Mapping[str, int] = field(default_factory=dict)  # agency -> records
    detail: str | None = None

    @classmethod
    def for_principal(
        cls,
        principal: Principal,
        *,
        request_id: str,
        action: str,
        outcome: str,
        code: str | None = None,
        case_number: CaseNumber | str | None = None,
        subject: Subject | str | None = None,
        relation: str | None = None,
        results: Iterable[SourceResult] = (),
        detail: str | None = None,
    ) -> AuditRecord:
        """A record of what ``principal`` did; agencies, statuses and counts from ``results``."""
        results = list(results)
        return cls(
            request_id=request_id,
            action=action,
            outcome=outcome,
            actor=principal.subject,
            role=principal.role.value,
            code=code,
            court=principal.court,
            judge=principal.judge,
            case_number=None if case_number is None else str(case_number),
            subject=subject,
            relation=relation,
            agencies=tuple(r.agency for r in results),
            statuses={r.agency: r.status.value for r in results},
            record_counts={r.agency: r.record_count for r in results},
            detail=detail,
        )


# a role filter: the enum or its value
RoleLike = Role | str


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class AuditLog:
    """The append-only, hash-chained audit log in the gateway's database."""

    def __init__(
        self,
        store: Store,
        key: bytes,
        *,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self._chain = AuditChain(key)  # refuses an empty key
        self._store = store
        self._clock = clock
        # the head as this process last wrote it on asyncpg (``append_rows_driver_if_head``),
        # and how that went lately: after the head was found moved, the next 1, 3, 7, ... 63
        # groups are written the usual way without trying
        self._driver_head: ChainHead | None = None
        self._head_misses = 0
        self._head_skips = 0

    def subject_digest(self, subject: Subject | str) -> str:
        """HMAC-SHA256 of the canonical id: how entries about one exact id are found."""
        return self._chain.subject_digest(subject)

    def entry_hash(self, prev_hash: str, fields: Mapping[str, Any]) -> str:
        """The chain hash of one entry's ``fields`` (every column but the two hashes)."""
        return self._chain.entry_hash(prev_hash, fields)

    async def append(
        self, records: Sequence[AuditRecord], *, unit: UnitOfWork | None = None
    ) -> builtins.list[AuditEntry]:
        """Append ``records``; returns the stored entries, in order.

        In ``unit`` (the caller's unit of work, committed with the caller's changes), else in a
        transaction of its own. ``AuditUnavailableError`` when the log cannot be written."""
        if not records:
            return []
        prepared = self.prepare(records)
        if unit is not None:
            return await self._append(unit, prepared)
        try:
            async with self._store.begin() as own:
                return await self._append(own, prepared)
        except SQLAlchemyError as exc:
            raise _unwritable() from exc

    def prepare(self, records: Sequence[AuditRecord]) -> builtins.list[dict[str, Any]]:
        """The stored fields of ``records``, validated and masked (``ValueError`` when one is
        malformed): what ``append_rows`` chains."""
        return [self._prepare(record) for record in records]

    def append_rows(
        self, conn: Connection, prepared: Sequence[Mapping[str, Any]]
    ) -> builtins.list[AuditEntry]:
        """Chain ``prepared`` (from ``prepare``) onto the head and store it on ``conn``, in its
        transaction; synchronous, for a unit's connection (``run_sync``) and the store's writer
        thread (``Store.run_direct``) alike. ``AuditUnavailableError`` when it cannot."""
        try:
            return append_rows(conn, len(prepared), self._linker(prepared))
        except LookupError:
            raise _no_head() from None
        except SQLAlchemyError as exc:
            raise _unwritable() from exc

    async def append_rows_driver(
        self,
        conn: Any,
        prepared: Sequence[Mapping[str, Any]],
        answers_of: AnswersOf | None = None,
    ) -> builtins.list[AuditEntry]:
        """``append_rows`` on an asyncpg connection in its transaction (``Store.run_driver``,
        ``gateway.store.pg_driver``), with the answers ``answers_of`` makes of the entries
        written in the same statement: the same rows, the same chain, the same errors."""
        self._driver_head = None  # until the entries are written, the head is unknown
        try:
            entries = await pg_driver.append_rows(
                conn, len(prepared), self._linker(prepared), answers_of
            )
        except LookupError:
            raise _no_head() from None
        except pg_driver.DRIVER_ERRORS as exc:
            raise _unwritable() from exc
        # the head once the caller's transaction commits (if it does not, the next
        # ``append_rows_driver_if_head`` finds the head elsewhere and writes nothing)
        self._driver_head = self._head_after(entries)
        return entries

    async def append_rows_driver_if_head(
        self,
        conn: Any,
        prepared: Sequence[Mapping[str, Any]],
        answers_of: AnswersOf | None = None,
    ) -> builtins.list[AuditEntry] | None:
        """``append_rows_driver`` in one statement outside any transaction, chained onto the
        head as this process last wrote it there (``pg_driver.append_rows_if_head``): one round
        trip instead of four. ``None``, and nothing written, when this process has not written
        the head yet or the head has moved since (another process, or a unit of work, appended):
        the caller then appends with ``append_rows_driver`` in a transaction, which reads the
        head under its lock and checks its MAC. A head changed in the database is never
        extended here: it differs from the one this process wrote, so nothing is written.

        Where several processes append in turn (``--workers``), most tries would find the head
        moved and cost a round trip for nothing: after each such miss, this process leaves out
        twice as many groups before it tries again (up to 63), and one try that writes ends
        the wait."""
        head = self._driver_head
        if head is None:
            return None
        if self._head_skips:
            self._head_skips -= 1
            return None
        self._driver_head = None
        try:
            entries = await pg_driver.append_rows_if_head(
                conn, head, len(prepared), self._linker(prepared), answers_of
            )
        except pg_driver.DRIVER_ERRORS as exc:
            raise _unwritable() from exc
        if entries is None:
            self._head_misses = min(self._head_misses + 1, 6)
            self._head_skips = 2**self._head_misses - 1
            return None
        self._head_misses = 0
        self._driver_head = self._head_after(entries)
        return entries

    def _head_after(self, entries: Sequence[AuditEntry]) -> ChainHead:
        last = entries[-1]
        return ChainHead(last.seq, last.hash, self._chain.head_mac(last.seq, last.hash))

    def append_rows_sqlite(
        self,
        conn: sqlite3.Connection,
        prepared: Sequence[Mapping[str, Any]],
        answers_of: AnswersOf | None = None,
    ) -> builtins.list[AuditEntry]:
        """``append_rows`` on the sqlite3 connection of a transaction on the store's writer
        thread (``Store.run_sqlite3``, ``gateway.store.sqlite_driver``), with the answers
        ``answers_of`` makes of the entries: the same rows, the same chain, the same errors."""
        try:
            return sqlite_driver.append_rows(
                conn, len(prepared), self._linker(prepared), answers_of
            )
        except LookupError:
            raise _no_head() from None
        except sqlite_driver.DRIVER_ERRORS as exc:
            raise _unwritable() from exc

    async def _append(
        self, unit: UnitOfWork, prepared: Sequence[Mapping[str, Any]]
    ) -> builtins.list[AuditEntry]:
        return await unit.connection.run_sync(self.append_rows, prepared)

    def _linker(self, prepared: Sequence[Mapping[str, Any]]) -> Link:
        def link(previous: ChainHead) -> Linked:
            problem = self._chain.check_head(previous)
            if problem is not None:
                log.error("the audit head failed its check (%s): appends refused", problem)
                raise AuditUnavailableError(
                    "审计日志链头校验失败（可能被篡改），已拒绝写入：请运行 chakong audit verify",
                    "the audit log's head failed its check (it may have been tampered with); "
                    "appends are refused: run chakong audit verify",
                )
            # the clock is read under the head's lock: times follow the sequence
            entries = self._chain.link(
                previous.seq + 1, previous.hash, as_utc(self._clock()), prepared
            )
            last = entries[-1]
            return Linked(entries, self._chain.head_mac(last.seq, last.hash))

        return link

    async def list(
        self,
        *,
        actor: str | None = None,
        role: RoleLike | None = None,
        court: str | None = None,
        case_number: CaseNumber | str | None = None,
        subject_id: Subject | str | None = None,
        outcome: str | None = None,
        action: str | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        limit: int = 50,
        before_seq: int | None = None,
    ) -> builtins.list[AuditEntry]:
        """Entries newest first; ``since`` inclusive, ``until`` exclusive; page with
        ``before_seq`` (the smallest ``seq`` of the previous page)."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise InvalidInputError(
                f"每页条数应在 1 至 {MAX_LIST_LIMIT} 之间",
                f"the limit must be between 1 and {MAX_LIST_LIMIT}",
            )
        equal = {
            "actor": actor,
            "role": role.value if isinstance(role, Role) else role,
            "court": court,
            "case_number": None if case_number is None else str(case_number),
            "outcome": outcome,
            "action": action,
        }
        async with self._store.read() as unit:
            return await unit.audit.list(
                equal=equal,
                subject_digest=None if subject_id is None else self.subject_digest(subject_id),
                since=None if since is None else as_utc(since),
                until=None if until is None else as_utc(until),
                limit=limit,
                before_seq=before_seq,
            )

    async def verify(
        self,
        *,
        page_size: int = VERIFY_PAGE_SIZE,
        checkpoint: Checkpoint | None = None,
        since_checkpoint: bool = False,
    ) -> VerifyReport:
        """Walk the chain in ``seq`` order, a page at a time, with the key; check the head's
        MAC; report the first problem.

        With a ``checkpoint`` (its signature checked by the caller), the log must still reach
        it with the same hash at its sequence number. With ``since_checkpoint``, the entries up
        to the checkpoint are taken as checked (the walk starts there)."""
        return await walk_chain(
            self._store,
            self._chain,
            checkpoint=checkpoint,
            since_checkpoint=since_checkpoint,
            page_size=page_size,
        )

    async def seal_head(self) -> VerifyReport:
        """Seal a head written before the head had a MAC (revision 0002), once the whole chain
        verifies up to it; the report of that check (``ok`` once sealed)."""
        report = await self.verify()
        if report.problem is not ChainProblem.HEAD_UNSEALED or report.head_hash is None:
            return report
        seq, head_hash = report.seq or 0, report.head_hash
        async with self._store.begin() as unit:
            mac = self._chain.head_mac(seq, head_hash)
            sealed = await unit.audit.seal_head(seq, head_hash, mac)
        if not sealed:  # the head moved (or was sealed) meanwhile: check again
            return await self.verify()
        return VerifyReport(True, report.checked, seq, head_hash=head_hash)

    def _prepare(self, record: AuditRecord) -> dict[str, Any]:
        """The record's stored fields (without seq, at and hashes); validates and masks."""
        if record.outcome not in (Outcome.ALLOWED, Outcome.DENIED):
            raise ValueError(f"outcome must be 'allowed' or 'denied', not {record.outcome!r}")
        for name in ("request_id", "action", "actor", "role"):
            if not getattr(record, name):
                raise ValueError(f"an audit record needs a non-empty {name}")
        counts = dict(record.record_counts)
        if any(type(v) is not int for v in counts.values()):
            raise ValueError("record_counts must map agency names to integers")
        subject = record.subject
        return {
            "request_id": record.request_id,
            "action": record.action,
            "outcome": str(record.outcome),
            "code": record.code,
            "actor": record.actor,
            "role": record.role,
            "court": record.court,
            "judge": record.judge,
            "case_number": record.case_number,
            "subject_masked": None if subject is None else mask_id(canonical_id(subject)),
            "subject_digest": None if subject is None else self.subject_digest(subject),
            "relation": record.relation,
            "agencies": tuple(str(a) for a in record.agencies),
            "statuses": {str(k): str(v) for k, v in record.statuses.items()},
            "record_counts": {str(k): v for k, v in counts.items()},
            "detail": None if record.detail is None else mask_ids_in_text(record.detail),
        }


async def walk_chain(
    store: Store,
    chain: AuditChain | None,
    *,
    checkpoint: Checkpoint | None = None,
    since_checkpoint: bool = False,
    page_size: int = VERIFY_PAGE_SIZE,
) -> VerifyReport:
    """Walk the chain in ``seq`` order, a page at a time; the first problem.

    With ``chain`` (the key), every entry's hash is recomputed and the head's MAC checked.
    Without it (an auditor who holds no key), only the sequence numbers and the links are:
    nothing at or before a ``checkpoint`` was deleted, inserted or reordered and its entry
    still has its hash; whether an entry's content matches its hash takes the key."""
    async with store.read() as unit:
        head = await unit.audit.head()
        if head is None:
            return VerifyReport(False, 0, None, ChainProblem.HEAD_MISSING)
        checked, prev_hash = 0, AUDIT_GENESIS_HASH
        pinned = None if checkpoint is None else checkpoint.seq
        pinned_hash = None if checkpoint is None else checkpoint.hash
        if checkpoint is not None and checkpoint.seq == 0:
            if checkpoint.hash != AUDIT_GENESIS_HASH:
                return _report(False, 0, head, ChainProblem.CHECKPOINT_REWRITTEN, 0, pinned)
        elif checkpoint is not None and since_checkpoint:
            found = await unit.audit.page(
                after_seq=checkpoint.seq - 1, up_to_seq=checkpoint.seq, limit=1
            )
            if not found or found[0].seq != checkpoint.seq:
                at = min(checkpoint.seq, head.seq + 1)
                return _report(False, 0, head, ChainProblem.CHECKPOINT_TRUNCATED, at, pinned)
            if found[0].hash != checkpoint.hash:
                rewritten = ChainProblem.CHECKPOINT_REWRITTEN
                return _report(False, 0, head, rewritten, checkpoint.seq, pinned)
            checked, prev_hash = checkpoint.seq, checkpoint.hash
        last_seq: int | None = checked or None
        while True:
            # entries appended after the head was read are newer than head.seq: not walked
            page = await unit.audit.page(after_seq=last_seq, up_to_seq=head.seq, limit=page_size)
            for stored in page:
                expected = checked + 1
                problem: ChainProblem | None
                if chain is None:
                    problem = check_link(stored, expected, prev_hash)
                else:
                    problem = chain.check(stored, expected, prev_hash)
                if problem is not None:
                    at = expected if problem is ChainProblem.MISSING else stored.seq
                    return _report(False, checked, head, problem, at, pinned)
                if stored.seq == pinned and stored.hash != pinned_hash:
                    problem = ChainProblem.CHECKPOINT_REWRITTEN
                    return _report(False, checked, head, problem, stored.seq, pinned)
                prev_hash = stored.hash
                last_seq = stored.seq
                checked += 1
            if len(page) < page_size:
                break
        if pinned is not None and checked < pinned:
            problem = ChainProblem.CHECKPOINT_TRUNCATED
            return _report(False, checked, head, problem, checked + 1, pinned)
        if checked < head.seq:
            return _report(False, checked, head, ChainProblem.TRUNCATED, checked + 1, pinned)
        if prev_hash != head.hash:
            return _report(False, checked, head, ChainProblem.HEAD_MISMATCH, head.seq, pinned)
        sealing = None if chain is None else chain.check_head(head)
        if sealing is not None:
            return _report(False, checked, head, sealing, head.seq, pinned)
        now_head, max_seq = await unit.audit.head_and_last_seq()
        if max_seq is not None and (now_head is None or max_seq > now_head):
            beyond = now_head + 1 if now_head is not None else None
            return _report(False, checked, head, ChainProblem.HEAD_MISMATCH, beyond, pinned)
    return _report(True, checked, head, None, None, pinned)


def _report(
    ok: bool,
    checked: int,
    head: ChainHead,
    problem: ChainProblem | None,
    seq: int | None,
    checkpoint_seq: int | None,
) -> VerifyReport:
    return VerifyReport(
        ok,
        checked,
        head.seq,
        problem,
        seq,
        head_hash=head.hash,
        checkpoint_seq=checkpoint_seq,
    )


def _no_head() -> AuditUnavailableError:
    return AuditUnavailableError(
        "审计日志未初始化（缺少链头记录），请先执行数据库迁移",
        "the audit log is not initialised (no head row): run the migrations",
    )


def _unwritable() -> AuditUnavailableError:
    return AuditUnavailableError("审计日志写入失败", "the audit log could not be written")
