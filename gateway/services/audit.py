"""The audit log (审计日志): every inquiry and every refused attempt, append-only, hash-chained.

Each entry's ``hash`` is ``HMAC-SHA256(key, prev_hash + canonical JSON of the entry's fields)``
and its ``prev_hash`` is the hash of the entry before it (the first links to 64 zeros). The
single ``audit_head`` row holds the last sequence number and hash and is updated in the same
transaction as the entries, so that editing, deleting, reordering or cutting off entries is
detected by ``AuditLog.verify``; without the key nobody can recompute a valid chain.

Full ID numbers are never stored: an entry keeps the masked id (``320802********1234``) and
``subject_digest = HMAC-SHA256(key, canonical id)``, so an administrator can still look up the
entries about one exact id. ID-like numbers in the free-text ``detail`` are masked too.

Appends are serialised: an ``asyncio.Lock`` within the process and, in the database, the
append's first statement is the update of the head row, which takes its row lock on PostgreSQL
(as ``SELECT ... FOR UPDATE`` would) and the write lock on SQLite, before the head is read. Two
gateway processes therefore never fork the chain.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
import enum
import hashlib
import hmac
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.auth.principal import Principal, Role
from gateway.domain.cases import CaseNumber
from gateway.domain.errors import ChakongError, InvalidInputError, InvalidSubjectError
from gateway.domain.sources import SourceResult
from gateway.domain.subjects import (
    Subject,
    mask_id,
    mask_ids_in_text,
    normalize_resident_id,
    normalize_uscc,
)
from gateway.store import configure_sqlite
from gateway.store.tables import AUDIT_GENESIS_HASH, AUDIT_HEAD_ID, audit_head, audit_log

MAX_LIST_LIMIT = 1000
VERIFY_PAGE_SIZE = 1000


class Outcome(enum.StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"


class ChainProblem(enum.StrEnum):
    """Why ``verify`` found the chain broken."""

    EDITED = "edited"  # an entry's hash does not match its content
    MISSING = "missing"  # a gap in the sequence numbers: an entry was deleted
    REORDERED = "reordered"  # broken link: prev_hash is not the previous entry's hash
    TRUNCATED = "truncated"  # the head is ahead of the last entry: the tail was deleted
    HEAD_MISMATCH = "head mismatch"  # the head's hash is not the last entry's, or entries follow it
    HEAD_MISSING = "head missing"  # the audit_head row is gone

    @property
    def description(self) -> tuple[str, str]:
        return _PROBLEM_TEXT[self]


_PROBLEM_TEXT = {
    ChainProblem.EDITED: ("内容被修改（哈希不符）", "edited: its hash does not match its content"),
    ChainProblem.MISSING: ("缺失（序号不连续）", "missing: a gap in the sequence numbers"),
    ChainProblem.REORDERED: (
        "与前一条的链接断开（顺序被调换、插入或修改）",
        "broken link: its prev_hash is not the previous entry's hash (reordered or inserted)",
    ),
    ChainProblem.TRUNCATED: (
        "起的末尾记录被删除（链头记录的条数更多）",
        "truncated: the head records more entries than there are",
    ),
    ChainProblem.HEAD_MISMATCH: (
        "与链头记录不符",
        "head mismatch: the head does not match the last entry",
    ),
    ChainProblem.HEAD_MISSING: ("链头记录缺失", "the head row (audit_head) is missing"),
}


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


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored entry of the log, as an administrator sees it (ids masked)."""

    seq: int
    at: datetime.datetime  # UTC
    request_id: str
    action: str
    outcome: str
    code: str | None
    actor: str
    role: str
    court: str | None
    judge: str | None
    case_number: str | None
    subject_masked: str | None
    subject_digest: str | None
    relation: str | None
    agencies: tuple[str, ...]
    statuses: dict[str, str]
    record_counts: dict[str, int]
    detail: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of walking the chain: ``ok``, or the first bad ``seq`` and the ``problem``."""

    ok: bool
    checked: int  # entries found intact before the first problem (all of them when ok)
    head_seq: int | None  # the head's sequence number; None when the head row is missing
    problem: ChainProblem | None = None
    seq: int | None = None
    head_hash: str | None = None  # when ok: publish it elsewhere to pin the chain down

    def message(self) -> str:
        if self.ok:
            return (
                f"审计链完整 / audit chain intact: {self.checked} entries\n"
                f"链头 / head: seq {self.head_seq} hash {self.head_hash}"
            )
        assert self.problem is not None  # noqa: S101 - not ok implies a problem
        zh, en = self.problem.description
        where_zh = f"第 {self.seq} 条" if self.seq is not None else ""
        where_en = f" at entry {self.seq}" if self.seq is not None else ""
        return (
            f"审计链被破坏：{where_zh}{zh}（此前 {self.checked} 条完整） / "
            f"audit chain broken{where_en}: {en} ({self.checked} intact entries before it)"
        )


# built once: an append is on the request path of every inquiry
_ADVANCE_HEAD = (
    sa.update(audit_head)
    .where(audit_head.c.id == AUDIT_HEAD_ID)
    .values(seq=audit_head.c.seq + sa.bindparam("count", type_=sa.Integer))
    .returning(audit_head.c.seq, audit_head.c.hash)
)
_INSERT_ENTRIES = sa.insert(audit_log)
_SET_HEAD_HASH = (
    sa.update(audit_head)
    .where(audit_head.c.id == AUDIT_HEAD_ID)
    .values(hash=sa.bindparam("head_hash"), updated_at=sa.bindparam("at"))
)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class AuditLog:
    """The append-only, hash-chained audit log in the gateway's database."""

    def __init__(
        self,
        engine: AsyncEngine,
        key: bytes,
        *,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        if not key:
            raise ValueError("the audit key must not be empty / 审计密钥不能为空")
        self._engine = engine
        self._key = key
        self._clock = clock
        self._lock = asyncio.Lock()

    def subject_digest(self, subject: Subject | str) -> str:
        """HMAC-SHA256 of the canonical id: how entries about one exact id are found."""
        return hmac.new(self._key, _canonical_id(subject).encode(), hashlib.sha256).hexdigest()

    def entry_hash(self, prev_hash: str, fields: Mapping[str, Any]) -> str:
        """The chain hash of one entry's ``fields`` (every column but the two hashes)."""
        return hmac.new(self._key, chain_message(prev_hash, fields), hashlib.sha256).hexdigest()

    async def append(self, records: Sequence[AuditRecord]) -> builtins.list[AuditEntry]:
        """Append ``records`` in one transaction; returns the stored entries, in order."""
        if not records:
            return []
        prepared = [self._prepare(record) for record in records]
        count = len(prepared)
        try:
            async with self._lock, self._engine.begin() as conn:
                # updating the head first takes its lock (PostgreSQL row lock, SQLite write
                # lock) before it is read: no other append can interleave until commit
                head = (await conn.execute(_ADVANCE_HEAD, {"count": count})).first()
                if head is None:
                    raise AuditUnavailableError(
                        "审计日志未初始化（缺少链头记录），请先执行数据库迁移",
                        "the audit log is not initialised (no head row): run the migrations",
                    )
                at = _as_utc(self._clock())
                first_seq = int(head.seq) - count + 1
                prev_hash = str(head.hash)
                entries: list[AuditEntry] = []
                for offset, fields in enumerate(prepared):
                    row = {"seq": first_seq + offset, "at": at, **fields}
                    digest = self.entry_hash(prev_hash, row)
                    entries.append(_entry({**row, "prev_hash": prev_hash, "hash": digest}))
                    prev_hash = digest
                await conn.execute(_INSERT_ENTRIES, [_row(e) for e in entries])
                await conn.execute(_SET_HEAD_HASH, {"head_hash": prev_hash, "at": at})
        except SQLAlchemyError as exc:
            raise AuditUnavailableError(
                "审计日志写入失败", "the audit log could not be written"
            ) from exc
        return entries

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
        c = audit_log.c
        query = sa.select(audit_log)
        equal: list[tuple[sa.Column[Any], str | None]] = [
            (c.actor, actor),
            (c.role, role.value if isinstance(role, Role) else role),
            (c.court, court),
            (c.case_number, None if case_number is None else str(case_number)),
            (c.outcome, outcome),
            (c.action, action),
        ]
        for column, value in equal:
            if value is not None:
                query = query.where(column == value)
        if subject_id is not None:
            query = query.where(c.subject_digest == self.subject_digest(subject_id))
        if since is not None:
            query = query.where(c.at >= _as_utc(since))
        if until is not None:
            query = query.where(c.at < _as_utc(until))
        if before_seq is not None:
            query = query.where(c.seq < before_seq)
        query = query.order_by(c.seq.desc()).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [entry_from_row(row) for row in rows]

    async def verify(self, *, page_size: int = VERIFY_PAGE_SIZE) -> VerifyReport:
        """Walk the whole chain in ``seq`` order, a page at a time; report the first problem."""
        async with self._engine.connect() as conn:
            head = (
                await conn.execute(
                    sa.select(audit_head.c.seq, audit_head.c.hash).where(
                        audit_head.c.id == AUDIT_HEAD_ID
                    )
                )
            ).first()
            if head is None:
                return VerifyReport(False, 0, None, ChainProblem.HEAD_MISSING)
            head_seq, head_hash = int(head.seq), str(head.hash)
            checked = 0
            prev_hash = AUDIT_GENESIS_HASH
            last_seq: int | None = None
            while True:
                # entries appended after the head was read are newer than head_seq: not walked
                query = sa.select(audit_log).where(audit_log.c.seq <= head_seq)
                if last_seq is not None:
                    query = query.where(audit_log.c.seq > last_seq)
                page = (
                    (await conn.execute(query.order_by(audit_log.c.seq).limit(page_size)))
                    .mappings()
                    .all()
                )
                for row in page:
                    expected = checked + 1
                    seq = int(row["seq"])
                    problem = self._check(row, expected, prev_hash)
                    if problem is not None:
                        at = expected if problem is ChainProblem.MISSING else seq
                        return VerifyReport(False, checked, head_seq, problem, at)
                    prev_hash = str(row["hash"])
                    last_seq = seq
                    checked += 1
                if len(page) < page_size:
                    break
            if checked < head_seq:
                return VerifyReport(False, checked, head_seq, ChainProblem.TRUNCATED, checked + 1)
            if prev_hash != head_hash:
                return VerifyReport(False, checked, head_seq, ChainProblem.HEAD_MISMATCH, head_seq)
            # one statement, one snapshot: committed appends move head and entries together
            now_head, max_seq = (
                await conn.execute(
                    sa.select(
                        sa.select(audit_head.c.seq)
                        .where(audit_head.c.id == AUDIT_HEAD_ID)
                        .scalar_subquery(),
                        sa.select(sa.func.max(audit_log.c.seq)).scalar_subquery(),
                    )
                )
            ).one()
            if max_seq is not None and (now_head is None or int(max_seq) > int(now_head)):
                beyond = int(now_head) + 1 if now_head is not None else None
                return VerifyReport(False, checked, head_seq, ChainProblem.HEAD_MISMATCH, beyond)
        return VerifyReport(True, checked, head_seq, head_hash=head_hash)

    def _check(self, row: RowMapping, expected: int, prev_hash: str) -> ChainProblem | None:
        seq = int(row["seq"])
        if seq > expected:
            return ChainProblem.MISSING
        if seq < expected or row["prev_hash"] != prev_hash:
            return ChainProblem.REORDERED
        try:
            fields = hashed_fields(entry_from_row(row))
        except (ValueError, TypeError):  # unreadable JSON or timestamp: someone wrote it by hand
            return ChainProblem.EDITED
        if not hmac.compare_digest(self.entry_hash(prev_hash, fields), str(row["hash"])):
            return ChainProblem.EDITED
        return None

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
            "subject_masked": None if subject is None else mask_id(_canonical_id(subject)),
            "subject_digest": None if subject is None else self.subject_digest(subject),
            "relation": record.relation,
            "agencies": tuple(str(a) for a in record.agencies),
            "statuses": {str(k): str(v) for k, v in record.statuses.items()},
            "record_counts": {str(k): v for k, v in counts.items()},
            "detail": None if record.detail is None else mask_ids_in_text(record.detail),
        }


def verify_command(database_url: str, key: bytes) -> int:
    """``chakong audit verify``: print a short bilingual report; 0 when intact, else 1."""
    return asyncio.run(_verify_database(database_url, key))


async def _verify_database(database_url: str, key: bytes) -> int:
    engine = create_async_engine(database_url)
    configure_sqlite(engine)
    try:
        report = await AuditLog(engine, key).verify()
    except SQLAlchemyError as exc:
        print(
            f"无法读取审计日志 / cannot read the audit log: {type(exc).__name__}",
            file=sys.stderr,
        )
        return 1
    finally:
        await engine.dispose()
    print(report.message())
    return 0 if report.ok else 1


def _canonical_id(subject: Subject | str) -> str:
    """The canonical id of a subject, or of a typed id (15-digit ids become 18-digit ones)."""
    if isinstance(subject, Subject):
        return subject.id
    compact = "".join(subject.split()).replace("-", "").upper()
    try:
        if len(compact) in (15, 18) and compact[:15].isdigit():
            return normalize_resident_id(compact)
        return normalize_uscc(compact)
    except InvalidSubjectError:
        return compact  # not a valid id: digested as typed, so an exact search still finds it


def _as_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(datetime.UTC)


def _canonical_json(fields: Mapping[str, Any]) -> str:
    def default(value: object) -> object:
        if isinstance(value, datetime.datetime):
            return _as_utc(value).isoformat(timespec="microseconds")
        raise TypeError(f"cannot hash a {type(value).__name__}")

    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    )


_HASHED = (
    "seq",
    "at",
    "request_id",
    "action",
    "outcome",
    "code",
    "actor",
    "role",
    "court",
    "judge",
    "case_number",
    "subject_masked",
    "subject_digest",
    "relation",
    "agencies",
    "statuses",
    "record_counts",
    "detail",
)


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields of ``entry`` that its hash covers: every field but ``prev_hash`` and ``hash``."""
    return {name: getattr(entry, name) for name in _HASHED}


def chain_message(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    """What is keyed into an entry's hash: the previous hash, then the fields as canonical JSON
    (sorted keys, no spaces, UTF-8, the time as ISO 8601 UTC with microseconds)."""
    return prev_hash.encode() + _canonical_json(fields).encode()


def _entry(values: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(**values)


def _row(entry: AuditEntry) -> dict[str, Any]:
    row = hashed_fields(entry)
    row["agencies"] = json.dumps(list(entry.agencies), ensure_ascii=False)
    row["statuses"] = json.dumps(entry.statuses, ensure_ascii=False, sort_keys=True)
    row["record_counts"] = json.dumps(entry.record_counts, sort_keys=True)
    row["prev_hash"] = entry.prev_hash
    row["hash"] = entry.hash
    return row


def entry_from_row(row: Mapping[Any, Any]) -> AuditEntry:
    """The entry a stored row holds; ``ValueError`` when its JSON columns are malformed."""
    agencies = json.loads(row["agencies"])
    statuses = json.loads(row["statuses"])
    counts = json.loads(row["record_counts"])
    if not (
        isinstance(agencies, builtins.list)
        and isinstance(statuses, dict)
        and isinstance(counts, dict)
    ):
        raise ValueError("malformed JSON column")
    return AuditEntry(
        seq=int(row["seq"]),
        at=row["at"],
        request_id=row["request_id"],
        action=row["action"],
        outcome=row["outcome"],
        code=row["code"],
        actor=row["actor"],
        role=row["role"],
        court=row["court"],
        judge=row["judge"],
        case_number=row["case_number"],
        subject_masked=row["subject_masked"],
        subject_digest=row["subject_digest"],
        relation=row["relation"],
        agencies=tuple(agencies),
        statuses=statuses,
        record_counts=counts,
        detail=row["detail"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )
