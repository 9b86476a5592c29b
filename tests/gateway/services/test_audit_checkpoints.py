"""Truncation and rewriting of the audit log, against the head's MAC and signed checkpoints, on
SQLite and PostgreSQL.

The attacks are written as someone holding the database would write them: plain SQL, the hashes
copied from the rows, and (for the rewrite) the chain and the head recomputed with the HMAC key,
which the attacker is assumed to hold too. Only the checkpoint signing key is out of reach.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.audit import ChainProblem, Checkpoint
from gateway.services.audit import AuditLog, AuditUnavailableError, walk_chain
from gateway.services.audit_chain import chain_message, hashed_fields
from gateway.services.audit_checkpoint import CheckpointSigner
from gateway.store.audit import entry_from_row
from gateway.store.tables import AUDIT_GENESIS_HASH, audit_head, audit_log
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, Clock, execute, record

SIGNER = CheckpointSigner(Ed25519PrivateKey.generate(), "苏0812 test log")
SIGNED_AT = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def log(engine: AsyncEngine) -> AuditLog:
    return AuditLog(Store(engine), KEY, clock=Clock())


async def filled(log: AuditLog, n: int) -> None:
    await log.append([record(i, actor=f"actor-{i}") for i in range(1, n + 1)])


async def checkpoint_now(log: AuditLog) -> Checkpoint:
    """What ``chakong audit checkpoint`` signs: the head of a chain that verifies."""
    report = await log.verify()
    assert report.ok, report
    assert report.head_seq is not None
    assert report.head_hash is not None
    return SIGNER.sign(report.head_seq, report.head_hash, SIGNED_AT)


async def rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        result = await conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))
        return [dict(row) for row in result.mappings()]


async def head_row(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        return dict((await conn.execute(sa.select(audit_head))).mappings().one())


async def cut_back_to(engine: AsyncEngine, seq: int) -> None:
    """Delete the entries after ``seq`` and copy the hash of entry ``seq`` into the head, as
    someone without the key would (the head's MAC column left as it is)."""
    kept = [row for row in await rows(engine) if row["seq"] <= seq]
    head_hash = kept[-1]["hash"] if kept else AUDIT_GENESIS_HASH
    await execute(engine, "DELETE FROM audit_log WHERE seq > :seq", seq=seq)
    await execute(engine, "UPDATE audit_head SET seq = :seq, hash = :h", seq=seq, h=head_hash)


def _mac(message: bytes) -> str:
    return hmac.new(KEY, message, hashlib.sha256).hexdigest()


async def rewrite_with_the_key(engine: AsyncEngine, start: int, edit: dict[str, Any]) -> None:
    """Edit entry ``start``, recompute every hash after it with the HMAC key, and reseal the
    head with the key: what someone holding the database and the key can do. Written from the
    documented formats (``chain_message``; the head's MAC over its label, seq and hash), not
    with the gateway's own chain object."""
    stored = await rows(engine)
    prev = stored[start - 2]["hash"] if start > 1 else AUDIT_GENESIS_HASH
    for row in stored[start - 1 :]:
        fields = hashed_fields(entry_from_row(row))
        changes = dict(edit) if row["seq"] == start else {}
        fields.update(changes)
        new_hash = _mac(chain_message(prev, fields))
        async with engine.begin() as conn:
            await conn.execute(
                sa.update(audit_log)
                .where(audit_log.c.seq == row["seq"])
                .values(**changes, prev_hash=prev, hash=new_hash)
            )
        prev = new_hash
    last = stored[-1]["seq"]
    mac = _mac(f"chakong audit head v1\n{last}\n{prev}".encode())
    await execute(engine, "UPDATE audit_head SET hash = :h, mac = :m", h=prev, m=mac)


# the head's MAC


async def test_appends_seal_the_head(log: AuditLog, engine: AsyncEngine):
    assert (await head_row(engine))["mac"] is None  # as the migration leaves it
    await filled(log, 3)
    head = await head_row(engine)
    assert head["mac"] == _mac(f"chakong audit head v1\n3\n{head['hash']}".encode())
    assert (await log.verify()).ok


async def test_truncation_with_the_head_copied_back_is_caught_by_the_head_mac(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 6)
    await cut_back_to(engine, 4)
    report = await log.verify()
    assert (report.ok, report.problem, report.seq, report.checked) == (
        False,
        ChainProblem.HEAD_FORGED,
        4,
        4,
    )


async def test_appends_onto_a_forged_head_are_refused(log: AuditLog, engine: AsyncEngine):
    await filled(log, 6)
    await cut_back_to(engine, 4)
    before = await head_row(engine)
    with pytest.raises(AuditUnavailableError) as refused:
        await log.append([record(7)])
    assert refused.value.code == "AUDIT_UNAVAILABLE"
    assert refused.value.http_status == 503
    assert "tampered" in str(refused.value)
    # nothing written: the head and the entries are as the attacker left them
    assert await head_row(engine) == before
    assert [row["seq"] for row in await rows(engine)] == [1, 2, 3, 4]


async def test_truncation_of_everything_is_caught_by_the_head_mac(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 3)
    await cut_back_to(engine, 0)
    report = await log.verify()
    assert (report.ok, report.problem, report.checked) == (False, ChainProblem.HEAD_FORGED, 0)
    with pytest.raises(AuditUnavailableError):
        await log.append([record(4)])


async def test_a_head_without_its_mac_past_the_start_is_unsealed(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 3)
    await cut_back_to(engine, 2)
    await execute(engine, "UPDATE audit_head SET mac = NULL")
    report = await log.verify()
    assert (report.problem, report.seq) == (ChainProblem.HEAD_UNSEALED, 2)
    with pytest.raises(AuditUnavailableError):
        await log.append([record(4)])


# signed checkpoints


async def test_a_log_that_grew_still_extends_its_checkpoint(log: AuditLog, engine: AsyncEngine):
    await filled(log, 4)
    checkpoint = await checkpoint_now(log)
    await filled(log, 3)
    report = await log.verify(checkpoint=checkpoint)
    assert (report.ok, report.checked, report.checkpoint_seq) == (True, 7, 4)
    keyless = await walk_chain(Store(engine), None, checkpoint=checkpoint)
    assert keyless.ok


async def test_truncation_below_a_checkpoint_is_caught_with_and_without_the_key(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 6)
    checkpoint = await checkpoint_now(log)
    await cut_back_to(engine, 4)
    report = await log.verify(checkpoint=checkpoint)
    assert (report.problem, report.seq, report.checked, report.checkpoint_seq) == (
        ChainProblem.CHECKPOINT_TRUNCATED,
        5,
        4,
        6,
    )
    keyless = await walk_chain(Store(engine), None, checkpoint=checkpoint)
    assert (keyless.problem, keyless.seq) == (ChainProblem.CHECKPOINT_TRUNCATED, 5)
    # without the checkpoint, the keyless walk sees nothing wrong: the checkpoint is the proof
    assert (await walk_chain(Store(engine), None)).ok


async def test_emptying_the_log_and_resetting_its_head_is_caught_by_the_checkpoint(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 3)
    checkpoint = await checkpoint_now(log)
    # the migration's own state: inside the database, a log never written looks like this
    await cut_back_to(engine, 0)
    await execute(engine, "UPDATE audit_head SET mac = NULL")
    assert (await log.verify()).ok  # the documented limit of the head's MAC
    report = await log.verify(checkpoint=checkpoint)
    assert (report.problem, report.seq, report.checked) == (ChainProblem.CHECKPOINT_TRUNCATED, 1, 0)


async def test_a_rewrite_with_the_hmac_key_is_caught_only_by_the_checkpoint(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 6)
    checkpoint = await checkpoint_now(log)
    await rewrite_with_the_key(engine, 3, {"actor": "nobody"})
    assert (await log.verify()).ok  # the chain and the head's MAC are valid again
    report = await log.verify(checkpoint=checkpoint)
    assert (report.problem, report.seq, report.checked) == (
        ChainProblem.CHECKPOINT_REWRITTEN,
        6,
        5,
    )
    keyless = await walk_chain(Store(engine), None, checkpoint=checkpoint)
    assert (keyless.problem, keyless.seq) == (ChainProblem.CHECKPOINT_REWRITTEN, 6)


async def test_a_truncation_resealed_with_the_hmac_key_is_caught_only_by_the_checkpoint(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 6)
    checkpoint = await checkpoint_now(log)
    await cut_back_to(engine, 4)
    await rewrite_with_the_key(engine, 4, {})  # the same hashes, and a head sealed with the key
    assert (await log.verify()).ok
    report = await log.verify(checkpoint=checkpoint)
    assert (report.problem, report.seq) == (ChainProblem.CHECKPOINT_TRUNCATED, 5)


async def test_a_checkpoint_of_another_log_does_not_match(log: AuditLog, engine: AsyncEngine):
    await filled(log, 3)
    other = AuditLog(Store(engine), b"another deployment's audit key!!", clock=Clock())
    report = await other.verify()
    assert report.problem is ChainProblem.EDITED  # the control: it is another key's log
    # a checkpoint signed of a log with other entries: same length, other hashes
    foreign = SIGNER.sign(3, "ab" * 32, SIGNED_AT)
    report = await log.verify(checkpoint=foreign)
    assert (report.problem, report.seq) == (ChainProblem.CHECKPOINT_REWRITTEN, 3)


async def test_the_walk_since_a_checkpoint_checks_what_follows_it(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 4)
    checkpoint = await checkpoint_now(log)
    await filled(log, 3)
    await execute(engine, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 6")
    report = await log.verify(checkpoint=checkpoint, since_checkpoint=True)
    assert (report.problem, report.seq, report.checked) == (ChainProblem.EDITED, 6, 5)
    # an edit before the checkpoint is not walked again (only the checkpoint's entry is read)
    await execute(engine, "UPDATE audit_log SET actor = 'actor-2' WHERE seq = 6")  # undone
    await execute(engine, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
    assert (await log.verify(checkpoint=checkpoint, since_checkpoint=True)).ok
    assert (await log.verify(checkpoint=checkpoint)).problem is ChainProblem.EDITED
    # the checkpoint's own entry is compared
    await cut_back_to(engine, 3)
    report = await log.verify(checkpoint=checkpoint, since_checkpoint=True)
    assert (report.problem, report.seq) == (ChainProblem.CHECKPOINT_TRUNCATED, 4)


# a log from before revision 0002


async def test_a_head_from_before_the_mac_is_sealed_once_the_chain_verifies(
    log: AuditLog, engine: AsyncEngine
):
    await filled(log, 3)
    await execute(engine, "UPDATE audit_head SET mac = NULL")  # as revision 0002 leaves it
    with pytest.raises(AuditUnavailableError):
        await log.append([record(4)])
    report = await log.seal_head()
    assert (report.ok, report.checked) == (True, 3)
    await filled(log, 1)
    assert (await log.verify()).checked == 4


async def test_a_broken_chain_is_not_sealed(log: AuditLog, engine: AsyncEngine):
    await filled(log, 3)
    await execute(engine, "UPDATE audit_head SET mac = NULL")
    await execute(engine, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
    report = await log.seal_head()
    assert (report.ok, report.problem, report.seq) == (False, ChainProblem.EDITED, 2)
    assert (await head_row(engine))["mac"] is None
