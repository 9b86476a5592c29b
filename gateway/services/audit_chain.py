"""The arithmetic of the audit chain: canonical JSON, the keyed hashes, the check of one entry.

Each entry's ``hash`` is ``HMAC-SHA256(key, prev_hash + canonical JSON of the entry's fields)``
and its ``prev_hash`` is the hash of the entry before it (the first links to 64 zeros). Without
the key nobody can recompute a valid chain. A subject is never hashed in the clear: entries keep
``subject_digest = HMAC-SHA256(key, canonical id)``.

The head row is sealed the same way: ``mac = HMAC-SHA256(key, "chakong audit head v1\n" + seq +
"\n" + hash)``, so a head moved back over a deleted tail without the key is caught. A head
without a MAC is accepted only in the state the migration creates (sequence 0, the genesis hash).

Pure functions and one keyed object (``AuditChain``); no SQL, no clock.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from gateway.domain.audit import AuditEntry, ChainHead, ChainProblem, StoredEntry
from gateway.domain.errors import InvalidSubjectError
from gateway.domain.subjects import Subject, normalize_resident_id, normalize_uscc
from gateway.store.tables import AUDIT_GENESIS_HASH

# the fields an entry's hash covers: every field but ``prev_hash`` and ``hash``
HASHED = (
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


class AuditChain:
    """The keyed hashes of one audit log: entries' chain hashes and subjects' digests."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the audit key must not be empty / 审计密钥不能为空")
        self._key = key

    def subject_digest(self, subject: Subject | str) -> str:
        """HMAC-SHA256 of the canonical id: how entries about one exact id are found."""
        return hmac.new(self._key, canonical_id(subject).encode(), hashlib.sha256).hexdigest()

    def entry_hash(self, prev_hash: str, fields: Mapping[str, Any]) -> str:
        """The chain hash of one entry's ``fields`` (every column but the two hashes)."""
        return hmac.new(self._key, chain_message(prev_hash, fields), hashlib.sha256).hexdigest()

    def head_mac(self, seq: int, head_hash: str) -> str:
        """The MAC that seals the head row at ``seq`` with ``head_hash``."""
        return hmac.new(self._key, head_message(seq, head_hash), hashlib.sha256).hexdigest()

    def check_head(self, head: ChainHead) -> ChainProblem | None:
        """What is wrong with the head row: forged (its MAC does not match), or unsealed (no
        MAC, and not the empty state the migration creates)."""
        if head.mac is None:
            fresh = head.seq == 0 and head.hash == AUDIT_GENESIS_HASH
            return None if fresh else ChainProblem.HEAD_UNSEALED
        if not hmac.compare_digest(self.head_mac(head.seq, head.hash), head.mac):
            return ChainProblem.HEAD_FORGED
        return None

    def link(
        self,
        first_seq: int,
        prev_hash: str,
        at: datetime.datetime,
        prepared: Sequence[Mapping[str, Any]],
    ) -> list[AuditEntry]:
        """The entries of ``prepared`` (fields without seq, time and hashes), numbered from
        ``first_seq`` and chained after ``prev_hash``."""
        entries: list[AuditEntry] = []
        for offset, fields in enumerate(prepared):
            row = {"seq": first_seq + offset, "at": at, **fields}
            digest = self.entry_hash(prev_hash, row)
            entries.append(AuditEntry(**row, prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        return entries

    def check(self, stored: StoredEntry, expected: int, prev_hash: str) -> ChainProblem | None:
        """What is wrong with ``stored`` as the ``expected``-th entry after ``prev_hash``."""
        problem = check_link(stored, expected, prev_hash)
        if problem is not None:
            return problem
        if stored.entry is None:
            return ChainProblem.EDITED
        digest = self.entry_hash(prev_hash, hashed_fields(stored.entry))
        if not hmac.compare_digest(digest, stored.hash):
            return ChainProblem.EDITED
        return None


def check_link(stored: StoredEntry, expected: int, prev_hash: str) -> ChainProblem | None:
    """What is wrong with ``stored``'s place as the ``expected``-th entry after ``prev_hash``:
    the part of the check that needs no key (the sequence numbers and the links)."""
    if stored.seq > expected:
        return ChainProblem.MISSING
    if stored.seq < expected or stored.prev_hash != prev_hash:
        return ChainProblem.REORDERED
    return None


def head_message(seq: int, head_hash: str) -> bytes:
    """What is keyed into the head's MAC: a label (never the start of an entry's message,
    which is 64 hex digits), the sequence number and the hash."""
    return f"chakong audit head v1\n{seq}\n{head_hash}".encode()


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields of ``entry`` that its hash covers: every field but ``prev_hash`` and ``hash``."""
    return {name: getattr(entry, name) for name in HASHED}


def chain_message(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    """What is keyed into an entry's hash: the previous hash, then the fields as canonical JSON
    (sorted keys, no spaces, UTF-8, the time as ISO 8601 UTC with microseconds)."""
    return prev_hash.encode() + canonical_bytes(fields)


def canonical_json(fields: Mapping[str, Any]) -> str:
    """The fields as canonical JSON text: sorted keys, no spaces, any character as itself but
    the ones JSON must escape, each time as ISO 8601 UTC with microseconds."""
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_hashable
    )


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """``canonical_json(fields)`` in UTF-8, written by orjson where it writes the same bytes.

    Every entry is text, integers, ``None``, one time, a list of text and two maps of text to
    text or to integers. orjson writes each of these as the standard library does (every
    character escaped or not alike, keys sorted by code point, the time through the same
    ``_hashable``) in about a quarter of the time, and a group commit hashes every entry it
    writes, a check every entry it reads. What orjson refuses (an integer beyond 64 bits, a key
    that is not text, a set, a naive time) goes to ``canonical_json``: the same bytes, or the
    same error. Where the two differ, no entry the gateway writes goes: a float (orjson
    writes ``1e16`` and ``NaN`` otherwise; in a row edited by hand it changes the message
    either way, and the check finds the entry edited), and what only orjson accepts (a UUID,
    a plain ``Enum``). ``tests/gateway/services/test_audit_chain.py`` draws values to check
    that the two agree."""
    try:
        return orjson.dumps(fields, option=_ORJSON_CANONICAL, default=_hashable)
    except orjson.JSONEncodeError:
        return canonical_json(fields).encode()


# a time or a dataclass goes through ``_hashable``, as in ``canonical_json``
_ORJSON_CANONICAL = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _hashable(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical_id(subject: Subject | str) -> str:
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


def as_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(datetime.UTC)
