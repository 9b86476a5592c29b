"""``chakong audit``: verify the chain (against a signed checkpoint too), write a checkpoint,
make a checkpoint key pair, seal a head from before revision 0002; short bilingual reports.

Exit status: 0 when all is well, 1 when the log (or the checkpoint) fails its check or cannot be
read, 2 when something must be configured first (a database URL that cannot work, a SQLite file
that is not there: these commands never create one).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.audit import ChainProblem, Checkpoint, VerifyReport
from gateway.services.audit import AuditLog, walk_chain
from gateway.services.audit_checkpoint import (
    CheckpointError,
    CheckpointProblem,
    CheckpointSigner,
    check_checkpoint,
    checkpoint_json,
    generate_key_pair,
    key_id,
    load_public_key,
    parse_checkpoint,
    write_atomically,
)
from gateway.store import DatabaseURLError, checked_database_url, open_engine
from gateway.store.migrate import upgrade
from gateway.store.unit import Store

T = TypeVar("T")

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
    ChainProblem.HEAD_FORGED: (
        "处的链头记录校验码不符（链头被改动，例如删除末尾记录后回拨）",
        "head forged: its MAC does not match its sequence number and hash (moved back over "
        "deleted entries?)",
    ),
    ChainProblem.HEAD_UNSEALED: (
        "处的链头记录没有校验码（0002 版之前的数据库：核对后运行 chakong audit seal）",
        "head unsealed: it has no MAC (a database from before revision 0002: check it, then run "
        "chakong audit seal)",
    ),
    ChainProblem.CHECKPOINT_TRUNCATED: (
        "起被删除，日志已到不了检查点（截断到检查点之下）",
        "truncated below the checkpoint: the log no longer reaches the checkpoint's entry",
    ),
    ChainProblem.CHECKPOINT_REWRITTEN: (
        "的哈希与检查点不符（日志被改写）",
        "rewritten: the entry at the checkpoint's sequence number has another hash",
    ),
}

CHECKPOINT_PROBLEM_TEXT = {
    CheckpointProblem.BAD_SIGNATURE: (
        "检查点签名无效（被伪造、被修改，或不是这把公钥签的）",
        "the checkpoint's signature is not valid (forged, edited, or not signed by this public "
        "key)",
    ),
    CheckpointProblem.OTHER_LOG: ("检查点属于另一个日志", "the checkpoint is of another log"),
}


def report_message(report: VerifyReport) -> str:
    """The report as the command prints it: intact with the head to publish, or where and how
    the chain is broken."""
    if report.ok:
        text = (
            f"审计链完整 / audit chain intact: {report.checked} entries\n"
            f"链头 / head: seq {report.head_seq} hash {report.head_hash}"
        )
        if report.checkpoint_seq is not None:
            text += (
                f"\n日志仍延续检查点（第 {report.checkpoint_seq} 条） / the log still extends "
                f"the checkpoint (entry {report.checkpoint_seq})"
            )
        return text
    if report.problem is None:
        raise ValueError("a broken chain's report names its problem")
    zh, en = PROBLEM_TEXT[report.problem]
    where_zh = f"第 {report.seq} 条" if report.seq is not None else ""
    where_en = f" at entry {report.seq}" if report.seq is not None else ""
    text = (
        f"审计链被破坏：{where_zh}{zh}（此前 {report.checked} 条完整） / "
        f"audit chain broken{where_en}: {en} ({report.checked} intact entries before it)"
    )
    if report.checkpoint_seq is not None and report.problem in CHECKPOINT_PROBLEMS:
        text += (
            f"\n检查点在第 {report.checkpoint_seq} 条，链头在第 {report.head_seq} 条 / the "
            f"checkpoint is at entry {report.checkpoint_seq}, the head at {report.head_seq}"
        )
    return text


CHECKPOINT_PROBLEMS = (ChainProblem.CHECKPOINT_TRUNCATED, ChainProblem.CHECKPOINT_REWRITTEN)

HASHES_ONLY_NOTE = (
    "未使用审计密钥：只核对了序号与哈希链接（检查点之内无删除、插入、调换，检查点那条的哈希未变）；"
    "记录内容是否与哈希相符、链头校验码，需要密钥才能核对 / without the audit key: only the "
    "sequence numbers and the hash links were checked (nothing at or before the checkpoint was "
    "deleted, inserted or reordered, and its entry keeps its hash); whether each entry's "
    "content matches its hash, and the head's MAC, take the key"
)


def verify_command(
    database_url: str,
    key: bytes | None,
    *,
    checkpoint_file: str | None = None,
    public_key: Ed25519PublicKey | None = None,
    log_name: str | None = None,
) -> int:
    """``chakong audit verify``: print a short bilingual report; 0 when intact, else 1.

    ``key`` ``None``: the links only (an auditor without the HMAC key). With a
    ``checkpoint_file``, its signature is checked with ``public_key`` (and its log's name
    against ``log_name``), then the log must still extend it."""
    checkpoint = None
    if checkpoint_file is not None:
        if public_key is None:
            raise ValueError("a checkpoint is checked with a public key")
        checkpoint = _read_checkpoint(checkpoint_file, public_key, log_name)
        if checkpoint is None:
            return 1

    async def verify(store: Store) -> VerifyReport:
        if key is None:
            return await walk_chain(store, None, checkpoint=checkpoint)
        return await AuditLog(store, key).verify(checkpoint=checkpoint)

    try:
        report = asyncio.run(_on_database(database_url, verify))
    except DatabaseUnavailableError as exc:
        _fail(str(exc))
        return exc.status
    print(report_message(report))
    if key is None:
        print(HASHES_ONLY_NOTE)
    return 0 if report.ok else 1


def _read_checkpoint(
    path: str, public_key: Ed25519PublicKey, log_name: str | None
) -> Checkpoint | None:
    """The checkpoint in ``path`` once its signature (and log) check out; else ``None``,
    with the reason printed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"无法读取检查点 {path} / cannot read the checkpoint {path}: {exc}")
        return None
    try:
        checkpoint = parse_checkpoint(text)
    except CheckpointError as exc:
        _fail(str(exc))
        return None
    problem = check_checkpoint(checkpoint, public_key, log_name)
    if problem is not None:
        zh, en = CHECKPOINT_PROBLEM_TEXT[problem]
        detail_zh = detail_en = ""
        if problem is CheckpointProblem.OTHER_LOG:
            detail_zh = f"：“{checkpoint.log}”，本日志为“{log_name}”"
            detail_en = f": {checkpoint.log!r}, this log is {log_name!r} (--log-name)"
        elif checkpoint.key_id != key_id(public_key):
            detail_zh = "（签名所用密钥与此公钥不同）"
            detail_en = " (it names another key than this public key)"
        _fail(f"检查点未通过：{zh}{detail_zh} / checkpoint refused: {en}{detail_en}")
        return None
    return checkpoint


def checkpoint_command(
    database_url: str,
    key: bytes,
    signer: CheckpointSigner,
    out: str | None,
    *,
    clock: Callable[[], datetime.datetime] | None = None,
) -> int:
    """``chakong audit checkpoint``: verify the whole chain with the key, then sign its head
    and write the checkpoint to ``out`` (stdout when ``None``); 1 when the chain is broken."""

    async def verify(store: Store) -> VerifyReport:
        return await AuditLog(store, key).verify()

    try:
        report = asyncio.run(_on_database(database_url, verify))
    except DatabaseUnavailableError as exc:
        _fail(str(exc))
        return exc.status
    if not report.ok or report.head_seq is None or report.head_hash is None:
        print(report_message(report))
        _fail("审计链未通过校验，未签署检查点 / the chain failed its check: no checkpoint signed")
        return 1
    now = (clock or _utc_now)()
    text = checkpoint_json(signer.sign(report.head_seq, report.head_hash, now))
    if out is None:
        print(text, end="")
        return 0
    try:
        write_atomically(Path(out), text)
    except OSError as exc:
        _fail(f"无法写入 {out} / cannot write {out}: {exc.strerror}")
        return 1
    print(
        f"检查点已写入 {out}：第 {report.head_seq} 条 / checkpoint written to {out}: "
        f"entry {report.head_seq}, key {signer.key_id}",
        file=sys.stderr,
    )
    return 0


def keygen_command(out: str) -> int:
    """``chakong audit keygen --out FILE``: a new Ed25519 key pair, the private key in ``FILE``
    (mode 0600) and the public key in ``FILE.pub``; never overwrites."""
    private, public = generate_key_pair()
    public_path = f"{out}.pub"
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        _fail(f"无法创建 {out} / cannot create {out}: {exc.strerror}")
        return 2 if isinstance(exc, FileExistsError) else 1
    with os.fdopen(fd, "wb") as file:
        file.write(private)
    try:
        with open(public_path, "xb") as file:
            file.write(public)
    except OSError as exc:
        os.unlink(out)
        _fail(f"无法创建 {public_path} / cannot create {public_path}: {exc.strerror}")
        return 2 if isinstance(exc, FileExistsError) else 1
    print(
        f"私钥 / private key: {out} (CHAKONG_AUDIT_SIGNING_KEY_FILE)\n"
        f"公钥 / public key: {public_path} (key id {key_id(load_public_key(public_path))}): "
        f"give it to the auditors"
    )
    return 0


def seal_command(database_url: str, key: bytes) -> int:
    """``chakong audit seal``: seal a head from before revision 0002 once the chain verifies."""

    async def seal(store: Store) -> VerifyReport:
        await upgrade(store.engine)  # the head's MAC column comes with revision 0002
        return await AuditLog(store, key).seal_head()

    try:
        report = asyncio.run(_on_database(database_url, seal))
    except DatabaseUnavailableError as exc:
        _fail(str(exc))
        return exc.status
    print(report_message(report))
    return 0 if report.ok else 1


class DatabaseUnavailableError(Exception):
    """The database cannot be opened or read: a bilingual message that never shows the URL's
    password, and the command's exit status (2: set something else first; 1: it failed)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def open_database(database_url: str) -> AsyncEngine:
    """An engine on an existing database; ``DatabaseUnavailableError`` for a URL that cannot work
    (``checked_database_url``) or a SQLite file that is not there (which connecting would
    create, empty)."""
    try:
        url = checked_database_url(database_url, "--database-url, CHAKONG_DATABASE_URL")
    except DatabaseURLError as exc:
        raise DatabaseUnavailableError(str(exc), 2) from None
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        raise DatabaseUnavailableError(
            f"{path} 处没有数据库：请在网关的目录中运行，或使用 --database-url / no database at "
            f"{path}: run from the gateway's directory or pass --database-url",
            2,
        )
    return open_engine(database_url)


def _sqlite_file(url: URL) -> Path | None:
    """The SQLite file ``url`` names, absolute; ``None`` for another database, an in-memory
    one or a SQLite URI (``?uri=true``), whose file this does not parse."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("uri") or url.query.get("mode") == "memory":
        return None
    return Path(url.database).absolute()


async def _on_database(database_url: str, run: Callable[[Store], Awaitable[T]]) -> T:
    engine = open_database(database_url)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        try:
            async with engine.connect():
                pass
        # whatever the driver raises: a refused connection, an unknown host, a wrong password
        except Exception as exc:
            raise DatabaseUnavailableError(
                f"无法连接数据库 {shown} / cannot connect to the database at {shown}: "
                f"{_reason(exc)}",
                1,
            ) from None
        try:
            return await run(Store(engine))
        except SQLAlchemyError as exc:
            raise DatabaseUnavailableError(
                f"无法读取审计日志 / cannot read the audit log: {type(exc).__name__}", 1
            ) from None
    finally:
        await engine.dispose()


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in the driver's words where they are an OS error's (never a
    message that might quote the URL)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__


def _fail(message: str) -> None:
    print(message, file=sys.stderr)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
