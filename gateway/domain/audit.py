"""The audit log's entries (审计记录) and what a check of the chain finds: plain values.

The arithmetic of the chain is ``gateway.services.audit_chain``, its storage
``gateway.store.audit``, the service that combines them ``gateway.services.audit``.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass


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
    HEAD_FORGED = "head forged"  # the head's MAC does not match its sequence number and hash
    HEAD_UNSEALED = "head unsealed"  # a head without a MAC, past the migration's empty state
    # against a signed checkpoint (``verify --checkpoint``)
    CHECKPOINT_TRUNCATED = "checkpoint truncated"  # the log no longer reaches the checkpoint
    CHECKPOINT_REWRITTEN = "checkpoint rewritten"  # the checkpoint's entry has another hash


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
class StoredEntry:
    """An entry as read back to be checked: its place in the chain, and its content.

    ``entry`` is ``None`` when a column cannot be read (JSON written by hand): the check then
    finds the entry edited, once its place in the chain is known to be right."""

    seq: int
    prev_hash: str
    hash: str
    entry: AuditEntry | None


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The ``audit_head`` row: the last sequence number and hash of the chain, and the MAC
    that seals them (``None`` only in the state the migration creates, or before 0002)."""

    seq: int
    hash: str
    mac: str | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement that the log named ``log`` had ``seq`` entries, the last with
    ``hash``, at ``time``: kept outside the database, it pins the log down (cf. Certificate
    Transparency's signed tree heads). ``signature`` is Ed25519 by the key ``key_id`` names."""

    log: str
    seq: int
    hash: str
    time: datetime.datetime  # UTC
    key_id: str  # SHA-256 of the raw public key, hex
    signature: bytes


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of walking the chain: ``ok``, or the first bad ``seq`` and the ``problem``."""

    ok: bool
    checked: int  # entries found intact before the first problem (all of them when ok)
    head_seq: int | None  # the head's sequence number; None when the head row is missing
    problem: ChainProblem | None = None
    seq: int | None = None
    head_hash: str | None = None  # the head's hash: when ok, what a checkpoint signs
    checkpoint_seq: int | None = None  # the sequence number of the checkpoint checked against
