"""Audit records, a clock and a key shared by the audit log's tests (not a test module)."""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.services.audit import AuditRecord, Outcome

KEY = b"audit-test-key-0123456789abcdef!"
SUBJECT = parse_subject(SubjectKind.NATURAL, "320802198001010014", "张三")
OLD_FORM = "320802800101001"  # the same person's first-generation 15-digit number
OTHER = parse_subject(SubjectKind.NATURAL, "110101199003074477")
START = datetime.datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=datetime.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(minutes=1)
        return self.now


def record(n: int = 0, **overrides: Any) -> AuditRecord:
    values: dict[str, Any] = {
        "request_id": f"req-{n}",
        "action": "inquiry",
        "outcome": Outcome.ALLOWED,
        "actor": "judge-zhou",
        "role": "JUDGE",
        "court": "苏0812",
        "judge": "judge-zhou",
        "case_number": "(2026)苏0812执100号",
        "subject": SUBJECT,
        "relation": "debtor",
        "agencies": ("police", "bank"),
        "statuses": {"police": "ok", "bank": "timeout"},
        "record_counts": {"police": 2, "bank": 0},
    }
    values.update(overrides)
    return AuditRecord(**values)


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(sql), params)


def prepared(n: int) -> dict[str, Any]:
    """The stored fields of an entry (no seq, time or hashes), as the log prepares them."""
    return {
        "request_id": f"req-{n}",
        "action": "inquiry",
        "outcome": "allowed",
        "code": None,
        "actor": f"actor-{n}",
        "role": "JUDGE",
        "court": "苏0812",
        "judge": None,
        "case_number": None,
        "subject_masked": None,
        "subject_digest": None,
        "relation": None,
        "agencies": ("police",),
        "statuses": {"police": "ok"},
        "record_counts": {"police": n},
        "detail": None,
    }
