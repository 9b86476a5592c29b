"""``chakong audit verify``: walk the audit chain and print a short bilingual report."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.domain.audit import ChainProblem, VerifyReport
from gateway.services.audit import AuditLog
from gateway.store import configure_sqlite
from gateway.store.unit import Store

# (中文, English) for each way the chain can be broken
PROBLEM_TEXT = {
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


def report_message(report: VerifyReport) -> str:
    """The report as the command prints it: intact with the head to publish, or where and how
    the chain is broken."""
    if report.ok:
        return (
            f"审计链完整 / audit chain intact: {report.checked} entries\n"
            f"链头 / head: seq {report.head_seq} hash {report.head_hash}"
        )
    if report.problem is None:
        raise ValueError("a broken chain's report names its problem")
    zh, en = PROBLEM_TEXT[report.problem]
    where_zh = f"第 {report.seq} 条" if report.seq is not None else ""
    where_en = f" at entry {report.seq}" if report.seq is not None else ""
    return (
        f"审计链被破坏：{where_zh}{zh}（此前 {report.checked} 条完整） / "
        f"audit chain broken{where_en}: {en} ({report.checked} intact entries before it)"
    )


def verify_command(database_url: str, key: bytes) -> int:
    """``chakong audit verify``: print a short bilingual report; 0 when intact, else 1."""
    return asyncio.run(_verify_database(database_url, key))


async def _verify_database(database_url: str, key: bytes) -> int:
    engine = create_async_engine(database_url)
    configure_sqlite(engine)
    try:
        report = await AuditLog(Store(engine), key).verify()
    except SQLAlchemyError as exc:
        print(
            f"无法读取审计日志 / cannot read the audit log: {type(exc).__name__}",
            file=sys.stderr,
        )
        return 1
    finally:
        await engine.dispose()
    print(report_message(report))
    return 0 if report.ok else 1
