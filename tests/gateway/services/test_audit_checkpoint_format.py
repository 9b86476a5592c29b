"""The checkpoint file: its documented format, its signature, its keys; and the writer that
signs one on a schedule."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.audit import Checkpoint
from gateway.services.audit import AuditLog
from gateway.services.audit_checkpoint import (
    CheckpointError,
    CheckpointProblem,
    CheckpointSigner,
    CheckpointWriter,
    check_checkpoint,
    checkpoint_json,
    generate_key_pair,
    load_private_key,
    load_public_key,
    parse_checkpoint,
)
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, Clock, execute, record

PRIVATE = Ed25519PrivateKey.generate()
SIGNER = CheckpointSigner(PRIVATE, "苏0812 查控网关")
AT = datetime.datetime(2026, 6, 1, 17, 40, 0, 123456, tzinfo=datetime.UTC)
HASH = "0123456789abcdef" * 4


def test_the_signature_covers_the_documented_lines():
    checkpoint = SIGNER.sign(42, HASH, AT)
    # the text of docs/security.md, written out here rather than taken from the module
    message = (
        "chakong-audit-checkpoint/1\n苏0812 查控网关\n42\n"
        f"{HASH}\n2026-06-01T17:40:00.123456+00:00\n"
    ).encode()
    PRIVATE.public_key().verify(checkpoint.signature, message)  # raises when it does not


def test_the_file_round_trips_and_holds_the_documented_keys():
    checkpoint = SIGNER.sign(42, HASH, AT)
    text = checkpoint_json(checkpoint)
    document = json.loads(text)
    assert list(document) == ["format", "log", "seq", "hash", "time", "key_id", "signature"]
    assert document["format"] == "chakong-audit-checkpoint/1"
    assert document["time"] == "2026-06-01T17:40:00.123456+00:00"
    raw = PRIVATE.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert document["key_id"] == hashlib.sha256(raw).hexdigest()
    assert len(base64.b64decode(document["signature"])) == 64
    assert parse_checkpoint(text) == checkpoint
    assert check_checkpoint(parse_checkpoint(text), PRIVATE.public_key(), SIGNER.log_name) is None


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 41},
        {"hash": "f" * 64},
        {"log": "苏0813 查控网关"},
        {"time": AT + datetime.timedelta(seconds=1)},
    ],
)
def test_any_signed_field_changed_breaks_the_signature(change):
    forged = dataclasses.replace(SIGNER.sign(42, HASH, AT), **change)
    assert check_checkpoint(forged, PRIVATE.public_key()) is CheckpointProblem.BAD_SIGNATURE


def test_another_key_and_another_log_are_refused():
    checkpoint = SIGNER.sign(42, HASH, AT)
    other_key = Ed25519PrivateKey.generate().public_key()
    assert check_checkpoint(checkpoint, other_key) is CheckpointProblem.BAD_SIGNATURE
    assert (
        check_checkpoint(checkpoint, PRIVATE.public_key(), "苏0813 查控网关")
        is CheckpointProblem.OTHER_LOG
    )
    # the key id is a hint, not signed: changing it does not make a forgery pass
    relabelled = dataclasses.replace(checkpoint, key_id="0" * 64)
    assert check_checkpoint(relabelled, PRIVATE.public_key()) is None


def _document(**changes: object) -> str:
    document = json.loads(checkpoint_json(SIGNER.sign(42, HASH, AT)))
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        _document(format="chakong-audit-checkpoint/2"),
        _document(log="two\nlines"),
        _document(seq=-1),
        _document(seq="42"),
        _document(seq=True),
        _document(hash="ABC"),
        _document(time="yesterday"),
        _document(time="2026-06-01T17:40:00"),  # no zone
        _document(key_id=None),
        _document(signature="not base64!"),
        _document(signature=base64.b64encode(b"short").decode()),
    ],
)
def test_a_malformed_file_is_a_bilingual_error(text):
    with pytest.raises(CheckpointError) as error:
        parse_checkpoint(text)
    assert error.value.zh.startswith("检查点文件无效")
    assert error.value.en.startswith("not a checkpoint file")


def test_key_files(tmp_path: Path):
    private, public = generate_key_pair()
    (tmp_path / "k").write_bytes(private)
    (tmp_path / "k.pub").write_bytes(public)
    key = load_private_key(tmp_path / "k")
    assert load_public_key(tmp_path / "k.pub") == key.public_key()
    with pytest.raises(CheckpointError, match="not an Ed25519 private key"):
        load_private_key(tmp_path / "k.pub")
    with pytest.raises(CheckpointError, match="not an Ed25519 public key"):
        load_public_key(tmp_path / "k")
    with pytest.raises(CheckpointError, match="cannot read the public key file"):
        load_public_key(tmp_path / "missing.pub")


def test_a_log_name_is_one_line():
    with pytest.raises(ValueError, match="one line"):
        CheckpointSigner(PRIVATE, "a\nb")


# the scheduled writer


async def test_the_writer_signs_the_head_when_it_moves(
    engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    log = AuditLog(Store(engine), KEY, clock=Clock())
    writer = CheckpointWriter(log, SIGNER, tmp_path / "checkpoints", 3600, clock=lambda: AT)
    await log.append([record(1), record(2)])
    with caplog.at_level(logging.INFO, logger="gateway.services.audit_checkpoint"):
        first = await writer.write_once()
    assert first is not None
    assert first.seq == 2
    written = tmp_path / "checkpoints" / "audit-checkpoint-000000000002.json"
    assert parse_checkpoint(written.read_text(encoding="utf-8")) == first
    assert first.hash in caplog.text  # the same checkpoint in the log, which leaves the host
    assert await writer.write_once() is None  # the head has not moved
    await log.append([record(3)])
    second = await writer.write_once()
    assert second is not None
    assert second.seq == 3
    assert check_checkpoint(second, PRIVATE.public_key(), SIGNER.log_name) is None
    assert names(tmp_path / "checkpoints") == [
        "audit-checkpoint-000000000002.json",
        "audit-checkpoint-000000000003.json",
    ]


async def test_the_writer_does_not_sign_a_broken_chain(
    engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    log = AuditLog(Store(engine), KEY, clock=Clock())
    writer = CheckpointWriter(log, SIGNER, tmp_path, 3600, clock=lambda: AT)
    await log.append([record(1), record(2)])
    assert await writer.write_once() is not None
    await log.append([record(3)])
    await execute(engine, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3")
    with caplog.at_level(logging.ERROR):
        assert await writer.write_once() is None
    assert "failed its check" in caplog.text
    assert writer.last is not None
    assert writer.last.seq == 2


class SignalingWriter(CheckpointWriter):
    """The writer, telling the test when a tick has written a checkpoint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written = asyncio.Event()

    async def write_once(self) -> Checkpoint | None:
        checkpoint = await super().write_once()
        if checkpoint is not None:
            self.written.set()
        return checkpoint


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_the_writer_runs_on_its_schedule_and_stops(engine: AsyncEngine, tmp_path: Path):
    log = AuditLog(Store(engine), KEY, clock=Clock())
    await log.append([record(1)])
    writer = SignalingWriter(log, SIGNER, tmp_path / "cp", 3600, clock=lambda: AT)
    writer.start()
    try:
        # the first tick runs at once (the interval is an hour); the bound is only a safety net
        await asyncio.wait_for(writer.written.wait(), 60)
    finally:
        await writer.stop()
    assert names(tmp_path / "cp") == ["audit-checkpoint-000000000001.json"]
    await writer.stop()  # stopping twice is harmless
