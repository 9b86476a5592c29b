"""Signed checkpoints of the audit log (审计检查点), after Certificate Transparency's signed tree
heads: an Ed25519 signature over the log's name, its last sequence number, the hash of that
entry, and the time. Kept outside the gateway's database (an auditor's disk, the court's own
records), a checkpoint pins the log down: a log cut back below it, or rewritten up to it, no
longer has that hash at that sequence number, whoever holds the database and the HMAC key.

The file is JSON (``CHECKPOINT_FORMAT``)::

    {"format": "chakong-audit-checkpoint/1", "log": "苏0812 查控网关", "seq": 42,
     "hash": "<64 hex>", "time": "2026-12-02T17:40:00.123456+00:00",
     "key_id": "<SHA-256 of the raw public key, 64 hex>", "signature": "<base64, 64 bytes>"}

and the signature is over these lines, UTF-8, each ending in a newline (the format, the log's
name, the sequence number in decimal, the hash, the time as written above)::

    chakong-audit-checkpoint/1
    苏0812 查控网关
    42
    <hash>
    2026-12-02T17:40:00.123456+00:00

``key_id`` is not signed: it only says which public key to try.

``CheckpointWriter`` writes one on a schedule, after checking the chain since its last one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime
import enum
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from gateway.domain.audit import Checkpoint

if TYPE_CHECKING:
    from gateway.services.audit import AuditLog

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "chakong-audit-checkpoint/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
# a log's name: one line of printable text
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


class CheckpointError(ValueError):
    """A checkpoint or key file that cannot be read; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class CheckpointProblem(enum.StrEnum):
    """Why a checkpoint is not accepted before the log is even read."""

    BAD_SIGNATURE = "bad signature"  # not signed by the public key given
    OTHER_LOG = "other log"  # signed for a log of another name


def valid_log_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex (as CT names a log by its key)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def render_time(time: datetime.datetime) -> str:
    if time.tzinfo is None or time.utcoffset() is None:
        raise ValueError("checkpoint times must be timezone-aware")
    return time.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def signed_message(log_name: str, seq: int, head_hash: str, time: datetime.datetime) -> bytes:
    """The bytes a checkpoint's signature covers (see the module's text)."""
    lines = (CHECKPOINT_FORMAT, log_name, str(seq), head_hash, render_time(time))
    return "".join(line + "\n" for line in lines).encode()


class CheckpointSigner:
    """Signs checkpoints of the log ``log_name`` with one Ed25519 private key."""

    __slots__ = ("_key", "key_id", "log_name", "public_key")

    def __init__(self, private_key: Ed25519PrivateKey, log_name: str) -> None:
        if not valid_log_name(log_name):
            raise ValueError("a log's name is one line of 1 to 200 printable characters")
        self._key = private_key
        self.log_name = log_name
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, seq: int, head_hash: str, time: datetime.datetime) -> Checkpoint:
        signature = self._key.sign(signed_message(self.log_name, seq, head_hash, time))
        return Checkpoint(
            self.log_name, seq, head_hash, time.astimezone(datetime.UTC), self.key_id, signature
        )


def check_checkpoint(
    checkpoint: Checkpoint, public_key: Ed25519PublicKey, log_name: str | None = None
) -> CheckpointProblem | None:
    """What is wrong with ``checkpoint`` before the log is read: a signature that
    ``public_key`` does not verify, or (when ``log_name`` is given) another log's name."""
    message = signed_message(checkpoint.log, checkpoint.seq, checkpoint.hash, checkpoint.time)
    try:
        public_key.verify(checkpoint.signature, message)
    except InvalidSignature:
        return CheckpointProblem.BAD_SIGNATURE
    if log_name is not None and checkpoint.log != log_name:
        return CheckpointProblem.OTHER_LOG
    return None


def checkpoint_json(checkpoint: Checkpoint) -> str:
    """The checkpoint's file: JSON, one key a line, in the order of the module's text."""
    document = {
        "format": CHECKPOINT_FORMAT,
        "log": checkpoint.log,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "time": render_time(checkpoint.time),
        "key_id": checkpoint.key_id,
        "signature": base64.b64encode(checkpoint.signature).decode(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint a file holds; ``CheckpointError`` for anything but the documented form.
    The signature is not checked here (``check_checkpoint``)."""
    try:
        document: Any = json.loads(text)
    except ValueError:
        raise _malformed("不是 JSON", "not JSON") from None
    if not isinstance(document, dict):
        raise _malformed("不是 JSON 对象", "not a JSON object")
    if document.get("format") != CHECKPOINT_FORMAT:
        raise _malformed(f"格式不是 {CHECKPOINT_FORMAT}", f"its format is not {CHECKPOINT_FORMAT}")
    name, seq, head_hash = document.get("log"), document.get("seq"), document.get("hash")
    if not isinstance(name, str) or not valid_log_name(name):
        raise _malformed("日志名称无效", "its log name is missing or not one line")
    if type(seq) is not int or seq < 0:
        raise _malformed("序号无效", "its seq is not a non-negative integer")
    if not isinstance(head_hash, str) or not _HEX64.fullmatch(head_hash):
        raise _malformed("哈希无效", "its hash is not 64 lower-case hex digits")
    time = _parse_time(document.get("time"))
    kid = document.get("key_id")
    if not isinstance(kid, str) or not _HEX64.fullmatch(kid):
        raise _malformed("key_id 无效", "its key_id is not 64 lower-case hex digits")
    try:
        signature = base64.b64decode(str(document.get("signature")), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64:
        raise _malformed("签名无效", "its signature is not 64 bytes of base64")
    return Checkpoint(name, seq, head_hash, time, kid, signature)


def _parse_time(value: object) -> datetime.datetime:
    try:
        time = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        time = None
    if not isinstance(value, str) or time is None or time.utcoffset() is None:
        raise _malformed("时间无效", "its time is not an ISO 8601 time with a zone")
    return time.astimezone(datetime.UTC)


def _malformed(zh: str, en: str) -> CheckpointError:
    return CheckpointError(f"检查点文件无效：{zh}", f"not a checkpoint file: {en}")


# keys


def generate_key_pair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair: the private key (PKCS #8 PEM) and the public key (PEM)."""
    private = Ed25519PrivateKey.generate()
    return private_pem(private), public_pem(private.public_key())


def private_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def seeded_private_key(seed: bytes) -> Ed25519PrivateKey:
    """An Ed25519 key derived from ``seed`` (the demo's fixed, public key)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest())


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file; ``CheckpointError`` when it is not one."""
    data = _read(path, "私钥", "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(
            f"{path} 不是 Ed25519 私钥（PEM）", f"{path} is not an Ed25519 private key (PEM)"
        )
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file; ``CheckpointError`` when it is not one."""
    data = _read(path, "公钥", "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(
            f"{path} 不是 Ed25519 公钥（PEM）", f"{path} is not an Ed25519 public key (PEM)"
        )
    return key


def _read(path: str | Path, zh: str, en: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CheckpointError(
            f"无法读取{zh}文件 {path}：{exc.strerror}",
            f"cannot read the {en} file {path}: {exc.strerror}",
        ) from None


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class CheckpointWriter:
    """Writes a signed checkpoint to ``directory`` every ``interval_s`` seconds while the head
    moves: ``audit-checkpoint-<seq>.json``, and one log line with the same content (log lines
    are usually shipped off the host, which is where a checkpoint belongs).

    Before signing it checks the chain with the key: the whole chain the first time, then only
    what was appended since its last checkpoint. A broken chain is logged as an error and not
    signed; a database that cannot be read is logged and tried again at the next tick."""

    def __init__(
        self,
        audit_log: AuditLog,
        signer: CheckpointSigner,
        directory: str | Path,
        interval_s: float,
        *,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self._log = audit_log
        self._signer = signer
        self._directory = Path(directory)
        self._interval_s = interval_s
        self._clock = clock
        self._last: Checkpoint | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def last(self) -> Checkpoint | None:
        """The last checkpoint written by this writer."""
        return self._last

    async def write_once(self) -> Checkpoint | None:
        """Check the chain since the last checkpoint and, when the head has moved, sign and
        write a checkpoint of it; the checkpoint written, or ``None``."""
        report = await self._log.verify(checkpoint=self._last, since_checkpoint=True)
        if not report.ok or report.head_seq is None or report.head_hash is None:
            log.error(
                "the audit log failed its check (%s at entry %s): no checkpoint written; "
                "run chakong audit verify",
                report.problem,
                report.seq,
            )
            return None
        if self._last is not None and self._last.seq == report.head_seq:
            return None
        checkpoint = self._signer.sign(report.head_seq, report.head_hash, self._clock())
        text = checkpoint_json(checkpoint)
        await asyncio.to_thread(self._write, f"audit-checkpoint-{checkpoint.seq:012d}.json", text)
        log.info("audit checkpoint %s", json.dumps(json.loads(text), ensure_ascii=False))
        self._last = checkpoint
        return checkpoint

    def _write(self, name: str, text: str) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self._directory / name, text)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audit-checkpoints")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.write_once()
            except Exception:  # the database is down, the directory is not writable, ...
                log.exception("no audit checkpoint could be written; trying again later")
            await asyncio.sleep(self._interval_s)
